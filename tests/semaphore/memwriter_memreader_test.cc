// The ported memwriter and memreader (examples/shm): the reader prints the
// line the seed article documents, the writer reports as the seed's does,
// stale posts from an earlier run do not let a reader in early, failures
// exit as the seed's do, and the tour scenario verifies.

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/common/octal_mode.h"
#include "examples/shm/child_with_output.h"
#include "examples/shm/memreader.h"
#include "examples/shm/memwriter.h"
#include "examples/shm/shmem.h"
#include "examples/shm/tour_shm.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/recoverable_semaphore.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "tests/semaphore/semaphore_test_util.h"
#include "tests/support/child_process.h"
#include "tests/support/tour_scenario.h"

namespace ipcbox::examples {
namespace {

using ::ipcbox::testing::PollUntil;
using ::ipcbox::testing::ScopedSemUnlink;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// The article: "The output from the memreader is:
// This is the way the world ends..."
constexpr absl::string_view kSeedReaderOutput =
    "This is the way the world ends...\n";

Deadline Soon() { return Deadline::After(absl::Seconds(60)); }

// Unique names in the C programs' style (no slash on the semaphore), and
// guards that remove both whatever happens.
class MemExampleTest : public ::testing::Test {
 protected:
  MemExampleTest()
      : sem_guard_(UniqueName("mysemaphore")),
        shm_name_(UniqueName("shMemEx")) {
    shmem_.backing_file = shm_name_;
    shmem_.semaphore_name = sem_guard_.name().substr(1);
  }
  ~MemExampleTest() override {
    ::shm_unlink(shm_name_.c_str());
    // The semaphore's holder record (recoverable_semaphore.h), which a
    // writer killed by a failing test leaves.
    ::shm_unlink((sem_guard_.name() + ".holder").c_str());
  }

  absl::StatusOr<ChildWithOutput> StartWriter(absl::Duration linger) {
    MemwriterOptions options;
    options.shmem = shmem_;
    options.linger = linger;
    return ChildWithOutput::Start(
        [options](std::FILE* err) { return RunMemwriter(options, err); });
  }

  absl::StatusOr<ChildWithOutput> StartReader(
      absl::Duration timeout = absl::Seconds(30), bool capture_err = false) {
    MemreaderOptions options;
    options.shmem = shmem_;
    options.timeout = timeout;
    return ChildWithOutput::Start([options, capture_err](std::FILE* stream) {
      return capture_err ? RunMemreader(options, stdout, stream)
                         : RunMemreader(options, stream, stderr);
    });
  }

  // A writer that has mapped the memory (it said so: "backing file:").
  absl::StatusOr<ChildWithOutput> StartWriterAndWait(absl::Duration linger) {
    absl::StatusOr<ChildWithOutput> writer = StartWriter(linger);
    if (!writer.ok()) return writer;
    if (absl::Status seen = writer->ReadUntil("backing file:", Soon());
        !seen.ok()) {
      return seen;
    }
    return writer;
  }

  // A reader run to its end: its exit status and output (see StartReader).
  absl::StatusOr<ChildWithOutput::Result> RunReader(
      absl::Duration timeout = absl::Seconds(30), bool capture_err = false) {
    absl::StatusOr<ChildWithOutput> reader = StartReader(timeout, capture_err);
    if (!reader.ok()) return reader.status();
    return reader->Finish(Soon());
  }

  // The mode the examples create with (the seed's), which openers of the
  // holder record must accept.
  SemaphoreOptions SeedModeOptions() const {
    SemaphoreOptions options;
    options.permissions = *Permissions::FromMode(shmem_.access_perms);
    return options;
  }

  // The writer's semaphore, once the writer has made it (it prints
  // "backing file:" before that).
  absl::StatusOr<posix::RecoverableSemaphore> OpenWritersSemaphore() const {
    absl::StatusOr<posix::RecoverableSemaphore> turn =
        absl::NotFoundError("not tried");
    PollUntil([&] {
      turn = posix::RecoverableSemaphore::Open(
          PosixName::Create(sem_guard_.name()).value(),
          WithOpenMode(OpenMode::kOpenExisting, SeedModeOptions()));
      return !absl::IsNotFound(turn.status());
    });
    return turn;
  }

