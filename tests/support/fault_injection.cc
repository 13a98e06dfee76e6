#include "tests/support/fault_injection.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cstdarg>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ipcbox::testing {
namespace {

// One per call. Armed and disarmed by the test's thread; read by any
// thread making the call. A fault is published by storing `armed` last.
struct Slot {
  std::atomic<bool> armed{false};
  std::atomic<int> skip{0};
  std::atomic<int> remaining{0};  // -1: unlimited
  std::atomic<int> error{0};
  std::atomic<size_t> max_bytes{0};
  std::atomic<int> fd{-1};
  // Or, for syscall, the number, and for fcntl and flock, the command
  // (-1: any).
  std::atomic<long> epoll_op{0};
  std::atomic<int64_t> injected{0};
};

Slot g_slots[static_cast<int>(Syscall::kCount)];

Slot& SlotOf(Syscall call) { return g_slots[static_cast<int>(call)]; }

// What a wrapper must do with this call.
struct Decision {
  bool harm = false;
  int error = 0;
  size_t max_bytes = 0;
};

Decision Decide(Syscall call, int fd, long epoll_op = 0) {
  Slot& slot = SlotOf(call);
  Decision d;
  if (!slot.armed.load(std::memory_order_acquire)) return d;
  const int want_fd = slot.fd.load(std::memory_order_relaxed);
  if (want_fd != -1 && want_fd != fd) return d;
  const long want_op = slot.epoll_op.load(std::memory_order_relaxed);
  const long any_op = call == Syscall::kSyscall || call == Syscall::kFcntl ||
                              call == Syscall::kFlock
                          ? -1
                          : 0;
  if (want_op != any_op && want_op != epoll_op) return d;
  int skip = slot.skip.load(std::memory_order_relaxed);
  while (skip > 0) {
    if (slot.skip.compare_exchange_weak(skip, skip - 1)) return d;
  }
  int remaining = slot.remaining.load(std::memory_order_relaxed);
  for (;;) {
    if (remaining == 0) return d;
    if (remaining < 0 ||
        slot.remaining.compare_exchange_weak(remaining, remaining - 1)) {
      break;
    }
  }
  slot.injected.fetch_add(1, std::memory_order_relaxed);
  d.harm = true;
  d.error = slot.error.load(std::memory_order_relaxed);
  d.max_bytes = std::max<size_t>(1, slot.max_bytes.load());
  return d;
}

}  // namespace

const char* SyscallName(Syscall call) {
  static const char* const kNames[] = {
      "read",          "write",           "pipe2",        "socket",
      "sendto",        "recvfrom",        "sendmsg",      "recvmsg",
      "accept4",       "epoll_ctl",       "mq_timedsend", "mq_timedreceive",
      "poll",          "syscall",         "mq_open",      "mq_send",
      "mq_receive",    "msgget",          "msgsnd",       "msgrcv",
      "ftruncate",     "posix_fallocate", "mmap",         "shm_open",
      "memfd_create",  "shmget",          "shmat",        "semget",
      "semop",         "semtimedop",      "sem_wait",     "sem_trywait",
      "sem_clockwait", "fcntl",           "flock",        "fsync",
      "pwrite",        "rename",          "sigtimedwait", "clock_nanosleep"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) ==
                static_cast<size_t>(Syscall::kCount));
  const int i = static_cast<int>(call);
  return i >= 0 && i < static_cast<int>(Syscall::kCount) ? kNames[i] : "?";
}

void ArmFault(Syscall call, const Fault& fault) {
  Slot& slot = SlotOf(call);
  slot.armed.store(false, std::memory_order_release);
  slot.skip.store(fault.skip);
  slot.remaining.store(fault.count);
  slot.error.store(fault.error);
  slot.max_bytes.store(fault.max_bytes);
  slot.fd.store(fault.fd);
  slot.epoll_op.store(call == Syscall::kSyscall ? fault.syscall_number
                      : call == Syscall::kFcntl || call == Syscall::kFlock
                          ? fault.command
                          : fault.epoll_op);
  slot.injected.store(0);
  slot.armed.store(true, std::memory_order_release);
}

void DisarmFault(Syscall call) {
  SlotOf(call).armed.store(false, std::memory_order_release);
}

void DisarmAllFaults() {
  for (int i = 0; i < static_cast<int>(Syscall::kCount); ++i) {
    DisarmFault(static_cast<Syscall>(i));
  }
}

int64_t InjectedFaults(Syscall call) {
  return SlotOf(call).injected.load(std::memory_order_relaxed);
}

}  // namespace ipcbox::testing

using ::ipcbox::testing::Decide;
using ::ipcbox::testing::Syscall;

