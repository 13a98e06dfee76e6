// Built with _FILE_OFFSET_BITS=64 (see BUILD.bazel): the F_OFD_* commands
// take a 64-bit struct flock on every architecture.
#include "ipcbox/channel/internal/segment.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_options.h"

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

// The fork handler: in a child made with fork(), every participant's lock
// descriptor is replaced by a fresh, lock-free description of the same
// object, so that the child does not keep the parent's locks (and with
// them a dead parent) alive. The child's copies of the participants then
// hold no place; it must not use them (it may attach anew).
struct LockEntry {
  int lock_fd;
  int object_fd;
};

std::atomic<bool> registry_busy{false};

std::vector<LockEntry>& Registry() {
  static auto* const entries = new std::vector<LockEntry>();
  return *entries;
}

void LockRegistry() {
  while (registry_busy.exchange(true, std::memory_order_acquire)) {
    sched_yield();
  }
}

void UnlockRegistry() { registry_busy.store(false, std::memory_order_release); }

// "/proc/self/fd/<fd>" into `out` without snprintf (this runs in a fork
// child, where only async-signal-safe calls are allowed).
void ProcFdPath(int fd, char (&out)[32]) {
  static constexpr char kPrefix[] = "/proc/self/fd/";
  std::memcpy(out, kPrefix, sizeof(kPrefix) - 1);
  char digits[12];
  int n = 0;
  unsigned v = static_cast<unsigned>(fd);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < 11);
  size_t at = sizeof(kPrefix) - 1;
  while (n > 0) out[at++] = digits[--n];
  out[at] = '\0';
}

void ReplaceLocksInChild() {
  for (const LockEntry& e : Registry()) {
    char path[32];
    ProcFdPath(e.object_fd, path);
    const int fresh = ::open(path, O_RDWR | O_CLOEXEC);
    if (fresh >= 0) {
      ::dup3(fresh, e.lock_fd, O_CLOEXEC);
      ::close(fresh);
    } else {
      // No /proc: the object's own description, which holds no lock.
      ::dup3(e.object_fd, e.lock_fd, O_CLOEXEC);
    }
  }
  UnlockRegistry();
}

void RegisterLock(int lock_fd, int object_fd) {
  static std::once_flag once;
  std::call_once(once, [] {
    ::pthread_atfork(LockRegistry, UnlockRegistry, ReplaceLocksInChild);
  });
  LockRegistry();
  Registry().push_back({lock_fd, object_fd});
  UnlockRegistry();
}

void UnregisterLock(int lock_fd) {
  LockRegistry();
  std::vector<LockEntry>& entries = Registry();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].lock_fd == lock_fd) {
      entries[i] = entries.back();
      entries.pop_back();
      break;
    }
  }
  UnlockRegistry();
}

// A new open file description of what `fd` refers to.
absl::StatusOr<Fd> Reopen(int fd) {
  char path[32];
  ProcFdPath(fd, path);
  const int raw =
      RetryOnEintr([&] { return ::open(path, O_RDWR | O_CLOEXEC); });
  if (raw < 0) return ErrnoError(errno, "open", path);
  return Fd(raw);
}

}  // namespace

Segment::Segment(Segment&& other) noexcept { *this = std::move(other); }

Segment& Segment::operator=(Segment&& other) noexcept {
  if (this != &other) {
    Reset();
    shm_ = std::move(other.shm_);
    other.shm_.reset();
    own_mapping_ = std::exchange(other.own_mapping_, false);
    object_fd_ = std::move(other.object_fd_);
    lock_fd_ = std::move(other.lock_fd_);
    base_ = std::exchange(other.base_, nullptr);
    mapped_size_ = std::exchange(other.mapped_size_, 0);
    geometry_ = other.geometry_;
    policy_ = other.policy_;
    std::memcpy(description_, other.description_, sizeof(description_));
  }
  return *this;
}

Segment::~Segment() { Reset(); }

static_assert(sizeof(Segment) <= SegmentStorage::kSize,
              "SegmentStorage::kSize is too small for a Segment");
static_assert(alignof(Segment) <= SegmentStorage::kAlignment,
              "SegmentStorage::kAlignment is too small for a Segment");

SegmentStorage::SegmentStorage() noexcept { new (bytes_) Segment(); }

SegmentStorage::SegmentStorage(Segment&& segment) noexcept {
  new (bytes_) Segment(std::move(segment));
}

