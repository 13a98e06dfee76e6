#include "ipcbox/socket/resolve.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {
namespace {

// RFC 1035: 253 characters for a full name (255 octets on the wire).
constexpr size_t kMaxHostNameLength = 253;

absl::Status CheckHostName(absl::string_view host) {
  if (host.empty()) return absl::InvalidArgumentError("bad host name: empty");
  if (host.size() > kMaxHostNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad host name ", QuoteForMessage(host), ": ", host.size(),
                     " characters; at most ", kMaxHostNameLength));
  }
  for (char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad host name ", QuoteForMessage(host),
                       ": holds a space or a control character"));
    }
  }
  return absl::OkStatus();
}

bool IsLocalhost(absl::string_view host) {
  if (absl::EndsWith(host, ".")) host.remove_suffix(1);
  return absl::EqualsIgnoreCase(host, "localhost") ||
         absl::EndsWithIgnoreCase(host, ".localhost");
}

bool Matches(const SocketAddress& address, IpFamily family) {
  switch (family) {
    case IpFamily::kAny:
      return true;
    case IpFamily::kIpv4:
      return address.family() == AF_INET;
    case IpFamily::kIpv6:
      return address.family() == AF_INET6;
  }
  return false;
}

int ToAddressFamily(IpFamily family) {
  switch (family) {
    case IpFamily::kIpv4:
      return AF_INET;
    case IpFamily::kIpv6:
      return AF_INET6;
    case IpFamily::kAny:
      break;
  }
  return AF_UNSPEC;
}

absl::Status GetAddrInfoError(int code, int saved_errno,
                              absl::string_view host) {
  const std::string what =
      absl::StrCat("getaddrinfo(", QuoteForMessage(host), "): ");
  switch (code) {
    case EAI_SYSTEM:
      return ErrnoError(saved_errno, "getaddrinfo", host);
    case EAI_NONAME:
    case EAI_NODATA:
    case EAI_ADDRFAMILY:
      return absl::NotFoundError(absl::StrCat(what, ::gai_strerror(code)));
    case EAI_AGAIN:
      return absl::AbortedError(absl::StrCat(what, ::gai_strerror(code)));
    case EAI_MEMORY:
      return absl::ResourceExhaustedError(
          absl::StrCat(what, ::gai_strerror(code)));
    default:
      return absl::UnknownError(absl::StrCat(what, ::gai_strerror(code)));
  }
}

void AppendUnique(std::vector<SocketAddress>& list, const SocketAddress& a) {
  for (const SocketAddress& existing : list) {
    if (existing == a) return;
  }
  list.push_back(a);
}

}  // namespace

absl::StatusOr<std::vector<SocketAddress>> ResolveHostAll(
    absl::string_view host, uint16_t port, IpFamily family) {
  if (absl::Status s = CheckHostName(host); !s.ok()) return s;

  // 1. Numeric: no resolver involved.
  const bool looks_numeric =
      host.find(':') != absl::string_view::npos ||
      host.find_first_not_of("0123456789.") == absl::string_view::npos;
  if (looks_numeric) {
    absl::StatusOr<SocketAddress> numeric = SocketAddress::Inet(host, port);
    if (!numeric.ok()) return numeric.status();
    if (!Matches(*numeric, family)) {
      return absl::InvalidArgumentError(
          absl::StrCat("host ", QuoteForMessage(host), " is an ",
                       numeric->family() == AF_INET ? "IPv4" : "IPv6",
                       " address, but the other family was asked for"));
    }
    return std::vector<SocketAddress>{*numeric};
  }

  // 2. localhost: the loopback address, whatever NSS can or cannot do.
  if (IsLocalhost(host)) {
    if (family == IpFamily::kIpv6) {
      return std::vector<SocketAddress>{SocketAddress::Ipv6Loopback(port)};
    }
    return std::vector<SocketAddress>{SocketAddress::Ipv4Loopback(port)};
  }

  // 3. The resolver.
  const std::string name(host);
  addrinfo hints = {};
  hints.ai_family = ToAddressFamily(family);
  hints.ai_socktype = SOCK_STREAM;  // one entry per address, not per type
  addrinfo* results = nullptr;
  errno = 0;
  const int code = ::getaddrinfo(name.c_str(), nullptr, &hints, &results);
  const int saved_errno = errno;
  if (code != 0) return GetAddrInfoError(code, saved_errno, host);

  std::vector<SocketAddress> addresses;
  for (const addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) {
    absl::StatusOr<SocketAddress> address =
        SocketAddress::FromSockaddr(ai->ai_addr, ai->ai_addrlen);
    if (!address.ok() || !address->is_inet()) continue;
    absl::StatusOr<SocketAddress> with_port = address->WithPort(port);
    if (with_port.ok() && Matches(*with_port, family)) {
      AppendUnique(addresses, *with_port);
    }
  }
  ::freeaddrinfo(results);
  if (addresses.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "getaddrinfo(", QuoteForMessage(host), "): no usable address"));
  }
  return addresses;
}

absl::StatusOr<SocketAddress> ResolveHost(absl::string_view host, uint16_t port,
                                          IpFamily family) {
  absl::StatusOr<std::vector<SocketAddress>> all =
      ResolveHostAll(host, port, family);
  if (!all.ok()) return all.status();
  return all->front();
}

}  // namespace ipcbox
