// Semaphore benchmarks: ipcbox's lib/semaphore against the raw calls it
// wraps, in the same run: posix::UnnamedSemaphore and posix::NamedSemaphore
// against sem_post(3) / sem_wait(3), sysv::Semaphore against semop(2).
//
//   ./bazelw run -c opt //tools/bench:semaphore_bench
//   ./bazelw run -c opt //tools/bench:semaphore_bench -- --filter=ping-pong
//
// Cases:
//   - post+wait, one process: a post and a wait on an uncontended semaphore
//     in one thread, no wake-ups: what ipcbox costs per call. POSIX is two
//     atomic operations in user space (no system call); System V is two
//     semop calls.
//   - ping-pong between two processes, for POSIX unnamed (in an anonymous
//     shared mapping), POSIX named and System V: the parent posts "ping" and
//     waits on "pong", the peer waits on "ping" and posts "pong"; one
//     operation is one round trip (two wake-ups).
// System V semaphores are used as signals here, so both sides run without
// SEM_UNDO (ipcbox: undo_on_exit = false); with SEM_UNDO a process that only
// posts would hit the kernel's +-32767 undo limit within a repetition.
//
// What ipcbox adds: a null check, a status return and, for waits, the EINTR
// loop; the blocking calls are the same single call as the raw ones.

#include <fcntl.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/posix_unnamed_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/semaphore/sysv_semaphore.h"
#include "tools/bench/harness.h"

namespace ipcbox::bench {
namespace {

// ------------------------------------------------------------ raw calls

absl::Status RawPost(sem_t* sem) {
  if (::sem_post(sem) != 0) return absl::ErrnoToStatus(errno, "sem_post");
  return absl::OkStatus();
}

absl::Status RawWait(sem_t* sem) {
  while (::sem_wait(sem) != 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "sem_wait");
  }
  return absl::OkStatus();
}

absl::Status RawSemop(int id, short delta) {
  struct sembuf op = {0, delta, 0};
  while (::semop(id, &op, 1) != 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "semop");
  }
  return absl::OkStatus();
}

// Two sem_t in one anonymous shared mapping, initialised by hand.
struct RawUnnamedPair {
  sem_t* sems = nullptr;

  absl::Status Open() {
    void* p = ::mmap(nullptr, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return absl::ErrnoToStatus(errno, "mmap");
    sems = static_cast<sem_t*>(p);
    if (::sem_init(&sems[0], 1, 0) != 0 || ::sem_init(&sems[1], 1, 0) != 0) {
      return absl::ErrnoToStatus(errno, "sem_init");
    }
    return absl::OkStatus();
  }
  void Close() {
    if (sems == nullptr) return;
    ::sem_destroy(&sems[0]);
    ::sem_destroy(&sems[1]);
    ::munmap(sems, 2 * sizeof(sem_t));
    sems = nullptr;
  }
};

// Two named semaphores opened by hand, unlinked at teardown (or by a failed
// Open(), since the harness tears down only what was set up).
struct RawNamedPair {
  std::string names[2];
  sem_t* sems[2] = {nullptr, nullptr};

  absl::Status Open() {
    for (int i = 0; i < 2; ++i) {
      names[i] = UniqueName("sem_bench");
      sems[i] = ::sem_open(names[i].c_str(), O_CREAT | O_EXCL, 0600, 0);
      if (sems[i] == SEM_FAILED) {
        const int err = errno;
        sems[i] = nullptr;
        Close();
        return absl::ErrnoToStatus(err, "sem_open");
      }
    }
    return absl::OkStatus();
  }
  void Close() {
    for (int i = 0; i < 2; ++i) {
      if (sems[i] == nullptr) continue;
      ::sem_close(sems[i]);
      ::sem_unlink(names[i].c_str());
      sems[i] = nullptr;
    }
  }
};

// Two one-semaphore System V sets (as sysv::Semaphore makes them); a failed
// Open() removes the first if the second cannot be made.
struct RawSysvPair {
  int ids[2] = {-1, -1};

