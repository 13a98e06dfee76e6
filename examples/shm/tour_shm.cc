#include "examples/shm/tour_shm.h"

#include <sys/stat.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "examples/shm/child_with_output.h"
#include "examples/shm/memreader.h"
#include "examples/shm/memwriter.h"
#include "examples/shm/shmem.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/unique_name.h"

namespace ipcbox::examples {
namespace {

// The seed's documented output of memreader.
constexpr absl::string_view kSeedReaderOutput =
    "This is the way the world ends...\n";

bool InDevShm(absl::string_view file) {
  struct stat st;
  return ::stat(absl::StrCat("/dev/shm/", file).c_str(), &st) == 0;
}

absl::Status Expect(bool ok, absl::string_view what) {
  if (ok) return absl::OkStatus();
  return absl::InternalError(what);
}

}  // namespace

absl::Status RunSharedMemoryTour(tour::Report& report) {
  // The seed's values except the names, which are made unique so that a
  // memwriter someone runs meanwhile is not disturbed.
  ShmemOptions shmem;
  shmem.backing_file = UniqueName("shMemEx");
  shmem.semaphore_name = UniqueName("mysemaphore").substr(1);  // C style
  const Deadline deadline = Deadline::After(absl::Seconds(30));

  MemwriterOptions writer_options;
  writer_options.shmem = shmem;
  writer_options.linger = absl::Seconds(1);  // The seed's 12 s, shortened.
  absl::StatusOr<ChildWithOutput> writer = ChildWithOutput::Start(
      [&](std::FILE* err) { return RunMemwriter(writer_options, err); });
  if (!writer.ok()) return writer.status();
  if (absl::Status s = writer->ReadUntil("backing file:", deadline); !s.ok()) {
    return s;
  }
  for (absl::string_view line :
       absl::StrSplit(writer->output(), '\n', absl::SkipEmpty())) {
    report.Line(absl::StrCat("memwriter ", writer->pid(), ": ", line));
  }

  MemreaderOptions reader_options;
  reader_options.shmem = shmem;
  reader_options.timeout = absl::Seconds(20);
  absl::StatusOr<ChildWithOutput> reader =
      ChildWithOutput::Start([&](std::FILE* out) {
        return RunMemreader(reader_options, out, stderr);
      });
  if (!reader.ok()) return reader.status();
  absl::StatusOr<ChildWithOutput::Result> read = reader->Finish(deadline);
  if (!read.ok()) return read.status();
  report.Line(
      absl::StrCat("memreader waited on semaphore \"", shmem.semaphore_name,
                   "\" and printed: ", absl::StripSuffix(read->output, "\n")));
  if (absl::Status s =
          Expect(read->exit_code == 0,
                 absl::StrCat("memreader exited with ", read->exit_code));
      !s.ok()) {
    return s;
  }
  if (read->output != kSeedReaderOutput) {
    return absl::InternalError(absl::StrCat(
        "memreader printed \"", absl::CEscape(read->output),
        "\", the seed prints \"", absl::CEscape(kSeedReaderOutput), "\""));
  }

  absl::StatusOr<ChildWithOutput::Result> wrote = writer->Finish(deadline);
  if (!wrote.ok()) return wrote.status();
  if (absl::Status s =
          Expect(wrote->exit_code == 0,
                 absl::StrCat("memwriter exited with ", wrote->exit_code));
      !s.ok()) {
    return s;
  }
  const bool memory_left = InDevShm(shmem.backing_file.substr(1));
  const bool semaphore_left =
      InDevShm(absl::StrCat("sem.", shmem.semaphore_name));
  if (memory_left || semaphore_left) {
    return absl::InternalError(
        absl::StrCat("left in /dev/shm:", memory_left ? " the memory" : "",
                     semaphore_left ? " the semaphore" : ""));
  }
  report.Line(
      "both exited 0; the output matches the seed's; the memory and the "
      "semaphore were removed");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