// The linker's --wrap=<name> sends calls to <name> here and makes
// __real_<name> the C library's function.
extern "C" {

ssize_t __real_read(int fd, void* buf, size_t n);
ssize_t __real_write(int fd, const void* buf, size_t n);
int __real_pipe2(int fds[2], int flags);
int __real_socket(int domain, int type, int protocol);
ssize_t __real_sendto(int fd, const void* buf, size_t n, int flags,
                      const struct sockaddr* to, socklen_t to_len);
ssize_t __real_recvfrom(int fd, void* buf, size_t n, int flags,
                        struct sockaddr* from, socklen_t* from_len);
ssize_t __real_sendmsg(int fd, const struct msghdr* msg, int flags);
ssize_t __real_recvmsg(int fd, struct msghdr* msg, int flags);
int __real_accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags);
int __real_epoll_ctl(int epfd, int op, int fd, struct epoll_event* event);
int __real_mq_timedsend(mqd_t q, const char* msg, size_t n, unsigned prio,
                        const struct timespec* abs);
ssize_t __real_mq_timedreceive(mqd_t q, char* msg, size_t n, unsigned* prio,
                               const struct timespec* abs);
int __real_poll(struct pollfd* fds, nfds_t n, int timeout);
long __real_syscall(long number, ...);
mqd_t __real_mq_open(const char* name, int oflag, ...);
int __real_mq_send(mqd_t q, const char* msg, size_t n, unsigned prio);
ssize_t __real_mq_receive(mqd_t q, char* msg, size_t n, unsigned* prio);
int __real_msgget(key_t key, int msgflg);
int __real_msgsnd(int id, const void* msg, size_t n, int msgflg);
ssize_t __real_msgrcv(int id, void* msg, size_t n, long type, int msgflg);

#define IPCBOX_FAIL_IF_HARMED(d)    \
  if ((d).harm && (d).error != 0) { \
    errno = (d).error;              \
    return -1;                      \
  }

