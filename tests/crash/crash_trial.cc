#include "tests/crash/crash_trial.h"

#include <signal.h>
#include <stdio.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

// An anonymous file (no name left behind) for a child's output, read back
// once the child has ended: unlike a pipe it cannot fill and stall it.
class OutputFile {
 public:
  OutputFile() : file_(std::tmpfile()) {}
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::FILE* get() const { return file_; }

  std::string Contents() const {
    std::string text;
    if (file_ == nullptr) return "<no output file>";
    std::rewind(file_);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) text.append(buf, n);
    return text;
  }

 private:
  std::FILE* file_;
};

absl::StatusOr<ChildProcess> Start(const Role& role, OutputFile& out,
                                   OutputFile& err) {
  return ForkChild([&]() -> int {
    const int code = role(out.get(), err.get());
    std::fflush(out.get());
    std::fflush(err.get());
    return code;
  });
}

}  // namespace

CrashSettings& Settings() {
  static CrashSettings settings;
  return settings;
}

TrialResult RunTrial(const CrashTrial& trial, absl::Duration kill_after) {
  TrialResult result;
  OutputFile out[2], err[2];
  const Role* roles[2] = {&trial.first, &trial.second};
  const int peer = trial.peer == CrashTrial::kFirst ? 0 : 1;
  const int survivor = 1 - peer;
  if (out[0].get() == nullptr || out[1].get() == nullptr ||
      err[0].get() == nullptr || err[1].get() == nullptr) {
    ADD_FAILURE() << "tmpfile() failed";
    return result;
  }

  std::optional<ChildProcess> children[2];
  absl::Time peer_started;
  // The peer: kill it at its kill point unless it has ended by then.
  auto kill_peer = [&] {
    ChildProcess& p = *children[peer];
    const absl::Time at = peer_started + kill_after;
    for (;;) {
      if (std::optional<ExitResult> ended = p.Poll(); ended.has_value()) {
        result.peer = *ended;
        result.peer_ran = absl::Now() - peer_started;
        return;
      }
      const absl::Time now = absl::Now();
      if (now >= at) break;
      absl::SleepFor(std::min(at - now, absl::Microseconds(200)));
    }
    result.peer_killed = p.Kill(SIGKILL).ok();
    result.peer = p.Wait(trial.survivor_bound);
    result.peer_ran = absl::Now() - peer_started;
    // The kill may have raced with a normal exit.
    if (result.peer.exited) result.peer_killed = false;
  };

  for (int i = 0; i < 2; ++i) {
    if (i == 1 && trial.after_first_forked) trial.after_first_forked();
    if (i == 1 && trial.sequential) {
      if (peer == 0) {
        kill_peer();
      } else {
        // The survivor ran first; it must end on its own.
        result.survivor.exit = children[0]->Wait(trial.survivor_bound);
      }
    }
    absl::StatusOr<ChildProcess> child = Start(*roles[i], out[i], err[i]);
    if (!child.ok()) {
      ADD_FAILURE() << "fork: " << child.status();
      return result;
    }
    if (i == peer) peer_started = absl::Now();
    children[i].emplace(*std::move(child));
  }
  if (!(trial.sequential && peer == 0)) kill_peer();
  if (trial.after_peer_ended) trial.after_peer_ended();
  if (!(trial.sequential && survivor == 0)) {
    result.survivor.exit = children[survivor]->Wait(trial.survivor_bound);
  }
  result.survivor.out = out[survivor].Contents();
  result.survivor.err = err[survivor].Contents();
  result.peer_err = err[peer].Contents();
  return result;
}

}  // namespace ipcbox::testing
