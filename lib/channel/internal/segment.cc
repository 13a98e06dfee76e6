// Built with _FILE_OFFSET_BITS=64 (see BUILD.bazel): the F_OFD_* commands
// take a 64-bit struct flock on every architecture.
#include "ipcbox/channel/internal/segment.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/retry.h"

namespace ipcbox::channel_internal {
namespace {

// posix_fallocate() returns the error instead of setting errno, and tmpfs
// fails it with EINTR when a signal arrives during a large reservation
// (even under SA_RESTART): retried, as every EINTR in ipcbox.
int ReserveSpace(int fd, uint64_t size) {
  int err;
  do {
    err = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
  } while (err == EINTR);
  return err;
}

absl::Status Corrupt(const Segment& s, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(s.description(), ": not a usable channel: ", what));
}

struct flock MakeFlock(short type, int64_t byte) {  // NOLINT
  struct flock fl;
  std::memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  fl.l_pid = 0;  // F_OFD_* insist on 0
  return fl;
}

}  // namespace

Segment::Segment(Segment&& other) noexcept { *this = std::move(other); }

Segment& Segment::operator=(Segment&& other) noexcept {
  if (this != &other) {
    Reset();
    fd_ = std::move(other.fd_);
    base_ = std::exchange(other.base_, nullptr);
    mapped_size_ = std::exchange(other.mapped_size_, 0);
    geometry_ = other.geometry_;
    policy_ = other.policy_;
    name_ = other.name_;
    owns_name_ = std::exchange(other.owns_name_, false);
    std::memcpy(description_, other.description_, sizeof(description_));
  }
  return *this;
}

Segment::~Segment() { Reset(); }

void Segment::Reset() {
  if (base_ != nullptr) ::munmap(base_, mapped_size_);
  base_ = nullptr;
  mapped_size_ = 0;
  if (owns_name_ && name_.has_value()) ::shm_unlink(name_->c_str());
  owns_name_ = false;
  fd_.reset();
}

absl::Status Segment::RemoveName() {
  owns_name_ = false;
  if (!name_.has_value()) return absl::OkStatus();
  if (::shm_unlink(name_->c_str()) != 0) {
    return ErrnoError(errno, "shm_unlink", name_->view());
  }
  return absl::OkStatus();
}

absl::StatusOr<Segment> Segment::CreateNamed(const PosixName& name,
                                             const Geometry& geometry,
                                             uint32_t policy,
                                             Permissions permissions) {
  const int raw = RetryOnEintr([&] {
    return ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                      permissions.mode());
  });
  if (raw < 0) return ErrnoError(errno, "shm_open", name.view());
  Segment segment;
  segment.fd_ = Fd(raw);
  segment.name_ = name;
  segment.owns_name_ = true;  // from here on, failure removes it
  std::snprintf(segment.description_, sizeof(segment.description_),
                "channel %s", name.c_str());
  if (absl::Status s = ApplyPermissions(raw, permissions, name.view());
      !s.ok()) {
    return s;
  }
  // Reserve the pages now: a full /dev/shm is an error here, not a SIGBUS
  // at the first publish.
  const int err = ReserveSpace(raw, geometry.total_size);
  if (err != 0) return ErrnoError(err, "posix_fallocate", name.view());
  return Initialise(std::move(segment), geometry, policy);
}

