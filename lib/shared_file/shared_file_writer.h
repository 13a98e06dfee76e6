// shared_file_writer.h
//
// `SharedFileWriter` is the producer's side of a file shared between
// processes, as in the seed article's producer: it replaces the file's
// contents with new records under an exclusive lock over the whole file, so
// that no reader (`SharedFileReader`) ever sees half of an update.
//
// Example (the seed's producer):
//
//   absl::StatusOr<SharedFileWriter> writer =
//       SharedFileWriter::Open("data.dat");
//   if (!writer.ok()) return writer.status();
//   absl::StatusOr<WriteResult> result =
//       writer->Write({"Now is the winter of our discontent\n",
//                      "Made glorious summer by this sun of York\n"});
//   if (!result.ok()) return result.status();
//   if (result->state == WriteState::kLocked) {
//     // Somebody reads or writes the file now: result->holder says who.
//   }
//
// The lock is the seed's kind, an fcntl record lock, with its pitfall: do not
// open and close the same file elsewhere in the process during a write. A
// write goes to a staging file that is renamed over the shared one, so a
// reader sees the old or the new contents even if the writer is killed
// (lib/shared_file's README.md). `Write()` does not allocate unless it fails.
// Move-only; not thread-safe for concurrent use of one object.

#ifndef IPCBOX_SHARED_FILE_SHARED_FILE_WRITER_H_
#define IPCBOX_SHARED_FILE_SHARED_FILE_WRITER_H_

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"

namespace ipcbox {

struct SharedFileWriterOptions {
  // kOpenOrCreate, as the seed's O_RDWR | O_CREAT.
  OpenMode open_mode = OpenMode::kOpenOrCreate;
  // Applied exactly (whatever the umask) when this call creates the file.
  Permissions permissions = Permissions::OwnerOnly();
};

enum class WriteState {
  kWritten,  // the records are in the file
  kLocked,   // another process held a lock until the deadline; nothing written
};

struct WriteResult {
  WriteState state = WriteState::kWritten;
  // kWritten: bytes written, which is now the file's size.
  size_t size = 0;
  // kLocked: the lock in the way (a reader's shared lock or a writer's
  // exclusive one), if it was still there when asked; see lock_conflict.h.
  std::optional<LockConflict> holder;
};

class SharedFileWriter {
 public:
  // Opens (or creates) `path` for reading and writing: O_NOFOLLOW,
  // O_CLOEXEC, a regular file only. Fails with the statuses of
  // `FcntlLock::Open()`.
  static absl::StatusOr<SharedFileWriter> Open(
      absl::string_view path,
      const SharedFileWriterOptions& options = SharedFileWriterOptions());

  SharedFileWriter(SharedFileWriter&&) = default;
  SharedFileWriter& operator=(SharedFileWriter&&) = default;

  // Replaces the file's contents with `records`, in order, under an
  // exclusive lock on the whole file. Waits for the lock until `deadline`;
  // the default, an expired deadline, tries once, as the seed's F_SETLK.
  // Returns kLocked (not an error) when the lock stayed taken; an error
  // status when a system call fails (the lock is released either way).
  absl::StatusOr<WriteResult> Write(absl::Span<const absl::string_view> records,
                                    Deadline deadline = Deadline::Expired());
  absl::StatusOr<WriteResult> Write(
      std::initializer_list<absl::string_view> records,
      Deadline deadline = Deadline::Expired()) {
    return Write(absl::MakeConstSpan(records.begin(), records.size()),
                 deadline);
  }
  absl::StatusOr<WriteResult> Write(absl::string_view contents,
                                    Deadline deadline = Deadline::Expired()) {
    return Write(absl::MakeConstSpan(&contents, 1), deadline);
  }

  // Whether `Open()` created the file.
  bool created() const { return lock_.created(); }
  // The descriptor (owned): for fdatasync(), or fstat().
  int fd() const { return lock_.fd(); }

 private:
  SharedFileWriter(FcntlLock lock, absl::string_view path,
                   Permissions permissions);

  // Builds the new contents in the staging file and renames it into place.
  absl::Status Replace(absl::Span<const absl::string_view> records,
                       size_t* written);

  FcntlLock lock_;
  std::string path_;
  std::string staging_path_;
  Permissions permissions_;
};

}  // namespace ipcbox

#endif  // IPCBOX_SHARED_FILE_SHARED_FILE_WRITER_H_
