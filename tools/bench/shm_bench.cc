// Shared memory benchmarks: ipcbox's lib/shm (posix::SharedMemory,
// sysv::SharedMemory) against the raw calls in the same run: shm_open +
// ftruncate + mmap, and shmget + shmat.
//
//   ./bazelw run -c opt //tools/bench:shm_bench
//   ./bazelw run -c opt //tools/bench:shm_bench -- --filter=set-up
//
// Once mapped, shared memory is plain memory: an ipcbox span and a raw
// pointer reach the same bytes with the same instructions, so the access
// cases below should be at parity and are here to show it. What ipcbox can
// cost is set-up, so that is measured too:
//   - POSIX set-up 4 KiB, one process: create, size, map, unmap, remove.
//     Raw is the seed's memwriter: shm_open(O_CREAT | O_EXCL), ftruncate,
//     mmap; munmap, close, shm_unlink. ipcbox also applies the permissions
//     with fchmod, reserves the page with posix_fallocate (no SIGBUS when
//     /dev/shm fills up; raw allocates the same page later, on the first
//     write), checks the size with fstat, and before removing checks with
//     shm_open + fstat that the name still refers to its object. Expect a ratio
//     well above 1: the price of those guarantees, paid once per object.
//   - System V set-up 4 KiB, one process: IPC_PRIVATE shmget, shmat, shmdt,
//     IPC_RMID. ipcbox adds one IPC_STAT (the size check).
//   - POSIX ping-pong (cache line): the parent stores a sequence number in
//     the shared object, the peer (which opened the object by name) waits
//     for it and stores it back in another cache line; one operation is one
//     round trip. Waiting spins, then yields (on one vCPU the peer needs the
//     CPU to answer).
//   - System V hand-off 64 KiB: the parent copies 64 KiB into a private
//     segment and raises a flag; the peer (sharing the attachment through
//     fork) copies them out and acknowledges.
//
// User-space instructions per set-up operation, counted once with callgrind
// (x86_64, -c opt, gcc 12, static glibc; see tools/bench/README.md):
// POSIX raw 489, ipcbox 1817 (most of the difference is glibc's shm_open
// name handling for the identity check before removal, plus the wrappers
// around fchmod, fstat and posix_fallocate); System V raw 48, ipcbox 447
// (IPC_STAT and the StatusOr plumbing). Both are small next to the system
// calls themselves (tens of microseconds here, see the table).

#include <fcntl.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "tools/bench/harness.h"

namespace ipcbox::bench {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kBulk = 64 << 10;
// The parent's flag and the peer's flag, a cache line apart; the bulk data
// starts on the next page.
constexpr size_t kPingOffset = 0;
constexpr size_t kPongOffset = 64;
constexpr size_t kDataOffset = kPage;

static_assert(std::atomic<uint32_t>::is_always_lock_free,
              "flags shared between processes must be lock-free");

std::atomic<uint32_t>* FlagAt(char* base, size_t offset) {
  return reinterpret_cast<std::atomic<uint32_t>*>(base + offset);
}

// Spins a little, then yields the CPU, until `*flag == value`. The harness's
// --rep_timeout bounds a peer that never answers.
void AwaitFlag(const std::atomic<uint32_t>* flag, uint32_t value) {
  for (int spins = 0; flag->load(std::memory_order_acquire) != value; ++spins) {
    if (spins > 100) ::sched_yield();
  }
}

void Raise(std::atomic<uint32_t>* flag, uint32_t value) {
  flag->store(value, std::memory_order_release);
}

PosixName BenchName(absl::string_view prefix) {
  return *PosixName::Create(UniqueName(prefix));
}

// ------------------------------------------------------------ raw calls

// A POSIX object the way the seed's memwriter makes it.
struct RawPosix {
  int fd = -1;
  char* base = nullptr;
  size_t size = 0;

  absl::Status Create(const PosixName& name, size_t bytes) {
    fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return absl::ErrnoToStatus(errno, "shm_open");
    if (::ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
      return absl::ErrnoToStatus(errno, "ftruncate");
    }
    return Map(bytes);
  }
  absl::Status Open(const PosixName& name, size_t bytes) {
    fd = ::shm_open(name.c_str(), O_RDWR, 0);
    if (fd < 0) return absl::ErrnoToStatus(errno, "shm_open");
    return Map(bytes);
  }
  absl::Status Map(size_t bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return absl::ErrnoToStatus(errno, "mmap");
    base = static_cast<char*>(p);
    size = bytes;
    return absl::OkStatus();
  }
  void Close() {
    if (base != nullptr) ::munmap(base, size);
    if (fd >= 0) ::close(fd);
    base = nullptr;
    fd = -1;
  }
  absl::Status CloseAndUnlink(const PosixName& name) {
    Close();
    if (::shm_unlink(name.c_str()) != 0) {
      return absl::ErrnoToStatus(errno, "shm_unlink");
    }
    return absl::OkStatus();
  }
};

// A private System V segment.
struct RawSysv {
  int id = -1;
  char* base = nullptr;

