#include "examples/shared_file/producer.h"

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/file_lock/lock_conflict.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/shared_file/shared_file_writer.h"

namespace ipcbox::examples {

int SeedFail(std::FILE* err, absl::string_view what, absl::string_view why) {
  std::fprintf(err, "%.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(why.size()), why.data());
  return kSeedFailureExit;
}

namespace {

std::string DescribeHolder(const std::optional<LockConflict>& holder) {
  if (!holder.has_value()) return "the lock is taken";
  const std::string type(LockTypeName(holder->type));
  if (holder->pid == kOpenFileDescriptionOwner) {
    return absl::StrCat("an OFD ", type, " lock is held on the file");
  }
  return absl::StrCat("process ", holder->pid, " holds ",
                      holder->type == LockType::kShared ? "a " : "an ", type,
                      " lock");
}

}  // namespace

int RunProducer(const ProducerOptions& options, std::FILE* err) {
  absl::StatusOr<Permissions> permissions = Permissions::FromMode(options.mode);
  if (!permissions.ok()) {
    return SeedFail(err, "open failed...", permissions.status().message());
  }
  SharedFileWriterOptions writer_options;
  writer_options.permissions = *permissions;
  absl::StatusOr<SharedFileWriter> writer =
      SharedFileWriter::Open(options.file, writer_options);
  if (!writer.ok()) {
    return SeedFail(err, "open failed...", writer.status().message());
  }
  absl::StatusOr<WriteResult> written =
      writer->Write(options.data, Deadline::After(options.wait));
  if (!written.ok()) {
    return SeedFail(err, "fcntl failed to get lock...",
                    written.status().message());
  }
  if (written->state == WriteState::kLocked) {
    return SeedFail(err, "fcntl failed to get lock...",
                    absl::StrCat(std::strerror(EAGAIN), " (",
                                 DescribeHolder(written->holder), ")"));
  }
  std::fprintf(err, "Process %d has written to data file...\n",
               static_cast<int>(::getpid()));
  std::fflush(err);
  return 0;
}

}  // namespace ipcbox::examples