ssize_t __wrap_read(int fd, void* buf, size_t n) {
  const auto d = Decide(Syscall::kRead, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  if (d.harm) n = std::min(n, d.max_bytes);
  return __real_read(fd, buf, n);
}

ssize_t __wrap_write(int fd, const void* buf, size_t n) {
  const auto d = Decide(Syscall::kWrite, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  if (d.harm) n = std::min(n, d.max_bytes);
  return __real_write(fd, buf, n);
}

int __wrap_pipe2(int fds[2], int flags) {
  const auto d = Decide(Syscall::kPipe2, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_pipe2(fds, flags);
}

int __wrap_socket(int domain, int type, int protocol) {
  const auto d = Decide(Syscall::kSocket, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_socket(domain, type, protocol);
}

ssize_t __wrap_sendto(int fd, const void* buf, size_t n, int flags,
                      const struct sockaddr* to, socklen_t to_len) {
  const auto d = Decide(Syscall::kSendto, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  if (d.harm) n = std::min(n, d.max_bytes);
  return __real_sendto(fd, buf, n, flags, to, to_len);
}

ssize_t __wrap_recvfrom(int fd, void* buf, size_t n, int flags,
                        struct sockaddr* from, socklen_t* from_len) {
  const auto d = Decide(Syscall::kRecvfrom, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  if (d.harm) n = std::min(n, d.max_bytes);
  return __real_recvfrom(fd, buf, n, flags, from, from_len);
}

ssize_t __wrap_sendmsg(int fd, const struct msghdr* msg, int flags) {
  const auto d = Decide(Syscall::kSendmsg, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_sendmsg(fd, msg, flags);
}

ssize_t __wrap_recvmsg(int fd, struct msghdr* msg, int flags) {
  const auto d = Decide(Syscall::kRecvmsg, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_recvmsg(fd, msg, flags);
}

int __wrap_accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  const auto d = Decide(Syscall::kAccept4, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_accept4(fd, addr, len, flags);
}

int __wrap_epoll_ctl(int epfd, int op, int fd, struct epoll_event* event) {
  const auto d = Decide(Syscall::kEpollCtl, fd, op);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_epoll_ctl(epfd, op, fd, event);
}

int __wrap_mq_timedsend(mqd_t q, const char* msg, size_t n, unsigned prio,
                        const struct timespec* abs) {
  const auto d = Decide(Syscall::kMqTimedsend, static_cast<int>(q));
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_mq_timedsend(q, msg, n, prio, abs);
}

ssize_t __wrap_mq_timedreceive(mqd_t q, char* msg, size_t n, unsigned* prio,
                               const struct timespec* abs) {
  const auto d = Decide(Syscall::kMqTimedreceive, static_cast<int>(q));
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_mq_timedreceive(q, msg, n, prio, abs);
}

int __wrap_poll(struct pollfd* fds, nfds_t n, int timeout) {
  const auto d = Decide(Syscall::kPoll, n > 0 ? fds[0].fd : -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_poll(fds, n, timeout);
}

// syscall(2) is variadic: its arguments are forwarded as six longs, as
// the C library's own implementation reads them (extra ones are ignored).
long __wrap_syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (long& arg : a) arg = va_arg(ap, long);
  va_end(ap);
  const auto d = Decide(Syscall::kSyscall, -1, number);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// mq_open is variadic: a mode and an attribute pointer follow when
// O_CREAT is set.
mqd_t __wrap_mq_open(const char* name, int oflag, ...) {
  const auto d = Decide(Syscall::kMqOpen, -1);
  if (d.harm && d.error != 0) {
    errno = d.error;
    return static_cast<mqd_t>(-1);
  }
  if ((oflag & O_CREAT) == 0) return __real_mq_open(name, oflag);
  va_list ap;
  va_start(ap, oflag);
  const mode_t mode = static_cast<mode_t>(va_arg(ap, unsigned));
  struct mq_attr* attr = va_arg(ap, struct mq_attr*);
  va_end(ap);
  return __real_mq_open(name, oflag, mode, attr);
}

int __wrap_mq_send(mqd_t q, const char* msg, size_t n, unsigned prio) {
  const auto d = Decide(Syscall::kMqSend, static_cast<int>(q));
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_mq_send(q, msg, n, prio);
}

ssize_t __wrap_mq_receive(mqd_t q, char* msg, size_t n, unsigned* prio) {
  const auto d = Decide(Syscall::kMqReceive, static_cast<int>(q));
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_mq_receive(q, msg, n, prio);
}

int __wrap_msgget(key_t key, int msgflg) {
  const auto d = Decide(Syscall::kMsgget, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_msgget(key, msgflg);
}

int __wrap_msgsnd(int id, const void* msg, size_t n, int msgflg) {
  const auto d = Decide(Syscall::kMsgsnd, id);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_msgsnd(id, msg, n, msgflg);
}

ssize_t __wrap_msgrcv(int id, void* msg, size_t n, long type, int msgflg) {
  const auto d = Decide(Syscall::kMsgrcv, id);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_msgrcv(id, msg, n, type, msgflg);
}

// Shared memory, semaphores, locks, files, signals. The *64 twins are what
// code built with _FILE_OFFSET_BITS=64 calls (the headers redirect to
// them, on 64-bit targets too); they share their plain name's fault.

int __real_ftruncate(int fd, off_t length);
int __real_ftruncate64(int fd, off64_t length);
int __real_posix_fallocate(int fd, off_t offset, off_t length);
int __real_posix_fallocate64(int fd, off64_t offset, off64_t length);
void* __real_mmap(void* addr, size_t n, int prot, int flags, int fd,
                  off_t offset);
void* __real_mmap64(void* addr, size_t n, int prot, int flags, int fd,
                    off64_t offset);
int __real_shm_open(const char* name, int oflag, mode_t mode);
int __real_memfd_create(const char* name, unsigned flags);
int __real_shmget(key_t key, size_t size, int shmflg);
void* __real_shmat(int id, const void* addr, int shmflg);
int __real_semget(key_t key, int nsems, int semflg);
int __real_semop(int id, struct sembuf* ops, size_t n);
int __real_semtimedop(int id, struct sembuf* ops, size_t n,
                      const struct timespec* timeout);
int __real_sem_wait(sem_t* sem);
int __real_sem_trywait(sem_t* sem);
int __real_sem_clockwait(sem_t* sem, clockid_t clock,
                         const struct timespec* abs);
int __real_fcntl(int fd, int cmd, ...);
int __real_fcntl64(int fd, int cmd, ...);
int __real_flock(int fd, int op);
int __real_fsync(int fd);
ssize_t __real_pwrite(int fd, const void* buf, size_t n, off_t offset);
ssize_t __real_pwrite64(int fd, const void* buf, size_t n, off64_t offset);
int __real_rename(const char* from, const char* to);
int __real_sigtimedwait(const sigset_t* set, siginfo_t* info,
                        const struct timespec* timeout);
int __real_clock_nanosleep(clockid_t clock, int flags,
                           const struct timespec* request,
                           struct timespec* remain);

int __wrap_ftruncate(int fd, off_t length) {
  const auto d = Decide(Syscall::kFtruncate, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_ftruncate(fd, length);
}

int __wrap_ftruncate64(int fd, off64_t length) {
  const auto d = Decide(Syscall::kFtruncate, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_ftruncate64(fd, length);
}

int __wrap_posix_fallocate(int fd, off_t offset, off_t length) {
  const auto d = Decide(Syscall::kPosixFallocate, fd);
  if (d.harm && d.error != 0) return d.error;
  return __real_posix_fallocate(fd, offset, length);
}

int __wrap_posix_fallocate64(int fd, off64_t offset, off64_t length) {
  const auto d = Decide(Syscall::kPosixFallocate, fd);
  if (d.harm && d.error != 0) return d.error;
  return __real_posix_fallocate64(fd, offset, length);
}

void* __wrap_mmap(void* addr, size_t n, int prot, int flags, int fd,
                  off_t offset) {
  const auto d = Decide(Syscall::kMmap, fd);
  if (d.harm && d.error != 0) {
    errno = d.error;
    return MAP_FAILED;
  }
  return __real_mmap(addr, n, prot, flags, fd, offset);
}

void* __wrap_mmap64(void* addr, size_t n, int prot, int flags, int fd,
                    off64_t offset) {
  const auto d = Decide(Syscall::kMmap, fd);
  if (d.harm && d.error != 0) {
    errno = d.error;
    return MAP_FAILED;
  }
  return __real_mmap64(addr, n, prot, flags, fd, offset);
}

int __wrap_shm_open(const char* name, int oflag, mode_t mode) {
  const auto d = Decide(Syscall::kShmOpen, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_shm_open(name, oflag, mode);
}

int __wrap_memfd_create(const char* name, unsigned flags) {
  const auto d = Decide(Syscall::kMemfdCreate, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_memfd_create(name, flags);
}

int __wrap_shmget(key_t key, size_t size, int shmflg) {
  const auto d = Decide(Syscall::kShmget, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_shmget(key, size, shmflg);
}

void* __wrap_shmat(int id, const void* addr, int shmflg) {
  const auto d = Decide(Syscall::kShmat, id);
  if (d.harm && d.error != 0) {
    errno = d.error;
    return reinterpret_cast<void*>(-1);
  }
  return __real_shmat(id, addr, shmflg);
}

int __wrap_semget(key_t key, int nsems, int semflg) {
  const auto d = Decide(Syscall::kSemget, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_semget(key, nsems, semflg);
}

int __wrap_semop(int id, struct sembuf* ops, size_t n) {
  const auto d = Decide(Syscall::kSemop, id);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_semop(id, ops, n);
}

int __wrap_semtimedop(int id, struct sembuf* ops, size_t n,
                      const struct timespec* timeout) {
  const auto d = Decide(Syscall::kSemtimedop, id);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_semtimedop(id, ops, n, timeout);
}

int __wrap_sem_wait(sem_t* sem) {
  const auto d = Decide(Syscall::kSemWait, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_sem_wait(sem);
}

int __wrap_sem_trywait(sem_t* sem) {
  const auto d = Decide(Syscall::kSemTrywait, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_sem_trywait(sem);
}

int __wrap_sem_clockwait(sem_t* sem, clockid_t clock,
                         const struct timespec* abs) {
  const auto d = Decide(Syscall::kSemClockwait, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_sem_clockwait(sem, clock, abs);
}

// fcntl's third argument is an int or a pointer; like the C library, read
// it as a pointer (the same size as the register it came in).
int __wrap_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  const auto d = Decide(Syscall::kFcntl, fd, cmd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_fcntl(fd, cmd, arg);
}

int __wrap_fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  const auto d = Decide(Syscall::kFcntl, fd, cmd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_fcntl64(fd, cmd, arg);
}

int __wrap_flock(int fd, int op) {
  const auto d = Decide(Syscall::kFlock, fd, op);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_flock(fd, op);
}

int __wrap_fsync(int fd) {
  const auto d = Decide(Syscall::kFsync, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_fsync(fd);
}

ssize_t __wrap_pwrite(int fd, const void* buf, size_t n, off_t offset) {
  const auto d = Decide(Syscall::kPwrite, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  if (d.harm) n = std::min(n, d.max_bytes);
  return __real_pwrite(fd, buf, n, offset);
}

ssize_t __wrap_pwrite64(int fd, const void* buf, size_t n, off64_t offset) {
  const auto d = Decide(Syscall::kPwrite, fd);
  IPCBOX_FAIL_IF_HARMED(d);
  if (d.harm) n = std::min(n, d.max_bytes);
  return __real_pwrite64(fd, buf, n, offset);
}

int __wrap_rename(const char* from, const char* to) {
  const auto d = Decide(Syscall::kRename, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_rename(from, to);
}

int __wrap_sigtimedwait(const sigset_t* set, siginfo_t* info,
                        const struct timespec* timeout) {
  const auto d = Decide(Syscall::kSigtimedwait, -1);
  IPCBOX_FAIL_IF_HARMED(d);
  return __real_sigtimedwait(set, info, timeout);
}

int __wrap_clock_nanosleep(clockid_t clock, int flags,
                           const struct timespec* request,
                           struct timespec* remain) {
  const auto d = Decide(Syscall::kClockNanosleep, -1);
  if (d.harm && d.error != 0) return d.error;
  return __real_clock_nanosleep(clock, flags, request, remain);
}

#undef IPCBOX_FAIL_IF_HARMED

}  // extern "C"