absl::StatusOr<Segment> Segment::CreateAnonymous(const Geometry& geometry,
                                                 uint32_t policy) {
  const int raw = ::memfd_create("ipcbox-channel",
                                 MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (raw < 0) return ErrnoError(errno, "memfd_create", "ipcbox-channel");
  Segment segment;
  segment.fd_ = Fd(raw);
  std::snprintf(segment.description_, sizeof(segment.description_),
                "channel (memfd)");
  if (::ftruncate(raw, static_cast<off_t>(geometry.total_size)) != 0) {
    return ErrnoError(errno, "ftruncate", "ipcbox-channel memfd");
  }
  const int err = ReserveSpace(raw, geometry.total_size);
  if (err != 0) return ErrnoError(err, "posix_fallocate", "ipcbox-channel");
  // Nobody may shrink it (peers would SIGBUS) or grow it; then nobody may
  // change the seals. A kernel (or emulator) without seals leaves it as is.
  if (::fcntl(raw, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) !=
          0 &&
      errno != EINVAL) {
    return ErrnoError(errno, "fcntl(F_ADD_SEALS)", "ipcbox-channel memfd");
  }
  return Initialise(std::move(segment), geometry, policy);
}

absl::StatusOr<Segment> Segment::Initialise(Segment segment,
                                            const Geometry& g,
                                            uint32_t policy) {
  void* base = ::mmap(nullptr, static_cast<size_t>(g.total_size),
                      PROT_READ | PROT_WRITE, MAP_SHARED, segment.fd(), 0);
  if (base == MAP_FAILED) {
    return ErrnoError(errno, "mmap", segment.description());
  }
  segment.base_ = static_cast<char*>(base);
  segment.mapped_size_ = static_cast<size_t>(g.total_size);
  segment.geometry_ = g;
  segment.policy_ = policy;
  // New tmpfs pages are zero: every counter, mask and stamp starts at 0.
  ControlBlock* c = segment.control();
  c->version = kVersion;
  c->control_block_size = sizeof(ControlBlock);
  c->subscriber_state_size = sizeof(SubscriberState);
  c->slot_header_size = sizeof(SlotHeader);
  c->slot_count = g.slot_count;
  c->max_subscribers = g.max_subscribers;
  c->max_payload = g.max_payload;
  c->slot_stride = g.slot_stride;
  c->policy = policy;
  c->subscribers_offset = g.subscribers_offset;
  c->slots_offset = g.slots_offset;
  c->index_offset = g.index_offset;
  c->payload_offset = g.payload_offset;
  c->total_size = g.total_size;
  // The creator is the first publisher: its lock and flag are in place
  // before the segment is announced, so that a subscriber attaching at
  // once does not take a new channel for one whose publisher is gone.
  absl::StatusOr<bool> locked = segment.TryLock(kPublisherLockByte);
  if (!locked.ok()) return locked.status();
  if (!*locked) return Corrupt(segment, "its new publisher lock is taken");
  c->publisher_attached = 1;
  StoreRelease(&c->magic, kMagic);
  return segment;
}

absl::StatusOr<Segment> Segment::OpenNamed(const PosixName& name) {
  const int raw = RetryOnEintr(
      [&] { return ::shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0); });
  if (raw < 0) return ErrnoError(errno, "shm_open", name.view());
  Segment segment;
  segment.fd_ = Fd(raw);
  segment.name_ = name;
  std::snprintf(segment.description_, sizeof(segment.description_),
                "channel %s", name.c_str());
  return MapAndValidate(std::move(segment));
}

absl::StatusOr<Segment> Segment::OpenFd(int fd) {
  if (fd < 0) return absl::InvalidArgumentError("channel: no descriptor");
  // A description of our own, so that our locks are ours (see the header).
  char path[40];
  std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  const int raw =
      RetryOnEintr([&] { return ::open(path, O_RDWR | O_CLOEXEC); });
  if (raw < 0) return ErrnoError(errno, "open", path);
  Segment segment;
  segment.fd_ = Fd(raw);
  std::snprintf(segment.description_, sizeof(segment.description_),
                "channel (fd %d)", fd);
  return MapAndValidate(std::move(segment));
}