  ScopedSemUnlink sem_guard_;
  std::string shm_name_;
  ShmemOptions shmem_;
};

TEST_F(MemExampleTest, ReaderPrintsTheSeedsLineAndNothingIsLeft) {
  absl::StatusOr<ChildWithOutput> writer = StartWriterAndWait(absl::Seconds(1));
  ASSERT_TRUE(writer.ok()) << writer.status();
  absl::StatusOr<ChildWithOutput::Result> read = RunReader();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->exit_code, 0);
  EXPECT_EQ(read->output, kSeedReaderOutput);

  absl::StatusOr<ChildWithOutput::Result> wrote = writer->Finish(Soon());
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  EXPECT_EQ(wrote->exit_code, 0);
  // The seed's two lines on standard error, with its format.
  EXPECT_THAT(wrote->output,
              MatchesRegex(absl::StrCat(
                  "shared mem address: (0x)?[0-9a-f]+ \\[0\\.\\.511\\]\n"
                  "backing file:\t\t/dev/shm",
                  shm_name_, "\n")));
  EXPECT_EQ(
      posix::SharedMemory::Remove(PosixName::Create(shm_name_).value()).code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      posix::NamedSemaphore::OpenExisting(sem_guard_.name()).status().code(),
      absl::StatusCode::kNotFound);
}

// What the C programs leave behind: "mysemaphore" at a non-zero value. The
// writer takes those posts back before writing, so its own post is the
// only one a reader can take.
TEST_F(MemExampleTest, WriterTakesBackPostsAnEarlierRunLeft) {
  SemaphoreOptions stale_options;
  stale_options.initial_value = 2;
  absl::StatusOr<posix::NamedSemaphore> stale =
      posix::NamedSemaphore::Create(sem_guard_.name(), stale_options);
  ASSERT_TRUE(stale.ok()) << stale.status();
  stale->Disown();  // The writer removes it.

  absl::StatusOr<ChildWithOutput> writer = StartWriter(absl::Seconds(1));
  ASSERT_TRUE(writer.ok()) << writer.status();
  // 2, drained to 0, then the writer's one post: never 3.
  EXPECT_TRUE(PollUntil([&] { return stale->Value().value_or(-1) == 1; }));
  absl::StatusOr<ChildWithOutput::Result> read = RunReader();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->output, kSeedReaderOutput);
  absl::StatusOr<ChildWithOutput::Result> wrote = writer->Finish(Soon());
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  EXPECT_EQ(wrote->exit_code, 0);
}

TEST_F(MemExampleTest, ReaderWithoutTheMemoryFailsAsTheSeedDoes) {
  absl::StatusOr<ChildWithOutput::Result> read =
      RunReader(absl::Seconds(30), /*capture_err=*/true);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->exit_code, kSeedFailureExit);
  EXPECT_THAT(read->output, StartsWith("Can't get file descriptor...: "));
  EXPECT_THAT(read->output, HasSubstr("No such file or directory"));
}

TEST_F(MemExampleTest, ReaderGivesUpWhenNobodyPostsInTime) {
  absl::StatusOr<posix::SharedMemory> memory = posix::SharedMemory::Create(
      PosixName::Create(shm_name_).value(), kByteSize);
  ASSERT_TRUE(memory.ok()) << memory.status();
  absl::StatusOr<ChildWithOutput::Result> read =
      RunReader(absl::Milliseconds(100), /*capture_err=*/true);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->exit_code, kSeedFailureExit);
  EXPECT_THAT(read->output, StartsWith("sem_wait: "));
}

