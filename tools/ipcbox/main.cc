// ipcbox: see, check and clean the IPC objects on a board. See README.md
// in this directory and `ipcbox --help`.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tools/bench/format.h"
#include "tools/ipcbox/bench.h"
#include "tools/ipcbox/channel_tap.h"
#include "tools/ipcbox/doctor.h"
#include "tools/ipcbox/listener_credentials.h"
#include "tools/ipcbox/output.h"
#include "tools/ipcbox/remove.h"
#include "tools/ipcbox/scan.h"

namespace ipcbox::tool {
namespace {

constexpr int kOk = 0;
constexpr int kProblems = 1;
constexpr int kUsage = 2;

constexpr char kHelp[] = R"(usage: ipcbox COMMAND [FLAGS] [ARGS]

See, check and clean the IPC objects on this machine.

commands:
  ls [--kind=K,...] [--check]    every object of the chosen kinds, with its
                                 owner, size, creator, users and a verdict:
                                 in use / idle / stale
  show KIND NAME                 everything about one object, with the
                                 processes that have it open or mapped
  rm KIND NAME                   remove one object (never one in use)
  clean --stale                  remove every stale object (never one in use)
  doctor                         kernel features, limits and this build's
                                 backends: ok / warning / missing
  bench [--quick]                round trips per mechanism, ipcbox vs raw
  channel echo NAME              attach to a channel as a subscriber and
                                 print each sample: sequence, size, preview
  channel hz NAME                attach as a subscriber and print the
                                 publish rate per --window
  help                           this text

kinds: shm, sem, mq, sysv-shm, sysv-sem, sysv-msg, socket, fifo, lock,
  channel (a lib/channel segment in /dev/shm: publisher, subscribers,
  their liveness and backlog; listed as a channel, not again as shm)
NAME: /name for shm, sem, mq and channel; the id or the key (0x...) for
  sysv-*; the path for fifo and socket files, @name for abstract sockets.

flags:
  --json            one JSON document instead of a table
  --kind=K,...      ls, clean: only these kinds (default: all)
  --path=DIR,...    ls, show, rm, clean: where FIFOs and socket files are
                    looked for (default: /tmp,/run)
  --check           ls: exit 1 if any object is stale or a channel corrupt
  --stale           clean: remove the stale objects (required)
  --dry-run         rm, clean: print what would be removed, remove nothing
  --any-owner       rm, clean: as root, also objects of other users
  --root=DIR        read /proc, /dev and /etc under DIR (fake trees)
  --quick           bench: fewer repetitions and operations
  --count=N         channel echo: stop after N samples; channel hz: after
                    N windows (default: no bound)
  --duration=D      channel echo, hz: stop after D (e.g. 10s, 500ms)
  --window=D        channel hz: the rate is reported every D (default 1s)
  --bytes=N         channel echo: preview the first N bytes (default 16,
                    at most 4096)
  --help            this text

exit status: 0 ok; 1 problems found (stale objects or a corrupt channel
with --check, a corrupt channel shown, doctor warnings, an object not found
or not removed; channel echo/hz: the publisher went or the channel could
not be attached; they exit 0 at --count, --duration or Ctrl-C); 2 usage
errors.
)";

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // "--x=y" -> x: y, "--x" -> x: ""

  bool Has(const std::string& flag) const { return flags.count(flag) != 0; }
};

int Usage(const std::string& message) {
  std::cerr << "ipcbox: " << message
            << "\n(ipcbox --help lists commands and flags)\n";
  return kUsage;
}

// Checks that only `allowed` flags were given.
bool OnlyFlags(const Args& args, std::vector<std::string> allowed,
               std::string* bad) {
  allowed.push_back("help");
  for (const auto& [flag, value] : args.flags) {
    bool ok = false;
    for (const std::string& a : allowed) ok = ok || a == flag;
    if (!ok) {
      *bad = flag;
      return false;
    }
  }
  return true;
}

bool BoolFlag(const Args& args, const std::string& flag, std::string* error) {
  auto it = args.flags.find(flag);
  if (it == args.flags.end()) return false;
  if (!it->second.empty()) *error = absl::StrCat("--", flag, " takes no value");
  return true;
}

// --kind and --path into `options`; "" on success, else the usage error.
std::string ScanFlags(const Args& args, ScanOptions* options) {
  if (args.Has("root")) options->root = args.flags.at("root");
  if (args.Has("path")) {
    options->paths =
        absl::StrSplit(args.flags.at("path"), ',', absl::SkipEmpty());
    if (options->paths.empty()) return "--path needs at least one directory";
  }
  if (args.Has("kind")) {
    options->kinds.clear();
    for (absl::string_view k :
         absl::StrSplit(args.flags.at("kind"), ',', absl::SkipEmpty())) {
      Kind kind;
      if (!ParseKind(k, &kind)) return absl::StrCat("unknown kind \"", k, "\"");
      options->kinds.push_back(kind);
    }
    if (options->kinds.empty()) return "--kind needs at least one kind";
  }
  return "";
}

