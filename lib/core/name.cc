#include "ipcbox/core/name.h"

#include <limits.h>

#include <cstddef>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {
namespace {

absl::Status Rejected(absl::string_view name, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid POSIX IPC name ", QuoteForMessage(name), ": ", rule));
}

}  // namespace

absl::StatusOr<PosixName> PosixName::Create(absl::string_view name,
                                            size_t max_length) {
  if (max_length > NAME_MAX) max_length = NAME_MAX;
  if (name.empty()) return Rejected(name, "it is empty");
  if (name.front() != '/') return Rejected(name, "it must start with '/'");
  if (name.find('\0') != absl::string_view::npos) {
    return Rejected(name, "it contains a NUL byte");
  }
  const absl::string_view rest = name.substr(1);
  if (rest.find('/') != absl::string_view::npos) {
    return Rejected(name, "it must not contain '/' after the leading one");
  }
  if (rest.empty()) return Rejected(name, "it has nothing after the '/'");
  if (rest.size() > max_length) {
    return Rejected(name, absl::StrCat("it has ", rest.size(),
                                       " bytes after the '/', more than the "
                                       "limit of ",
                                       max_length));
  }
  if (rest == "." || rest == "..") {
    return Rejected(name, "\"/.\" and \"/..\" name directories, not objects");
  }
  return PosixName(name);
}

PosixName::PosixName(absl::string_view valid_name) : size_(valid_name.size()) {
  std::memcpy(name_, valid_name.data(), size_);
  name_[size_] = '\0';
}

}  // namespace ipcbox
