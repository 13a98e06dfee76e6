#include "ipcbox/shm/sysv_shared_memory.h"

#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/shm/shared_memory_options.h"

namespace ipcbox::sysv {
namespace {

std::string SegmentName(IpcKey key) {
  return absl::StrCat("System V shared memory ", key.ToString());
}

std::string SegmentName(int id) {
  return absl::StrCat("System V shared memory id ", id);
}

// A call on an id fails with EINVAL (no such id) or EIDRM (removed while we
// looked) once the segment is gone: both are NotFound, said plainly.
absl::Status IdError(int err, absl::string_view call, int id) {
  if (err == EINVAL || err == EIDRM) {
    return absl::NotFoundError(absl::StrCat(
        call, "(", SegmentName(id),
        "): no such segment (it was removed, or the id was never valid)"));
  }
  return ErrnoError(err, call, SegmentName(id));
}

// The first line of a /proc/sys/kernel file, for error messages.
std::string KernelLimit(const char* file) {
  std::string path = absl::StrCat("/proc/sys/kernel/", file);
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return "unknown";
  char line[64] = {};
  const bool read = std::fgets(line, sizeof(line), f) != nullptr;
  std::fclose(f);
  if (!read) return "unknown";
  std::string value(line);
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) {
    value.pop_back();
  }
  return value;
}

absl::Status CreateError(int err, IpcKey key, size_t size) {
  const std::string object = SegmentName(key);
  switch (err) {
    case EEXIST:
      return absl::AlreadyExistsError(absl::StrCat(
          "shmget(", object, "): a segment with this key already exists"));
    case EINVAL:
      return absl::InvalidArgumentError(
          absl::StrCat("shmget(", object, "): size ", size,
                       " is outside what the kernel allows (SHMMAX = ",
                       KernelLimit("shmmax"), ", /proc/sys/kernel/shmmax)"));
    case ENOSPC:
    case ENOMEM:
      return absl::ResourceExhaustedError(absl::StrCat(
          "shmget(", object, ", ", size, " bytes): ",
          err == ENOSPC ? "a system-wide limit was reached (SHMALL = "
                        : "out of memory (SHMALL = ",
          KernelLimit("shmall"), " pages, SHMMNI = ", KernelLimit("shmmni"),
          " segments)"));
    default:
      return ErrnoError(err, "shmget", object);
  }
}

absl::Status LookUpError(int err, IpcKey key) {
  if (err == ENOENT) {
    return absl::NotFoundError(absl::StrCat("shmget(", SegmentName(key),
                                            "): no segment has this key"));
  }
  return ErrnoError(err, "shmget", SegmentName(key));
}

absl::StatusOr<int> LookUp(IpcKey key) {
  const int id = ::shmget(key.value(), 0, 0);
  if (id < 0) return LookUpError(errno, key);
  return id;
}

// The id of the segment for `key`, found or made as `options.open_mode` says;
// `created` tells whether this call made it.
absl::StatusOr<int> GetSegment(IpcKey key, size_t size,
                               const SharedMemoryOptions& options,
                               bool& created) {
  created = false;
  if (!MayCreate(options.open_mode)) return LookUp(key);
  // A peer may remove the segment between our two attempts; try again then.
  for (int attempt = 0;; ++attempt) {
    const int id = ::shmget(key.value(), size,
                            IPC_CREAT | IPC_EXCL | options.permissions.mode());
    if (id >= 0) {
      created = true;
      return id;
    }
    const int err = errno;
    if (err != EEXIST || options.open_mode != OpenMode::kOpenOrCreate) {
      return CreateError(err, key, size);
    }
    absl::StatusOr<int> existing = LookUp(key);
    if (existing.ok() || !absl::IsNotFound(existing.status()) || attempt == 3) {
      return existing;
    }
  }
}

absl::Status CheckOptions(IpcKey key, size_t size,
                          const SharedMemoryOptions& options) {
  if (size == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "size 0 for ", SegmentName(key), ": it must hold at least one byte"));
  }
  if (key.is_private() && !MayCreate(options.open_mode)) {
    return absl::InvalidArgumentError(
        "an IPC_PRIVATE key finds no existing segment (each shmget with it "
        "makes a new one): attach by id instead");
  }
  if (MayCreate(options.open_mode) &&
      options.access != MemoryAccess::kReadWrite) {
    return absl::InvalidArgumentError(absl::StrCat(
        SegmentName(key), ": mode ", OpenModeName(options.open_mode),
        " may create the segment, which needs read-write access"));
  }
  return absl::OkStatus();
}

absl::StatusOr<struct shmid_ds> StatSegment(int id) {
  struct shmid_ds ds;
  if (::shmctl(id, IPC_STAT, &ds) != 0) return IdError(errno, "shmctl", id);
  return ds;
}

absl::StatusOr<void*> AttachSegment(int id, MemoryAccess access) {
  const int flags = access == MemoryAccess::kReadOnly ? SHM_RDONLY : 0;
  void* address = ::shmat(id, nullptr, flags);
  if (address == reinterpret_cast<void*>(-1)) {
    const int err = errno;
    if (err == EACCES) {
      return absl::PermissionDeniedError(absl::StrCat(
          "shmat(", SegmentName(id), ", ", MemoryAccessName(access),
          "): the segment's permissions do not allow it"));
    }
    return IdError(err, "shmat", id);
  }
  return address;
}

