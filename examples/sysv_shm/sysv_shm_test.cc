// The ported server and client: their output against the seed's, in
// lockstep (threads) and as real processes; the seed's failure cases turned
// into clear errors; the tour scenario.

#include "examples/sysv_shm/sysv_shm.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "examples/shm/child_with_output.h"
#include "examples/sysv_shm/server_output.h"
#include "examples/sysv_shm/tour_sysv_shm.h"
#include "examples/tour/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/shm/sysv_shared_memory.h"

namespace ipcbox::examples {
namespace {

using ::testing::HasSubstr;

// What the seed's server prints, one line per second, while its client
// appends a letter per second in between.
constexpr char kSeedServerOutput[] =
    "server:\n"
    "server:A\n"
    "server:AB\n"
    "server:ABC\n"
    "server:ABCD\n"
    "server:ABCDE\n"
    "server:ABCDEF\n"
    "server:ABCDEFG\n"
    "server:ABCDEFGH\n"
    "server:ABCDEFGHI\n";

// An ftok file and the segment of its key, removed with the guard.
class ScopedRendezvous {
 public:
  ScopedRendezvous() : path_(UniqueTempPath("sysv_shm_example")) {
    const int fd = ::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd >= 0) ::close(fd);
  }
  ~ScopedRendezvous() {
    absl::StatusOr<sysv::IpcKey> key = Key();
    if (key.ok()) sysv::SharedMemory::Remove(*key).IgnoreError();
    ::unlink(path_.c_str());
  }
  absl::StatusOr<sysv::IpcKey> Key() const {
    return sysv::IpcKey::FromPath(path_, kSeedProjectId);
  }
  SysvShmOptions Options() const {
    SysvShmOptions options;
    options.path = path_;
    return options;
  }

 private:
  std::string path_;
};

// Captures what a function writes to a FILE*.
class CapturedStream {
 public:
  CapturedStream() : stream_(::open_memstream(&buffer_, &size_)) {}
  ~CapturedStream() {
    if (stream_ != nullptr) std::fclose(stream_);
    std::free(buffer_);
  }
  std::FILE* get() { return stream_; }
  std::string text() {
    std::fflush(stream_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE* stream_;
};

// Steps 2r+1 ("server printed line r") and 2r+2 ("client wrote letter r"),
// in order, with every wait bounded.
class Lockstep {
 public:
  void Done(int step) {
    absl::MutexLock lock(&mu_);
    if (step > steps_) steps_ = step;
  }
  bool Await(int step) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, step] { return steps_ >= step; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(60));
  }

 private:
  absl::Mutex mu_;
  int steps_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(SysvShmExampleTest, InLockstepTheServerPrintsExactlyWhatTheSeedDoes) {
  ScopedRendezvous rendezvous;
  const SysvShmOptions options = rendezvous.Options();
  Lockstep lockstep;
  CapturedStream out;
  int client_result = -1;
  std::thread client;
  const int server_result =
      RunSysvShmServer(options, out.get(), stderr, [&](int round) {
        lockstep.Done(2 * round + 1);
        if (round == 0) {
          client = std::thread([&] {
            client_result = RunSysvShmClient(options, stderr, [&](int letter) {
              lockstep.Done(2 * letter + 2);
              if (letter + 1 < options.rounds) {
                lockstep.Await(2 * letter + 3);
              }
            });
          });
        }
        lockstep.Await(2 * round + 2);
      });
  client.join();
  EXPECT_EQ(server_result, 0);
  EXPECT_EQ(client_result, 0);
  EXPECT_EQ(out.text(), kSeedServerOutput);
  EXPECT_EQ(LockstepServerOutput(kSeedRounds), kSeedServerOutput);
  // The server removed the segment.
  absl::StatusOr<sysv::IpcKey> key = rendezvous.Key();
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(
      absl::IsNotFound(sysv::SharedMemory::OpenExisting(*key, 1).status()));
}

TEST(SysvShmExampleTest, AsProcessesEveryLineIsAPrefixOfTheClientsLetters) {
  ScopedRendezvous rendezvous;
  SysvShmOptions options = rendezvous.Options();
  options.interval = absl::Milliseconds(20);
  const Deadline deadline = Deadline::After(absl::Seconds(60));
  absl::StatusOr<ChildWithOutput> server = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunSysvShmServer(options, out, stderr); });
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(server->ReadUntil("server:", deadline).ok());
  absl::StatusOr<ChildWithOutput> client = ChildWithOutput::Start(
      [&](std::FILE* err) { return RunSysvShmClient(options, err); });
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<ChildWithOutput::Result> served = server->Finish(deadline);
  absl::StatusOr<ChildWithOutput::Result> wrote = client->Finish(deadline);
  ASSERT_TRUE(served.ok()) << served.status();
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  EXPECT_EQ(served->exit_code, 0);
  EXPECT_EQ(wrote->exit_code, 0) << wrote->output;
  absl::StatusOr<std::vector<std::string>> texts =
      ParseServerOutput(served->output, options.rounds);
  EXPECT_TRUE(texts.ok()) << texts.status();
}

