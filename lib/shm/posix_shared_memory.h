// posix_shared_memory.h
//
// `posix::SharedMemory` is a POSIX shared memory object (shm_open, a file in
// the /dev/shm tmpfs) mapped into this process. Any process that knows the
// name can open it; it lives until it is removed (or the machine reboots),
// whether or not anyone has it open.
//
// Example (the seed's memwriter and memreader):
//
//   absl::StatusOr<PosixName> name = PosixName::Create("/shMemEx");
//   SharedMemoryOptions options;
//   options.open_mode = OpenMode::kOpenOrCreate;
//   options.permissions = *Permissions::FromMode(0644);
//   absl::StatusOr<posix::SharedMemory> writer =
//       posix::SharedMemory::Open(*name, 512, options);
//   absl::Span<char> bytes = writer->mutable_bytes();
//   ...
//   absl::StatusOr<posix::SharedMemory> reader =
//       posix::SharedMemory::OpenExisting(*name, 512, MemoryAccess::kReadOnly);
//   absl::Span<const char> view = reader->bytes();
//
// Unlike a bare shm_open + ftruncate + mmap, space is reserved at creation (a
// full /dev/shm is an error then, not a SIGBUS later), nothing past the
// object's real size is mapped, and permissions ignore the umask. The creator
// removes the name when closed (a fork()ed child should `Disown()` its copy
// first). Accessing the bytes never allocates. See lib/shm's README.md.

#ifndef IPCBOX_SHM_POSIX_SHARED_MEMORY_H_
#define IPCBOX_SHM_POSIX_SHARED_MEMORY_H_

#include <sys/types.h>

#include <cstddef>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/mapped_file/mapping.h"
#include "ipcbox/shm/shared_memory_options.h"

namespace ipcbox::posix {

class SharedMemory {
 public:
  // What names an object of this backend (the generic `SharedMemory`
  // contract has one `Id` type per backend).
  using Id = PosixName;

  // Opens or creates the object `name` as `options.open_mode` says and maps
  // its first `size` bytes.
  //
  // - kCreateExclusive / kPurgeAndCreate: a new object of `size` zero bytes,
  //   owned by the result. kPurgeAndCreate first removes a stale object.
  // - kOpenOrCreate: creates as above if the name is free; otherwise opens
  //   the existing object and grows it to `size` if it is smaller (a peer may
  //   have created it and not sized it yet; growing never disturbs a peer's
  //   mapping). The result owns the object only if it created it.
  // - kOpenExisting: the object must exist and hold at least `size` bytes.
  //
  // Errors: InvalidArgument for `size` 0 or larger than a file can be, or a
  // creating mode with read-only access; AlreadyExists, NotFound,
  // PermissionDenied from shm_open; ResourceExhausted when /dev/shm cannot
  // hold `size` more bytes; FailedPrecondition, naming both sizes, when an
  // existing object is smaller than `size`. Nothing is left behind on failure.
  static absl::StatusOr<SharedMemory> Open(
      const PosixName& name, size_t size,
      const SharedMemoryOptions& options = SharedMemoryOptions());

  // A new object `name` of `size` bytes, read-write, owned by the result.
  static absl::StatusOr<SharedMemory> Create(
      const PosixName& name, size_t size,
      Permissions permissions = Permissions::OwnerOnly());

  // Maps the first `size` bytes of the existing object `name`.
  static absl::StatusOr<SharedMemory> OpenExisting(
      const PosixName& name, size_t size,
      MemoryAccess access = MemoryAccess::kReadWrite);

  // Removes the name `name` (shm_unlink): for a stale object left by a
  // crashed process. NotFound if there is no such object. Processes that
  // have it mapped keep using it.
  static absl::Status Remove(const PosixName& name);

  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  SharedMemory(SharedMemory&& other) noexcept;
  // Closes the object held so far (see the destructor), then takes `other`'s.
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  // Unmaps and, if this object owns the name, removes it. Errors are lost:
  // call `Close()` to see them.
  ~SharedMemory();

  const PosixName& name() const { return name_; }
  size_t size() const { return mapping_.size(); }
  bool writable() const { return mapping_.writable(); }
  // Whether closing or destroying this object removes the name.
  bool owner() const { return owner_; }

  // The mapped bytes, valid until `Close()` or destruction. Peers may change
  // them at any time: check any index or length read from them (see
  // ipcbox/shm/bounded_read.h).
  absl::Span<const char> bytes() const { return mapping_.bytes(); }
  // Empty when the object is mapped read-only.
  absl::Span<char> mutable_bytes() { return mapping_.mutable_bytes(); }

  // A new descriptor, with an open file description of its own, of the
  // object this one mapped (read-write if the mapping is), for what needs a
  // descriptor: file locks (an OFD lock belongs to the description, so this
  // one's locks are the caller's alone), fstat, passing it on. NotFound if
  // the name is gone; FailedPrecondition if the name now refers to another
  // object than the one mapped here.
  absl::StatusOr<Fd> OpenDescriptor() const;

  // Gives up ownership: the name stays after this object is closed, for a
  // peer (or a later run) to open and remove.
  void Disown() { owner_ = false; }

  // Removes the name now (owner or not); the mapping stays usable, and
  // peers that have it mapped keep theirs. NotFound if the name is gone;
  // FailedPrecondition, without removing anything, if the name now refers to
  // another object. Ownership ends either way.
  ABSL_MUST_USE_RESULT absl::Status Remove();

  // Unmaps, and removes the name if this object owns it, reporting the first
  // error. Afterwards the object is empty: `size()` is 0, the spans are
  // empty. Closing twice is harmless.
  ABSL_MUST_USE_RESULT absl::Status Close();

 private:
  SharedMemory(const PosixName& name, Mapping mapping, bool owner, dev_t dev,
               ino_t ino)
      : name_(name),
        mapping_(std::move(mapping)),
        owner_(owner),
        dev_(dev),
        ino_(ino) {}

  PosixName name_;
  Mapping mapping_;
  bool owner_;
  // The identity of the object this one mapped, to tell it from a newer
  // object under the same name.
  dev_t dev_;
  ino_t ino_;
};

}  // namespace ipcbox::posix

#endif  // IPCBOX_SHM_POSIX_SHARED_MEMORY_H_
