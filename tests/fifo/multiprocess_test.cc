// FIFOs between real processes: a child writer and a parent reader and the
// reverse, the blocking opens of the kernel meeting the timed opens of
// ipcbox, a peer killed with SIGKILL mid-stream (end-of-stream or EPIPE,
// never a hang), and a real peer: /bin/sh writing into the FIFO.
//
// Every wait in the parent has a deadline; the children are bounded by
// ChildProcess::Wait. Blocking (infinite) opens happen only in children.

#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "tests/fifo/fifo_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ChildProcess;
using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ExitResult;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::KilledBy;
using ::ipcbox::testing::Pattern;
using ::ipcbox::testing::ScopedPath;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr size_t kTransferSize = 1 << 20;  // 16 times the FIFO's capacity

Deadline Soon() { return Deadline::After(absl::Seconds(60)); }

class MultiProcessFifoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Fifo> fifo = Fifo::Create(path_.path());
    ASSERT_TRUE(fifo.ok()) << fifo.status();
    fifo_ = *std::move(fifo);
  }
  const std::string& path() const { return path_.path(); }

  // Reads until end-of-stream (or a failure, which fails the test).
  static std::string ReadToEnd(PipeReader& reader) {
    std::string got;
    std::vector<char> buf(10007);  // odd size: boundaries that match nothing
    for (;;) {
      absl::StatusOr<size_t> n =
          reader.ReadFor(absl::MakeSpan(buf), absl::Seconds(60));
      if (IsEndOfStream(n.status())) return got;
      if (!n.ok()) {
        ADD_FAILURE() << n.status();
        return got;
      }
      got.append(buf.data(), *n);
    }
  }

  ScopedPath path_{"fifo_mp_test"};
  Fifo fifo_;
};

TEST_F(MultiProcessFifoTest, ChildWritesParentReads) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path(), Soon());
    if (!writer.ok()) return 2;
    return writer->WriteAll(Pattern(kTransferSize), Soon()).ok() ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeReader> reader = OpenFifoReader(path(), Soon());
  ASSERT_TRUE(reader.ok()) << reader.status();
  const std::string got = ReadToEnd(*reader);
  EXPECT_EQ(got.size(), kTransferSize);
  EXPECT_TRUE(got == Pattern(kTransferSize));
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST_F(MultiProcessFifoTest, ParentWritesChildReads) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeReader> reader = OpenFifoReader(path(), Soon());
    if (!reader.ok()) return 2;
    return ReadToEnd(*reader) == Pattern(kTransferSize) ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path(), Soon());
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE(writer->WriteAll(Pattern(kTransferSize), Soon()).ok());
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// The kernel's blocking reader open (as the seed's fifoReader does) counts
// as a reader while it waits, so the timed writer finds it and frees it.
TEST_F(MultiProcessFifoTest, TimedWriterMeetsABlockingReaderOpen) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeReader> reader = OpenFifoReader(path());  // blocks
    if (!reader.ok()) return 2;
    return ReadToEnd(*reader) == "hello, world!\n" ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path(), Soon());
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE(writer->WriteAll("hello, world!\n").ok());
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// The kernel's blocking writer open (as the seed's fifoWriter does) is
// released by the timed reader, whose non-blocking open is a reader at once.
TEST_F(MultiProcessFifoTest, TimedReaderMeetsABlockingWriterOpen) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path());  // blocks
    if (!writer.ok()) return 2;
    return writer->WriteAll("bye, bye\n").ok() ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeReader> reader = OpenFifoReader(path(), Soon());
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(ReadToEnd(*reader), "bye, bye\n");
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// A writer that opens and closes without writing: the timed reader open
// returns (Linux reports the hang-up) and the first read is end-of-stream.
TEST_F(MultiProcessFifoTest, TimedReaderSeesAWriterThatCameAndWent) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path(), Soon());
    return writer.ok() ? 0 : 2;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeReader> reader = OpenFifoReader(path(), Soon());
  ASSERT_TRUE(reader.ok()) << reader.status();
  char buf[8];
  EXPECT_TRUE(IsEndOfStream(
      reader->ReadFor(absl::MakeSpan(buf), absl::Seconds(60)).status()));
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