TEST(SysvShmExampleTest, TheServerNeverReadsPastTheSegment) {
  std::string full(kSeedSize, 'x');  // no NUL anywhere
  EXPECT_EQ(ServerLine(full), absl::StrCat("server:", full, "\n"));
  EXPECT_EQ(ServerLine(absl::string_view("AB\0CD", 5)), "server:AB\n");
}

TEST(SysvShmExampleTest, EachClientRoundAppendsALetter) {
  char segment[16];
  std::memset(segment, '#', sizeof(segment));
  for (int round = 0; round < 3; ++round) {
    ClientRound(absl::MakeSpan(segment), round);
  }
  EXPECT_STREQ(segment, "ABC");
}

TEST(SysvShmExampleTest, TheSeedsPathMissingIsAClearError) {
  SysvShmOptions options;  // the seed's author's path
  options.path = "/nonexistent/ljj/Linux_code/System_V_IPC/shm";
  CapturedStream err;
  EXPECT_EQ(RunSysvShmServer(options, stdout, err.get()), 1);
  EXPECT_THAT(err.text(),
              HasSubstr("sysv_shm_server: ftok path "
                        "\"/nonexistent/ljj/Linux_code/System_V_IPC/shm\" "
                        "does not exist"));
  CapturedStream client_err;
  EXPECT_EQ(RunSysvShmClient(options, client_err.get()), 1);
  EXPECT_THAT(client_err.text(), HasSubstr("does not exist"));
}

TEST(SysvShmExampleTest, AClientWithoutAServerSaysToStartTheServer) {
  ScopedRendezvous rendezvous;
  CapturedStream err;
  EXPECT_EQ(RunSysvShmClient(rendezvous.Options(), err.get()), 1);
  EXPECT_THAT(err.text(), HasSubstr("start sysv_shm_server first"));
}

TEST(SysvShmExampleTest, AStaleSegmentBlocksTheServerWithAHint) {
  ScopedRendezvous rendezvous;
  absl::StatusOr<sysv::IpcKey> key = rendezvous.Key();
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<sysv::SharedMemory> stale =
      sysv::SharedMemory::Create(*key, kSeedSize);
  ASSERT_TRUE(stale.ok()) << stale.status();
  CapturedStream err;
  EXPECT_EQ(RunSysvShmServer(rendezvous.Options(), stdout, err.get()), 1);
  EXPECT_THAT(err.text(), HasSubstr("ipcrm -M 0x"));
}

TEST(SysvShmExampleTest, MoreRoundsThanTheSegmentHoldsAreRefused) {
  SysvShmOptions options;
  options.rounds = static_cast<int>(options.size);
  absl::Status status = ValidateSysvShmOptions(options);
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  options.rounds = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateSysvShmOptions(options)));
  EXPECT_TRUE(ValidateSysvShmOptions(SysvShmOptions()).ok());
}

TEST(SysvShmExampleTest, TheTourScenarioVerifies) {
  tour::Report report;
  absl::Status status = RunSysvShmTour(report);
  EXPECT_TRUE(status.ok()) << status;
}

}  // namespace
}  // namespace ipcbox::examples
