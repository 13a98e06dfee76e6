// sysv_shared_memory.h
//
// `sysv::SharedMemory` is a System V shared memory segment (shmget) attached
// to this process (shmat). A segment is found by a key (`sysv::IpcKey`:
// ftok, an agreed number, IPC_PRIVATE, or a hashed name) and, once found, by
// its id. It lives in the kernel until it is removed (IPC_RMID) and the last
// process detaches, or the machine reboots: a crashed program leaves it
// behind, visible in `ipcs -m` and removable with `ipcrm -m <id>`.
//
// Example (the seed's server creates, its client attaches):
//
//   absl::StatusOr<sysv::IpcKey> key = sysv::IpcKey::FromPath(path, 3);
//   SharedMemoryOptions options;
//   options.permissions = *Permissions::FromMode(0664);
//   absl::StatusOr<sysv::SharedMemory> server =
//       sysv::SharedMemory::Open(*key, 4096, options);  // create exclusively
//   ...
//   absl::StatusOr<sysv::SharedMemory> client =
//       sysv::SharedMemory::OpenExisting(*key, 4096);
//   absl::StatusOr<sysv::SegmentInfo> info = server->Stat();  // nattch: 2
//
// It mirrors `posix::SharedMemory`, ownership included, except that a
// segment's size is fixed when it is made, pages are allocated as they are
// touched, and `Remove()` frees the key at once while the segment lives on
// until the last detach. Accessing the bytes never allocates. See lib/shm's
// README.md.

#ifndef IPCBOX_SHM_SYSV_SHARED_MEMORY_H_
#define IPCBOX_SHM_SYSV_SHARED_MEMORY_H_

#include <sys/types.h>

#include <cstddef>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/shm/shared_memory_options.h"

namespace ipcbox::sysv {

// What IPC_STAT reports about a segment.
struct SegmentInfo {
  int id = -1;
  key_t key = IPC_PRIVATE;  // IPC_PRIVATE once the segment is removed
  size_t size = 0;
  // Processes (attachments) that have it attached now.
  unsigned long attach_count = 0;
  pid_t creator_pid = 0;
  pid_t last_pid = 0;  // last shmat() or shmdt()
  uid_t owner_uid = 0;
  gid_t owner_gid = 0;
  uid_t creator_uid = 0;
  mode_t permissions = 0;  // the 0777 bits
  // Removed (IPC_RMID), waiting for the last process to detach.
  bool marked_for_removal = false;
  absl::Time last_attach = absl::UnixEpoch();  // the epoch: never
  absl::Time last_detach = absl::UnixEpoch();
  absl::Time last_change = absl::UnixEpoch();
};

class SharedMemory {
 public:
  // What names a segment of this backend (the generic `SharedMemory`
  // contract has one `Id` type per backend; both take a PosixName too).
  using Id = IpcKey;

  // Finds or makes the segment for `key` as `options.open_mode` says and
  // attaches it; the spans cover its first `size` bytes.
  //
  // - kCreateExclusive / kPurgeAndCreate: a new zeroed segment of `size`
  //   bytes, owned by the result (kPurgeAndCreate first removes a stale
  //   one). With `IpcKey::Private()` every call makes a new segment.
  // - kOpenOrCreate: creates as above if the key is free, else attaches the
  //   existing segment, which must hold `size` bytes. Owns only what it made.
  // - kOpenExisting: the segment must exist and hold `size` bytes. Not with
  //   a private key (nothing can be found by it): use `Attach(id)`.
  //
  // Errors: InvalidArgument for `size` 0 or beyond SHMMAX (the message says
  // the limit), a private key with kOpenExisting, or a creating mode with
  // read-only access; AlreadyExists; NotFound; PermissionDenied (from shmat:
  // the segment's mode does not allow `options.access`); ResourceExhausted
  // (SHMALL/SHMMNI reached, no memory); FailedPrecondition naming both sizes
  // (the segment is smaller than `size`). Nothing
  // is left behind on failure.
  static absl::StatusOr<SharedMemory> Open(
      IpcKey key, size_t size,
      const SharedMemoryOptions& options = SharedMemoryOptions());
  // The same with `IpcKey::FromName(name)`, for code written against the
  // generic `SharedMemory`.
  static absl::StatusOr<SharedMemory> Open(
      const PosixName& name, size_t size,
      const SharedMemoryOptions& options = SharedMemoryOptions()) {
    return Open(IpcKey::FromName(name), size, options);
  }

