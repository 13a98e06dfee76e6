// lock_call_error.h (internal)
//
// Internal to //lib/file_lock: the status for a lock call that failed, for
// the lock types' implementations.
//
// Example (in record_lock.cc):
//
//   if (::fcntl(fd, F_SETLK, &request) != 0) {
//     return LockCallError(errno, "fcntl(F_SETLK, ...)", fd, "FcntlLock",
//                          /*needs_read=*/false, /*needs_write=*/true);
//   }

#ifndef IPCBOX_FILE_LOCK_INTERNAL_LOCK_CALL_ERROR_H_
#define IPCBOX_FILE_LOCK_INTERNAL_LOCK_CALL_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipcbox {
namespace file_lock_internal {

// The status for a lock call on `fd` that failed with `err`. `call` names the
// operation as it should appear in the message ("fcntl(F_SETLKW, exclusive,
// [0, EOF and beyond))"). Turns the errors whose errno alone misleads into
// clear statuses: EBADF on a descriptor that is open but in the wrong access
// mode becomes kFailedPrecondition saying which mode the lock needs; EBADF
// on an empty lock object becomes kFailedPrecondition "not open".
// Error path only: allocates.
absl::Status LockCallError(int err, absl::string_view call, int fd,
                           absl::string_view type_name, bool needs_read,
                           bool needs_write);

}  // namespace file_lock_internal
}  // namespace ipcbox

#endif  // IPCBOX_FILE_LOCK_INTERNAL_LOCK_CALL_ERROR_H_
