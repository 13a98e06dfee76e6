#include "ipcbox/process/command.h"

#include <stdlib.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/process/child_stdio.h"

extern char** environ;

namespace ipcbox {
namespace {

constexpr absl::string_view kDefaultPath = "/bin:/usr/bin";

bool HasNul(absl::string_view text) {
  return text.find('\0') != absl::string_view::npos;
}

absl::string_view NameOf(absl::string_view entry) {
  return entry.substr(0, entry.find('='));
}

}  // namespace

Command Command::Shell(absl::string_view script) {
  return Command({"/bin/sh", "-c", std::string(script)});
}

Command& Command::SetEnv(absl::string_view name, absl::string_view value) {
  env_changes_.emplace_back(std::string(name), std::string(value));
  return *this;
}

Command& Command::UnsetEnv(absl::string_view name) {
  env_changes_.emplace_back(std::string(name), std::nullopt);
  return *this;
}

Command& Command::ClearEnv() {
  clear_env_ = true;
  env_changes_.clear();
  return *this;
}

Command& Command::SetWorkingDirectory(absl::string_view path) {
  working_directory_ = std::string(path);
  return *this;
}

absl::Status Command::Validate() const {
  if (argv_.empty()) {
    return absl::InvalidArgumentError(
        "Command: empty argv (argv[0], the program, is required)");
  }
  if (argv_[0].empty()) {
    return absl::InvalidArgumentError(
        "Command: argv[0], the program, is empty");
  }
  for (size_t i = 0; i < argv_.size(); ++i) {
    if (HasNul(argv_[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("Command: argv[", i,
                       "] holds a NUL byte: ", QuoteForMessage(argv_[i])));
    }
  }
  for (const auto& [name, value] : env_changes_) {
    if (name.empty() || absl::StrContains(name, '=') || HasNul(name) ||
        (value.has_value() && HasNul(*value))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Command: bad environment variable ", QuoteForMessage(name),
          " (names are not empty and hold no '=' or NUL; values hold no "
          "NUL)"));
    }
  }
  if (working_directory_.has_value() &&
      (working_directory_->empty() || HasNul(*working_directory_))) {
    return absl::InvalidArgumentError(
        absl::StrCat("Command: bad working directory ",
                     QuoteForMessage(*working_directory_)));
  }
  if (stdio_.in.kind() == Stdio::Kind::kSameAsStdout ||
      stdio_.out.kind() == Stdio::Kind::kSameAsStdout) {
    return absl::InvalidArgumentError(
        "Command: Stdio::SameAsStdout() is for stderr only");
  }
  return absl::OkStatus();
}

std::vector<std::string> Command::BuildEnvironment() const {
  std::vector<std::string> env;
  if (!clear_env_ && environ != nullptr) {
    for (char** entry = environ; *entry != nullptr; ++entry) {
      env.emplace_back(*entry);
    }
  }
  for (const auto& [name, value] : env_changes_) {
    for (auto it = env.begin(); it != env.end();) {
      it = NameOf(*it) == name ? env.erase(it) : it + 1;
    }
    if (value.has_value()) env.push_back(absl::StrCat(name, "=", *value));
  }
  return env;
}

std::string Command::SearchPath() const {
  for (auto it = env_changes_.rbegin(); it != env_changes_.rend(); ++it) {
    if (it->first != "PATH") continue;
    return it->second.value_or(std::string(kDefaultPath));
  }
  if (!clear_env_) {
    if (const char* path = ::getenv("PATH"); path != nullptr) return path;
  }
  return std::string(kDefaultPath);
}

std::string Command::ToString() const {
  std::string text = "[";
  for (size_t i = 0; i < argv_.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "" : ", ", QuoteForMessage(argv_[i]));
  }
  text += "]";
  return text;
}

}  // namespace ipcbox