  static absl::StatusOr<SharedMemory> Create(
      IpcKey key, size_t size,
      Permissions permissions = Permissions::OwnerOnly());
  static absl::StatusOr<SharedMemory> Create(
      const PosixName& name, size_t size,
      Permissions permissions = Permissions::OwnerOnly()) {
    return Create(IpcKey::FromName(name), size, permissions);
  }

  static absl::StatusOr<SharedMemory> OpenExisting(
      IpcKey key, size_t size, MemoryAccess access = MemoryAccess::kReadWrite);
  static absl::StatusOr<SharedMemory> OpenExisting(
      const PosixName& name, size_t size,
      MemoryAccess access = MemoryAccess::kReadWrite) {
    return OpenExisting(IpcKey::FromName(name), size, access);
  }

  // A new IPC_PRIVATE segment for this process and the children it forks
  // afterwards (or any process it tells the id).
  static absl::StatusOr<SharedMemory> CreatePrivate(
      size_t size, Permissions permissions = Permissions::OwnerOnly()) {
    return Create(IpcKey::Private(), size, permissions);
  }

  // Attaches the segment with id `id` (from `id()` in a peer, or `ipcs`),
  // whole. Not an owner. NotFound if no segment has that id (removed).
  static absl::StatusOr<SharedMemory> Attach(
      int id, MemoryAccess access = MemoryAccess::kReadWrite);

  // IPC_RMID of the segment that `key` finds: for a stale segment left by a
  // crashed process. NotFound if there is none.
  static absl::Status Remove(IpcKey key);
  static absl::Status Remove(const PosixName& name) {
    return Remove(IpcKey::FromName(name));
  }

  // IPC_STAT of the segment with id `id`. NotFound if it was removed.
  static absl::StatusOr<SegmentInfo> StatId(int id);

  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  // Detaches and, if this object owns the segment, removes it. Errors are
  // lost: call `Close()` to see them.
  ~SharedMemory();

  int id() const { return id_; }
  IpcKey key() const { return key_; }
  size_t size() const { return size_; }
  bool writable() const {
    return address_ != nullptr && access_ == MemoryAccess::kReadWrite;
  }
  bool owner() const { return owner_; }

  // The attached bytes, valid until `Close()` or destruction. Peers may
  // change them at any time: check any index or length read from them (see
  // ipcbox/shm/bounded_read.h).
  absl::Span<const char> bytes() const {
    return absl::Span<const char>(static_cast<const char*>(address_), size_);
  }
  // Empty when attached read-only (SHM_RDONLY).
  absl::Span<char> mutable_bytes() {
    if (!writable()) return absl::Span<char>();
    return absl::Span<char>(static_cast<char*>(address_), size_);
  }

  // IPC_STAT of this segment. Works until the segment is destroyed, which
  // cannot happen while this object keeps it attached.
  absl::StatusOr<SegmentInfo> Stat() const;

  // Keeps the segment after this object is closed.
  void Disown() { owner_ = false; }

  // IPC_RMID now (owner or not): the key is free at once; the segment lives
  // until the last process detaches. Ownership ends. NotFound if the id is
  // gone (someone else removed the segment and everyone detached).
  ABSL_MUST_USE_RESULT absl::Status Remove();

  // Detaches and, if owner, removes; reports the first error. The object is
  // empty afterwards. Closing twice is harmless.
  ABSL_MUST_USE_RESULT absl::Status Close();

 private:
  SharedMemory(int id, IpcKey key, void* address, size_t size,
               MemoryAccess access, bool owner)
      : id_(id),
        key_(key),
        address_(address),
        size_(size),
        access_(access),
        owner_(owner) {}

  int id_;
  IpcKey key_;
  void* address_;
  size_t size_;
  MemoryAccess access_;
  bool owner_;
};

}  // namespace ipcbox::sysv

#endif  // IPCBOX_SHM_SYSV_SHARED_MEMORY_H_
