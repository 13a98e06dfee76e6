#include "tools/ipcbox/doctor.h"

#include <fcntl.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "platforms/selected_backends.h"
#include "tools/ipcbox/process_table.h"

// Generic syscall numbers (every architecture since Linux 5.1 uses them);
// given here for C libraries whose headers predate the calls.
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

namespace ipcbox::tool {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The numbers in a /proc/sys file, or false if it cannot be read.
bool ReadNumbers(const std::string& path, std::vector<uint64_t>* numbers) {
  std::string text;
  if (!ReadSmallFile(path, &text)) return false;
  numbers->clear();
  for (absl::string_view word :
       absl::StrSplit(text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
    uint64_t n;
    if (!absl::SimpleAtoi(word, &n)) return false;
    numbers->push_back(n);
  }
  return !numbers->empty();
}

// A limit of at least `minimum` is ok, less a warning, unreadable missing.
DoctorCheck Limit(const std::string& root, const std::string& file,
                  uint64_t minimum, const std::string& unit, uint64_t scale,
                  const std::string& why_small,
                  const std::string& why_missing) {
  DoctorCheck c;
  c.name = file.substr(file.rfind("/proc/sys/") + 10);
  std::vector<uint64_t> n;
  if (!ReadNumbers(root + file, &n)) {
    c.health = Health::kMissing;
    c.value = "-";
    c.reason = why_missing;
    return c;
  }
  c.value = absl::StrCat(n[0]);
  if (n[0] < minimum / scale) {
    c.health = Health::kWarning;
    c.reason = absl::StrCat(why_small, " (below ", minimum, unit, ")");
  } else {
    c.reason = absl::StrCat("at least ", minimum, unit);
  }
  return c;
}

DoctorCheck Probe(const std::string& name, int rc, int err,
                  const std::string& what) {
  DoctorCheck c;
  c.name = name;
  if (rc >= 0) {
    c.value = "yes";
    c.reason = absl::StrCat(what, " works on the running kernel");
  } else {
    c.health = Health::kMissing;
    c.value = "no";
    c.reason = absl::StrCat(what, " failed: ", std::strerror(err));
  }
  return c;
}

}  // namespace

const char* HealthName(Health health) {
  switch (health) {
    case Health::kOk:
      return "ok";
    case Health::kWarning:
      return "warning";
    case Health::kMissing:
      return "missing";
  }
  return "?";
}

std::vector<DoctorCheck> RunDoctor(const std::string& root) {
  std::vector<DoctorCheck> checks;
  const std::string no_sysv = "no System V IPC (kernel without CONFIG_SYSVIPC)";

  // System V IPC.
  bool sysv = Exists(root + "/proc/sysvipc/shm");
  checks.push_back({"sysv_ipc", sysv ? Health::kOk : Health::kMissing,
                    sysv ? "yes" : "no",
                    sysv ? "/proc/sysvipc is there" : no_sysv});
  checks.push_back(Limit(root, "/proc/sys/kernel/shmmax", 1 * kMiB, " B", 1,
                         "largest System V segment is small", no_sysv));
  {
    // shmall counts pages.
    DoctorCheck c = Limit(root, "/proc/sys/kernel/shmall", 16 * kMiB, " B",
                          sysconf(_SC_PAGESIZE),
                          "all System V segments together are small", no_sysv);
    if (c.health != Health::kMissing) absl::StrAppend(&c.value, " pages");
    checks.push_back(c);
  }
  checks.push_back(Limit(root, "/proc/sys/kernel/msgmax", 8 * kKiB, " B", 1,
                         "largest System V message is small", no_sysv));
  checks.push_back(Limit(root, "/proc/sys/kernel/msgmnb", 16 * kKiB, " B", 1,
                         "System V queue capacity is small", no_sysv));
  checks.push_back(Limit(root, "/proc/sys/kernel/msgmni", 32, " queues", 1,
                         "few System V queues allowed", no_sysv));
  {
    DoctorCheck c;
    c.name = "kernel/sem";
    std::vector<uint64_t> n;
    if (!ReadNumbers(root + "/proc/sys/kernel/sem", &n) || n.size() != 4) {
      c.health = Health::kMissing;
      c.value = "-";
      c.reason = no_sysv;
    } else {
      // SEMMSL SEMMNS SEMOPM SEMMNI
      c.value = absl::StrCat(n[0], " ", n[1], " ", n[2], " ", n[3]);
      if (n[0] < 8 || n[2] < 8 || n[3] < 32 || n[1] < 256) {
        c.health = Health::kWarning;
        c.reason =
            "few semaphores (want SEMMSL>=8 SEMMNS>=256 SEMOPM>=8 SEMMNI>=32)";
      } else {
        c.reason = "SEMMSL SEMMNS SEMOPM SEMMNI";
      }
    }
    checks.push_back(c);
  }

  // POSIX message queues.
  bool mq_kernel = Exists(root + "/proc/sys/fs/mqueue");
  std::string mq_mount;
  bool shm_mounted = false;
  std::string mounts;
  if (ReadSmallFile(root + "/proc/mounts", &mounts)) {
    for (absl::string_view line : absl::StrSplit(mounts, '\n')) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
      if (f.size() < 3) continue;
      if (f[2] == "mqueue" && mq_mount.empty()) mq_mount = std::string(f[1]);
      if (f[1] == "/dev/shm") shm_mounted = true;
    }
  }
  {
    DoctorCheck c;
    c.name = "posix_mqueue";
    if (!mq_kernel) {
      c.health = Health::kMissing;
      c.value = "no";
      c.reason = "no /proc/sys/fs/mqueue (kernel without CONFIG_POSIX_MQUEUE)";
    } else if (mq_mount.empty()) {
      c.health = Health::kWarning;
      c.value = "not mounted";
      c.reason =
          "kernel has it; mount -t mqueue none /dev/mqueue to see queues";
    } else {
      c.value = mq_mount;
      c.reason = "mqueue file system mounted";
    }
    checks.push_back(c);
  }
  const std::string no_mq = "no POSIX message queues";
  checks.push_back(Limit(root, "/proc/sys/fs/mqueue/msg_max", 10, " msgs", 1,
                         "POSIX queues hold few messages", no_mq));
  checks.push_back(Limit(root, "/proc/sys/fs/mqueue/msgsize_max", 8 * kKiB,
                         " B", 1, "largest POSIX message is small", no_mq));
  checks.push_back(Limit(root, "/proc/sys/fs/mqueue/queues_max", 64, " queues",
                         1, "few POSIX queues allowed", no_mq));
  checks.push_back(Limit(root, "/proc/sys/fs/mqueue/msg_default", 1, " msgs", 1,
                         "default queue holds nothing", no_mq));
  checks.push_back(Limit(root, "/proc/sys/fs/mqueue/msgsize_default", 1, " B",
                         1, "default message size is zero", no_mq));

