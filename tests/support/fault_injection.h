// FaultInjection makes chosen system calls fail, or transfer less than
// asked, in a test binary, so that a test can prove a mechanism returns a
// status for every failure, leaks nothing, and retries only where it says
// it does:
//
//   // The next 50 reads are interrupted, then reads work again: a
//   // PipeReader that says it retries EINTR must still read everything.
//   ipcbox::testing::ScopedFault storm(Syscall::kRead, {.error = EINTR,
//                                                      .count = 50});
//   EXPECT_TRUE(reader.ReadFull(buffer, deadline).ok());
//   EXPECT_EQ(storm.injected(), 50);
//
//   // Every write moves at most 3 bytes.
//   ScopedFault short_writes(Syscall::kWrite, {.max_bytes = 3, .count = -1});
//
// How: the BUILD target links with the linker's --wrap for each call
// below, so every call to it from an object linked into the test
// executable (the library under test included) goes through a wrapper
// here first. A wrapper with no fault armed calls the real function.
// Faults apply to every thread; `fd` narrows one to a descriptor.
//
// Wrapped: read, write, pipe2, socket, sendto, recvfrom, sendmsg,
// recvmsg, accept4, epoll_ctl, mq_timedsend, mq_timedreceive, poll,
// syscall(2) (for calls glibc has no wrapper for, e.g. close_range),
// mq_open, mq_send, mq_receive (glibc's mq_send and mq_receive call its
// timed forms internally, past the wrapper, so they are wrapped too),
// msgget, msgsnd and msgrcv. For msgsnd and msgrcv, `fd` is the queue id.
// For shared memory, semaphores, locks, files and signals: ftruncate,
// posix_fallocate (it returns the error instead of setting errno; the
// wrapper does the same), mmap (`fd` cannot single out an anonymous
// mapping: -1 means any), shm_open, memfd_create, shmget, shmat (`fd`: the
// segment id), semget, semop and semtimedop (`fd`: the set id), sem_wait,
// sem_trywait and sem_clockwait (any semaphore), fcntl and flock (narrow
// them to one command with `command`), fsync, pwrite (short writes too),
// rename and sigtimedwait; clock_nanosleep (the sleeps of lib/core's
// back-off; it returns the error instead of setting errno, and so does the
// wrapper). A call with a 64-bit-offset twin (fcntl64,
// mmap64, ftruncate64, posix_fallocate64, pwrite64: what code built with
// _FILE_OFFSET_BITS=64 calls) shares one fault with it.
// (send and recv are not separate symbols to wrap: glibc's inline
// wrappers may route them to sendto/recvfrom; ipcbox calls the latter.)
//
// One fault per call at a time; arming a call again replaces its fault.

#ifndef IPCBOX_TESTS_SUPPORT_FAULT_INJECTION_H_
#define IPCBOX_TESTS_SUPPORT_FAULT_INJECTION_H_

#include <cstddef>
#include <cstdint>

namespace ipcbox::testing {

enum class Syscall {
  kRead,
  kWrite,
  kPipe2,
  kSocket,
  kSendto,
  kRecvfrom,
  kSendmsg,
  kRecvmsg,
  kAccept4,
  kEpollCtl,
  kMqTimedsend,
  kMqTimedreceive,
  kPoll,
  kSyscall,  // syscall(2): choose the number with Fault::syscall_number
  kMqOpen,
  kMqSend,
  kMqReceive,
  kMsgget,
  kMsgsnd,
  kMsgrcv,
  kFtruncate,
  kPosixFallocate,
  kMmap,
  kShmOpen,
  kMemfdCreate,
  kShmget,
  kShmat,
  kSemget,
  kSemop,
  kSemtimedop,
  kSemWait,
  kSemTrywait,
  kSemClockwait,
  kFcntl,
  kFlock,
  kFsync,
  kPwrite,
  kRename,
  kSigtimedwait,
  kClockNanosleep,
  kCount,  // not a call
};

const char* SyscallName(Syscall call);

struct Fault {
  // Fail with -1 and this errno; 0: do not fail (see max_bytes).
  int error = 0;
  // With error == 0: a read or write type call transfers at most this many
  // bytes (at least 1) of what it was asked for: a short transfer.
  size_t max_bytes = 0;
  // Calls let through unharmed before the first fault.
  int skip = 0;
  // Calls harmed, then the fault disarms itself; -1: until disarmed.
  int count = 1;
  // Only calls on this descriptor (the first argument); -1: any. For
  // epoll_ctl, the descriptor watched (the third argument).
  int fd = -1;
  // For epoll_ctl: only this op (EPOLL_CTL_MOD, ...); 0: any.
  int epoll_op = 0;
  // For syscall(2): only this system call number (SYS_close_range, ...);
  // -1: any.
  long syscall_number = -1;
  // For fcntl: only this command (F_SETLKW, F_OFD_SETLK, ...); for flock:
  // only this operation (LOCK_EX, LOCK_EX | LOCK_NB, LOCK_UN, ...); -1: any.
  int command = -1;
};

// Arms `fault` on `call`; replaces what was armed. Resets the count of
// injected faults.
void ArmFault(Syscall call, const Fault& fault);
void DisarmFault(Syscall call);
void DisarmAllFaults();
// Faults injected on `call` since it was last armed.
int64_t InjectedFaults(Syscall call);

// Arms a fault for its lifetime.
class ScopedFault {
 public:
  ScopedFault(Syscall call, const Fault& fault) : call_(call) {
    ArmFault(call, fault);
  }
  ~ScopedFault() { DisarmFault(call_); }
  ScopedFault(const ScopedFault&) = delete;
  ScopedFault& operator=(const ScopedFault&) = delete;

  int64_t injected() const { return InjectedFaults(call_); }

 private:
  Syscall call_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_FAULT_INJECTION_H_
