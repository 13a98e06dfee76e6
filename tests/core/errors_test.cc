#include "ipcbox/core/errors.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ipcbox {
namespace {

TEST(ErrnoErrorTest, MessageNamesCallObjectAndErrnoText) {
  const absl::Status status = ErrnoError(ENOENT, "shm_open", "/x");
  EXPECT_EQ(status.message(),
            std::string("shm_open(\"/x\"): ") + std::strerror(ENOENT));
}

TEST(ErrnoErrorTest, EmptyObjectGivesEmptyParentheses) {
  const absl::Status status = ErrnoError(EMFILE, "pipe2", "");
  EXPECT_TRUE(absl::StartsWith(status.message(), "pipe2(): ")) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), std::strerror(EMFILE)));
}

TEST(ErrnoErrorTest, FdOverloadNamesTheDescriptor) {
  const absl::Status status = ErrnoError(EBADF, "read", 7);
  EXPECT_TRUE(absl::StartsWith(status.message(), "read(fd 7): ")) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), std::strerror(EBADF)));
}

TEST(ErrnoErrorTest, ObjectIsEscapedSoItCannotForgeLogLines) {
  const absl::Status status =
      ErrnoError(ENOENT, "open", "/tmp/a\nERROR fake line");
  EXPECT_FALSE(absl::StrContains(status.message(), "\n")) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "\\n")) << status;
}

TEST(ErrnoErrorTest, HugeObjectIsCut) {
  const std::string huge(100000, 'a');
  const absl::Status status = ErrnoError(ENAMETOOLONG, "open", huge);
  EXPECT_LT(status.message().size(), 300u);
  EXPECT_TRUE(absl::StrContains(status.message(), "\"...")) << status;
}

TEST(ErrnoErrorTest, CodesFollowErrnoToStatus) {
  struct Case {
    int errnum;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {EACCES, absl::StatusCode::kPermissionDenied},
      {EPERM, absl::StatusCode::kPermissionDenied},
      {ENOENT, absl::StatusCode::kNotFound},
      {EEXIST, absl::StatusCode::kAlreadyExists},
      {EAGAIN, absl::StatusCode::kUnavailable},
      {EINVAL, absl::StatusCode::kInvalidArgument},
      {ENAMETOOLONG, absl::StatusCode::kInvalidArgument},
      {ETIMEDOUT, absl::StatusCode::kDeadlineExceeded},
      {ENOSPC, absl::StatusCode::kResourceExhausted},
      {EMFILE, absl::StatusCode::kResourceExhausted},
      {EBADF, absl::StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrnoError(c.errnum, "call", "obj").code(), c.code)
        << "errno " << c.errnum << " (" << std::strerror(c.errnum) << ")";
  }
}

TEST(ErrnoErrorTest, ErrnoZeroIsNeverOk) {
  const absl::Status status = ErrnoError(0, "write", "/x");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnknown);
  EXPECT_TRUE(absl::StrContains(status.message(), "write(\"/x\")")) << status;
  EXPECT_FALSE(ErrnoError(0, "write", 3).ok());
}

TEST(WouldBlockErrorTest, HasCodeAndNoMessage) {
  const absl::Status status = WouldBlockError();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(status.message().empty());
  EXPECT_TRUE(IsWouldBlock(status));
  EXPECT_FALSE(IsTimedOut(status));
}

TEST(TimedOutErrorTest, HasCodeAndNoMessage) {
  const absl::Status status = TimedOutError();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(status.message().empty());
  EXPECT_TRUE(IsTimedOut(status));
  EXPECT_FALSE(IsWouldBlock(status));
}

TEST(IsWouldBlockTest, RejectsOkAndRealErrorsWithTheSameCode) {
  EXPECT_FALSE(IsWouldBlock(absl::OkStatus()));
  // Same code, but a real failure that carries a message.
  EXPECT_FALSE(IsWouldBlock(ErrnoError(ECONNREFUSED, "connect", "/sock")));
  EXPECT_FALSE(IsWouldBlock(ErrnoError(EAGAIN, "read", 3)));
  EXPECT_FALSE(IsWouldBlock(absl::InternalError("")));
}

TEST(IsTimedOutTest, RejectsOkAndRealErrorsWithTheSameCode) {
  EXPECT_FALSE(IsTimedOut(absl::OkStatus()));
  EXPECT_FALSE(IsTimedOut(ErrnoError(ETIMEDOUT, "connect", "10.0.0.1")));
  EXPECT_FALSE(IsTimedOut(absl::InternalError("")));
}

}  // namespace
}  // namespace ipcbox
