#include "examples/shared_file/tour_shared_file.h"

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "examples/shared_file/consumer.h"
#include "examples/shared_file/producer.h"
#include "examples/shm/child_with_output.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_type.h"

namespace ipcbox::examples {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(20);

absl::StatusOr<std::string> MakeScratchDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                   "/ipcbox-shared-file.XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return ErrnoError(errno, "mkdtemp", pattern);
  }
  return pattern;
}

absl::StatusOr<ChildWithOutput::Result> Producer(const std::string& file) {
  ProducerOptions options;
  options.file = file;
  return ChildWithOutput::Run(
      [&](std::FILE* err) { return RunProducer(options, err); },
      Deadline::After(kChildTimeout));
}

// The consumer's standard output, or (`capture_err`) its standard error.
absl::StatusOr<ChildWithOutput::Result> Consumer(const std::string& file,
                                                 bool capture_err) {
  ConsumerOptions options;
  options.file = file;
  return ChildWithOutput::Run(
      [&](std::FILE* captured) {
        return capture_err ? RunConsumer(options, stdout, captured)
                           : RunConsumer(options, captured, stderr);
      },
      Deadline::After(kChildTimeout));
}

std::string FirstLine(const std::string& text) {
  return std::string(absl::StripSuffix(text.substr(0, text.find('\n')), "\n"));
}

absl::Status Expect(bool ok, absl::string_view what, const std::string& got) {
  if (ok) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(what, "; got \"", absl::CEscape(got), "\""));
}

// A writer that holds data.dat until the pipe it reads from is closed.
class WriterHoldingTheLock {
 public:
  absl::Status Start(const std::string& file) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2", "");
    Fd ready_read(fds[0]);
    Fd ready_write(fds[1]);
    if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2", "");
    Fd release_read(fds[0]);
    release_ = Fd(fds[1]);
    std::fflush(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) return ErrnoError(errno, "fork", "");
    if (pid_ == 0) {
      release_.reset();
      absl::StatusOr<FcntlLock> lock = FcntlLock::Open(file);
      char byte = 'L';
      if (!lock.ok() ||
          !lock->LockFor(LockType::kExclusive, absl::Seconds(10)).ok()) {
        ::_exit(2);
      }
      if (::write(ready_write.get(), &byte, 1) != 1) ::_exit(3);
      // Returns (EOF) when the parent closes its end: then let go.
      const ssize_t released = ::read(release_read.get(), &byte, 1);
      ::_exit(released >= 0 ? 0 : 4);
    }
    ready_write.reset();
    char byte = 0;
    // EOF instead of a byte: the child could not lock and has exited.
    if (::read(ready_read.get(), &byte, 1) != 1) {
      return absl::InternalError("the writer could not lock the file");
    }
    return absl::OkStatus();
  }

  pid_t pid() const { return pid_; }

  ~WriterHoldingTheLock() {
    release_.reset();
    if (pid_ > 0) {
      int status;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }

 private:
  pid_t pid_ = -1;
  Fd release_;  // closing it tells the child to let go
};

}  // namespace

absl::Status RunSharedFileTour(tour::Report& report) {
  absl::StatusOr<std::string> dir = MakeScratchDirectory();
  if (!dir.ok()) return dir.status();
  const std::string file = absl::StrCat(*dir, "/", kSharedFileName);
  absl::Cleanup remove = [&] {
    ::unlink(file.c_str());
    ::rmdir(dir->c_str());
  };
  report.Line(absl::StrCat("producer and consumer share ", file));

  // Absent.
  absl::StatusOr<ChildWithOutput::Result> run =
      Consumer(file, /*capture_err=*/true);
  if (!run.ok()) return run.status();
  report.Line(
      absl::StrCat("consumer, before any producer: ", FirstLine(run->output)));
  if (absl::Status s = Expect(
          run->exit_code == kSeedFailureExit &&
              absl::StrContains(run->output, "No such file or directory"),
          "an absent file should be reported as such", run->output);
      !s.ok()) {
    return s;
  }

  // The seed's two runs.
  run = Producer(file);
  if (!run.ok()) return run.status();
  const std::string produced =
      absl::StrCat("Process ", run->pid, " has written to data file...\n");
  report.Line(
      absl::StrCat("producer (pid ", run->pid, "): ", FirstLine(run->output)));
  if (absl::Status s =
          Expect(run->exit_code == 0 && run->output == produced,
                 "the producer should print the seed's line", run->output);
      !s.ok()) {
    return s;
  }
  run = Consumer(file, /*capture_err=*/false);
  if (!run.ok()) return run.status();
  report.Line(
      absl::StrCat("consumer printed: ", FirstLine(run->output), " / ",
                   FirstLine(run->output.substr(run->output.find('\n') + 1))));
  if (absl::Status s =
          Expect(run->exit_code == 0 && run->output == kSharedFileData,
                 "the consumer should print the two lines", run->output);
      !s.ok()) {
    return s;
  }

  // Locked by a writer.
  {
    WriterHoldingTheLock writer;
    if (absl::Status s = writer.Start(file); !s.ok()) return s;
    run = Consumer(file, /*capture_err=*/true);
    if (!run.ok()) return run.status();
    report.Line(
        absl::StrCat("consumer while process ", writer.pid(),
                     " holds an exclusive lock: ", FirstLine(run->output)));
    if (absl::Status s = Expect(
            run->exit_code == kSeedFailureExit &&
                absl::StrContains(run->output,
                                  absl::StrCat("by process ", writer.pid())),
            "the consumer should name the writer", run->output);
        !s.ok()) {
      return s;
    }
    run = Producer(file);
    if (!run.ok()) return run.status();
    report.Line(
        absl::StrCat("a second producer meanwhile: ", FirstLine(run->output)));
    if (absl::Status s =
            Expect(run->exit_code == kSeedFailureExit,
                   "a second producer must not get the lock", run->output);
        !s.ok()) {
      return s;
    }
  }

  // Empty.
  if (::truncate(file.c_str(), 0) != 0) {
    return ErrnoError(errno, "truncate", file);
  }
  run = Consumer(file, /*capture_err=*/true);
  if (!run.ok()) return run.status();
  report.Line(
      absl::StrCat("consumer of an emptied file: ", FirstLine(run->output)));
  if (absl::Status s =
          Expect(run->exit_code == kSeedFailureExit &&
                     absl::StrContains(run->output, "is empty"),
                 "an empty file should be reported as a failure", run->output);
      !s.ok()) {
    return s;
  }
  report.Line(
      "absent, written, read, locked (with the writer's pid) and empty: as "
      "expected");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