int Ls(const Args& args) {
  std::string bad, error;
  if (!OnlyFlags(args, {"kind", "json", "check", "path", "root"}, &bad)) {
    return Usage(absl::StrCat("ls: unknown flag --", bad));
  }
  if (!args.positional.empty()) return Usage("ls takes no arguments");
  ScanOptions options;
  if (std::string e = ScanFlags(args, &options); !e.empty()) return Usage(e);
  bool json = BoolFlag(args, "json", &error);
  bool check = BoolFlag(args, "check", &error);
  if (!error.empty()) return Usage(error);
  std::vector<IpcObject> objects = ScanObjects(options);
  std::cout << (json ? ObjectsJson(objects, options.root)
                     : ObjectsTable(objects, options.root));
  if (check) {
    for (const IpcObject& o : objects) {
      if (o.verdict == Verdict::kStale || !o.channel.problem.empty()) {
        return kProblems;
      }
    }
  }
  return kOk;
}

// Finds KIND NAME; prints why not and returns false if it cannot.
bool Find(const ScanOptions& base, const std::string& kind_name,
          const std::string& name, IpcObject* found, int* status) {
  Kind kind;
  if (!ParseKind(kind_name, &kind)) {
    *status = Usage(absl::StrCat("unknown kind \"", kind_name, "\""));
    return false;
  }
  ScanOptions options = base;
  options.kinds = {kind};
  if (kind == Kind::kFifo || kind == Kind::kSocket) {
    // A path given is looked for in its own directory too.
    size_t slash = name.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      options.paths.push_back(name.substr(0, slash));
    }
  }
  std::string wanted = name;
  if ((kind == Kind::kShm || kind == Kind::kSem || kind == Kind::kMq ||
       kind == Kind::kChannel) &&
      !absl::StartsWith(wanted, "/")) {
    wanted = "/" + wanted;
  }
  for (const IpcObject& o : ScanObjects(options)) {
    if (o.name == wanted || (!o.key.empty() && o.key == wanted)) {
      *found = o;
      return true;
    }
  }
  std::cerr << "ipcbox: no " << kind_name << " named " << name << "\n";
  *status = kProblems;
  return false;
}

int Show(const Args& args) {
  std::string bad, error;
  if (!OnlyFlags(args, {"json", "path", "root"}, &bad)) {
    return Usage(absl::StrCat("show: unknown flag --", bad));
  }
  if (args.positional.size() != 2) return Usage("show takes KIND NAME");
  ScanOptions options;
  if (std::string e = ScanFlags(args, &options); !e.empty()) return Usage(e);
  bool json = BoolFlag(args, "json", &error);
  if (!error.empty()) return Usage(error);
  IpcObject o;
  int status = kOk;
  if (!Find(options, args.positional[0], args.positional[1], &o, &status)) {
    return status;
  }
  // Only on the live system: a fake tree (--root) has no socket to ask.
  if (o.kind == Kind::kSocket && options.root.empty()) {
    absl::StatusOr<PeerCredentials> who = AskListener(o);
    if (who.ok()) {
      o.listener = DescribeListener(*who);
    } else if (!o.orphaned) {
      o.listener = std::string(who.status().message());
    }
  }
  std::cout << (json ? ObjectJson(o, options.root) + "\n"
                     : ObjectDetails(o, options.root));
  return o.channel.problem.empty() ? kOk : kProblems;
}

struct Action {
  IpcObject object;
  std::string action;  // "removed", "would remove", "refused", "failed"
  std::string reason;
};

Action Apply(const IpcObject& o, bool dry_run, bool any_owner) {
  Action a{o, "", ""};
  absl::Status allowed = CheckRemovable(o, geteuid(), any_owner);
  if (!allowed.ok()) {
    a.action = "refused";
    a.reason = std::string(allowed.message());
  } else if (dry_run) {
    a.action = "would remove";
    a.reason = o.reason;
  } else if (absl::Status s = RemoveObject(o); !s.ok()) {
    a.action = "failed";
    a.reason = s.ToString();
  } else {
    a.action = "removed";
    a.reason = o.reason;
  }
  return a;
}