absl::StatusOr<Segment> Segment::MapAndValidate(Segment segment) {
  struct stat st;
  if (::fstat(segment.fd(), &st) != 0) {
    return ErrnoError(errno, "fstat", segment.description());
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size < sizeof(ControlBlock)) {
    return absl::UnavailableError(absl::StrCat(
        segment.description(), ": ", file_size,
        " bytes, not yet sized by its creator (or not a channel)"));
  }
  if (file_size > kMaxSegmentSize) {
    return Corrupt(segment, absl::StrCat(file_size, " bytes is too large"));
  }
  void* base = ::mmap(nullptr, static_cast<size_t>(file_size),
                      PROT_READ | PROT_WRITE, MAP_SHARED, segment.fd(), 0);
  if (base == MAP_FAILED) {
    return ErrnoError(errno, "mmap", segment.description());
  }
  segment.base_ = static_cast<char*>(base);
  segment.mapped_size_ = static_cast<size_t>(file_size);

  const ControlBlock* c = segment.control();
  const uint32_t magic = LoadAcquire(&c->magic);
  if (magic == 0) {
    return absl::UnavailableError(absl::StrCat(
        segment.description(), ": not yet initialised by its creator"));
  }
  if (magic != kMagic) return Corrupt(segment, "bad magic number");
  // Each field is read once, into a local, and only the locals are used.
  const uint32_t version = LoadRelaxed(&c->version);
  if (version != kVersion) {
    return Corrupt(segment, absl::StrCat("layout version ", version,
                                         ", this library reads ", kVersion));
  }
  if (LoadRelaxed(&c->control_block_size) != sizeof(ControlBlock) ||
      LoadRelaxed(&c->subscriber_state_size) != sizeof(SubscriberState) ||
      LoadRelaxed(&c->slot_header_size) != sizeof(SlotHeader)) {
    return Corrupt(segment, "record sizes differ from this library's");
  }
  Geometry g;
  if (!ComputeGeometry(LoadRelaxed(&c->slot_count),
                       LoadRelaxed(&c->max_subscribers),
                       LoadRelaxed(&c->max_payload), g)) {
    return Corrupt(segment, "slot count, subscribers or payload out of range");
  }
  if (LoadRelaxed(&c->slot_stride) != g.slot_stride ||
      LoadRelaxed(&c->subscribers_offset) != g.subscribers_offset ||
      LoadRelaxed(&c->slots_offset) != g.slots_offset ||
      LoadRelaxed(&c->index_offset) != g.index_offset ||
      LoadRelaxed(&c->payload_offset) != g.payload_offset ||
      LoadRelaxed(&c->total_size) != g.total_size) {
    return Corrupt(segment, "stored offsets differ from the computed layout");
  }
  if (g.total_size > file_size) {
    return Corrupt(segment, absl::StrCat("needs ", g.total_size,
                                         " bytes, the object holds ",
                                         file_size));
  }
  const uint32_t policy = LoadRelaxed(&c->policy);
  if (policy != kPolicyBlockPublisher && policy != kPolicyDropOldest) {
    return Corrupt(segment, "unknown slow-subscriber policy");
  }
  segment.geometry_ = g;
  segment.policy_ = policy;
  return segment;
}

absl::StatusOr<bool> Segment::TryLock(int64_t byte) {
  struct flock fl = MakeFlock(F_WRLCK, byte);
  if (RetryOnEintr([&] { return ::fcntl(fd(), F_OFD_SETLK, &fl); }) == 0) {
    return true;
  }
  if (errno == EAGAIN || errno == EACCES) return false;
  return ErrnoError(errno, "fcntl(F_OFD_SETLK)", description_);
}

void Segment::Unlock(int64_t byte) {
  struct flock fl = MakeFlock(F_UNLCK, byte);
  RetryOnEintr([&] { return ::fcntl(fd(), F_OFD_SETLK, &fl); });
}

absl::StatusOr<bool> Segment::LockedByOther(int64_t byte) const {
  struct flock fl = MakeFlock(F_WRLCK, byte);
  if (RetryOnEintr([&] { return ::fcntl(fd(), F_OFD_GETLK, &fl); }) != 0) {
    return ErrnoError(errno, "fcntl(F_OFD_GETLK)", description_);
  }
  return fl.l_type != F_UNLCK;
}

void CleanSubscriberPlace(const Segment& segment, uint32_t i) {
  const Geometry& g = segment.geometry();
  if (i >= g.max_subscribers) return;
  const uint32_t bit = 1u << i;
  for (uint32_t s = 0; s < g.slot_count; ++s) {
    FetchAnd(&segment.slot(s)->holders, ~bit);
  }
  FetchAnd(&segment.control()->sleepers,
           ~(bit | (bit << kWatcherShift)));
  StoreSeqCst(&segment.subscriber(i)->active, 0u);
  WakePublisherIfWaiting(segment.control());
}

void WakePublisherIfWaiting(ControlBlock* c) {
  if (LoadSeqCst(&c->publisher_waiting) != 0) {
    FetchAdd(&c->free_word, 1);
    FutexWakeAll(&c->free_word);
  }
}

bool ByteLockedByOther(int fd, int64_t byte) {
  struct flock fl = MakeFlock(F_WRLCK, byte);
  if (RetryOnEintr([&] { return ::fcntl(fd, F_OFD_GETLK, &fl); }) != 0) {
    return true;
  }
  return fl.l_type != F_UNLCK;
}

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__ARM_ARCH) && __ARM_ARCH >= 7)
  asm volatile("yield" ::: "memory");
#endif
}

void FutexWait(uint32_t* word, uint32_t expected, int64_t timeout_ns) {
  if (timeout_ns <= 0) return;
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000);
  ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000);  // NOLINT
  // Not FUTEX_PRIVATE_FLAG: the word is in memory shared between processes.
  ::syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, nullptr, 0);
}

void FutexWakeAll(uint32_t* word) {
  ::syscall(SYS_futex, word, FUTEX_WAKE, 0x7fffffff, nullptr, nullptr, 0);
}

}  // namespace ipcbox::channel_internal
