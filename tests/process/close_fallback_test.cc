// ForkFunction's close_other_descriptors on a kernel without close_range
// (made so with tests/support:fault_injection: syscall(SYS_close_range)
// fails with ENOSYS): every inherited descriptor is closed, also one above
// the soft RLIMIT_NOFILE (opened before the limit was lowered), and the
// ones in keep_open stay open.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/exit_status.h"
#include "ipcbox/process/fork_function.h"
#include "tests/support/fault_injection.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

namespace ipcbox {
namespace {

using ::ipcbox::testing::Fault;
using ::ipcbox::testing::ScopedFault;
using ::ipcbox::testing::Syscall;

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

TEST(CloseOtherDescriptorsFallbackTest, ClosesDescriptorsAboveTheLimitToo) {
  constexpr int kHigh = 900;  // above the soft limit set below
  constexpr int kKept = 40;
  constexpr int kLow = 41;
  rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_cur != RLIM_INFINITY && saved.rlim_cur <= kHigh) {
    GTEST_SKIP() << "RLIMIT_NOFILE " << saved.rlim_cur << " is too low";
  }
  const int null = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(null, 0);
  ASSERT_EQ(::dup2(null, kHigh), kHigh);
  ASSERT_EQ(::dup2(null, kKept), kKept);
  ASSERT_EQ(::dup2(null, kLow), kLow);
  ::close(null);

  rlimit lowered = saved;
  lowered.rlim_cur = 100;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  absl::StatusOr<Child> child;
  {
    Fault no_close_range;
    no_close_range.error = ENOSYS;
    no_close_range.syscall_number = SYS_close_range;
    no_close_range.count = -1;
    ScopedFault fault(Syscall::kSyscall, no_close_range);
    ForkOptions options;
    options.close_other_descriptors = true;
    options.keep_open = {kKept};
    child = ForkFunction(
        [&] {
          if (IsOpen(kHigh)) return 10;  // the old loop stopped at the limit
          if (IsOpen(kLow)) return 11;
          if (!IsOpen(kKept)) return 12;
          return 0;
        },
        options);
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  ::close(kHigh);
  ::close(kKept);
  ::close(kLow);
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<ExitStatus> status = child->WaitFor(absl::Seconds(60));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->success())
      << status->ToString()
      << " (10: a descriptor above RLIMIT_NOFILE stayed open; 11: one below;"
         " 12: the kept one was closed)";
}

}  // namespace
}  // namespace ipcbox