  absl::Status Create(size_t bytes) {
    id = ::shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0600);
    if (id < 0) return absl::ErrnoToStatus(errno, "shmget");
    void* p = ::shmat(id, nullptr, 0);
    if (p == reinterpret_cast<void*>(-1)) {
      const int err = errno;
      ::shmctl(id, IPC_RMID, nullptr);
      return absl::ErrnoToStatus(err, "shmat");
    }
    base = static_cast<char*>(p);
    return absl::OkStatus();
  }
  absl::Status Remove() {
    const bool detached = base == nullptr || ::shmdt(base) == 0;
    const bool removed = id < 0 || ::shmctl(id, IPC_RMID, nullptr) == 0;
    base = nullptr;
    id = -1;
    if (!detached || !removed) return absl::ErrnoToStatus(errno, "shmdt/RMID");
    return absl::OkStatus();
  }
};

// -------------------------------------------------------------- the cases

struct PosixSetUp {
  PosixName name = BenchName("shm_bench_setup");

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.run = [this](int64_t ops) {
      return Repeat(ops, [this] {
        RawPosix shm;
        if (absl::Status s = shm.Create(name, kPage); !s.ok()) {
          shm.CloseAndUnlink(name).IgnoreError();
          return s;
        }
        shm.base[0] = 1;  // touch the page, as any user would
        return shm.CloseAndUnlink(name);
      });
    };
    v.teardown = [this] { ::shm_unlink(name.c_str()); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.run = [this](int64_t ops) {
      return Repeat(ops, [this] {
        absl::StatusOr<posix::SharedMemory> shm =
            posix::SharedMemory::Create(name, kPage);
        if (!shm.ok()) return shm.status();
        shm->mutable_bytes()[0] = 1;
        return shm->Close();
      });
    };
    v.teardown = [this] { ::shm_unlink(name.c_str()); };
    return v;
  }
};

struct SysvSetUp {
  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.run = [](int64_t ops) {
      return Repeat(ops, [] {
        RawSysv shm;
        if (absl::Status s = shm.Create(kPage); !s.ok()) return s;
        shm.base[0] = 1;
        return shm.Remove();
      });
    };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.run = [](int64_t ops) {
      return Repeat(ops, [] {
        absl::StatusOr<sysv::SharedMemory> shm =
            sysv::SharedMemory::CreatePrivate(kPage);
        if (!shm.ok()) return shm.status();
        shm->mutable_bytes()[0] = 1;
        return shm->Close();
      });
    };
    return v;
  }
};

// The peer's half of a round trip: wait for ping i, answer pong i.
absl::Status Echo(char* base, int64_t ops) {
  for (int64_t i = 1; i <= ops; ++i) {
    AwaitFlag(FlagAt(base, kPingOffset), static_cast<uint32_t>(i));
    Raise(FlagAt(base, kPongOffset), static_cast<uint32_t>(i));
  }
  return absl::OkStatus();
}

struct PosixPingPong {
  PosixName name = BenchName("shm_bench_ping");
  RawPosix raw;
  RawPosix raw_peer;
  std::optional<posix::SharedMemory> lib;
  std::optional<posix::SharedMemory> lib_peer;
  uint32_t sent = 0;  // the parent's sequence, across warm-up and timed runs

