// resolve.h
//
// `ResolveHost()` turns a host name into a `SocketAddress`, at set-up time:
// look a server up once, then connect (and reconnect) to the address. Name
// resolution can block for seconds (a DNS server that does not answer) and
// allocates, so it never belongs on a hot path. It uses getaddrinfo(), never
// the seed's gethostbyname() (not thread-safe, IPv4 only, obsolete).
//
// Example:
//
//   absl::StatusOr<SocketAddress> server = ResolveHost("localhost", 9876);
//   if (!server.ok()) return server.status();
//   absl::StatusOr<StreamSocket> socket =
//       StreamSocket::Connect(*server, Deadline::After(absl::Seconds(2)));
//
// Numeric addresses and "localhost" (RFC 6761) are answered here, without
// the C library's name-service modules, which a static glibc loads at run
// time and a board may lack; other names need a working NSS set-up on the
// target (lib/socket's README.md). A separate target (//lib/socket:resolve),
// so that an image using only numeric addresses links no resolver.

#ifndef IPCBOX_SOCKET_RESOLVE_H_
#define IPCBOX_SOCKET_RESOLVE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {

enum class IpFamily {
  kAny,  // IPv4 or IPv6, in the resolver's order (IPv4 first for localhost)
  kIpv4,
  kIpv6,
};

// All addresses of `host` with `port`, in preference order, without
// duplicates. Errors: InvalidArgument for a malformed name (empty, too long,
// spaces or control bytes) or a numeric address of the other family;
// NotFound when the name does not exist or has no address of that family;
// Aborted for a temporary failure (DNS server unreachable).
absl::StatusOr<std::vector<SocketAddress>> ResolveHostAll(
    absl::string_view host, uint16_t port, IpFamily family = IpFamily::kAny);

// The first of `ResolveHostAll()`.
absl::StatusOr<SocketAddress> ResolveHost(absl::string_view host, uint16_t port,
                                          IpFamily family = IpFamily::kAny);

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_RESOLVE_H_
