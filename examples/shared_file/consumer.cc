#include "examples/shared_file/consumer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/shared_file/shared_file_reader.h"

namespace ipcbox::examples {
namespace {

std::string DescribeWriter(const std::optional<LockConflict>& holder) {
  if (!holder.has_value()) return "by a writer that has just let go";
  if (holder->pid == kOpenFileDescriptionOwner) {
    return "by an OFD lock (no pid known)";
  }
  return absl::StrCat("by process ", holder->pid);
}

}  // namespace

int RunConsumer(const ConsumerOptions& options, std::FILE* out,
                std::FILE* err) {
  absl::StatusOr<SharedFileReader> reader =
      SharedFileReader::Open(options.file);
  if (absl::IsNotFound(reader.status())) {
    return SeedFail(err, "open to read failed...", std::strerror(ENOENT));
  }
  if (!reader.ok()) {
    return SeedFail(err, "open to read failed...", reader.status().message());
  }
  char scratch[4096];
  absl::StatusOr<ReadResult> read = reader->ReadChunks(
      absl::MakeSpan(scratch),
      [out](absl::string_view chunk) {
        if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
          return absl::UnavailableError("writing to standard output failed");
        }
        return absl::OkStatus();
      },
      Deadline::After(options.wait));
  std::fflush(out);
  if (!read.ok())
    return SeedFail(err, "can't read the file...", read.status().message());
  switch (read->state) {
    case ReadState::kLocked:
      return SeedFail(err, "file is still write locked...",
                      absl::StrCat("locked ", DescribeWriter(read->holder)));
    case ReadState::kEmpty:
      // Not a success: a producer killed before its first write finished
      // leaves exactly this (the file it locks, with nothing renamed over
      // it yet), and printing nothing with exit 0 would pass for a whole
      // read of nothing.
      std::fprintf(err,
                   "consumer: %s is empty (no producer finished a write: "
                   "none has run, or one died)\n",
                   options.file.c_str());
      return kSeedFailureExit;
    case ReadState::kData:
      return 0;
  }
  return 0;
}

}  // namespace ipcbox::examples
