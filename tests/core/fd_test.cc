#include "ipcbox/core/fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace ipcbox {
namespace {

// True when `fd` is not an open descriptor of this process. The tests are
// single-threaded, so nothing can reuse a number between close and check.
bool IsClosed(int fd) {
  errno = 0;
  return ::fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

// A pipe whose ends the test hands to `Fd`s; whatever the test did not hand
// over is closed at the end.
class PipeFds {
 public:
  PipeFds() { EXPECT_EQ(::pipe2(fds_, O_CLOEXEC), 0); }
  ~PipeFds() {
    for (int fd : fds_) {
      if (fd >= 0 && !IsClosed(fd)) ::close(fd);
    }
  }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

TEST(FdTest, DefaultIsEmpty) {
  Fd fd;
  EXPECT_EQ(fd.get(), -1);
  EXPECT_FALSE(fd.valid());
}

TEST(FdTest, ClosesOnDestruction) {
  PipeFds pipe;
  {
    Fd fd(pipe.read_end());
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(fd.get(), pipe.read_end());
    EXPECT_FALSE(IsClosed(pipe.read_end()));
  }
  EXPECT_TRUE(IsClosed(pipe.read_end()));
}

TEST(FdTest, DestructionKeepsErrnoEvenWhenCloseFails) {
  // A descriptor closed behind the owner's back makes close() fail with
  // EBADF; the caller's errno must survive that.
  PipeFds pipe;
  const int raw = pipe.read_end();
  ASSERT_EQ(::close(raw), 0);
  errno = ENOENT;
  { Fd fd(raw); }
  EXPECT_EQ(errno, ENOENT);
}

TEST(FdTest, ResetKeepsErrnoEvenWhenCloseFails) {
  PipeFds pipe;
  Fd fd(pipe.read_end());
  ASSERT_EQ(::close(pipe.read_end()), 0);
  errno = ENOENT;
  fd.reset();
  EXPECT_EQ(errno, ENOENT);
}

TEST(FdTest, MoveConstructionLeavesSourceEmpty) {
  PipeFds pipe;
  Fd a(pipe.read_end());
  Fd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): on purpose.
  EXPECT_EQ(a.get(), -1);
  EXPECT_EQ(b.get(), pipe.read_end());
  EXPECT_FALSE(IsClosed(pipe.read_end()));
}

TEST(FdTest, MoveAssignmentClosesTheOldDescriptor) {
  PipeFds pipe;
  Fd a(pipe.read_end());
  Fd b(pipe.write_end());
  a = std::move(b);
  EXPECT_TRUE(IsClosed(pipe.read_end()));
  EXPECT_EQ(a.get(), pipe.write_end());
  EXPECT_FALSE(b.valid());  // NOLINT(bugprone-use-after-move): on purpose.
  EXPECT_FALSE(IsClosed(pipe.write_end()));
}

TEST(FdTest, SelfMoveAssignmentKeepsTheDescriptor) {
  PipeFds pipe;
  Fd a(pipe.read_end());
  Fd& alias = a;  // Through an alias so the compiler does not flag it.
  a = std::move(alias);
  EXPECT_EQ(a.get(), pipe.read_end());
  EXPECT_FALSE(IsClosed(pipe.read_end()));
}

TEST(FdTest, ReleaseGivesUpOwnershipWithoutClosing) {
  PipeFds pipe;
  int raw = -1;
  {
    Fd fd(pipe.read_end());
    raw = fd.release();
    EXPECT_FALSE(fd.valid());
  }
  EXPECT_EQ(raw, pipe.read_end());
  EXPECT_FALSE(IsClosed(raw));
}

TEST(FdTest, ReleaseOfEmptyReturnsMinusOne) {
  Fd fd;
  EXPECT_EQ(fd.release(), -1);
}

TEST(FdTest, ResetClosesAndTakesTheNewDescriptor) {
  PipeFds pipe;
  Fd fd(pipe.read_end());
  fd.reset(pipe.write_end());
  EXPECT_TRUE(IsClosed(pipe.read_end()));
  EXPECT_EQ(fd.get(), pipe.write_end());
  EXPECT_FALSE(IsClosed(pipe.write_end()));
}

TEST(FdTest, ResetWithoutArgumentCloses) {
  PipeFds pipe;
  Fd fd(pipe.read_end());
  fd.reset();
  EXPECT_TRUE(IsClosed(pipe.read_end()));
  EXPECT_FALSE(fd.valid());
}

TEST(FdTest, ResetToTheSameDescriptorKeepsItOpen) {
  PipeFds pipe;
  Fd fd(pipe.read_end());
  fd.reset(fd.get());
  EXPECT_EQ(fd.get(), pipe.read_end());
  EXPECT_FALSE(IsClosed(pipe.read_end()));
}

TEST(FdTest, CloseClosesAndEmpties) {
  PipeFds pipe;
  Fd fd(pipe.read_end());
  EXPECT_TRUE(fd.Close().ok());
  EXPECT_TRUE(IsClosed(pipe.read_end()));
  EXPECT_FALSE(fd.valid());
}

TEST(FdTest, CloseOfEmptySucceeds) {
  Fd fd;
  EXPECT_TRUE(fd.Close().ok());
}

TEST(FdTest, CloseTwiceSucceedsTheSecondTimeWithoutClosingAgain) {
  PipeFds pipe;
  Fd fd(pipe.read_end());
  ASSERT_TRUE(fd.Close().ok());
  EXPECT_TRUE(fd.Close().ok());
  EXPECT_FALSE(fd.valid());
}

TEST(FdTest, CloseReportsTheErrorOfADescriptorClosedBehindItsBack) {
  PipeFds pipe;
  const int raw = pipe.read_end();
  Fd fd(raw);
  ASSERT_EQ(::close(raw), 0);
  const absl::Status status = fd.Close();
  EXPECT_EQ(status.code(), absl::ErrnoToStatusCode(EBADF));
  EXPECT_NE(status.message().find("close(fd "), absl::string_view::npos)
      << status;
  EXPECT_FALSE(fd.valid());
}

}  // namespace
}  // namespace ipcbox
