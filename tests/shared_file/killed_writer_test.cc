// A writer killed with SIGKILL at every step of a write: a reader then sees
// the old contents or the new ones whole, never a torn mix, and the next
// write cleans up what the killed one left.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/shared_file/internal/current_file.h"
#include "ipcbox/shared_file/shared_file_reader.h"
#include "ipcbox/shared_file/shared_file_writer.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using shared_file_internal::WriteStep;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr absl::string_view kOld =
    "the old contents, longer than the new ones, so that a torn write "
    "shows\n";
constexpr absl::string_view kNewFirst = "new 1\n";
constexpr absl::string_view kNewSecond = "new 2\n";

WriteStep g_kill_at = shared_file_internal::kStepStagingCreated;

void KillSelfAt(WriteStep step) {
  if (step == g_kill_at) ::raise(SIGKILL);
}

std::string ReadAll(const std::string& path) {
  absl::StatusOr<SharedFileReader> reader = SharedFileReader::Open(path);
  if (!reader.ok()) return "<" + reader.status().ToString() + ">";
  char buf[512];
  absl::StatusOr<ReadResult> r = reader->Read(absl::MakeSpan(buf));
  if (!r.ok()) return "<" + r.status().ToString() + ">";
  return std::string(buf, r->size);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

class KilledWriterTest : public ::testing::TestWithParam<WriteStep> {};

TEST_P(KilledWriterTest, ReadersSeeOldOrNewNeverTorn) {
  TempPath file("killed_writer");
  const std::string staging = shared_file_internal::StagingPath(file.path());
  {
    absl::StatusOr<SharedFileWriter> writer =
        SharedFileWriter::Open(file.path());
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE(writer->Write(kOld).ok());
  }
  // The reader opened before the crash must also see a whole version.
  absl::StatusOr<SharedFileReader> early = SharedFileReader::Open(file.path());
  ASSERT_TRUE(early.ok()) << early.status();

  g_kill_at = GetParam();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    shared_file_internal::g_write_step_for_test = &KillSelfAt;
    absl::StatusOr<SharedFileWriter> writer =
        SharedFileWriter::Open(file.path());
    if (!writer.ok()) return 2;
    (void)writer->Write({kNewFirst, kNewSecond});
    return 3;  // not killed: the step was never reached
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGKILL));

  const std::string now = ReadAll(file.path());
  const std::string whole_new =
      std::string(kNewFirst) + std::string(kNewSecond);
  if (GetParam() >= shared_file_internal::kStepRenamed) {
    EXPECT_EQ(now, whole_new);
  } else {
    EXPECT_EQ(now, kOld) << "a write killed before it finished must not show";
  }
  char buf[512];
  absl::StatusOr<ReadResult> r = early->Read(absl::MakeSpan(buf));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::string(buf, r->size), now);

  // The next writer cleans up and writes normally.
  absl::StatusOr<SharedFileWriter> next = SharedFileWriter::Open(file.path());
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_TRUE(next->Write("after\n").ok());
  EXPECT_EQ(ReadAll(file.path()), "after\n");
  EXPECT_FALSE(Exists(staging)) << staging << " was left behind";
  ::unlink(staging.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    EveryStep, KilledWriterTest,
    ::testing::Values(shared_file_internal::kStepStagingCreated,
                      shared_file_internal::kStepFirstRecordWritten,
                      shared_file_internal::kStepAllWritten,
                      shared_file_internal::kStepSynced,
                      shared_file_internal::kStepRenamed));

}  // namespace
}  // namespace ipcbox::testing