  // /dev/shm.
  {
    DoctorCheck c;
    c.name = "/dev/shm";
    struct statvfs vfs;
    if (statvfs((root + "/dev/shm").c_str(), &vfs) != 0) {
      c.health = Health::kMissing;
      c.value = "-";
      c.reason = "no /dev/shm: shm_open and sem_open will fail";
    } else {
      uint64_t size = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
      uint64_t free = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
      c.value = absl::StrCat(size / kKiB, " KiB, ", free / kKiB, " KiB free");
      if (free < 1 * kMiB) {
        c.health = Health::kWarning;
        c.reason = "less than 1 MiB free for POSIX shared memory";
      } else if (!shm_mounted) {
        c.health = Health::kWarning;
        c.reason =
            "not a mount of its own (usually tmpfs): shares its file system";
      } else {
        c.reason = "mounted, at least 1 MiB free";
      }
    }
    checks.push_back(c);
  }

  // This process.
  {
    DoctorCheck c;
    c.name = "RLIMIT_NOFILE";
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    c.value = absl::StrCat(limit.rlim_cur);
    if (limit.rlim_cur < 256) {
      c.health = Health::kWarning;
      c.reason = "fewer than 256 descriptors per process (soft limit)";
    } else {
      c.reason = "at least 256 descriptors per process (soft limit)";
    }
    checks.push_back(c);
  }

  // The running kernel.
  bool ofd = false;
  {
    int fd = static_cast<int>(
        syscall(SYS_memfd_create, "ipcbox-doctor", MFD_CLOEXEC));
    int err = errno;
    checks.push_back(Probe("memfd_create", fd, err, "memfd_create"));
    int rc = -1;
    if (fd >= 0) {
      struct flock lock = {};
      lock.l_type = F_WRLCK;
      lock.l_whence = SEEK_SET;
      rc = fcntl(fd, F_OFD_GETLK, &lock);
      err = errno;
      close(fd);
    }
    ofd = rc == 0;
    checks.push_back(Probe("ofd_locks", rc, err, "F_OFD_GETLK"));
  }
  {
    int rc = static_cast<int>(syscall(SYS_close_range, ~0U, ~0U, 0));
    checks.push_back(Probe("close_range", rc, errno, "close_range"));
  }
  {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
    int err = errno;
    if (fd >= 0) close(fd);
    checks.push_back(Probe("pidfd_open", fd, err, "pidfd_open"));
  }
  {
    sem_t sem;
    int rc = sem_init(&sem, 0, 1);
    int err = errno;
    if (rc == 0) {
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      rc = sem_clockwait(&sem, CLOCK_MONOTONIC, &ts);
      err = errno;
      sem_destroy(&sem);
    }
    checks.push_back(
        Probe("sem_clockwait", rc, err, "sem_clockwait(CLOCK_MONOTONIC)"));
  }

  // This build.
  {
    DoctorCheck c;
    c.name = "lock_backend";
    c.value = LockBackendName();
    if (kLockBackend == LockBackend::kOfd && !ofd) {
      c.health = Health::kWarning;
      c.reason = "this build locks with OFD locks, which this kernel lacks";
    } else {
      c.reason = kLockBackendFromPlatform ? "the platform's default"
                                          : "chosen by flag";
    }
    checks.push_back(c);
  }
  {
    DoctorCheck c;
    c.name = "ipc_flavor";
    c.value = IpcFlavorName();
    if (kIpcFlavor == IpcFlavor::kPosix && !mq_kernel) {
      c.health = Health::kWarning;
      c.reason =
          "this build uses POSIX IPC, and this kernel has no POSIX queues";
    } else if (kIpcFlavor == IpcFlavor::kSysv && !sysv) {
      c.health = Health::kWarning;
      c.reason = "this build uses System V IPC, which this kernel lacks";
    } else {
      c.reason =
          kIpcFlavorFromPlatform ? "the platform's default" : "chosen by flag";
    }
    checks.push_back(c);
  }
  return checks;
}

}  // namespace ipcbox::tool
