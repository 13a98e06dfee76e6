// How the pipe and FIFO benchmarks' ipcbox side guards its writes against
// SIGPIPE: by default a batch holds one ScopedSigpipeBlock around all its
// writes (the documented way to write in a loop); `GuardPerWrite()` makes a
// variant whose parent holds none, so that every write guards itself, to
// measure what that costs.
//
//   v.run = [&](int64_t ops) {
//     const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
//     return Repeat(ops, [&] { return writer.WriteAll(chunk); });
//   };
//   suite.Add(bench_case, raw, GuardPerWrite(lib));

#ifndef IPCBOX_TOOLS_BENCH_SIGPIPE_SCOPE_H_
#define IPCBOX_TOOLS_BENCH_SIGPIPE_SCOPE_H_

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"
#include "tools/bench/harness.h"

namespace ipcbox::bench {

// Whether the ipcbox side holds a ScopedSigpipeBlock around its batch or
// lets every write guard itself. Read when a batch starts.
inline bool hold_sigpipe_scope = true;

// A ScopedSigpipeBlock, or nothing.
class HeldSigpipeScope {
 public:
  explicit HeldSigpipeScope(bool hold) {
    if (hold) scope_.emplace();
  }

 private:
  std::optional<ScopedSigpipeBlock> scope_;
};

// `v` with its parent side run without a held scope (a case whose writes
// are all in the parent).
inline Variant GuardPerWrite(Variant v) {
  v.run = [run = std::move(v.run)](int64_t ops) {
    hold_sigpipe_scope = false;
    absl::Status status = run(ops);
    hold_sigpipe_scope = true;
    return status;
  };
  return v;
}

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_SIGPIPE_SCOPE_H_
