// pipe_capacity.h
//
// How many bytes a pipe holds before writers block: 16 pages (64 KiB with
// 4 KiB pages) by default. A bigger pipe absorbs bursts from a producer
// whose consumer is briefly busy; a smaller one bounds the memory and the
// latency of what is queued. Either end's descriptor names the same pipe.
//
// Example:
//
//   absl::StatusOr<size_t> size = SetPipeCapacity(writer.fd(), 1 << 20);
//   // *size >= 1 MiB: the kernel rounds up to a power-of-two number of pages
//
// Limits (Linux): at least one page; unprivileged processes at most
// /proc/sys/fs/pipe-max-size (1 MiB by default, else EPERM), and a user
// with too many large pipes gets EPERM too; shrinking below what the pipe
// holds now fails with EBUSY.

#ifndef IPCBOX_PIPE_PIPE_CAPACITY_H_
#define IPCBOX_PIPE_PIPE_CAPACITY_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"

namespace ipcbox {

// The pipe's capacity in bytes (F_GETPIPE_SZ).
absl::StatusOr<size_t> PipeCapacity(const Fd& pipe_end);

// Sets the capacity to at least `bytes` (F_SETPIPE_SZ) and returns the
// capacity the kernel chose. kInvalidArgument if `bytes` exceeds INT_MAX.
absl::StatusOr<size_t> SetPipeCapacity(const Fd& pipe_end, size_t bytes);

}  // namespace ipcbox

#endif  // IPCBOX_PIPE_PIPE_CAPACITY_H_
