#include "tests/crash/kill_points.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/unique_name.h"
#include "tests/crash/crash_trial.h"
#include "tests/support/ipc_leak_check.h"

namespace ipcbox::testing {
namespace {

// readdir64: on 32-bit ARM, readdir() ends the listing with EOVERFLOW at
// an entry whose 64-bit position does not fit (tmpfs, ext4), which would
// hide exactly the files the suite looks for.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  for (;;) {
    errno = 0;
    const dirent64* e = ::readdir64(d);
    if (e == nullptr) {
      if (errno != 0) {
        ADD_FAILURE() << "readdir " << dir << ": " << std::strerror(errno);
      }
      break;
    }
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  return names;
}

// Objects of the trial still there: in its directory (products aside),
// in /dev/shm and /dev/mqueue.
std::vector<std::string> Leftovers(const Place& place,
                                   const std::vector<std::string>& products) {
  std::vector<std::string> left;
  for (const std::string& name : Entries(place.dir)) {
    bool product = false;
    for (const std::string& p : products) product = product || p == name;
    if (!product) left.push_back(place.dir + "/" + name);
  }
  for (const char* dir : {"/dev/shm", "/dev/mqueue"}) {
    for (const std::string& name : Entries(dir)) {
      if (absl::StrContains(name, place.token)) {
        left.push_back(absl::StrCat(dir, "/", name));
      }
    }
  }
  return left;
}

bool SysvObjectsLeft(const IpcLeakCheck& check) {
  absl::StatusOr<std::vector<SysvIpcObject>> left = check.CreatedSince();
  return !left.ok() || !left->empty();
}

void RemoveAll(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) ::unlink(path.c_str());
}

struct Tally {
  int kill_points = 0;
  int peer_ended_first = 0;
  int survivor_whole = 0;
  int survivor_failed_clearly = 0;
  int survivor_sound_partial = 0;
  int left_for_restart = 0;
  int violations = 0;
};

}  // namespace

void RunKillPoints(const std::string& label,
                   const std::function<Instance(const Place&)>& make) {
  const std::string base = UniqueTempPath("crash");
  ASSERT_EQ(::mkdir(base.c_str(), 0700), 0) << base;
  std::mt19937_64 random(Settings().seed ^ std::hash<std::string>()(label));
  Tally tally;
  std::string whole_out;
  absl::Duration span;

  bool hung = false;
  for (int point = -1; point < Settings().kill_points; ++point) {
    const bool calibration = point < 0;
    Place place;
    place.dir = absl::StrCat(base, "/", point + 1);
    place.token = absl::StrCat("crash", ::getpid(), "x", random() % 1000000,
                               "p", point + 1);
    ASSERT_EQ(::mkdir(place.dir.c_str(), 0700), 0) << place.dir;
    const IpcLeakCheck sysv_check;
    absl::Duration kill_after = absl::InfiniteDuration();
    if (!calibration) {
      // Half the kill points fall in the first tenth of the run, where the
      // programs set up (create, open, connect) and a uniform draw over a
      // run that mostly waits or lingers would seldom land.
      const absl::Duration range = point % 2 == 0 ? span / 10 : span;
      std::uniform_int_distribution<int64_t> micros(
          0, absl::ToInt64Microseconds(range));
      kill_after = absl::Microseconds(micros(random));
    }
    SCOPED_TRACE(absl::StrCat(label, calibration ? " calibration" : "",
                              " kill point ", point + 1, " at ",
                              absl::FormatDuration(kill_after), " (seed ",
                              Settings().seed, ")"));
    Instance instance = make(place);
    const TrialResult r = RunTrial(instance.trial, kill_after);
    const Captured& s = r.survivor;
    const std::string said =
        absl::StrCat("survivor ", s.exit.Describe(), "; out: \"", s.out,
                     "\"; err: \"", s.err, "\"");

    if (calibration) {
      ASSERT_TRUE(s.exit.exited_with(0)) << said;
      ASSERT_TRUE(r.peer.exited_with(0))
          << "peer " << r.peer.Describe() << "; err: \"" << r.peer_err << "\"";
      whole_out = s.out;
      // Kill points over the peer's run, and a little after it.
      span = r.peer_ran * 1.2 + absl::Milliseconds(1);
    } else {
      ++tally.kill_points;
      bool ok = true;
      if (s.exit.timed_out) {
        ADD_FAILURE() << "the survivor hung: " << said;
        ok = false;
        hung = true;
      } else if (!s.exit.exited) {
        ADD_FAILURE() << "the survivor died: " << said;
        ok = false;
      } else if (s.exit.exit_code == 0) {
        if (s.out == whole_out) {
          ++tally.survivor_whole;
        } else if (instance.sound_partial && instance.sound_partial(s.out)) {
          ++tally.survivor_sound_partial;
        } else {
          ADD_FAILURE() << "the survivor reported success on partial "
                           "output (whole: \""
                        << whole_out << "\"): " << said;
          ok = false;
        }
      } else if (s.err.empty()) {
        ADD_FAILURE() << "the survivor failed without saying why: " << said;
        ok = false;
      } else {
        ++tally.survivor_failed_clearly;
      }
      if (!r.peer_killed) {
        ++tally.peer_ended_first;
        if (r.peer.exited_with(0) && !s.exit.exited_with(0)) {
          ADD_FAILURE() << "the peer ended normally, yet " << said;
          ok = false;
        }
      }
      if (!ok) ++tally.violations;
    }

    std::vector<std::string> left = Leftovers(place, instance.products);
    if ((!left.empty() || SysvObjectsLeft(sysv_check)) && r.peer_killed &&
        instance.restart) {
      ++tally.left_for_restart;
      instance.restart();
      left = Leftovers(place, instance.products);
    }
    EXPECT_TRUE(left.empty())
        << "left behind: " << absl::StrJoin(left, ", ") << "; " << said;
    sysv_check.ExpectNoneLeft();
    RemoveAll(left);
    for (const std::string& p : instance.products) {
      ::unlink((place.dir + "/" + p).c_str());
    }
    if (::rmdir(place.dir.c_str()) != 0) {
      const int err = errno;
      ADD_FAILURE() << "rmdir " << place.dir << ": " << std::strerror(err)
                    << "; in it: " << absl::StrJoin(Entries(place.dir), ", ");
    }
    // A hang costs the whole bound: one is enough to fail the pair.
    if ((calibration && ::testing::Test::HasFailure()) || hung) break;
  }
  ::rmdir(base.c_str());
  std::printf(
      "crash suite: %s: %d kill points over %s: peer ended first %d, "
      "survivor whole %d, survivor failed with a message %d, server "
      "survivor sound with part of a conversation %d, objects left until the "
      "killed program's restart %d, violations %d\n",
      label.c_str(), tally.kill_points, absl::FormatDuration(span).c_str(),
      tally.peer_ended_first, tally.survivor_whole,
      tally.survivor_failed_clearly, tally.survivor_sound_partial,
      tally.left_for_restart, tally.violations);
}

int Report(const absl::Status& status, const char* program, std::FILE* err) {
  if (status.ok()) return 0;
  std::fprintf(err, "%s: %s\n", program, status.ToString().c_str());
  return 1;
}

int RunQuietly(const Role& role) {
  std::FILE* devnull = std::fopen("/dev/null", "w");
  if (devnull == nullptr) return -1;
  const int code = role(devnull, devnull);
  std::fclose(devnull);
  return code;
}

}  // namespace ipcbox::testing
