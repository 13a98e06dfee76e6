#include "examples/pipe/tour_pipe.h"

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/pipe/pipe_un_lib.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/pipe/pipe.h"

namespace ipcbox::examples {
namespace {

// Everything the capture pipe holds once its writers are gone.
absl::StatusOr<std::string> Drain(PipeReader& reader) {
  std::string text;
  char buf[256];
  const Deadline deadline = Deadline::After(absl::Seconds(5));
  for (;;) {
    absl::StatusOr<size_t> n = reader.ReadUntil(absl::MakeSpan(buf), deadline);
    if (IsEndOfStream(n.status())) return text;
    if (!n.ok()) return n.status();
    text.append(buf, *n);
  }
}

}  // namespace

absl::Status RunPipeTour(tour::Report& report) {
  // The child's standard output, as a shell would give it with `pipe_un | cat`.
  absl::StatusOr<Pipe> capture = CreatePipe();
  if (!capture.ok()) return capture.status();
  absl::StatusOr<PipeUnRun> run =
      RunPipeUn(kPipeUnMessage, capture->writer.fd().get());
  if (!run.ok()) return run.status();
  (void)capture->writer.Close();
  absl::StatusOr<std::string> echoed = Drain(capture->reader);
  if (!echoed.ok()) return echoed.status();

  report.Line(absl::StrFormat(
      "parent wrote %d bytes into an unnamed pipe, then closed it",
      run->bytes_written));
  report.Line(absl::StrFormat("child %d read to end-of-stream and echoed: %s",
                              run->child, absl::StripSuffix(*echoed, "\n")));
  if (*echoed != kPipeUnMessage) {
    return absl::InternalError(absl::StrCat(
        "the echo differs from the message: \"", absl::CEscape(*echoed), "\""));
  }
  report.Line(
      "child exited 0 and was reaped; the echo matches the seed's output");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