  absl::Status Open() {
    for (int& id : ids) {
      id = ::semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
      if (id < 0) {
        const int err = errno;
        Close();
        return absl::ErrnoToStatus(err, "semget");
      }
    }
    return absl::OkStatus();
  }
  void Close() {
    for (int& id : ids) {
      if (id >= 0) ::semctl(id, 0, IPC_RMID);
      id = -1;
    }
  }
};

// ------------------------------------------------------------ ipcbox side

SemaphoreOptions SignalOptions() {
  SemaphoreOptions options;
  options.initial_value = 0;
  options.undo_on_exit = false;
  return options;
}

// Two posix::UnnamedSemaphore in one anonymous shared mapping.
struct LibUnnamedPair {
  void* mapping = nullptr;
  posix::UnnamedSemaphore* sems[2] = {nullptr, nullptr};

  absl::Status Open() {
    constexpr size_t kSize = 2 * sizeof(posix::UnnamedSemaphore::Storage);
    mapping = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) {
      mapping = nullptr;
      return absl::ErrnoToStatus(errno, "mmap");
    }
    auto* storage = static_cast<posix::UnnamedSemaphore::Storage*>(mapping);
    for (int i = 0; i < 2; ++i) {
      absl::StatusOr<posix::UnnamedSemaphore*> sem =
          posix::UnnamedSemaphore::CreateIn(&storage[i], sizeof(storage[i]), 0);
      if (!sem.ok()) return sem.status();
      sems[i] = *sem;
    }
    return absl::OkStatus();
  }
  void Close() {
    for (posix::UnnamedSemaphore*& sem : sems) {
      if (sem != nullptr) sem->Destroy().IgnoreError();
      sem = nullptr;
    }
    if (mapping != nullptr) {
      ::munmap(mapping, 2 * sizeof(posix::UnnamedSemaphore::Storage));
    }
    mapping = nullptr;
  }
};

template <typename Semaphore>
struct LibPair {
  Semaphore sems[2];

  absl::Status Open(absl::StatusOr<Semaphore> (*make)()) {
    for (Semaphore& sem : sems) {
      absl::StatusOr<Semaphore> made = make();
      if (!made.ok()) return made.status();
      sem = *std::move(made);
    }
    return absl::OkStatus();
  }
  void Close() {
    for (Semaphore& sem : sems) sem = Semaphore();
  }
};

absl::StatusOr<posix::NamedSemaphore> MakeNamed() {
  return posix::NamedSemaphore::Create(UniqueName("sem_bench"),
                                       SignalOptions());
}

absl::StatusOr<sysv::Semaphore> MakeSysv() {
  return sysv::Semaphore::Create(sysv::IpcKey::Private(), SignalOptions());
}

// ------------------------------------------------------------ cases

// Parent: post ping, wait pong. Peer: wait ping, post pong.
template <typename Post, typename Wait>
Variant PingPong(std::string name, std::function<absl::Status()> setup,
                 std::function<void()> teardown, Post post, Wait wait) {
  Variant v;
  v.name = std::move(name);
  v.setup = std::move(setup);
  v.teardown = std::move(teardown);
  v.run = [post, wait](int64_t ops) {
    return Repeat(ops, [&] {
      if (absl::Status s = post(0); !s.ok()) return s;
      return wait(1);
    });
  };
  v.peer = [post, wait](int64_t ops) {
    return Repeat(ops, [&] {
      if (absl::Status s = wait(0); !s.ok()) return s;
      return post(1);
    });
  };
  return v;
}

// One process: post then wait on semaphore 0.
template <typename Post, typename Wait>
Variant PostWait(std::string name, std::function<absl::Status()> setup,
                 std::function<void()> teardown, Post post, Wait wait) {
  Variant v;
  v.name = std::move(name);
  v.setup = std::move(setup);
  v.teardown = std::move(teardown);
  v.run = [post, wait](int64_t ops) {
    return Repeat(ops, [&] {
      if (absl::Status s = post(0); !s.ok()) return s;
      return wait(0);
    });
  };
  return v;
}

