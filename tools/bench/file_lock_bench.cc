// File lock benchmarks: ipcbox's FcntlLock, OfdLock and FlockLock against the
// same fcntl(2) / flock(2) calls by hand, in the same run.
//
//   ./bazelw run -c opt //tools/bench:file_lock_bench
//   ./bazelw run -c opt //tools/bench:file_lock_bench -- --filter=hand-off
//
// Cases, for each backend:
//   - lock+unlock, one process: an uncontended exclusive TryLock() and
//     Unlock() per operation against two F_SETLK (or flock LOCK_NB, LOCK_UN)
//     calls: the library's own cost per call;
//   - hand-off, two processes: a lock passes from the parent to the peer and
//     back once per operation. Locks alone do the ordering: both processes
//     walk a ring of three locks hand over hand (byte ranges 0..2 of one
//     file for the record locks, three files for flock), each step taking
//     the next lock and then letting go of the one held before, the parent
//     one lock ahead. So each step waits for the lock the other process is
//     about to release, and the steps alternate strictly: parent, peer,
//     parent... A process never asks again for a lock it has just released
//     before the other has taken it (the kernel wakes a waiter, which then
//     retries, so a lock can be taken back from under a woken waiter), and
//     never waits while the other waits for it, so classic locks see no
//     EDEADLK. Lock() (F_SETLKW, flock) against the same calls by hand;
//   - the fcntl hand-off again with LockFor(10 s) on the ipcbox side: what a
//     timeout costs when the lock is taken (F_SETLK retried with lib/core's
//     back-off instead of F_SETLKW; lib/core's README.md, "Waiting with a
//     deadline").

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tools/bench/harness.h"

namespace ipcbox::bench {
namespace {

enum class Kind { kFcntl, kOfd, kFlock };

constexpr int kRelay = 3;  // locks in the hand-off relay

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kFcntl:
      return "fcntl";
    case Kind::kOfd:
      return "OFD";
    case Kind::kFlock:
      return "flock";
  }
  return "?";
}

// The files the locks live on: one for the record locks (bytes 0..2), three
// for flock. Created once, removed at the end.
class LockFiles {
 public:
  LockFiles() {
    for (int i = 0; i < kRelay; ++i) {
      paths_.push_back(UniqueTempPath(absl::StrCat("file_lock_bench.", i)));
    }
  }
  ~LockFiles() {
    for (const std::string& path : paths_) ::unlink(path.c_str());
  }
  const std::string& path(int i) const { return paths_[i]; }

 private:
  std::vector<std::string> paths_;
};

// ---------------------------------------------------------------- raw side

struct RawLocks {
  RawLocks(Kind k, const LockFiles* f) : kind(k), files(f) {}

  Kind kind;
  const LockFiles* files;
  int fds[kRelay] = {-1, -1, -1};

  int FdFor(int i) const { return kind == Kind::kFlock ? fds[i] : fds[0]; }

  absl::Status Open() {
    const int count = kind == Kind::kFlock ? kRelay : 1;
    for (int i = 0; i < count; ++i) {
      fds[i] = ::open(files->path(i).c_str(),
                      O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fds[i] < 0) return absl::ErrnoToStatus(errno, "open");
    }
    return absl::OkStatus();
  }

  void Close() {
    for (int& fd : fds) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }

  int Set(int i, short type, bool wait) {  // NOLINT(runtime/int)
    if (kind == Kind::kFlock) {
      const int op = type == F_UNLCK   ? LOCK_UN
                     : type == F_WRLCK ? LOCK_EX
                                       : LOCK_SH;
      return ::flock(FdFor(i), op | (wait || type == F_UNLCK ? 0 : LOCK_NB));
    }
    struct flock fl = {};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = i;
    fl.l_len = 1;
    const int cmd = kind == Kind::kOfd ? (wait ? F_OFD_SETLKW : F_OFD_SETLK)
                                       : (wait ? F_SETLKW : F_SETLK);
    return ::fcntl(FdFor(i), cmd, &fl);
  }

  absl::Status Lock(int i) {
    int r;
    do {
      r = Set(i, F_WRLCK, /*wait=*/true);
    } while (r != 0 && errno == EINTR);
    return r == 0 ? absl::OkStatus() : absl::ErrnoToStatus(errno, "lock");
  }
  absl::Status TryLock(int i) {
    return Set(i, F_WRLCK, /*wait=*/false) == 0
               ? absl::OkStatus()
               : absl::ErrnoToStatus(errno, "try-lock");
  }
  absl::Status Unlock(int i) {
    return Set(i, F_UNLCK, /*wait=*/false) == 0
               ? absl::OkStatus()
               : absl::ErrnoToStatus(errno, "unlock");
  }
};

// ------------------------------------------------------------- ipcbox side

template <typename LockT>
struct LibLocks {
  static constexpr bool kRecord = !std::is_same_v<LockT, FlockLock>;

  LibLocks(const LockFiles* f, bool t) : files(f), timed(t) {}

  const LockFiles* files;
  bool timed;  // LockFor() instead of Lock()
  std::vector<LockT> locks;

  LockT& At(int i) { return kRecord ? locks[0] : locks[i]; }