SegmentStorage::SegmentStorage(SegmentStorage&& other) noexcept {
  new (bytes_) Segment(std::move(other.get()));
}

SegmentStorage& SegmentStorage::operator=(SegmentStorage&& other) noexcept {
  get() = std::move(other.get());
  return *this;
}

SegmentStorage::~SegmentStorage() { get().~Segment(); }

void Segment::Reset() {
  if (lock_fd_.get() >= 0) UnregisterLock(lock_fd_.get());
  if (own_mapping_ && base_ != nullptr) ::munmap(base_, mapped_size_);
  own_mapping_ = false;
  base_ = nullptr;
  mapped_size_ = 0;
  // Unmaps, and removes the name if owned and still this object's.
  shm_.reset();
  lock_fd_.reset();
  object_fd_.reset();
}

absl::Status Segment::RemoveName() {
  if (!shm_.has_value()) return absl::OkStatus();
  return shm_->Remove();
}

absl::Status Segment::OpenLockDescription() {
  absl::StatusOr<Fd> lock =
      shm_.has_value() ? shm_->OpenDescriptor() : Reopen(object_fd_.get());
  if (!lock.ok()) return lock.status();
  lock_fd_ = *std::move(lock);
  RegisterLock(lock_fd_.get(), object_fd_.get());
  return absl::OkStatus();
}

absl::Status Segment::MapObject() {
  struct stat st;
  if (::fstat(object_fd_.get(), &st) != 0) {
    return ErrnoError(errno, "fstat", description_);
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size < sizeof(ControlBlock)) {
    return WouldBlockError(absl::StrCat(
        description_, ": ", file_size,
        " bytes, not yet sized by its creator (or not a channel)"));
  }
  if (file_size > kMaxSegmentSize) {
    return Corrupt(*this, absl::StrCat(file_size, " bytes is too large"));
  }
  void* base = ::mmap(nullptr, static_cast<size_t>(file_size),
                      PROT_READ | PROT_WRITE, MAP_SHARED, object_fd_.get(), 0);
  if (base == MAP_FAILED) return ErrnoError(errno, "mmap", description_);
  base_ = static_cast<char*>(base);
  mapped_size_ = static_cast<size_t>(file_size);
  own_mapping_ = true;
  return absl::OkStatus();
}

absl::StatusOr<Segment> Segment::CreateNamed(const PosixName& name,
                                             const Geometry& geometry,
                                             uint32_t policy,
                                             Permissions permissions) {
  // lib/shm creates it exclusively, applies the permissions exactly and
  // reserves the pages (a full /dev/shm is an error here, not a SIGBUS at
  // the first publish); the result owns the name, so a failure below
  // removes it.
  absl::StatusOr<posix::SharedMemory> shm = posix::SharedMemory::Create(
      name, static_cast<size_t>(geometry.total_size), permissions);
  if (!shm.ok()) return shm.status();
  Segment segment;
  std::snprintf(segment.description_, sizeof(segment.description_),
                "channel %s", name.c_str());
  segment.shm_.emplace(*std::move(shm));
  segment.base_ = segment.shm_->mutable_bytes().data();
  segment.mapped_size_ = segment.shm_->size();
  absl::StatusOr<Fd> object = segment.shm_->OpenDescriptor();
  if (!object.ok()) return object.status();
  segment.object_fd_ = *std::move(object);
  if (absl::Status s = segment.OpenLockDescription(); !s.ok()) return s;
  return Initialise(std::move(segment), geometry, policy);
}

