// Helpers for the lib/socket tests: unique abstract names, IPv6 detection,
// generous deadlines, and (from tests/support/scoped_socket_path.h) short
// unique Unix socket paths removed by RAII.

#ifndef IPCBOX_TESTS_SOCKET_SOCKET_TEST_UTIL_H_
#define IPCBOX_TESTS_SOCKET_SOCKET_TEST_UTIL_H_

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/socket/socket_address.h"
#include "tests/support/scoped_socket_path.h"

namespace ipcbox::testing {

// Bound for every wait a test makes on a peer that should answer promptly.
inline constexpr absl::Duration kPatience = absl::Seconds(30);
inline Deadline Soon() { return Deadline::After(kPatience); }

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