  absl::Status Open() {
    locks.clear();
    for (int i = 0; i < (kRecord ? 1 : kRelay); ++i) {
      absl::StatusOr<LockT> lock = LockT::Open(files->path(i));
      if (!lock.ok()) return lock.status();
      locks.push_back(*std::move(lock));
    }
    return absl::OkStatus();
  }
  void Close() { locks.clear(); }

  absl::Status Lock(int i) {
    if constexpr (kRecord) {
      const ByteRange byte = ByteRange::Of(i, 1);
      return timed
                 ? At(i).LockFor(LockType::kExclusive, absl::Seconds(10), byte)
                 : At(i).Lock(LockType::kExclusive, byte);
    } else {
      return timed ? At(i).LockFor(LockType::kExclusive, absl::Seconds(10))
                   : At(i).Lock(LockType::kExclusive);
    }
  }
  absl::Status TryLock(int i) {
    if constexpr (kRecord) {
      return At(i).TryLock(LockType::kExclusive, ByteRange::Of(i, 1));
    } else {
      return At(i).TryLock(LockType::kExclusive);
    }
  }
  absl::Status Unlock(int i) {
    if constexpr (kRecord) {
      return At(i).Unlock(ByteRange::Of(i, 1));
    } else {
      return At(i).Unlock();
    }
  }
};

// -------------------------------------------------------------- the cases

// Lock+unlock of lock 0 in one process.
template <typename Locks>
Variant Uncontended(const char* name, Locks& locks) {
  Variant v;
  v.name = name;
  v.setup = [&locks] { return locks.Open(); };
  v.run = [&locks](int64_t ops) {
    for (int64_t i = 0; i < ops; ++i) {
      if (absl::Status s = locks.TryLock(0); !s.ok()) return s;
      if (absl::Status s = locks.Unlock(0); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  v.teardown = [&locks] { locks.Close(); };
  return v;
}

// The hand-over-hand walk described at the top. The parent starts holding
// lock 1 and its step r takes lock r+2 and releases lock r+1; the peer
// starts holding lock 0 and its step r takes lock r+1 and releases lock r
// (all modulo 3). `step` is the parent's step counter, which carries over
// from the warm-up to the timed batch.
template <typename Locks>
Variant HandOff(const char* name, Locks& locks, int64_t& step) {
  Variant v;
  v.name = name;
  v.setup = [&locks, &step] {
    step = 0;
    if (absl::Status s = locks.Open(); !s.ok()) return s;
    return locks.Lock(1);
  };
  v.peer_setup = [&locks] {
    // Own descriptors (own open file descriptions for OFD and flock); the
    // copies fork() gave us belong to the parent's locks.
    locks.Close();
    if (absl::Status s = locks.Open(); !s.ok()) return s;
    return locks.Lock(0);
  };
  v.peer = [&locks](int64_t ops) {
    for (int64_t r = 0; r < ops; ++r) {
      if (absl::Status s = locks.Lock((r + 1) % kRelay); !s.ok()) return s;
      if (absl::Status s = locks.Unlock(r % kRelay); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  v.run = [&locks, &step](int64_t ops) {
    for (int64_t end = step + ops; step < end; ++step) {
      if (absl::Status s = locks.Lock((step + 2) % kRelay); !s.ok()) return s;
      if (absl::Status s = locks.Unlock((step + 1) % kRelay); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  };
  v.teardown = [&locks] { locks.Close(); };
  return v;
}

// Everything one backend's cases need, alive for the whole run.
template <typename LockT>
class Backend {
 public:
  explicit Backend(Kind kind)
      : kind_(kind),
        raw_(kind, &files_),
        lib_(&files_, /*timed=*/false),
        timed_lib_(&files_, /*timed=*/true) {}

  void AddTo(Suite& suite, bool timed_too) {
    const std::string name = KindName(kind_);
    suite.Add({name + " lock+unlock, one process", 20000},
              Uncontended("raw", raw_), Uncontended("ipcbox", lib_));
    suite.Add({name + " hand-off, two processes", 2000},
              HandOff("raw", raw_, raw_round_),
              HandOff("ipcbox", lib_, lib_round_));
    if (timed_too) {
      suite.Add({name + " hand-off, ipcbox LockFor(10 s)", 2000},
                HandOff("raw", raw_, raw_round_),
                HandOff("ipcbox", timed_lib_, timed_round_));
    }
  }

 private:
  Kind kind_;
  LockFiles files_;
  RawLocks raw_;
  LibLocks<LockT> lib_;
  LibLocks<LockT> timed_lib_;
  int64_t raw_round_ = 0;
  int64_t lib_round_ = 0;
  int64_t timed_round_ = 0;
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using ipcbox::FcntlLock;
  using ipcbox::FlockLock;
  using ipcbox::OfdLock;
  using ipcbox::bench::Backend;
  using ipcbox::bench::Kind;
  Backend<FcntlLock> fcntl(Kind::kFcntl);
  Backend<OfdLock> ofd(Kind::kOfd);
  Backend<FlockLock> flock(Kind::kFlock);
  ipcbox::bench::Suite suite(
      "File locks: ipcbox (lib/file_lock) vs raw fcntl/flock");
  fcntl.AddTo(suite, /*timed_too=*/true);
  ofd.AddTo(suite, /*timed_too=*/false);
  flock.AddTo(suite, /*timed_too=*/false);
  return suite.Main(argc, argv);
}
