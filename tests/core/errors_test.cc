#include "ipcbox/core/errors.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ipcbox/core/end_of_stream.h"

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

TEST(ErrnoErrorTest, CodesFollowErrnoToStatusOffTheOutcomeCodes) {
  struct Case {
    int errnum;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {EACCES, absl::StatusCode::kPermissionDenied},
      {EPERM, absl::StatusCode::kPermissionDenied},
      {ENOENT, absl::StatusCode::kNotFound},
      {EEXIST, absl::StatusCode::kAlreadyExists},
      {EAGAIN, absl::StatusCode::kResourceExhausted},
      {EINVAL, absl::StatusCode::kInvalidArgument},
      {ENAMETOOLONG, absl::StatusCode::kInvalidArgument},
      {ETIMEDOUT, absl::StatusCode::kAborted},
      {ECONNREFUSED, absl::StatusCode::kFailedPrecondition},
      {ECONNRESET, absl::StatusCode::kAborted},
      {EOVERFLOW, absl::StatusCode::kFailedPrecondition},
      {ERANGE, absl::StatusCode::kInvalidArgument},
      {ENOSPC, absl::StatusCode::kResourceExhausted},
      {EMFILE, absl::StatusCode::kResourceExhausted},
      {EBADF, absl::StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrnoError(c.errnum, "call", "obj").code(), c.code)
        << "errno " << c.errnum << " (" << std::strerror(c.errnum) << ")";
  }
}

bool IsOutcomeCode(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kOutOfRange;
}

// Every errno Linux defines: none may pass for would-block, timed-out or
// end-of-stream, and those absl does not map to an outcome code keep absl's.
TEST(ErrnoErrorTest, NoErrnoYieldsAnOutcomeCode) {
  int moved = 0;
  for (int errnum = 1; errnum <= 133; ++errnum) {
    const absl::Status status = ErrnoError(errnum, "call", "obj");
    EXPECT_FALSE(IsOutcomeCode(status.code()))
        << "errno " << errnum << ": " << status;
    EXPECT_FALSE(IsWouldBlock(status) || IsTimedOut(status) ||
                 IsEndOfStream(status))
        << status;
    EXPECT_EQ(ErrnoCode(errnum), status.code()) << errnum;
    EXPECT_EQ(ErrnoError(errnum, "call", 3).code(), status.code()) << errnum;
    EXPECT_EQ(ErrnoErrorWithMessage(errnum, "what").code(), status.code());
    const absl::StatusCode absl_code = absl::ErrnoToStatusCode(errnum);
    if (IsOutcomeCode(absl_code)) {
      ++moved;
    } else {
      EXPECT_EQ(status.code(), absl_code) << "errno " << errnum;
    }
  }
  // absl maps some errnos to outcome codes (20 in lib/core/README.md's
  // table); had it none, the walk above would have tested nothing.
  EXPECT_GT(moved, 0);
}

TEST(ErrnoErrorTest, WithMessageKeepsTheCallersWords) {
  const absl::Status status = ErrnoErrorWithMessage(EAGAIN, "FcntlLock: x");
  EXPECT_EQ(status.message(),
            std::string("FcntlLock: x: ") + std::strerror(EAGAIN));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(ErrnoErrorTest, ErrnoZeroIsNeverOk) {
  const absl::Status status = ErrnoError(0, "write", "/x");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnknown);
  EXPECT_TRUE(absl::StrContains(status.message(), "write(\"/x\")")) << status;
  EXPECT_FALSE(ErrnoError(0, "write", 3).ok());
}

// What WouldBlockError() and TimedOutError() give: their own code, no
// message, and a yes from their own predicate only.
void ExpectSentinel(const absl::Status& status, absl::StatusCode code,
                    bool would_block) {
  EXPECT_EQ(status.code(), code);
  EXPECT_TRUE(status.message().empty());
  EXPECT_EQ(IsWouldBlock(status), would_block);
  EXPECT_EQ(IsTimedOut(status), !would_block);
}

TEST(WouldBlockErrorTest, HasCodeAndNoMessage) {
  ExpectSentinel(WouldBlockError(), absl::StatusCode::kUnavailable,
                 /*would_block=*/true);
}

TEST(TimedOutErrorTest, HasCodeAndNoMessage) {
  ExpectSentinel(TimedOutError(), absl::StatusCode::kDeadlineExceeded,
                 /*would_block=*/false);
}

TEST(IsWouldBlockTest, RejectsOkAndRealErrorsAbslGivesTheSameCode) {
  EXPECT_FALSE(IsWouldBlock(absl::OkStatus()));
  // absl::ErrnoToStatus() gives these kUnavailable; ErrnoError() does not.
  EXPECT_FALSE(IsWouldBlock(ErrnoError(ECONNREFUSED, "connect", "/sock")));
  EXPECT_FALSE(IsWouldBlock(ErrnoError(EAGAIN, "read", 3)));
  EXPECT_FALSE(IsWouldBlock(absl::InternalError("")));
}

TEST(IsTimedOutTest, RejectsOkAndRealErrorsAbslGivesTheSameCode) {
  EXPECT_FALSE(IsTimedOut(absl::OkStatus()));
  EXPECT_FALSE(IsTimedOut(ErrnoError(ETIMEDOUT, "connect", "10.0.0.1")));
  EXPECT_FALSE(IsTimedOut(absl::InternalError("")));
}

// What point 5 of issue 12 asks: a layer that adds context to an outcome's
// message, as any error path may, does not change what the outcome is.
TEST(OutcomeTest, AnnotatingKeepsTheOutcome) {
  auto annotate = [](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat("context: ", s.message()));
  };
  const absl::Status would_block = annotate(annotate(WouldBlockError()));
  const absl::Status timed_out = annotate(TimedOutError());
  const absl::Status end = annotate(EndOfStreamError());
  EXPECT_TRUE(IsWouldBlock(would_block)) << would_block;
  EXPECT_TRUE(IsTimedOut(timed_out)) << timed_out;
  EXPECT_TRUE(IsEndOfStream(end)) << end;
  EXPECT_FALSE(IsTimedOut(would_block) || IsEndOfStream(would_block));
  EXPECT_FALSE(IsWouldBlock(timed_out) || IsEndOfStream(timed_out));
  EXPECT_FALSE(IsWouldBlock(end) || IsTimedOut(end));
}

TEST(OutcomeTest, DescribedOutcomesAreStillOutcomes) {
  const absl::Status would_block = WouldBlockError("not yet initialised");
  const absl::Status timed_out = TimedOutError("no reader within 5s");
  EXPECT_TRUE(IsWouldBlock(would_block));
  EXPECT_EQ(would_block.message(), "not yet initialised");
  EXPECT_TRUE(IsTimedOut(timed_out));
  EXPECT_EQ(timed_out.message(), "no reader within 5s");
}

}  // namespace
}  // namespace ipcbox
