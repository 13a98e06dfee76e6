#include "ipcbox/socket/internal/socket_io.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {
namespace socket_internal {

absl::StatusOr<size_t> SendOnce(int fd, absl::string_view data, int flags,
                                const SocketAddress* to) {
  const ssize_t n = RetryOnEintr([&] {
    return ::sendto(fd, data.data(), data.size(), flags | MSG_NOSIGNAL,
                    to == nullptr ? nullptr : to->sockaddr(),
                    to == nullptr ? 0 : to->size());
  });
  if (n >= 0) return static_cast<size_t>(n);
  const int err = errno;
  if (err == EAGAIN || err == EWOULDBLOCK) return WouldBlockError();
  return ErrnoError(err, "send", fd);
}

absl::StatusOr<size_t> ReceiveOnce(int fd, absl::Span<char> buf, int flags,
                                   SocketAddress* from) {
  socklen_t from_size = SocketAddress::capacity();
  const ssize_t n = RetryOnEintr([&] {
    return ::recvfrom(fd, buf.data(), buf.size(), flags,
                      from == nullptr ? nullptr : from->mutable_sockaddr(),
                      from == nullptr ? nullptr : &from_size);
  });
  if (n >= 0) {
    if (from != nullptr) from->set_size(from_size);
    return static_cast<size_t>(n);
  }
  const int err = errno;
  if (err == EAGAIN || err == EWOULDBLOCK) return WouldBlockError();
  return ErrnoError(err, "recv", fd);
}

absl::StatusOr<size_t> ReceiveMessageOnce(int fd, absl::Span<char> buf,
                                          int flags, SocketAddress* from) {
  // MSG_TRUNC makes recv() return the message's real length (UDP, Unix
  // datagram and, since Linux 3.4, Unix seqpacket), so a message cut to the
  // buffer is detected rather than passed on as if it were whole.
  absl::StatusOr<size_t> n = ReceiveOnce(fd, buf, flags | MSG_TRUNC, from);
  if (n.ok() && *n > buf.size()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "recv(fd ", fd, "): a message of ", *n, " bytes did not fit the ",
        buf.size(), "-byte buffer; its last ", *n - buf.size(),
        " bytes were discarded"));
  }
  return n;
}

absl::Status EmptyBufferError(const char* type_name, const char* operation) {
  return absl::InvalidArgumentError(
      absl::StrCat(type_name, "::", operation, ": empty buffer"));
}

}  // namespace socket_internal
}  // namespace ipcbox