// A reader killed between its wait and its post took the writer's only
// post with it; the next reader must not wait forever (nor blame the
// writer): it gives the dead reader's turn back and reads.
TEST_F(MemExampleTest, AReaderKilledHoldingTheTurnDoesNotBlockTheNext) {
  absl::StatusOr<ChildWithOutput> writer = StartWriterAndWait(absl::Seconds(5));
  ASSERT_TRUE(writer.ok()) << writer.status();
  absl::StatusOr<testing::ChildProcess> doomed = testing::ForkChild([&] {
    absl::StatusOr<posix::RecoverableSemaphore> turn = OpenWritersSemaphore();
    if (!turn.ok()) return 2;
    if (!turn->TakeTurn(Soon()).ok()) return 3;
    ::raise(SIGKILL);  // between the wait and the post
    return 4;
  });
  ASSERT_TRUE(doomed.ok()) << doomed.status();
  ASSERT_TRUE(testing::KilledBy(doomed->Wait(absl::Seconds(60)), SIGKILL));

  absl::StatusOr<ChildWithOutput::Result> read = RunReader(absl::Seconds(20));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->exit_code, 0);
  EXPECT_EQ(read->output, kSeedReaderOutput);
  absl::StatusOr<ChildWithOutput::Result> wrote = writer->Finish(Soon());
  ASSERT_TRUE(wrote.ok()) << wrote.status();
  EXPECT_EQ(wrote->exit_code, 0);
}

// A live reader that holds the turn past the timeout is the one named.
TEST_F(MemExampleTest, TimeoutNamesALiveHolderNotTheWriter) {
  absl::StatusOr<ChildWithOutput> writer = StartWriterAndWait(absl::Seconds(5));
  ASSERT_TRUE(writer.ok()) << writer.status();
  absl::StatusOr<posix::RecoverableSemaphore> turn = OpenWritersSemaphore();
  ASSERT_TRUE(turn.ok()) << turn.status();
  ASSERT_TRUE(turn->TakeTurn(Soon()).ok());
  absl::StatusOr<ChildWithOutput::Result> read =
      RunReader(absl::Milliseconds(300), /*capture_err=*/true);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->exit_code, kSeedFailureExit);
  EXPECT_THAT(read->output,
              HasSubstr(absl::StrCat("process ", ::getpid(), " took it")));
  ASSERT_TRUE(turn->GiveBackTurn().ok());
  absl::StatusOr<ChildWithOutput::Result> wrote = writer->Finish(Soon());
  ASSERT_TRUE(wrote.ok()) << wrote.status();
}

TEST(MemreaderOptionsTest, TheDefaultTimeoutIsFinite) {
  EXPECT_LT(MemreaderOptions().timeout, absl::InfiniteDuration());
}

TEST(ShmemTest, CNamesGetTheirSlash) {
  EXPECT_EQ(SeedName("mysemaphore", kMaxSemaphoreNameLength).value().view(),
            "/mysemaphore");
  EXPECT_EQ(SeedName("/shMemEx", NAME_MAX).value().view(), "/shMemEx");
  EXPECT_FALSE(SeedName("a/b", NAME_MAX).ok());
}

TEST(ShmemTest, ParsesOctalModes) {
  EXPECT_EQ(ParseOctalMode("0644").value(), 0644u);
  EXPECT_EQ(ParseOctalMode("600").value(), 0600u);
  for (const char* bad : {"", "0844", "1777", "rw-r--r--", "77777777777"}) {
    EXPECT_FALSE(ParseOctalMode(bad).ok()) << bad;
  }
}

TEST(ShmemTest, FlagDefaultsAreTheSeedsValues) {
  const ShmemOptions defaults;
  EXPECT_EQ(defaults.backing_file, "/shMemEx");
  EXPECT_EQ(defaults.byte_size, 512u);
  EXPECT_EQ(defaults.access_perms, 0644u);
  EXPECT_EQ(defaults.semaphore_name, "mysemaphore");
  EXPECT_EQ(MemwriterOptions().contents, kSeedReaderOutput);
  EXPECT_EQ(MemwriterOptions().linger, absl::Seconds(12));
}

TEST(SharedMemoryTourTest, Verifies) {
  testing::ExpectScenarioVerifies(&RunSharedMemoryTour);
}

}  // namespace
}  // namespace ipcbox::examples