SegmentInfo ToSegmentInfo(int id, const struct shmid_ds& ds) {
  SegmentInfo info;
  info.id = id;
  info.key = ds.shm_perm.__key;
  info.size = ds.shm_segsz;
  info.attach_count = ds.shm_nattch;
  info.creator_pid = ds.shm_cpid;
  info.last_pid = ds.shm_lpid;
  info.owner_uid = ds.shm_perm.uid;
  info.owner_gid = ds.shm_perm.gid;
  info.creator_uid = ds.shm_perm.cuid;
  info.permissions = ds.shm_perm.mode & 0777;
  info.marked_for_removal = (ds.shm_perm.mode & SHM_DEST) != 0;
  info.last_attach = absl::FromTimeT(ds.shm_atime);
  info.last_detach = absl::FromTimeT(ds.shm_dtime);
  info.last_change = absl::FromTimeT(ds.shm_ctime);
  return info;
}

absl::Status RemoveId(int id) {
  if (::shmctl(id, IPC_RMID, nullptr) != 0) return IdError(errno, "shmctl", id);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SharedMemory> SharedMemory::Open(
    IpcKey key, size_t size, const SharedMemoryOptions& options) {
  if (absl::Status s = CheckOptions(key, size, options); !s.ok()) return s;
  if (RemovesExisting(options.open_mode) && !key.is_private()) {
    absl::Status removed = Remove(key);
    if (!removed.ok() && !absl::IsNotFound(removed)) return removed;
  }
  bool created = false;
  absl::StatusOr<int> id = GetSegment(key, size, options, created);
  if (!id.ok()) return id.status();
  // From here on, a failure must not leave a segment this call made.
  auto fail = [&](absl::Status status) {
    if (created) ::shmctl(*id, IPC_RMID, nullptr);
    return status;
  };
  absl::StatusOr<struct shmid_ds> ds = StatSegment(*id);
  if (!ds.ok()) return fail(ds.status());
  if (ds->shm_segsz < size) {
    return fail(absl::FailedPreconditionError(absl::StrCat(
        SegmentName(key), " (id ", *id, ") holds ", ds->shm_segsz, " bytes; ",
        size, " were asked for (a segment cannot grow)")));
  }
  absl::StatusOr<void*> address = AttachSegment(*id, options.access);
  if (!address.ok()) return fail(address.status());
  return SharedMemory(*id, key, *address, size, options.access, created);
}

absl::StatusOr<SharedMemory> SharedMemory::Create(IpcKey key, size_t size,
                                                  Permissions permissions) {
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kCreateExclusive;
  options.permissions = permissions;
  return Open(key, size, options);
}

absl::StatusOr<SharedMemory> SharedMemory::OpenExisting(IpcKey key, size_t size,
                                                        MemoryAccess access) {
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  options.access = access;
  return Open(key, size, options);
}

absl::StatusOr<SharedMemory> SharedMemory::Attach(int id, MemoryAccess access) {
  absl::StatusOr<struct shmid_ds> ds = StatSegment(id);
  if (!ds.ok()) return ds.status();
  absl::StatusOr<void*> address = AttachSegment(id, access);
  if (!address.ok()) return address.status();
  // The key as the kernel has it: IPC_PRIVATE for a private or removed one.
  return SharedMemory(id, IpcKey::FromKernel(ds->shm_perm.__key), *address,
                      ds->shm_segsz, access, /*owner=*/false);
}

absl::Status SharedMemory::Remove(IpcKey key) {
  if (key.is_private()) {
    return absl::InvalidArgumentError(
        "an IPC_PRIVATE key finds no segment to remove: remove it by id");
  }
  absl::StatusOr<int> id = LookUp(key);
  if (!id.ok()) return id.status();
  return RemoveId(*id);
}

absl::StatusOr<SegmentInfo> SharedMemory::StatId(int id) {
  absl::StatusOr<struct shmid_ds> ds = StatSegment(id);
  if (!ds.ok()) return ds.status();
  return ToSegmentInfo(id, *ds);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : id_(std::exchange(other.id_, -1)),
      key_(other.key_),
      address_(std::exchange(other.address_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      access_(other.access_),
      owner_(std::exchange(other.owner_, false)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    Close().IgnoreError();
    id_ = std::exchange(other.id_, -1);
    key_ = other.key_;
    address_ = std::exchange(other.address_, nullptr);
    size_ = std::exchange(other.size_, 0);
    access_ = other.access_;
    owner_ = std::exchange(other.owner_, false);
  }
  return *this;
}

SharedMemory::~SharedMemory() { Close().IgnoreError(); }

absl::StatusOr<SegmentInfo> SharedMemory::Stat() const {
  if (id_ < 0) return absl::FailedPreconditionError("Stat of a closed segment");
  return StatId(id_);
}

absl::Status SharedMemory::Remove() {
  owner_ = false;
  if (id_ < 0) {
    return absl::FailedPreconditionError("Remove of a closed segment");
  }
  return RemoveId(id_);
}

absl::Status SharedMemory::Close() {
  absl::Status removed = owner_ ? Remove() : absl::OkStatus();
  absl::Status detached = absl::OkStatus();
  if (address_ != nullptr) {
    if (::shmdt(address_) != 0) {
      detached = ErrnoError(errno, "shmdt", SegmentName(id_));
    }
  }
  address_ = nullptr;
  size_ = 0;
  id_ = -1;
  return removed.ok() ? detached : removed;
}

}  // namespace ipcbox::sysv
