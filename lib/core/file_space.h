// file_space.h
//
// Size checks and space reservation shared by everything in ipcbox that maps
// a file or a file-like object (a regular file, a POSIX shared memory object
// in /dev/shm): lib/mapped_file and lib/shm call these around their set-up.
//
// Example (`posix::SharedMemory::Open()`, around its shm_open()):
//
//   absl::Status s = CheckMappableSize(size, "shared memory object", name);
//   if (!s.ok()) return s;  // before any system call
//   ...                     // shm_open(), fchmod()
//   s = ReserveSpace(fd, size, name, "/dev/shm (tmpfs)");  // no SIGBUS later
//
// Why reserve: ftruncate() makes a file of the asked size without giving it
// any storage. On tmpfs (/dev/shm) or a nearly full disk, the first write to
// a page that finds no space left raises SIGBUS in the writer, long after
// set-up succeeded. posix_fallocate() takes the space at set-up instead, so
// "not enough space" is a status the caller can handle.

#ifndef IPCBOX_CORE_FILE_SPACE_H_
#define IPCBOX_CORE_FILE_SPACE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

// InvalidArgument unless 0 < `size` and `size` fits in off_t (on 32-bit
// builds without large-file offsets that is 2 GiB - 1, less than size_t
// holds). The message names the `kind` of object ("file") and its `name`;
// nothing is formatted unless the size is refused.
absl::Status CheckMappableSize(size_t size, absl::string_view kind,
                               absl::string_view name);

// Makes the object open as `fd` at least `size` bytes long, with the storage
// allocated (posix_fallocate; never shrinks). `object` names it and `where`
// names its file system, for messages. No space is ResourceExhausted naming
// the size and the file system; a file system that cannot reserve space
// (some FUSE and network file systems) is Unimplemented.
absl::Status ReserveSpace(int fd, size_t size, absl::string_view object,
                          absl::string_view where);

// What fstat() says about the object open as `fd`: its size, and whether it
// is a regular file (shared memory objects are).
struct ObjectStat {
  uint64_t size = 0;
  bool regular = false;
};
absl::StatusOr<ObjectStat> StatObject(int fd, absl::string_view object);

// FailedPrecondition naming both sizes unless `wanted` <= `actual`. `what`
// names the object, already quoted where it holds a name.
absl::Status CheckFits(size_t wanted, uint64_t actual, absl::string_view what);

}  // namespace ipcbox

#endif  // IPCBOX_CORE_FILE_SPACE_H_
