#include "ipcbox/core/unique_name.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/name.h"

namespace ipcbox {
namespace {

// Room left for the prefix in a semaphore name: the leading '/', then
// ".<pid>" with a pid of up to 10 digits, then "." and 16 hex digits.
constexpr size_t kMaxPrefix = kMaxSemaphoreNameLength - (1 + 10) - (1 + 16);

std::string CleanPrefix(absl::string_view prefix) {
  if (prefix.empty()) prefix = "ipcbox";
  if (prefix.size() > kMaxPrefix) prefix = prefix.substr(0, kMaxPrefix);
  std::string clean(prefix);
  for (char& c : clean) {
    if (c == '/' || c == '\0') c = '_';
  }
  return clean;
}

// "<prefix>.<pid>.<random>", the part shared by both kinds of name.
std::string UniqueBase(absl::string_view prefix) {
  // A fresh generator per call: cheap enough for set-up code and, unlike a
  // shared one, needs no lock. After fork() the pid still tells parent and
  // child apart even if both drew the same random bits.
  absl::BitGen gen;
  const uint64_t random = absl::Uniform<uint64_t>(gen);
  return absl::StrFormat("%s.%d.%016x", CleanPrefix(prefix),
                         static_cast<long>(::getpid()), random);
}

}  // namespace

std::string UniqueName(absl::string_view prefix) {
  return absl::StrCat("/", UniqueBase(prefix));
}

std::string UniqueTempPath(absl::string_view prefix) {
  const char* env = std::getenv("TEST_TMPDIR");
  absl::string_view dir = (env != nullptr && env[0] != '\0') ? env : "/tmp";
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return absl::StrCat(dir, dir == "/" ? "" : "/", UniqueBase(prefix));
}

}  // namespace ipcbox
