#include "examples/common/program_flags.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ipcbox::examples {
namespace {

// Flags Abseil handles itself; ParseCommandLine knows them.
bool IsBuiltInFlag(absl::string_view name) {
  static constexpr absl::string_view kBuiltIn[] = {
      "helpfull",        "helppackage", "helpon",  "helpmatch",  "version",
      "only_check_args", "flagfile",    "fromenv", "tryfromenv", "undefok"};
  return std::find(std::begin(kBuiltIn), std::end(kBuiltIn), name) !=
         std::end(kBuiltIn);
}

[[noreturn]] void UsageError(const char* program, const std::string& what) {
  std::fprintf(stderr, "%s: %s (see --help)\n", program, what.c_str());
  std::exit(kUsageErrorExitCode);
}

void PrintHelp(const char* program) {
  std::printf("%s\n\nFlags:\n",
              std::string(absl::ProgramUsageMessage()).c_str());
  std::vector<const absl::CommandLineFlag*> own;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (IsProgramFlagFile(flag->Filename())) own.push_back(flag);
  }
  std::sort(own.begin(), own.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  for (const absl::CommandLineFlag* flag : own) {
    std::printf("  --%s  %s\n      default: %s\n",
                std::string(flag->Name()).c_str(), flag->Help().c_str(),
                flag->DefaultValue().c_str());
  }
  if (own.empty()) std::printf("  (none)\n");
  std::printf("\n%s --helpfull lists Abseil's flags too.\n", program);
}

// Checks every flag before absl::ParseCommandLine() sees it, which would
// exit 1 on a usage error; the values it sets are set again identically.
void CheckFlags(int argc, char** argv) {
  const char* program = argv[0];
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;  // positional
    arg.remove_prefix(absl::StartsWith(arg, "--") ? 2 : 1);
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    if (IsBuiltInFlag(name)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no") &&
        eq == absl::string_view::npos) {
      absl::CommandLineFlag* negated =
          absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) continue;
    }
    if (flag == nullptr) {
      UsageError(program, "unknown flag --" + std::string(name));
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      UsageError(program, "flag --" + std::string(name) + " needs a value");
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      UsageError(program, "bad value for --" + std::string(name) + ": " +
                              (error.empty() ? "'" + value + "'" : error));
    }
  }
}

// A negative duration is never meaningful for these programs (a timeout, a
// pause, a grace period): absl parses "-1s" happily, so refuse it here.
void CheckDurations(const char* program) {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!IsProgramFlagFile(flag->Filename()) ||
        !flag->IsOfType<absl::Duration>()) {
      continue;
    }
    absl::Duration value;
    if (absl::ParseDuration(flag->CurrentValue(), &value) &&
        value < absl::ZeroDuration()) {
      UsageError(program, "--" + std::string(name) + "=" +
                              flag->CurrentValue() +
                              ": a duration must not be negative");
    }
  }
}

}  // namespace

bool IsProgramFlagFile(absl::string_view filename) {
  for (absl::string_view dir : {"examples/", "tools/", "lib/"}) {
    if (absl::StartsWith(filename, dir) ||
        absl::StrContains(filename, absl::StrCat("/", dir))) {
      return true;
    }
  }
  return false;
}

std::vector<char*> ParseProgramFlags(int argc, char** argv,
                                     absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig config;
  config.contains_help_flags = IsProgramFlagFile;
  config.contains_helpshort_flags = IsProgramFlagFile;
  absl::SetFlagsUsageConfig(config);
  const char* program = argc > 0 ? argv[0] : "?";
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "--helpshort" ||
        arg == "-helpshort" || arg == "-h") {
      PrintHelp(program);
      std::fflush(stdout);
      std::exit(0);
    }
  }
  CheckFlags(argc, argv);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  CheckDurations(program);
  return positional;
}

}  // namespace ipcbox::examples
