// The ported producer and consumer (examples/shared_file) against the seed
// article's documented session:
//
//   $> ./producer
//   Process 29255 has written to data file...
//
//   $> ./consumer
//   Now is the winter of our discontent
//   Made glorious summer by this sun of York
//
// and the situations the seed's consumer does not tell apart.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/common/octal_mode.h"
#include "examples/shared_file/consumer.h"
#include "examples/shared_file/producer.h"
#include "examples/shm/child_with_output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/lock_type.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::examples {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::LockHolder;
using ::ipcbox::testing::TempPath;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// The seed's text, verbatim from the article.
constexpr char kSeedConsumerOutput[] =
    "Now is the winter of our discontent\n"
    "Made glorious summer by this sun of York\n";

constexpr absl::Duration kTimeout = absl::Seconds(30);

ChildWithOutput::Result Producer(const std::string& file) {
  ProducerOptions options;
  options.file = file;
  absl::StatusOr<ChildWithOutput::Result> run = ChildWithOutput::Run(
      [&](std::FILE* err) { return RunProducer(options, err); },
      Deadline::After(kTimeout));
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *run : ChildWithOutput::Result();
}

ChildWithOutput::Result Consumer(const std::string& file,
                                 bool capture_err = false) {
  ConsumerOptions options;
  options.file = file;
  absl::StatusOr<ChildWithOutput::Result> run = ChildWithOutput::Run(
      [&](std::FILE* captured) {
        return capture_err ? RunConsumer(options, stdout, captured)
                           : RunConsumer(options, captured, stderr);
      },
      Deadline::After(kTimeout));
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *run : ChildWithOutput::Result();
}

TEST(SharedFileExampleTest, FlagDefaultsAreTheSeedsValues) {
  const ProducerOptions producer;
  EXPECT_EQ(producer.file, "data.dat");
  EXPECT_EQ(producer.data, kSeedConsumerOutput);
  EXPECT_EQ(producer.mode, 0666u);
  EXPECT_EQ(producer.wait, absl::ZeroDuration());
  const ConsumerOptions consumer;
  EXPECT_EQ(consumer.file, "data.dat");
}

TEST(SharedFileExampleTest, ProducerThenConsumerPrintTheSeedsSession) {
  TempPath file("data.dat");
  const ChildWithOutput::Result producer = Producer(file.path());
  EXPECT_EQ(producer.exit_code, 0);
  EXPECT_EQ(producer.output, absl::StrCat("Process ", producer.pid,
                                          " has written to data file...\n"));
  const ChildWithOutput::Result consumer = Consumer(file.path());
  EXPECT_EQ(consumer.exit_code, 0);
  EXPECT_EQ(consumer.output, kSeedConsumerOutput);

  // The seed's bytes, and its mode (applied exactly).
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u);
  EXPECT_EQ(st.st_size, static_cast<off_t>(sizeof(kSeedConsumerOutput) - 1));
}

TEST(SharedFileExampleTest, ConsumerOfAnAbsentFileFailsLikeTheSeed) {
  TempPath file("data.dat");
  const ChildWithOutput::Result consumer =
      Consumer(file.path(), /*capture_err=*/true);
  EXPECT_EQ(consumer.exit_code, 255);
  EXPECT_EQ(consumer.output,
            "open to read failed...: No such file or directory\n");
}

TEST(SharedFileExampleTest, ConsumerNamesTheWriterThatHoldsTheFile) {
  TempPath file("data.dat");
  ASSERT_EQ(Producer(file.path()).exit_code, 0);
  absl::StatusOr<LockHolder<FcntlLock>> writer =
      LockHolder<FcntlLock>::Start(file.path(), LockType::kExclusive);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const ChildWithOutput::Result consumer =
      Consumer(file.path(), /*capture_err=*/true);
  EXPECT_EQ(consumer.exit_code, 255);
  EXPECT_EQ(consumer.output,
            absl::StrCat("file is still write locked...: locked by process ",
                         writer->pid(), "\n"));
  const ChildWithOutput::Result producer = Producer(file.path());
  EXPECT_EQ(producer.exit_code, 255);
  EXPECT_EQ(producer.output,
            absl::StrCat("fcntl failed to get lock...: Resource temporarily "
                         "unavailable (process ",
                         writer->pid(), " holds an exclusive lock)\n"));
  EXPECT_TRUE(ExitedWith(writer->Release(), 0));
  EXPECT_EQ(Consumer(file.path()).output, kSeedConsumerOutput);
}

// An empty file is what a producer killed before its first write finished
// leaves (found by //tests/crash): not a whole read of nothing.
TEST(SharedFileExampleTest, ConsumerOfAnEmptyFilePrintsNothingAndFails) {
  TempPath file("data.dat");
  ASSERT_EQ(::close(::open(file.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  const ChildWithOutput::Result out = Consumer(file.path());
  EXPECT_EQ(out.exit_code, kSeedFailureExit);
  EXPECT_EQ(out.output, "");
  const ChildWithOutput::Result err =
      Consumer(file.path(), /*capture_err=*/true);
  EXPECT_THAT(err.output, HasSubstr("is empty"));
}

}  // namespace
}  // namespace ipcbox::examples
