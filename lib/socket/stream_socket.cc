#include "ipcbox/socket/stream_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
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
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/internal/open_socket.h"
#include "ipcbox/socket/internal/socket_io.h"

namespace ipcbox {
namespace {

using socket_internal::ReceiveOnce;
using socket_internal::RetryUntil;
using socket_internal::SendOnce;

}  // namespace

absl::StatusOr<StreamSocket> StreamSocket::Connect(const SocketAddress& address,
                                                   Deadline deadline,
                                                   ConnectOptions options) {
  absl::StatusOr<Fd> fd = socket_internal::ConnectNew(address, kType, deadline,
                                                      options.nonblocking);
  if (!fd.ok()) return fd.status();
  StreamSocket socket = socket_internal::Access::Make<StreamSocket>(
      *std::move(fd), address.family(), options.nonblocking);
  if (options.no_delay && address.is_inet()) {
    if (absl::Status s = socket.SetNoDelay(true); !s.ok()) return s;
  }
  return socket;
}

absl::StatusOr<StreamSocket> StreamSocket::ConnectFor(
    const SocketAddress& address, absl::Duration timeout,
    ConnectOptions options) {
  return Connect(address, Deadline::After(timeout), options);
}

absl::StatusOr<StreamSocket> StreamSocket::FromFd(Fd fd) {
  absl::StatusOr<socket_internal::AdoptedSocket> adopted =
      socket_internal::InspectSocket(fd, kType, "StreamSocket");
  if (!adopted.ok()) return adopted.status();
  return socket_internal::Access::Make<StreamSocket>(
      std::move(fd), adopted->family, adopted->nonblocking);
}

absl::StatusOr<size_t> StreamSocket::Send(absl::string_view data) {
  if (absl::Status s = CheckOpen("Send"); !s.ok()) return s;
  if (data.empty()) return 0;
  return SendOnce(fd().get(), data, 0, nullptr);
}

absl::StatusOr<size_t> StreamSocket::SendUntil(absl::string_view data,
                                               Deadline deadline) {
  if (absl::Status s = CheckOpen("SendUntil"); !s.ok()) return s;
  if (data.empty()) return 0;
  return SendSome(data, deadline);
}

absl::StatusOr<size_t> StreamSocket::SendSome(absl::string_view data,
                                              const Deadline& deadline) {
  const int fd = this->fd().get();
  return RetryUntil(fd, nonblocking(), POLLOUT, deadline, [&](int flags) {
    return SendOnce(fd, data, flags, nullptr);
  });
}

absl::StatusOr<size_t> StreamSocket::SendFor(absl::string_view data,
                                             absl::Duration timeout) {
  return SendUntil(data, Deadline::After(timeout));
}

absl::Status StreamSocket::SendAll(absl::string_view data, Deadline deadline,
                                   size_t* bytes_sent) {
  size_t done = 0;
  absl::Status status = CheckOpen("SendAll");
  while (status.ok() && done < data.size()) {
    absl::StatusOr<size_t> n = SendSome(data.substr(done), deadline);
    if (n.ok()) {
      done += *n;
    } else {
      status = n.status();
    }
  }
  if (bytes_sent != nullptr) *bytes_sent = done;
  return status;
}

absl::StatusOr<size_t> StreamSocket::Receive(absl::Span<char> buf) {
  if (absl::Status s = CheckOpen("Receive"); !s.ok()) return s;
  if (buf.empty()) {
    return socket_internal::EmptyBufferError("StreamSocket", "Receive");
  }
  absl::StatusOr<size_t> n = ReceiveOnce(fd().get(), buf, 0, nullptr);
  if (n.ok() && *n == 0) return EndOfStreamError();
  return n;
}

absl::StatusOr<size_t> StreamSocket::ReceiveUntil(absl::Span<char> buf,
                                                  Deadline deadline) {
  if (absl::Status s = CheckOpen("ReceiveUntil"); !s.ok()) return s;
  if (buf.empty()) {
    return socket_internal::EmptyBufferError("StreamSocket", "ReceiveUntil");
  }
  return ReceiveSome(buf, deadline);
}

absl::StatusOr<size_t> StreamSocket::ReceiveSome(absl::Span<char> buf,
                                                 const Deadline& deadline) {
  const int fd = this->fd().get();
  absl::StatusOr<size_t> n = RetryUntil(
      fd, nonblocking(), POLLIN, deadline,
      [&](int flags) { return ReceiveOnce(fd, buf, flags, nullptr); });
  // A 0-byte receive into a non-empty buffer is end-of-stream.
  if (n.ok() && *n == 0) return EndOfStreamError();
  return n;
}

absl::StatusOr<size_t> StreamSocket::ReceiveFor(absl::Span<char> buf,
                                                absl::Duration timeout) {
  return ReceiveUntil(buf, Deadline::After(timeout));
}

absl::Status StreamSocket::ReceiveFull(absl::Span<char> buf, Deadline deadline,
                                       size_t* bytes_received) {
  size_t done = 0;
  absl::Status status = CheckOpen("ReceiveFull");
  while (status.ok() && done < buf.size()) {
    absl::StatusOr<size_t> n = ReceiveSome(buf.subspan(done), deadline);
    if (n.ok()) {
      done += *n;
    } else {
      status = n.status();
    }
  }
  if (bytes_received != nullptr) *bytes_received = done;
  if (IsEndOfStream(status) && done > 0) {
    return absl::DataLossError(absl::StrCat(
        "StreamSocket::ReceiveFull(fd ", fd().get(), "): end of stream after ",
        done, " of ", buf.size(), " bytes"));
  }
  return status;
}

absl::Status StreamSocket::SetNoDelay(bool no_delay) {
  if (absl::Status s = CheckOpen("SetNoDelay"); !s.ok()) return s;
  const int value = no_delay ? 1 : 0;
  if (::setsockopt(fd().get(), IPPROTO_TCP, TCP_NODELAY, &value,
                   sizeof(value)) != 0) {
    return ErrnoError(errno, "setsockopt(TCP_NODELAY)", fd().get());
  }
  return absl::OkStatus();
}

}  // namespace ipcbox
