// proc_number.h
//
// `ReadProcNumber()` reads a kernel tunable such as /proc/sys/kernel/msgmax:
// one unsigned decimal number and a newline. Set-up code only (it may
// allocate on error).
//
// Example:
//
//   absl::StatusOr<uint64_t> msgmax =
//       ReadProcNumber("/proc/sys/kernel/msgmax");

#ifndef IPCBOX_MESSAGE_QUEUE_INTERNAL_PROC_NUMBER_H_
#define IPCBOX_MESSAGE_QUEUE_INTERNAL_PROC_NUMBER_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace ipcbox::message_queue_internal {

// NotFound if the file does not exist (a kernel without the feature, or no
// /proc), InvalidArgument naming the file if it does not hold one number.
absl::StatusOr<uint64_t> ReadProcNumber(const char* path);

}  // namespace ipcbox::message_queue_internal

#endif  // IPCBOX_MESSAGE_QUEUE_INTERNAL_PROC_NUMBER_H_
