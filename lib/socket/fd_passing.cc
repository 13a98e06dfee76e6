#include "ipcbox/socket/fd_passing.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/socket/internal/socket_io.h"
#include "ipcbox/socket/socket.h"

namespace ipcbox {
namespace {

// Room for the largest SCM_RIGHTS message, aligned for cmsghdr.
union ControlBuffer {
  char bytes[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)];
  cmsghdr align;
};

absl::Status CheckUnixSocket(const Socket& socket, const char* operation) {
  if (!socket.valid()) {
    return absl::FailedPreconditionError(
        absl::StrCat(operation, ": socket not open"));
  }
  if (socket.family() != AF_UNIX) {
    return absl::InvalidArgumentError(
        absl::StrCat(operation, "(fd ", socket.fd().get(),
                     "): descriptors pass over Unix sockets only"));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> SendMsgOnce(int fd, absl::string_view data,
                                   absl::Span<const int> fds, int flags) {
  ControlBuffer control;
  std::memset(&control, 0, sizeof(control));
  iovec iov;
  iov.iov_base = const_cast<char*>(data.data());
  iov.iov_len = data.size();
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    const size_t fd_bytes = sizeof(int) * fds.size();
    msg.msg_control = control.bytes;
    msg.msg_controllen = CMSG_SPACE(fd_bytes);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(fd_bytes);
    std::memcpy(CMSG_DATA(cmsg), fds.data(), fd_bytes);
  }
  const ssize_t n =
      RetryOnEintr([&] { return ::sendmsg(fd, &msg, flags | MSG_NOSIGNAL); });
  if (n >= 0) return static_cast<size_t>(n);
  const int err = errno;
  if (err == EAGAIN || err == EWOULDBLOCK) return WouldBlockError();
  return ErrnoError(err, "sendmsg", fd);
}

// Moves the descriptors of every SCM_RIGHTS header into `fds`, closing any
// that find no slot (and then setting `*overflow`). Returns how many slots
// were filled. The control buffer can hold more descriptors than there are
// slots: CMSG_SPACE rounds up to the alignment of cmsghdr, so on 64-bit
// systems room for one int is room for two.
size_t TakeFds(msghdr& msg, absl::Span<Fd> fds, bool* overflow) {
  size_t count = 0;
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&msg); cmsg != nullptr;
       cmsg = CMSG_NXTHDR(&msg, cmsg)) {
    if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
      continue;
    }
    const size_t n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char* data = CMSG_DATA(cmsg);
    for (size_t i = 0; i < n; ++i) {
      int received;
      std::memcpy(&received, data + i * sizeof(int), sizeof(int));
      if (count < fds.size()) {
        fds[count++].reset(received);
      } else {
        Fd unwanted(received);  // no slot: closed here rather than leaked
        *overflow = true;
      }
    }
  }
  return count;
}

void CloseAll(absl::Span<Fd> fds, size_t count) {
  for (size_t i = 0; i < count; ++i) fds[i].reset();
}

}  // namespace

absl::StatusOr<size_t> SendWithFds(Socket& socket, absl::string_view data,
                                   absl::Span<const int> fds,
                                   Deadline deadline) {
  if (absl::Status s = CheckUnixSocket(socket, "SendWithFds"); !s.ok()) {
    return s;
  }
  if (data.empty()) {
    return absl::InvalidArgumentError(
        "SendWithFds: at least one byte of data must carry the descriptors");
  }
  if (fds.size() > kMaxFdsPerMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("SendWithFds: ", fds.size(), " descriptors; at most ",
                     kMaxFdsPerMessage, " per message"));
  }
  const int fd = socket.fd().get();
  return socket_internal::RetryUntil(
      fd, socket.nonblocking(), POLLOUT, deadline,
      [&](int flags) { return SendMsgOnce(fd, data, fds, flags); });
}

absl::StatusOr<ReceivedFds> ReceiveWithFds(Socket& socket, absl::Span<char> buf,
                                           absl::Span<Fd> fds,
                                           Deadline deadline) {
  if (absl::Status s = CheckUnixSocket(socket, "ReceiveWithFds"); !s.ok()) {
    return s;
  }
  if (buf.empty()) {
    return absl::InvalidArgumentError("ReceiveWithFds: empty buffer");
  }
  const int fd = socket.fd().get();
  const size_t slots = std::min(fds.size(), kMaxFdsPerMessage);
  ControlBuffer control;
  msghdr msg = {};
  iovec iov;
  absl::StatusOr<size_t> n = socket_internal::RetryUntil(
      fd, socket.nonblocking(), POLLIN, deadline, [&](int flags) {
        iov.iov_base = buf.data();
        iov.iov_len = buf.size();
        msg = {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        if (slots > 0) {
          msg.msg_control = control.bytes;
          msg.msg_controllen = CMSG_SPACE(sizeof(int) * slots);
        }
        const ssize_t r = RetryOnEintr(
            [&] { return ::recvmsg(fd, &msg, flags | MSG_CMSG_CLOEXEC); });
        if (r >= 0) return absl::StatusOr<size_t>(static_cast<size_t>(r));
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) {
          return absl::StatusOr<size_t>(WouldBlockError());
        }
        return absl::StatusOr<size_t>(ErrnoError(err, "recvmsg", fd));
      });
  if (!n.ok()) return n.status();

  ReceivedFds received;
  received.bytes = *n;
  bool overflow = false;
  received.fd_count = msg.msg_controllen > 0
                          ? TakeFds(msg, fds.subspan(0, slots), &overflow)
                          : 0;
  if ((msg.msg_flags & MSG_CTRUNC) || overflow) {
    CloseAll(fds, received.fd_count);
    return absl::ResourceExhaustedError(absl::StrCat(
        "recvmsg(fd ", fd, "): more descriptors came than the ", slots,
        " slots could take (control data truncated); those received were "
        "closed"));
  }
  if (msg.msg_flags & MSG_TRUNC) {
    CloseAll(fds, received.fd_count);
    return absl::ResourceExhaustedError(absl::StrCat(
        "recvmsg(fd ", fd, "): a message did not fit the ", buf.size(),
        "-byte buffer (MSG_TRUNC); its descriptors were closed"));
  }
  if (*n == 0 && socket.type() != SOCK_DGRAM) {
    CloseAll(fds, received.fd_count);
    return EndOfStreamError();
  }
  return received;
}

}  // namespace ipcbox