int Report(const std::vector<Action>& actions, bool json) {
  int status = kOk;
  if (json) {
    std::cout << "{\"actions\":[\n";
  }
  for (size_t i = 0; i < actions.size(); ++i) {
    const Action& a = actions[i];
    if (a.action == "refused" || a.action == "failed") status = kProblems;
    if (json) {
      std::cout << "{\"kind\":" << JsonString(KindName(a.object.kind))
                << ",\"name\":" << JsonString(a.object.name)
                << ",\"action\":" << JsonString(a.action)
                << ",\"reason\":" << JsonString(a.reason) << "}"
                << (i + 1 < actions.size() ? ",\n" : "\n");
    } else {
      (a.action == "refused" || a.action == "failed" ? std::cerr : std::cout)
          << a.action << ": " << KindName(a.object.kind) << " " << a.object.name
          << (a.object.key.empty() ? "" : " key=" + a.object.key) << " ("
          << a.reason << ")\n";
    }
  }
  if (json) std::cout << "]}\n";
  return status;
}

int Rm(const Args& args) {
  std::string bad, error;
  if (!OnlyFlags(args, {"json", "path", "root", "dry-run", "any-owner"},
                 &bad)) {
    return Usage(absl::StrCat("rm: unknown flag --", bad));
  }
  if (args.positional.size() != 2) return Usage("rm takes KIND NAME");
  ScanOptions options;
  if (std::string e = ScanFlags(args, &options); !e.empty()) return Usage(e);
  bool json = BoolFlag(args, "json", &error);
  bool dry_run = BoolFlag(args, "dry-run", &error);
  bool any_owner = BoolFlag(args, "any-owner", &error);
  if (!error.empty()) return Usage(error);
  IpcObject o;
  int status = kOk;
  if (!Find(options, args.positional[0], args.positional[1], &o, &status)) {
    return status;
  }
  return Report({Apply(o, dry_run, any_owner)}, json);
}

int Clean(const Args& args) {
  std::string bad, error;
  if (!OnlyFlags(
          args,
          {"json", "kind", "path", "root", "stale", "dry-run", "any-owner"},
          &bad)) {
    return Usage(absl::StrCat("clean: unknown flag --", bad));
  }
  if (!args.positional.empty()) return Usage("clean takes no arguments");
  ScanOptions options;
  if (std::string e = ScanFlags(args, &options); !e.empty()) return Usage(e);
  bool json = BoolFlag(args, "json", &error);
  bool stale = BoolFlag(args, "stale", &error);
  bool dry_run = BoolFlag(args, "dry-run", &error);
  bool any_owner = BoolFlag(args, "any-owner", &error);
  if (!error.empty()) return Usage(error);
  if (!stale) return Usage("clean: say what to clean: --stale");
  std::vector<Action> actions;
  for (const IpcObject& o : ScanObjects(options)) {
    if (o.verdict == Verdict::kStale)
      actions.push_back(Apply(o, dry_run, any_owner));
  }
  if (actions.empty() && !json) std::cout << "nothing stale\n";
  return Report(actions, json);
}

int Doctor(const Args& args) {
  std::string bad, error;
  if (!OnlyFlags(args, {"json", "root"}, &bad)) {
    return Usage(absl::StrCat("doctor: unknown flag --", bad));
  }
  if (!args.positional.empty()) return Usage("doctor takes no arguments");
  bool json = BoolFlag(args, "json", &error);
  if (!error.empty()) return Usage(error);
  std::string root = args.Has("root") ? args.flags.at("root") : "";
  std::vector<DoctorCheck> checks = RunDoctor(root);
  int status = kOk;
  std::vector<std::vector<std::string>> rows = {
      {"CHECK", "STATUS", "VALUE", "WHY"}};
  std::string out = "{\"checks\":[\n";
  for (size_t i = 0; i < checks.size(); ++i) {
    const DoctorCheck& c = checks[i];
    if (c.health != Health::kOk) status = kProblems;
    rows.push_back({c.name, HealthName(c.health), c.value, c.reason});
    absl::StrAppend(&out, "{\"check\":", JsonString(c.name),
                    ",\"status\":", JsonString(HealthName(c.health)),
                    ",\"value\":", JsonString(c.value),
                    ",\"reason\":", JsonString(c.reason), "}",
                    i + 1 < checks.size() ? ",\n" : "\n");
  }
  std::cout << (json ? out + "]}\n" : FormatTable(rows));
  return status;
}

