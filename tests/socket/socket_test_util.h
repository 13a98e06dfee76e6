// Helpers for the lib/socket tests: generous deadlines, unique abstract
// names, IPv6 detection, a listener with a minimal backlog, reading to
// end-of-stream, raw pipes, and (tests/support/scoped_socket_path.h) short
// unique Unix socket paths removed by RAII.

#ifndef IPCBOX_TESTS_SOCKET_SOCKET_TEST_UTIL_H_
#define IPCBOX_TESTS_SOCKET_SOCKET_TEST_UTIL_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
#include "tests/support/scoped_socket_path.h"

namespace ipcbox::testing {

// Bound for every wait a test makes on a peer that should answer promptly.
inline constexpr absl::Duration kPatience = absl::Seconds(30);
inline Deadline Soon() { return Deadline::After(kPatience); }

// A listener on `address` with the smallest backlog the kernel allows (it
// still queues a connection or two), for tests of connecting to, or
// replacing, a listener whose backlog is full.
inline absl::StatusOr<StreamListener> ListenWithMinimalBacklog(
    const SocketAddress& address) {
  ListenOptions options;
  options.backlog = 0;
  return StreamListener::Listen(address, options);
}

// Receives until end-of-stream, at most `chunk` bytes a call (a small one
// makes the peer's bytes arrive in several pieces); what arrived, or the
// error that ended it.
inline absl::StatusOr<std::string> ReceiveToEnd(StreamSocket& socket,
                                                size_t chunk = 64) {
  std::string all;
  std::string buf(chunk, '\0');
  for (;;) {
    absl::StatusOr<size_t> n = socket.ReceiveUntil(absl::MakeSpan(buf), Soon());
    if (IsEndOfStream(n.status())) return all;
    if (!n.ok()) return n.status();
    all.append(buf.data(), *n);
  }
}

// Both ends of a pipe(2), close-on-exec (both invalid if it failed): raw
// descriptors to pass over a socket, or to give a child process.
struct PipeFds {
  Fd read_end;
  Fd write_end;
};
inline PipeFds MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  return {Fd(fds[0]), Fd(fds[1])};
}

// A unique abstract name (nothing to clean up: it dies with the socket).
inline SocketAddress UniqueAbstractAddress(absl::string_view prefix) {
  return *SocketAddress::UnixAbstract(UniqueName(prefix).substr(1));
}

// Whether this machine can bind ::1 (no IPv6 in a container, a kernel
// built without it, ipv6.disable=1).
inline bool Ipv6LoopbackAvailable() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const SocketAddress any_port = SocketAddress::Ipv6Loopback(0);
  const bool ok = ::bind(fd, any_port.sockaddr(), any_port.size()) == 0;
  ::close(fd);
  return ok;
}

#define IPCBOX_SKIP_WITHOUT_IPV6()                                       \
  do {                                                                   \
    if (!::ipcbox::testing::Ipv6LoopbackAvailable()) {                   \
      GTEST_SKIP() << "IPv6 loopback (::1) is not available here: bind " \
                      "to [::1]:0 failed";                               \
    }                                                                    \
  } while (false)

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SOCKET_SOCKET_TEST_UTIL_H_