TEST_F(MultiProcessFifoTest, WriterKilledMidStreamGivesTheReaderEndOfStream) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path(), Soon());
    if (!writer.ok()) return 2;
    const std::string chunk = Pattern(4096);
    for (;;) {  // until killed
      if (!writer->WriteAll(chunk, Soon()).ok()) return 3;
    }
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeReader> reader = OpenFifoReader(path(), Soon());
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<char> buf(256 << 10);
  ASSERT_TRUE(reader->ReadFull(absl::MakeSpan(buf), Soon()).ok());

  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  EXPECT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGKILL));
  // What was in the FIFO, then end-of-stream: never a hang.
  for (;;) {
    absl::StatusOr<size_t> n =
        reader->ReadFor(absl::MakeSpan(buf), absl::Seconds(60));
    if (n.ok()) continue;
    EXPECT_TRUE(IsEndOfStream(n.status())) << n.status();
    break;
  }
}

TEST_F(MultiProcessFifoTest, ReaderKilledMidStreamGivesTheWriterEpipe) {
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<PipeReader> reader = OpenFifoReader(path(), Soon());
    if (!reader.ok()) return 2;
    char buf[4096];
    for (;;) {  // until killed
      if (!reader->ReadFor(absl::MakeSpan(buf), absl::Seconds(60)).ok()) {
        return 3;
      }
    }
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path(), Soon());
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(writer->WriteAll(Pattern(256 << 10), Soon()).ok());

  ASSERT_TRUE(child->Kill(SIGKILL).ok());
  EXPECT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGKILL));
  // The reader is gone: EPIPE as a status (this process is still alive, so
  // no SIGPIPE killed it), never a hang on a full FIFO.
  absl::Status s = writer->WriteAll(Pattern(1 << 20), Soon());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("Broken pipe"));
}

// A real peer: the shell's own redirection opens the FIFO (a blocking
// O_WRONLY open, O_CREAT | O_TRUNC being no-ops on a FIFO) and echo writes.
TEST_F(MultiProcessFifoTest, ReadsWhatShellEchoWrites) {
  if (::access("/bin/sh", X_OK) != 0) GTEST_SKIP() << "no /bin/sh";
  absl::StatusOr<ChildProcess> shell = ForkChild([&] {
    ::execl("/bin/sh", "sh", "-c", "echo 'hello from sh' > \"$1\"", "sh",
            path().c_str(), static_cast<char*>(nullptr));
    return 127;  // exec failed
  });
  ASSERT_TRUE(shell.ok()) << shell.status();
  absl::StatusOr<PipeReader> reader = OpenFifoReader(path(), Soon());
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(ReadToEnd(*reader), "hello from sh\n");
  EXPECT_TRUE(ExitedWith(shell->Wait(kChildTimeout), 0));
}

// And the other way round: the shell reads with `cat` what we write.
TEST_F(MultiProcessFifoTest, ShellCatReadsWhatWeWrite) {
  if (::access("/bin/sh", X_OK) != 0) GTEST_SKIP() << "no /bin/sh";
  ScopedPath out("fifo_mp_test_out");
  absl::StatusOr<ChildProcess> shell = ForkChild([&] {
    ::execl("/bin/sh", "sh", "-c", "cat \"$1\" > \"$2\"", "sh", path().c_str(),
            out.c_str(), static_cast<char*>(nullptr));
    return 127;
  });
  ASSERT_TRUE(shell.ok()) << shell.status();
  absl::StatusOr<PipeWriter> writer = OpenFifoWriter(path(), Soon());
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(writer->WriteAll("line one\nline two\n").ok());
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(ExitedWith(shell->Wait(kChildTimeout), 0));
  EXPECT_EQ(::ipcbox::testing::ReadFile(out.path()), "line one\nline two\n");
}

}  // namespace
}  // namespace ipcbox