int Bench(const Args& args) {
  std::string bad, error;
  if (!OnlyFlags(args, {"json", "quick"}, &bad)) {
    return Usage(absl::StrCat("bench: unknown flag --", bad));
  }
  if (!args.positional.empty()) return Usage("bench takes no arguments");
  bool json = BoolFlag(args, "json", &error);
  bool quick = BoolFlag(args, "quick", &error);
  if (!error.empty()) return Usage(error);
  std::vector<BenchRow> rows = RunBench(quick);
  int status = kOk;
  std::vector<std::vector<std::string>> table = {
      {"MECHANISM", "ROUND TRIP", "RAW", "IPCBOX/RAW", "NOTE"}};
  std::string out = "{\"bench\":[\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const BenchRow& r = rows[i];
    if (!r.error.empty()) status = kProblems;
    table.push_back(
        {r.mechanism,
         r.error.empty() ? ipcbox::bench::FormatPerOp(r.ipcbox_ns) : "-",
         r.error.empty() ? ipcbox::bench::FormatPerOp(r.raw_ns) : "-",
         r.error.empty() ? ipcbox::bench::FormatRatio(r.ratio) : "-", r.error});
    absl::StrAppend(&out, "{\"mechanism\":", JsonString(r.mechanism),
                    ",\"ipcbox_ns\":", absl::StrFormat("%.0f", r.ipcbox_ns),
                    ",\"raw_ns\":", absl::StrFormat("%.0f", r.raw_ns),
                    ",\"ratio\":", absl::StrFormat("%.3f", r.ratio),
                    ",\"error\":", JsonString(r.error), "}",
                    i + 1 < rows.size() ? ",\n" : "\n");
  }
  std::cout << (json ? out + "]}\n" : FormatTable(table));
  return status;
}

// "10s", "500ms", ... into `*out`; false if not a positive duration.
bool ParsePositiveDuration(const std::string& text, absl::Duration* out) {
  return absl::ParseDuration(text, out) && *out > absl::ZeroDuration() &&
         *out != absl::InfiniteDuration();
}

int Channel(const Args& args) {
  std::string bad, error;
  if (!OnlyFlags(args, {"json", "count", "duration", "window", "bytes"},
                 &bad)) {
    return Usage(absl::StrCat("channel: unknown flag --", bad));
  }
  if (args.positional.size() != 2) return Usage("channel takes echo|hz NAME");
  const std::string& verb = args.positional[0];
  if (verb != "echo" && verb != "hz") {
    return Usage(absl::StrCat("channel: unknown subcommand \"", verb,
                              "\" (echo or hz)"));
  }
  if (verb == "hz" && args.Has("bytes"))
    return Usage("channel hz: --bytes is for echo");
  if (verb == "echo" && args.Has("window"))
    return Usage("channel echo: --window is for hz");
  TapOptions options;
  options.name = args.positional[1];
  if (!absl::StartsWith(options.name, "/")) options.name = "/" + options.name;
  options.json = BoolFlag(args, "json", &error);
  if (!error.empty()) return Usage(error);
  if (args.Has("count") &&
      (!absl::SimpleAtoi(args.flags.at("count"), &options.count) ||
       options.count == 0)) {
    return Usage("--count takes a positive number");
  }
  if (args.Has("duration") &&
      !ParsePositiveDuration(args.flags.at("duration"), &options.duration)) {
    return Usage("--duration takes a positive duration such as 10s or 500ms");
  }
  if (args.Has("window") &&
      !ParsePositiveDuration(args.flags.at("window"), &options.window)) {
    return Usage("--window takes a positive duration such as 1s or 250ms");
  }
  if (args.Has("bytes") &&
      (!absl::SimpleAtoi(args.flags.at("bytes"), &options.preview_bytes) ||
       options.preview_bytes > 4096)) {
    return Usage("--bytes takes a number from 0 to 4096");
  }
  return verb == "echo" ? RunEcho(options, std::cout, std::cerr)
                        : RunHz(options, std::cout, std::cerr);
}

int Main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (absl::ConsumePrefix(&a, "--")) {
      size_t eq = a.find('=');
      std::string name(a.substr(0, eq));
      if (name.empty()) return Usage("empty flag");
      args.flags[name] =
          eq == absl::string_view::npos ? "" : std::string(a.substr(eq + 1));
    } else if (args.command.empty()) {
      args.command = std::string(a);
    } else {
      args.positional.push_back(std::string(a));
    }
  }
  if (args.Has("help") || args.command == "help") {
    std::cout << kHelp;
    return kOk;
  }
  if (args.command.empty()) return Usage("no command given");
  if (args.command == "ls") return Ls(args);
  if (args.command == "show") return Show(args);
  if (args.command == "rm") return Rm(args);
  if (args.command == "clean") return Clean(args);
  if (args.command == "doctor") return Doctor(args);
  if (args.command == "bench") return Bench(args);
  if (args.command == "channel") return Channel(args);
  return Usage(absl::StrCat("unknown command \"", args.command, "\""));
}

}  // namespace
}  // namespace ipcbox::tool

int main(int argc, char** argv) { return ipcbox::tool::Main(argc, argv); }
