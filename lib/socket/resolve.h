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
// Order of lookup, so that the common cases never depend on the C library's
// name-service plumbing:
//   1. numeric addresses ("127.0.0.1", "::1", "[::1]") are parsed directly;
//   2. "localhost" (any case, with or without a trailing dot, and names
//      ending in ".localhost", RFC 6761) is the loopback address: 127.0.0.1,
//      or ::1 when IPv6 is asked for;
//   3. anything else goes to getaddrinfo().
// Why 2: these binaries link glibc statically, and a static glibc's
// getaddrinfo() loads the NSS modules named in /etc/nsswitch.conf at run
// time (the linker warns about it). On a board whose root file system lacks
// them, or with a different glibc, even "localhost" would fail; handling it
// here makes the seed's default host work everywhere. Other names still
// need a working NSS set-up (files for /etc/hosts, dns for DNS) on the
// target.
//
// This is a separate target (//lib/socket:resolve) so that a firmware image
// which only uses numeric addresses or Unix sockets links no resolver.

#ifndef IPCBOX_SOCKET_RESOLVE_H_
#define IPCBOX_SOCKET_RESOLVE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {

enum class IpFamily {
  kAny,   // IPv4 or IPv6, in the resolver's order (IPv4 first for localhost)
  kIpv4,
  kIpv6,
};

// All addresses of `host` with `port`, in preference order, without
// duplicates. Errors: InvalidArgument for a malformed name (empty, too long,
// spaces or control bytes) or a numeric address of the other family;
// NotFound when the name does not exist or has no address of that family;
// Unavailable for a temporary failure (DNS server unreachable).
absl::StatusOr<std::vector<SocketAddress>> ResolveHostAll(
    absl::string_view host, uint16_t port, IpFamily family = IpFamily::kAny);

// The first of `ResolveHostAll()`.
absl::StatusOr<SocketAddress> ResolveHost(absl::string_view host,
                                          uint16_t port,
                                          IpFamily family = IpFamily::kAny);

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_RESOLVE_H_
