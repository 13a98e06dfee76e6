#include "ipcbox/process/internal/find_program.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {
namespace process_internal {
namespace {

enum class Candidate { kMissing, kNotExecutable, kExecutable };

Candidate Check(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return Candidate::kMissing;
  if (!S_ISREG(info.st_mode) || ::access(path.c_str(), X_OK) != 0) {
    return Candidate::kNotExecutable;
  }
  return Candidate::kExecutable;
}

absl::Status NotExecutableError(absl::string_view path) {
  return absl::PermissionDeniedError(absl::StrCat(
      "program ", QuoteForMessage(path),
      " cannot be executed (not a regular file with execute permission)"));
}

}  // namespace

absl::StatusOr<std::string> FindProgram(absl::string_view program,
                                        absl::string_view search_path) {
  if (absl::StrContains(program, '/')) {
    const std::string path(program);
    switch (Check(path)) {
      case Candidate::kExecutable:
        return path;
      case Candidate::kNotExecutable:
        return NotExecutableError(path);
      case Candidate::kMissing:
        return absl::NotFoundError(
            absl::StrCat("program ", QuoteForMessage(path), " not found"));
    }
  }
  std::string refused;
  for (absl::string_view dir : absl::StrSplit(search_path, ':')) {
    std::string path =
        dir.empty() ? std::string(program) : absl::StrCat(dir, "/", program);
    const Candidate candidate = Check(path);
    if (candidate == Candidate::kExecutable) {
      return dir.empty() ? absl::StrCat("./", program) : path;
    }
    if (candidate == Candidate::kNotExecutable && refused.empty()) {
      refused = std::move(path);
    }
  }
  if (!refused.empty()) return NotExecutableError(refused);
  return absl::NotFoundError(absl::StrCat("program ", QuoteForMessage(program),
                                          " not found in PATH ",
                                          QuoteForMessage(search_path)));
}

}  // namespace process_internal
}  // namespace ipcbox
