#include "ipcbox/socket/seqpacket_socket.h"

#include <poll.h>
#include <sys/socket.h>

#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/internal/open_socket.h"
#include "ipcbox/socket/internal/socket_io.h"

namespace ipcbox {
namespace {

using socket_internal::ReceiveMessageOnce;
using socket_internal::RetryUntil;
using socket_internal::SendOnce;

// On a connection, a 0-byte receive is the peer's close (empty messages
// are never sent by this class).
absl::StatusOr<size_t> MessageResult(absl::StatusOr<size_t> n) {
  if (n.ok() && *n == 0) return EndOfStreamError();
  return n;
}

}  // namespace

absl::StatusOr<SeqPacketSocket> SeqPacketSocket::Connect(
    const SocketAddress& address, Deadline deadline, bool nonblocking) {
  if (!address.is_unix()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SeqPacketSocket::Connect(", address.ToString(),
                     "): SOCK_SEQPACKET is for Unix addresses"));
  }
  absl::StatusOr<Fd> fd =
      socket_internal::ConnectNew(address, kType, deadline, nonblocking);
  if (!fd.ok()) return fd.status();
  return socket_internal::Access::Make<SeqPacketSocket>(
      *std::move(fd), address.family(), nonblocking);
}

absl::StatusOr<SeqPacketSocket> SeqPacketSocket::FromFd(Fd fd) {
  absl::StatusOr<socket_internal::AdoptedSocket> adopted =
      socket_internal::InspectSocket(fd, kType, "SeqPacketSocket");
  if (!adopted.ok()) return adopted.status();
  return socket_internal::Access::Make<SeqPacketSocket>(
      std::move(fd), adopted->family, adopted->nonblocking);
}

absl::Status SeqPacketSocket::Send(absl::string_view message) {
  if (absl::Status s = CheckMessage(message, "Send"); !s.ok()) return s;
  return SendOnce(fd().get(), message, 0, nullptr).status();
}

absl::Status SeqPacketSocket::SendUntil(absl::string_view message,
                                        Deadline deadline) {
  if (absl::Status s = CheckMessage(message, "SendUntil"); !s.ok()) return s;
  const int fd = this->fd().get();
  return RetryUntil(
             fd, nonblocking(), POLLOUT, deadline,
             [&](int flags) { return SendOnce(fd, message, flags, nullptr); })
      .status();
}

absl::Status SeqPacketSocket::SendFor(absl::string_view message,
                                      absl::Duration timeout) {
  return SendUntil(message, Deadline::After(timeout));
}

absl::StatusOr<size_t> SeqPacketSocket::Receive(absl::Span<char> buf) {
  if (absl::Status s = CheckOpen("Receive"); !s.ok()) return s;
  if (buf.empty()) {
    return socket_internal::EmptyBufferError("SeqPacketSocket", "Receive");
  }
  return MessageResult(ReceiveMessageOnce(fd().get(), buf, 0, nullptr));
}

absl::StatusOr<size_t> SeqPacketSocket::ReceiveUntil(absl::Span<char> buf,
                                                     Deadline deadline) {
  if (absl::Status s = CheckOpen("ReceiveUntil"); !s.ok()) return s;
  if (buf.empty()) {
    return socket_internal::EmptyBufferError("SeqPacketSocket", "ReceiveUntil");
  }
  const int fd = this->fd().get();
  return MessageResult(RetryUntil(
      fd, nonblocking(), POLLIN, deadline,
      [&](int flags) { return ReceiveMessageOnce(fd, buf, flags, nullptr); }));
}

absl::StatusOr<size_t> SeqPacketSocket::ReceiveFor(absl::Span<char> buf,
                                                   absl::Duration timeout) {
  return ReceiveUntil(buf, Deadline::After(timeout));
}

absl::Status SeqPacketSocket::CheckMessage(absl::string_view message,
                                           const char* operation) const {
  if (absl::Status s = CheckOpen(operation); !s.ok()) return s;
  if (message.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SeqPacketSocket::", operation,
        ": empty message (the peer could not tell it from end-of-stream)"));
  }
  return absl::OkStatus();
}

}  // namespace ipcbox
