#include "examples/signal/tour_signal.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/signal/graceful_shutdown.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/pipe/pipe.h"

namespace ipcbox::examples {
namespace {

absl::StatusOr<std::string> Drain(PipeReader& reader) {
  std::string text;
  char buffer[512];
  const Deadline deadline = Deadline::After(absl::Seconds(10));
  for (;;) {
    absl::StatusOr<size_t> n =
        reader.ReadUntil(absl::MakeSpan(buffer), deadline);
    if (IsEndOfStream(n.status())) return text;
    if (!n.ok()) return n.status();
    text.append(buffer, *n);
  }
}

}  // namespace

absl::Status RunShutdownTour(tour::Report& report) {
  ShutdownTimings timings;  // the seed's 5 s / 1 s / 1 s, scaled down
  timings.parent_sleep = absl::Milliseconds(1100);
  timings.child_tick = absl::Milliseconds(250);
  timings.graceful_pause = absl::Milliseconds(100);
  timings.grace = absl::Seconds(10);
  // The transcript is small: the pipe holds all of it until read.
  absl::StatusOr<Pipe> capture = CreatePipe();
  if (!capture.ok()) return capture.status();
  absl::StatusOr<ShutdownRun> run =
      RunGracefulShutdown(timings, capture->writer.fd().get());
  if (!run.ok()) return run.status();
  (void)capture->writer.Close();
  absl::StatusOr<std::string> output = Drain(capture->reader);
  if (!output.ok()) return output.status();

  absl::StatusOr<int> ticks = CheckShutdownTranscript(*output);
  if (!ticks.ok()) return ticks.status();
  report.Line(absl::StrCat(
      "parent slept ", absl::FormatDuration(timings.parent_sleep),
      " while child ", run->child, " ticked ", *ticks, " times (every ",
      absl::FormatDuration(timings.child_tick), ")"));
  report.Line(
      "SIGTERM reached the child's handler, which only wrote to a "
      "self-pipe; the child's loop printed the seed's three lines");
  report.Line(absl::StrCat("child ", run->report.ToString(),
                           "; the parent printed its last line"));
  report.Line("transcript matches the seed's output line for line");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
