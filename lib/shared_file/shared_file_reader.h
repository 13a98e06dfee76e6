// shared_file_reader.h
//
// `SharedFileReader` is the consumer's side of a file shared between
// processes, as in the seed article's consumer: it reads the whole file
// under a shared lock, so it never sees a writer's half-done update while
// other readers read at the same time. It tells apart what a consumer must
// handle differently: no file yet (`Open()` fails with kNotFound), a writer
// holds it (kLocked, with the writer's pid), empty (kEmpty), data (kData).
//
// Example (the seed's consumer):
//
//   absl::StatusOr<SharedFileReader> reader =
//       SharedFileReader::Open("data.dat");
//   if (absl::IsNotFound(reader.status())) ...  // absent
//   if (!reader.ok()) return reader.status();
//   char buf[4096];
//   absl::StatusOr<ReadResult> r = reader->Read(absl::MakeSpan(buf));
//   if (!r.ok()) return r.status();
//   switch (r->state) {
//     case ReadState::kLocked: ... r->holder->pid ...  // locked by pid N
//     case ReadState::kEmpty: ...
//     case ReadState::kData: Use(absl::string_view(buf, r->size));
//   }
//
// The lock is an fcntl record lock, as the seed's programs use, opened
// read-only. Reads do not allocate unless they fail. Move-only; not
// thread-safe for concurrent use of one object.

#ifndef IPCBOX_SHARED_FILE_SHARED_FILE_READER_H_
#define IPCBOX_SHARED_FILE_SHARED_FILE_READER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_conflict.h"

namespace ipcbox {

enum class ReadState {
  kData,    // bytes were read
  kEmpty,   // the file exists and is empty
  kLocked,  // a writer held the file until the deadline; nothing read
};

struct ReadResult {
  ReadState state = ReadState::kData;
  // kData: bytes delivered (into the buffer, or to the sink in total).
  size_t size = 0;
  // kLocked: the writer's lock, when it was still there to be asked about
  // (nullopt if it went away in between and the file was taken again).
  std::optional<LockConflict> holder;
};

class SharedFileReader {
 public:
  // Opens the existing file at `path` read-only (O_NOFOLLOW, O_CLOEXEC, a
  // regular file only). No file: kNotFound, the "absent" case. Other
  // failures as `FcntlLock::Open()`.
  static absl::StatusOr<SharedFileReader> Open(absl::string_view path);

  SharedFileReader(SharedFileReader&&) = default;
  SharedFileReader& operator=(SharedFileReader&&) = default;

  // Reads the whole file into `buffer` under a shared lock, waiting for the
  // lock until `deadline` (the default tries once, as the seed). A file
  // larger than `buffer` is kResourceExhausted (nothing is returned; use
  // `ReadChunks()` for files of any size).
  absl::StatusOr<ReadResult> Read(absl::Span<char> buffer,
                                  Deadline deadline = Deadline::Expired());

  // Reads the whole file under a shared lock, `scratch.size()` bytes at a
  // time, handing each chunk to `sink` while the lock is held. A sink that
  // returns an error stops the read; that error is returned (after
  // unlocking). `scratch` must not be empty.
  absl::StatusOr<ReadResult> ReadChunks(
      absl::Span<char> scratch,
      absl::FunctionRef<absl::Status(absl::string_view chunk)> sink,
      Deadline deadline = Deadline::Expired());

  // The descriptor (owned, read-only).
  int fd() const { return lock_.fd(); }

 private:
  SharedFileReader(FcntlLock lock, absl::string_view path)
      : lock_(std::move(lock)), path_(path) {}

  // Takes the shared lock by `deadline`. nullopt: taken; otherwise the
  // kLocked result (or an error status).
  absl::StatusOr<std::optional<ReadResult>> LockForReading(Deadline deadline);
  // The file's size now (the lock is held), or an error.
  absl::StatusOr<int64_t> Size() const;

  FcntlLock lock_;
  std::string path_;  // followed to the current file before each read
};

}  // namespace ipcbox

#endif  // IPCBOX_SHARED_FILE_SHARED_FILE_READER_H_
