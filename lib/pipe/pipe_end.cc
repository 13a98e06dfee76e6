#include "ipcbox/pipe/pipe_end.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/pipe/internal/pipe_end.h"

namespace ipcbox {
namespace {

constexpr pipe_internal::Direction Internal(bool read) {
  return read ? pipe_internal::Direction::kRead
              : pipe_internal::Direction::kWrite;
}

}  // namespace

absl::StatusOr<bool> PipeEnd::CheckEnd(const Fd& fd, Direction direction) {
  return pipe_internal::CheckEnd(fd, Internal(direction == Direction::kRead));
}

absl::Status PipeEnd::SetNonBlocking(bool nonblocking) {
  absl::Status s = pipe_internal::SetEndNonBlocking(
      fd_, Internal(direction_ == Direction::kRead), nonblocking);
  if (s.ok()) nonblocking_ = nonblocking;
  return s;
}

absl::Status PipeEnd::DuplicateOnto(int target_fd) const {
  return pipe_internal::DuplicateEndOnto(
      fd_, Internal(direction_ == Direction::kRead), target_fd);
}

absl::Status PipeEnd::NotOpenError(const char* operation) const {
  return pipe_internal::EndNotOpenError(
      Internal(direction_ == Direction::kRead), operation);
}

}  // namespace ipcbox