absl::StatusOr<Segment> Segment::CreateAnonymous(const Geometry& geometry,
                                                 uint32_t policy) {
  const int raw =
      ::memfd_create("ipcbox-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (raw < 0) return ErrnoError(errno, "memfd_create", "ipcbox-channel");
  Segment segment;
  segment.object_fd_ = Fd(raw);
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
  if (absl::Status s = segment.MapObject(); !s.ok()) return s;
  if (absl::Status s = segment.OpenLockDescription(); !s.ok()) return s;
  return Initialise(std::move(segment), geometry, policy);
}

absl::StatusOr<Segment> Segment::Initialise(Segment segment, const Geometry& g,
                                            uint32_t policy) {
  if (segment.mapped_size_ < g.total_size) {
    return Corrupt(segment, "the new object is smaller than its layout");
  }
  segment.geometry_ = g;
  segment.policy_ = policy;
  // New pages are zero: every counter, mask and stamp starts at 0.
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
  Segment segment;
  std::snprintf(segment.description_, sizeof(segment.description_),
                "channel %s", name.c_str());
  // The size to map is the layout's, which the control block says: map
  // that first, work the size out (checked), then map the whole. Both
  // mappings are checked again in full by Validate().
  // Who may attach is what the creator's permissions say (another user's
  // subscriber included), as with the bare shm_open this replaced: the
  // owner check is off, and nothing read from the segment is trusted anyway.
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenExisting;
  options.ownership.check = false;
  uint64_t total_size = 0;
  {
    absl::StatusOr<posix::SharedMemory> probe =
        posix::SharedMemory::Open(name, sizeof(ControlBlock), options);
    if (!probe.ok()) {
      if (absl::IsFailedPrecondition(probe.status())) {
        return WouldBlockError(
            absl::StrCat(segment.description_,
                         ": not yet sized by its creator (or not a channel)"));
      }
      return probe.status();
    }
    const auto* c =
        reinterpret_cast<const ControlBlock*>(probe->bytes().data());
    const uint32_t magic = LoadAcquire(&c->magic);
    if (magic == 0) {
      return WouldBlockError(absl::StrCat(
          segment.description_, ": not yet initialised by its creator"));
    }
    if (magic != kMagic) return Corrupt(segment, "bad magic number");
    Geometry g;
    if (!ComputeGeometry(LoadRelaxed(&c->slot_count),
                         LoadRelaxed(&c->max_subscribers),
                         LoadRelaxed(&c->max_payload), g)) {
      return Corrupt(segment,
                     "slot count, subscribers or payload out of range");
    }
    total_size = g.total_size;
  }
  absl::StatusOr<posix::SharedMemory> shm =
      posix::SharedMemory::Open(name, static_cast<size_t>(total_size), options);
  if (!shm.ok()) {
    if (absl::IsFailedPrecondition(shm.status())) {
      return Corrupt(segment, shm.status().message());
    }
    return shm.status();
  }
  segment.shm_.emplace(*std::move(shm));
  segment.base_ = segment.shm_->mutable_bytes().data();
  segment.mapped_size_ = segment.shm_->size();
  absl::StatusOr<Fd> object = segment.shm_->OpenDescriptor();
  if (!object.ok()) return object.status();
  segment.object_fd_ = *std::move(object);
  if (absl::Status s = segment.OpenLockDescription(); !s.ok()) return s;
  return Validate(std::move(segment));
}

absl::StatusOr<Segment> Segment::OpenFd(int fd) {
  if (fd < 0) return absl::InvalidArgumentError("channel: no descriptor");
  Segment segment;
  std::snprintf(segment.description_, sizeof(segment.description_),
                "channel (fd %d)", fd);
  // Descriptions of our own (see the header): one mapped and handed on,
  // one for the locks.
  absl::StatusOr<Fd> object = Reopen(fd);
  if (!object.ok()) return object.status();
  segment.object_fd_ = *std::move(object);
  if (absl::Status s = segment.MapObject(); !s.ok()) return s;
  if (absl::Status s = segment.OpenLockDescription(); !s.ok()) return s;
  return Validate(std::move(segment));
}

absl::StatusOr<Segment> Segment::Validate(Segment segment) {
  const uint64_t file_size = segment.mapped_size_;
  const ControlBlock* c = segment.control();
  const uint32_t magic = LoadAcquire(&c->magic);
  if (magic == 0) {
    return WouldBlockError(absl::StrCat(
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
    return Corrupt(segment,
                   absl::StrCat("needs ", g.total_size,
                                " bytes, the object holds ", file_size));
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
  const int locked =
      RetryOnEintr([&] { return ::fcntl(lock_fd(), F_OFD_SETLK, &fl); });
  if (locked == 0) return true;
  if (errno == EAGAIN || errno == EACCES) return false;
  return ErrnoError(errno, "fcntl(F_OFD_SETLK)", description_);
}

void Segment::Unlock(int64_t byte) {
  struct flock fl = MakeFlock(F_UNLCK, byte);
  RetryOnEintr([&] { return ::fcntl(lock_fd(), F_OFD_SETLK, &fl); });
}

absl::StatusOr<bool> Segment::LockedByOther(int64_t byte) const {
  struct flock fl = MakeFlock(F_WRLCK, byte);
  if (RetryOnEintr([&] { return ::fcntl(lock_fd(), F_OFD_GETLK, &fl); }) != 0) {
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
  FetchAnd(&segment.control()->sleepers, ~(bit | (bit << kWatcherShift)));
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