struct Fixtures {
  RawUnnamedPair raw_unnamed;
  RawNamedPair raw_named;
  RawSysvPair raw_sysv;
  LibUnnamedPair lib_unnamed;
  LibPair<posix::NamedSemaphore> lib_named;
  LibPair<sysv::Semaphore> lib_sysv;

  Variant RawUnnamed(bool ping_pong) {
    auto post = [this](int i) { return RawPost(&raw_unnamed.sems[i]); };
    auto wait = [this](int i) { return RawWait(&raw_unnamed.sems[i]); };
    auto setup = [this] { return raw_unnamed.Open(); };
    auto teardown = [this] { raw_unnamed.Close(); };
    return ping_pong ? PingPong("raw", setup, teardown, post, wait)
                     : PostWait("raw", setup, teardown, post, wait);
  }
  Variant LibUnnamed(bool ping_pong) {
    auto post = [this](int i) { return lib_unnamed.sems[i]->Post(); };
    auto wait = [this](int i) { return lib_unnamed.sems[i]->Wait(); };
    auto setup = [this] { return lib_unnamed.Open(); };
    auto teardown = [this] { lib_unnamed.Close(); };
    return ping_pong ? PingPong("ipcbox", setup, teardown, post, wait)
                     : PostWait("ipcbox", setup, teardown, post, wait);
  }
  Variant RawNamed() {
    return PingPong(
        "raw", [this] { return raw_named.Open(); },
        [this] { raw_named.Close(); },
        [this](int i) { return RawPost(raw_named.sems[i]); },
        [this](int i) { return RawWait(raw_named.sems[i]); });
  }
  Variant LibNamed() {
    return PingPong(
        "ipcbox", [this] { return lib_named.Open(&MakeNamed); },
        [this] { lib_named.Close(); },
        [this](int i) { return lib_named.sems[i].Post(); },
        [this](int i) { return lib_named.sems[i].Wait(); });
  }
  Variant RawSysv(bool ping_pong) {
    auto post = [this](int i) { return RawSemop(raw_sysv.ids[i], 1); };
    auto wait = [this](int i) { return RawSemop(raw_sysv.ids[i], -1); };
    auto setup = [this] { return raw_sysv.Open(); };
    auto teardown = [this] { raw_sysv.Close(); };
    return ping_pong ? PingPong("raw", setup, teardown, post, wait)
                     : PostWait("raw", setup, teardown, post, wait);
  }
  Variant LibSysv(bool ping_pong) {
    auto post = [this](int i) { return lib_sysv.sems[i].Post(); };
    auto wait = [this](int i) { return lib_sysv.sems[i].Wait(); };
    auto setup = [this] { return lib_sysv.Open(&MakeSysv); };
    auto teardown = [this] { lib_sysv.Close(); };
    return ping_pong ? PingPong("ipcbox", setup, teardown, post, wait)
                     : PostWait("ipcbox", setup, teardown, post, wait);
  }
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  ipcbox::bench::Fixtures f;
  ipcbox::bench::Suite suite(
      "semaphores: ipcbox (lib/semaphore) vs raw sem_post/sem_wait/semop");
  suite.Add({"posix unnamed post+wait, one process", 200000},
            f.RawUnnamed(false), f.LibUnnamed(false));
  suite.Add({"sysv post+wait, one process", 20000}, f.RawSysv(false),
            f.LibSysv(false));
  suite.Add({"posix unnamed ping-pong (shared mapping)", 2000},
            f.RawUnnamed(true), f.LibUnnamed(true));
  suite.Add({"posix named ping-pong", 2000}, f.RawNamed(), f.LibNamed());
  suite.Add({"sysv ping-pong", 2000}, f.RawSysv(true), f.LibSysv(true));
  return suite.Main(argc, argv);
}
