// PeerProcess is a benchmark's second process: forked, pinned to a CPU, it
// sets itself up, tells the parent it is ready, serves its side of the
// operations and exits. Every wait on it is bounded.
//
//   absl::StatusOr<PeerProcess> peer = PeerProcess::Start(
//       /*cpu=*/1,
//       /*setup=*/[&] { return OpenMyEnd(); },
//       /*serve=*/[&] { return EchoMessages(ops); },
//       absl::Seconds(30));
//   // The peer is ready: time the parent's side here.
//   absl::Status done = peer->Finish(absl::Seconds(30));
//
// The peer runs on a copy of the parent's memory, so state the parent set up
// before Start() (descriptors, mappings, names) is there. It leaves with
// _exit(): exit code 0 if both functions returned OK; otherwise it prints the
// status to stderr and exits non-zero. It gets SIGKILL if the parent dies. A
// PeerProcess destroyed while the peer runs kills and reaps it.

#ifndef IPCBOX_TOOLS_BENCH_PEER_H_
#define IPCBOX_TOOLS_BENCH_PEER_H_

#include <sys/types.h>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ipcbox::bench {

class PeerProcess {
 public:
  // Forks; the child pins itself to `cpu`, runs setup(), signals ready, runs
  // serve(). Returns once the child is ready, or with an error if it failed
  // or was not ready within `ready_timeout`.
  static absl::StatusOr<PeerProcess> Start(
      int cpu, absl::FunctionRef<absl::Status()> setup,
      absl::FunctionRef<absl::Status()> serve, absl::Duration ready_timeout);

  PeerProcess(PeerProcess&& other) noexcept;
  PeerProcess& operator=(PeerProcess&& other) noexcept;
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;
  ~PeerProcess();

  // Waits for the peer to exit; OK only if it exited with code 0. On timeout
  // the peer is killed and DeadlineExceeded returned.
  absl::Status Finish(absl::Duration timeout);

  pid_t pid() const { return pid_; }

 private:
  explicit PeerProcess(pid_t pid) : pid_(pid) {}

  pid_t pid_ = -1;  // -1 once reaped or moved from.
};

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_PEER_H_
