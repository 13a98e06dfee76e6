// socket_address.h
//
// `SocketAddress` is where a socket is bound or connects to: an IPv4 or IPv6
// address with a port, a Unix-domain filesystem path, or a name in Linux's
// abstract Unix namespace. It holds the `sockaddr` bytes inline (no heap), so
// copying one and handing it to bind/connect/sendto/accept never allocates.
//
// Everything that builds one from text validates first and says what is
// wrong, before any system call sees it:
//
//   absl::StatusOr<SocketAddress> tcp = SocketAddress::ParseInet("[::1]:9876");
//   absl::StatusOr<SocketAddress> path =
//       SocketAddress::UnixPath("/run/app.sock");
//   absl::StatusOr<SocketAddress> abstract =
//       SocketAddress::UnixAbstract("app");
//   SocketAddress any = SocketAddress::Ipv4Any(9876);
//
// Parsing is numeric only: names go through `ResolveHost()` (resolve.h), at
// set-up. A Unix path holds at most `kMaxUnixPathLength` (107) bytes; a
// longer one is InvalidArgument, never cut (Bazel's $TEST_TMPDIR alone can be
// longer). Abstract names create no file and have no permissions; every byte
// up to the length is part of the name. See lib/socket's README.md.

#ifndef IPCBOX_SOCKET_SOCKET_ADDRESS_H_
#define IPCBOX_SOCKET_SOCKET_ADDRESS_H_

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ipcbox {

// The longest Unix socket path: sizeof(sun_path) minus the terminating NUL.
inline constexpr size_t kMaxUnixPathLength = sizeof(sockaddr_un::sun_path) - 1;
// The longest abstract name: sizeof(sun_path) minus the leading NUL.
inline constexpr size_t kMaxUnixAbstractNameLength =
    sizeof(sockaddr_un::sun_path) - 1;

// Parses a decimal port number, 0 to 65535, digits only ("80", not "+80",
// " 80" or "0x50"). Port 0 asks the kernel for a free port when binding.
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);

class SocketAddress {
 public:
  // No address (AF_UNSPEC, size 0). Filled in by calls that report one.
  SocketAddress();

  // A filesystem path for a Unix-domain socket: 1 to `kMaxUnixPathLength`
  // bytes, no NUL byte.
  static absl::StatusOr<SocketAddress> UnixPath(absl::string_view path);

  // A name in the Linux abstract namespace: 1 to
  // `kMaxUnixAbstractNameLength` bytes, any bytes. Pass the name without
  // the leading NUL; the address adds it.
  static absl::StatusOr<SocketAddress> UnixAbstract(absl::string_view name);

  // "a.b.c.d:port" or "[ipv6]:port", numeric only. An IPv6 address must be
  // in brackets (the colons would otherwise be ambiguous); scope ids
  // ("fe80::1%eth0") are not supported.
  static absl::StatusOr<SocketAddress> ParseInet(absl::string_view host_port);

  // A numeric IPv4 ("127.0.0.1") or IPv6 ("::1", brackets optional) address
  // and a port.
  static absl::StatusOr<SocketAddress> Inet(absl::string_view numeric_host,
                                            uint16_t port);

  // The address of a Unix socket that is not bound (AF_UNIX, no name):
  // what a receive reports for such a sender.
  static SocketAddress UnnamedUnix();

  static SocketAddress Ipv4Loopback(uint16_t port);  // 127.0.0.1
  static SocketAddress Ipv6Loopback(uint16_t port);  // ::1
  static SocketAddress Ipv4Any(uint16_t port);       // 0.0.0.0
  static SocketAddress Ipv6Any(uint16_t port);       // ::

  // Copies an address a system call returned. Fails for a size larger than
  // `sockaddr_storage` or a family other than AF_INET, AF_INET6, AF_UNIX.
  static absl::StatusOr<SocketAddress> FromSockaddr(const struct sockaddr* addr,
                                                    socklen_t size);

  // AF_INET, AF_INET6, AF_UNIX, or AF_UNSPEC when empty.
  int family() const { return storage_.ss_family; }
  bool empty() const { return size_ == 0; }
  bool is_inet() const;  // IPv4 or IPv6
  bool is_unix() const { return family() == AF_UNIX; }
  // A Unix address in the abstract namespace.
  bool is_abstract() const;
  // A Unix address with no name: an unbound socket's, or a peer that did not
  // bind (the client side of most Unix connections).
  bool is_unnamed_unix() const;

  // The port of an IPv4 or IPv6 address; nullopt for other families.
  std::optional<uint16_t> port() const;
  // The same IP address with another port. InvalidArgument if not IP.
  absl::StatusOr<SocketAddress> WithPort(uint16_t port) const;

  // A Unix address's path, or its abstract name without the leading NUL;
  // empty for other families and for unnamed Unix addresses.
  absl::string_view unix_name() const;

  // For system calls.
  const struct sockaddr* sockaddr() const {
    return reinterpret_cast<const struct sockaddr*>(&storage_);
  }
  socklen_t size() const { return size_; }

  // For calls that fill an address in (accept, recvfrom, getsockname): pass
  // `mutable_sockaddr()` and a length initialised to `capacity()`, then
  // `set_size()` with what the kernel returned (clamped to the capacity,
  // as the kernel may report a longer, cut address).
  struct sockaddr* mutable_sockaddr() {
    return reinterpret_cast<struct sockaddr*>(&storage_);
  }
  static constexpr socklen_t capacity() { return sizeof(sockaddr_storage); }
  void set_size(socklen_t size);

  // "127.0.0.1:9876", "[::1]:9876", "/run/app.sock", "@app" (abstract, with
  // unprintable bytes escaped), "(unnamed)" or "(none)". Allocates: for
  // messages and logs.
  std::string ToString() const;

  friend bool operator==(const SocketAddress& a, const SocketAddress& b);
  friend bool operator!=(const SocketAddress& a, const SocketAddress& b) {
    return !(a == b);
  }

 private:
  sockaddr_storage storage_;
  socklen_t size_ = 0;
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_SOCKET_ADDRESS_H_
