// examples/signal:shutdown's code against the seed article's output for
// "Example 3. The graceful shutdown of a multi-processing system", with the
// sleeps shortened: the same lines, in the same order, and a child that
// ends gracefully (SIGTERM, exit 0) rather than being killed.

#include <signal.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/signal/graceful_shutdown.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/shutdown.h"

namespace ipcbox::examples {
namespace {

// The seed's lines, copied from the article's sample run and source (the
// child's lines are tab-indented by its puts/printf calls).
constexpr absl::string_view kSeedFirst = "Parent sleeping for a time...";
constexpr absl::string_view kSeedTick =
    "\tChild just woke up, but going back to sleep.";
constexpr absl::string_view kSeedEnd[] = {
    "\tChild confirming received signal: 15",
    "\tChild about to terminate gracefully...",
    "\tChild terminating now...",
    "My child terminated, about to exit myself...",
};

struct Transcript {
  absl::StatusOr<ShutdownRun> run;
  std::vector<std::string> lines;
};

Transcript RunWith(const ShutdownTimings& timings) {
  absl::StatusOr<Pipe> capture = CreatePipe();
  EXPECT_TRUE(capture.ok());
  Transcript transcript{
      RunGracefulShutdown(timings, capture->writer.fd().get()), {}};
  EXPECT_TRUE(capture->writer.Close().ok());
  std::string text;
  char buffer[512];
  const Deadline deadline = Deadline::After(absl::Seconds(30));
  for (;;) {
    absl::StatusOr<size_t> n =
        capture->reader.ReadUntil(absl::MakeSpan(buffer), deadline);
    if (!n.ok()) {
      EXPECT_TRUE(IsEndOfStream(n.status())) << n.status();
      break;
    }
    text.append(buffer, *n);
  }
  EXPECT_TRUE(absl::EndsWith(text, "\n")) << text;
  transcript.lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  return transcript;
}

// Checks the transcript's shape and returns the number of tick lines.
int ExpectSeedShape(const std::vector<std::string>& lines) {
  EXPECT_GE(lines.size(), 5u);
  if (lines.size() < 5) return -1;
  EXPECT_EQ(lines.front(), kSeedFirst);
  const size_t ticks = lines.size() - 5;
  for (size_t i = 1; i <= ticks; ++i) EXPECT_EQ(lines[i], kSeedTick) << i;
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(lines[ticks + 1 + i], kSeedEnd[i]) << "line " << ticks + 2 + i;
  }
  return static_cast<int>(ticks);
}

TEST(ShutdownExampleTest, PrintsTheSeedsLines) {
  ShutdownTimings timings;  // 5 s, 1 s, 1 s in the seed
  timings.parent_sleep = absl::Milliseconds(700);
  timings.child_tick = absl::Milliseconds(150);
  timings.graceful_pause = absl::Milliseconds(50);
  Transcript transcript = RunWith(timings);
  ASSERT_TRUE(transcript.run.ok()) << transcript.run.status();
  const int ticks = ExpectSeedShape(transcript.lines);
  EXPECT_GE(ticks, 0);
  const ShutdownReport& report = transcript.run->report;
  EXPECT_EQ(report.outcome, ShutdownOutcome::kEndedBySigterm);
  ASSERT_TRUE(report.status.has_value());
  EXPECT_TRUE(report.status->success()) << report.ToString();
  // The same checker the tour uses agrees.
  std::string text;
  for (const std::string& line : transcript.lines) text += line + "\n";
  absl::StatusOr<int> checked = CheckShutdownTranscript(text);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(*checked, ticks);
}

TEST(ShutdownExampleTest, SigtermBeforeTheChildIsReadyIsNotLost) {
  // No sleep at all: SIGTERM may leave the parent before the child has
  // installed its handler. The seed's child would die of it silently; here
  // it waits, blocked, and the child still terminates gracefully.
  ShutdownTimings timings;
  timings.parent_sleep = absl::ZeroDuration();
  timings.child_tick = absl::Seconds(10);
  timings.graceful_pause = absl::ZeroDuration();
  for (int i = 0; i < 5; ++i) {
    Transcript transcript = RunWith(timings);
    ASSERT_TRUE(transcript.run.ok()) << transcript.run.status();
    EXPECT_EQ(ExpectSeedShape(transcript.lines), 0);
  }
}

TEST(ShutdownExampleTest, CheckerRefusesOtherTranscripts) {
  EXPECT_FALSE(CheckShutdownTranscript("").ok());
  EXPECT_FALSE(CheckShutdownTranscript("Parent sleeping for a time...\n").ok());
  EXPECT_FALSE(
      CheckShutdownTranscript("Parent sleeping for a time...\n"
                              "\tChild confirming received signal: 9\n"
                              "\tChild about to terminate gracefully...\n"
                              "\tChild terminating now...\n"
                              "My child terminated, about to exit myself...\n")
          .ok());
  EXPECT_TRUE(
      CheckShutdownTranscript("Parent sleeping for a time...\n"
                              "\tChild just woke up, but going back to sleep.\n"
                              "\tChild confirming received signal: 15\n"
                              "\tChild about to terminate gracefully...\n"
                              "\tChild terminating now...\n"
                              "My child terminated, about to exit myself...\n")
          .ok());
}

}  // namespace
}  // namespace ipcbox::examples
