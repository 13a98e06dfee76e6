// Built with _FILE_OFFSET_BITS=64 (see BUILD.bazel): `struct flock` then has
// 64-bit offsets on 32-bit ARM too, and glibc routes the calls to fcntl64.
#include "ipcbox/file_lock/record_lock.h"

#include <fcntl.h>
#include <sys/types.h>

#include <cerrno>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/backoff.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/internal/lock_call_error.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_file.h"
#include "ipcbox/file_lock/lock_type.h"

static_assert(sizeof(off_t) == 8,
              "record_lock.cc must be built with _FILE_OFFSET_BITS=64");

namespace ipcbox {

using file_lock_internal::LockCallError;

namespace {

// The three fcntl commands of one kind of record lock, with their names
// for messages.
struct Commands {
  int try_set;
  int wait_set;
  int get;
  const char* try_set_name;
  const char* wait_set_name;
  const char* get_name;
  const char* type_name;
};

constexpr Commands kProcessCommands = {
    F_SETLK, F_SETLKW, F_GETLK, "F_SETLK", "F_SETLKW", "F_GETLK", "FcntlLock",
};

constexpr Commands kOfdCommands = {
    F_OFD_SETLK,    F_OFD_SETLKW,  F_OFD_GETLK, "F_OFD_SETLK",
    "F_OFD_SETLKW", "F_OFD_GETLK", "OfdLock",
};

const Commands& CommandsFor(RecordLockOwner owner) {
  return owner == RecordLockOwner::kProcess ? kProcessCommands : kOfdCommands;
}

short ToFlockType(LockType type) {  // NOLINT(runtime/int): l_type is short.
  return type == LockType::kShared ? F_RDLCK : F_WRLCK;
}

struct flock MakeFlock(short l_type, ByteRange range) {  // NOLINT
  struct flock fl = {};
  fl.l_type = l_type;
  fl.l_whence = SEEK_SET;
  fl.l_start = range.start;
  fl.l_len = range.length;
  fl.l_pid = 0;  // F_OFD_* insist on 0.
  return fl;
}

// F_SETLK reports a conflicting lock as EAGAIN or EACCES (POSIX allows both).
bool IsConflict(int err) { return err == EAGAIN || err == EACCES; }

absl::Status RangeError(const Commands& commands, absl::string_view operation,
                        const absl::Status& invalid) {
  return absl::InvalidArgumentError(absl::StrCat(
      commands.type_name, "::", operation, ": ", invalid.message()));
}

// Error path of every set/get call.
absl::Status CallError(int err, const Commands& commands, const char* cmd_name,
                       absl::string_view what, ByteRange range, int fd,
                       bool needs_read, bool needs_write) {
  std::string call = absl::StrCat("fcntl(", cmd_name, ", ", what, ", ",
                                  ByteRangeToString(range), ")");
  if (err == EINVAL && &commands == &kOfdCommands) {
    absl::StrAppend(&call, " (OFD locks need Linux 3.15 or later)");
  }
  return LockCallError(err, call, fd, commands.type_name, needs_read,
                       needs_write);
}

absl::Status SetError(int err, const Commands& commands, const char* cmd_name,
                      LockType type, ByteRange range, int fd) {
  return CallError(err, commands, cmd_name, LockTypeName(type), range, fd,
                   type == LockType::kShared, type == LockType::kExclusive);
}

}  // namespace

absl::Status RecordLock::Lock(LockType type, ByteRange range) {
  const Commands& commands = CommandsFor(owner_);
  if (absl::Status s = ValidateByteRange(range); !s.ok()) {
    return RangeError(commands, "Lock", s);
  }
  struct flock fl = MakeFlock(ToFlockType(type), range);
  if (RetryOnEintr([&] { return ::fcntl(fd(), commands.wait_set, &fl); }) ==
      0) {
    return absl::OkStatus();
  }
  return SetError(errno, commands, commands.wait_set_name, type, range, fd());
}

absl::Status RecordLock::TryLock(LockType type, ByteRange range) {
  const Commands& commands = CommandsFor(owner_);
  if (absl::Status s = ValidateByteRange(range); !s.ok()) {
    return RangeError(commands, "TryLock", s);
  }
  struct flock fl = MakeFlock(ToFlockType(type), range);
  // F_SETLK never sleeps on a local file system, but on NFS or FUSE it is a
  // request to a server, which a signal can interrupt: EINTR then says
  // nothing about the lock, so every call here retries it.
  if (RetryOnEintr([&] { return ::fcntl(fd(), commands.try_set, &fl); }) == 0) {
    return absl::OkStatus();
  }
  const int err = errno;
  if (IsConflict(err)) return WouldBlockError();
  return SetError(err, commands, commands.try_set_name, type, range, fd());
}

template <typename MakeDeadline>
absl::Status RecordLock::TimedLock(LockType type, ByteRange range,
                                   MakeDeadline&& make_deadline) {
  const Commands& commands = CommandsFor(owner_);
  if (absl::Status s = ValidateByteRange(range); !s.ok()) {
    return RangeError(commands, "LockUntil", s);
  }
  struct flock fl = MakeFlock(ToFlockType(type), range);
  if (RetryOnEintr([&] { return ::fcntl(fd(), commands.try_set, &fl); }) == 0) {
    return absl::OkStatus();
  }
  const int err = errno;
  if (!IsConflict(err)) {
    return SetError(err, commands, commands.try_set_name, type, range, fd());
  }
  // Taken: only now is the clock read (an uncontended timed lock is one
  // F_SETLK, like TryLock()). F_SETLKW has no timed form: try again, backing
  // off, until the deadline (lib/core's README.md, "Waiting with a
  // deadline").
  const Deadline deadline = make_deadline();
  if (deadline.is_infinite()) return Lock(type, range);
  const int lock_fd = fd();
  Backoff backoff;
  while (backoff.Wait(deadline)) {
    if (RetryOnEintr([&] { return ::fcntl(lock_fd, commands.try_set, &fl); }) ==
        0) {
      return absl::OkStatus();
    }
    const int try_err = errno;
    if (!IsConflict(try_err)) {
      return SetError(try_err, commands, commands.try_set_name, type, range,
                      lock_fd);
    }
  }
  return TimedOutError();
}

absl::Status RecordLock::LockFor(LockType type, absl::Duration timeout,
                                 ByteRange range) {
  return TimedLock(type, range, [timeout] { return Deadline::After(timeout); });
}

absl::Status RecordLock::LockUntil(LockType type, Deadline deadline,
                                   ByteRange range) {
  return TimedLock(type, range, [deadline] { return deadline; });
}

absl::Status RecordLock::Unlock(ByteRange range) {
  const Commands& commands = CommandsFor(owner_);
  if (absl::Status s = ValidateByteRange(range); !s.ok()) {
    return RangeError(commands, "Unlock", s);
  }
  struct flock fl = MakeFlock(F_UNLCK, range);
  if (RetryOnEintr([&] { return ::fcntl(fd(), commands.try_set, &fl); }) == 0) {
    return absl::OkStatus();
  }
  return CallError(errno, commands, commands.try_set_name, "unlock", range,
                   fd(), false, false);
}

absl::StatusOr<std::optional<LockConflict>> RecordLock::FindConflict(
    LockType type, ByteRange range) const {
  const Commands& commands = CommandsFor(owner_);
  if (absl::Status s = ValidateByteRange(range); !s.ok()) {
    return RangeError(commands, "FindConflict", s);
  }
  struct flock fl = MakeFlock(ToFlockType(type), range);
  if (RetryOnEintr([&] { return ::fcntl(fd(), commands.get, &fl); }) != 0) {
    return CallError(errno, commands, commands.get_name, LockTypeName(type),
                     range, fd(), false, false);
  }
  if (fl.l_type == F_UNLCK) return std::optional<LockConflict>();
  LockConflict conflict;
  conflict.type =
      fl.l_type == F_RDLCK ? LockType::kShared : LockType::kExclusive;
  // The kernel reports the holder's range from SEEK_SET, length 0 for "to
  // the end"; a negative length never comes back.
  conflict.range = ByteRange::Of(fl.l_start, fl.l_len);
  conflict.pid = fl.l_pid;
  return std::optional<LockConflict>(conflict);
}

}  // namespace ipcbox
