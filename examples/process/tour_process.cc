#include "examples/process/tour_process.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/process/popen_demo_lib.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox::examples {
namespace {

// ALP's five lines in sort's order.
constexpr absl::string_view kSorted =
    "Hello, world.\n"
    "My dog has fleas.\n"
    "One fish, two fish.\n"
    "This is a test.\n"
    "This program is great.\n";

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

absl::Status RunOneMode(PopenDemoMode mode, absl::string_view name,
                        tour::Report& report) {
  absl::StatusOr<Pipe> capture = CreatePipe();
  if (!capture.ok()) return capture.status();
  absl::StatusOr<ExitStatus> status =
      RunPopenDemo(mode, "sort", kAlpLines, capture->writer.fd().get());
  if (!status.ok()) return status.status();
  (void)capture->writer.Close();
  absl::StatusOr<std::string> sorted = Drain(capture->reader);
  if (!sorted.ok()) return sorted.status();
  report.Line(absl::StrCat(name, ": 5 lines in, sort ", status->ToString(),
                           ", first line out \"",
                           sorted->substr(0, sorted->find('\n')), "\""));
  if (!status->success()) return absl::InternalError("sort failed");
  if (*sorted != kSorted) {
    return absl::InternalError(absl::StrCat("sort's output differs: \"",
                                            absl::CEscape(*sorted), "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunPopenTour(tour::Report& report) {
  if (absl::Status s = RunOneMode(PopenDemoMode::kPopen,
                                  "popen(\"sort\", \"w\") via /bin/sh", report);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          RunOneMode(PopenDemoMode::kDup2,
                     "pipe + dup2 onto sort's stdin (posix_spawn)", report);
      !s.ok()) {
    return s;
  }
  report.Line("both ways print ALP's lines in sorted order; children reaped");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