  // The parent's half: ping, wait for the pong.
  absl::Status Ping(char* base, int64_t ops) {
    for (int64_t i = 0; i < ops; ++i) {
      ++sent;
      Raise(FlagAt(base, kPingOffset), sent);
      AwaitFlag(FlagAt(base, kPongOffset), sent);
    }
    return absl::OkStatus();
  }

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] {
      sent = 0;
      absl::Status created = raw.Create(name, kPage);
      // No teardown follows a failed setup: remove a half-made object here.
      if (!created.ok()) raw.CloseAndUnlink(name).IgnoreError();
      return created;
    };
    v.peer_setup = [this] { return raw_peer.Open(name, kPage); };
    v.peer = [this](int64_t ops) { return Echo(raw_peer.base, ops); };
    v.run = [this](int64_t ops) { return Ping(raw.base, ops); };
    v.teardown = [this] { raw.CloseAndUnlink(name).IgnoreError(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] {
      sent = 0;
      absl::StatusOr<posix::SharedMemory> shm =
          posix::SharedMemory::Create(name, kPage);
      if (!shm.ok()) return shm.status();
      lib.emplace(*std::move(shm));
      return absl::OkStatus();
    };
    v.peer_setup = [this] {
      lib->Disown();  // the parent's copy owns the object, not the peer's
      absl::StatusOr<posix::SharedMemory> shm =
          posix::SharedMemory::OpenExisting(name, kPage);
      if (!shm.ok()) return shm.status();
      lib_peer.emplace(*std::move(shm));
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      return Echo(lib_peer->mutable_bytes().data(), ops);
    };
    v.run = [this](int64_t ops) {
      return Ping(lib->mutable_bytes().data(), ops);
    };
    v.teardown = [this] { lib.reset(); };
    return v;
  }
};

struct SysvHandOff {
  RawSysv raw;
  std::optional<sysv::SharedMemory> lib;
  std::vector<char> source = std::vector<char>(kBulk, 'h');
  std::vector<char> sink = std::vector<char>(kBulk);
  uint32_t sent = 0;

  absl::Status Send(char* base, int64_t ops) {
    for (int64_t i = 0; i < ops; ++i) {
      std::memcpy(base + kDataOffset, source.data(), kBulk);
      ++sent;
      Raise(FlagAt(base, kPingOffset), sent);
      AwaitFlag(FlagAt(base, kPongOffset), sent);
    }
    return absl::OkStatus();
  }

  absl::Status Receive(const char* data, char* flags, int64_t ops) {
    for (int64_t i = 1; i <= ops; ++i) {
      AwaitFlag(FlagAt(flags, kPingOffset), static_cast<uint32_t>(i));
      std::memcpy(sink.data(), data + kDataOffset, kBulk);
      Raise(FlagAt(flags, kPongOffset), static_cast<uint32_t>(i));
    }
    return absl::OkStatus();
  }

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] {
      sent = 0;
      return raw.Create(kDataOffset + kBulk);
    };
    v.peer = [this](int64_t ops) { return Receive(raw.base, raw.base, ops); };
    v.run = [this](int64_t ops) { return Send(raw.base, ops); };
    v.teardown = [this] { raw.Remove().IgnoreError(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] {
      sent = 0;
      absl::StatusOr<sysv::SharedMemory> shm =
          sysv::SharedMemory::CreatePrivate(kDataOffset + kBulk);
      if (!shm.ok()) return shm.status();
      lib.emplace(*std::move(shm));
      return absl::OkStatus();
    };
    v.peer_setup = [this] {
      lib->Disown();
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      // The peer reads the data through the read-only view and raises its
      // flag through the writable one, as a consumer would.
      return Receive(lib->bytes().data(), lib->mutable_bytes().data(), ops);
    };
    v.run = [this](int64_t ops) {
      return Send(lib->mutable_bytes().data(), ops);
    };
    v.teardown = [this] { lib.reset(); };
    return v;
  }
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  ipcbox::bench::PosixSetUp posix_setup;
  ipcbox::bench::SysvSetUp sysv_setup;
  ipcbox::bench::PosixPingPong ping_pong;
  ipcbox::bench::SysvHandOff hand_off;
  ipcbox::bench::Suite suite(
      "shared memory: ipcbox (lib/shm) vs raw shm_open/mmap and shmget/shmat");
  suite.Add({"posix set-up 4 KiB (create+map+unmap+unlink), one process", 2000},
            posix_setup.Raw(), posix_setup.Ipcbox());
  suite.Add({"sysv set-up 4 KiB (shmget+shmat+shmdt+RMID), one process", 2000},
            sysv_setup.Raw(), sysv_setup.Ipcbox());
  suite.Add({"posix ping-pong, one cache line each way", 20000},
            ping_pong.Raw(), ping_pong.Ipcbox());
  suite.Add({"sysv hand-off 64 KiB", 2000, ipcbox::bench::kBulk},
            hand_off.Raw(), hand_off.Ipcbox());
  return suite.Main(argc, argv);
}
