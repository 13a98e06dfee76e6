#include "ipcbox/socket/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {
namespace {

constexpr socklen_t kUnixPathOffset = offsetof(sockaddr_un, sun_path);

// inet_pton wants a NUL-terminated string; numeric addresses are short, so a
// stack buffer holds every valid one (INET6_ADDRSTRLEN includes the NUL).
bool CopyToCString(absl::string_view text, char (&out)[INET6_ADDRSTRLEN]) {
  if (text.size() >= sizeof(out)) return false;
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return true;
}

absl::Status BadAddress(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad socket address ", QuoteForMessage(text), ": ", why));
}

}  // namespace

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("bad port \"\": empty");
  }
  uint32_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad port ", QuoteForMessage(text), ": not a decimal number"));
    }
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad port ", QuoteForMessage(text), ": out of range 0..65535"));
    }
  }
  return static_cast<uint16_t>(value);
}

SocketAddress::SocketAddress() {
  std::memset(&storage_, 0, sizeof(storage_));
  storage_.ss_family = AF_UNSPEC;
}

absl::StatusOr<SocketAddress> SocketAddress::UnixPath(absl::string_view path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("bad unix socket path: empty");
  }
  if (path.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad unix socket path ", QuoteForMessage(path),
        ": holds a NUL byte (use UnixAbstract for the abstract namespace)"));
  }
  if (path.size() > kMaxUnixPathLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad unix socket path ", QuoteForMessage(path), ": ",
                     path.size(), " bytes; sun_path holds at most ",
                     kMaxUnixPathLength, " bytes plus the terminating NUL"));
  }
  SocketAddress address;
  auto* un = reinterpret_cast<sockaddr_un*>(&address.storage_);
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, path.data(), path.size());
  un->sun_path[path.size()] = '\0';
  address.size_ = kUnixPathOffset + static_cast<socklen_t>(path.size()) + 1;
  return address;
}

absl::StatusOr<SocketAddress> SocketAddress::UnixAbstract(
    absl::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("bad abstract unix socket name: empty");
  }
  if (name.size() > kMaxUnixAbstractNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad abstract unix socket name ", QuoteForMessage(name), ": ",
        name.size(), " bytes; sun_path holds at most ",
        kMaxUnixAbstractNameLength, " bytes after the leading NUL"));
  }
  SocketAddress address;
  auto* un = reinterpret_cast<sockaddr_un*>(&address.storage_);
  un->sun_family = AF_UNIX;
  un->sun_path[0] = '\0';
  std::memcpy(un->sun_path + 1, name.data(), name.size());
  // Exactly the name: no terminating NUL, no padding.
  address.size_ = kUnixPathOffset + 1 + static_cast<socklen_t>(name.size());
  return address;
}

absl::StatusOr<SocketAddress> SocketAddress::ParseInet(
    absl::string_view host_port) {
  absl::string_view host;
  absl::string_view port_text;
  if (!host_port.empty() && host_port.front() == '[') {
    const size_t close = host_port.find(']');
    if (close == absl::string_view::npos) {
      return BadAddress(host_port, "'[' without ']'");
    }
    host = host_port.substr(1, close - 1);
    absl::string_view rest = host_port.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return BadAddress(host_port, "expected \":port\" after ']'");
    }
    port_text = rest.substr(1);
    if (host.find(':') == absl::string_view::npos) {
      return BadAddress(host_port, "brackets are for IPv6 addresses only");
    }
  } else {
    const size_t colon = host_port.rfind(':');
    if (colon == absl::string_view::npos) {
      return BadAddress(host_port, "expected \"host:port\"");
    }
    host = host_port.substr(0, colon);
    port_text = host_port.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) {
      return BadAddress(host_port,
                        "an IPv6 address needs brackets, as in [::1]:9876");
    }
  }
  absl::StatusOr<uint16_t> port = ParsePort(port_text);
  if (!port.ok()) {
    return BadAddress(host_port, port.status().message());
  }
  return Inet(host, *port);
}

absl::StatusOr<SocketAddress> SocketAddress::Inet(
    absl::string_view numeric_host, uint16_t port) {
  absl::string_view host = numeric_host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  char text[INET6_ADDRSTRLEN];
  if (host.empty() || !CopyToCString(host, text)) {
    return BadAddress(numeric_host, "not a numeric IPv4 or IPv6 address");
  }
  SocketAddress address;
  if (host.find(':') == absl::string_view::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&address.storage_);
    if (::inet_pton(AF_INET, text, &in->sin_addr) != 1) {
      return BadAddress(numeric_host,
                        "not a numeric IPv4 address (a.b.c.d); resolve "
                        "names with ResolveHost()");
    }
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    address.size_ = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address.storage_);
    if (::inet_pton(AF_INET6, text, &in6->sin6_addr) != 1) {
      return BadAddress(numeric_host, "not a numeric IPv6 address");
    }
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    address.size_ = sizeof(sockaddr_in6);
  }
  return address;
}

namespace {

SocketAddress MakeIpv4(uint32_t host_order_ip, uint16_t port) {
  sockaddr_in in = {};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(host_order_ip);
  in.sin_port = htons(port);
  return *SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in),
                                      sizeof(in));
}

SocketAddress MakeIpv6(const in6_addr& ip, uint16_t port) {
  sockaddr_in6 in6 = {};
  in6.sin6_family = AF_INET6;
  in6.sin6_addr = ip;
  in6.sin6_port = htons(port);
  return *SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in6),
                                      sizeof(in6));
}

}  // namespace

SocketAddress SocketAddress::UnnamedUnix() {
  SocketAddress address;
  address.storage_.ss_family = AF_UNIX;
  address.size_ = sizeof(sa_family_t);
  return address;
}

SocketAddress SocketAddress::Ipv4Loopback(uint16_t port) {
  return MakeIpv4(INADDR_LOOPBACK, port);
}

SocketAddress SocketAddress::Ipv6Loopback(uint16_t port) {
  return MakeIpv6(in6addr_loopback, port);
}

SocketAddress SocketAddress::Ipv4Any(uint16_t port) {
  return MakeIpv4(INADDR_ANY, port);
}

SocketAddress SocketAddress::Ipv6Any(uint16_t port) {
  return MakeIpv6(in6addr_any, port);
}

absl::StatusOr<SocketAddress> SocketAddress::FromSockaddr(
    const struct sockaddr* addr, socklen_t size) {
  if (addr == nullptr || size < sizeof(sa_family_t) ||
      size > sizeof(sockaddr_storage)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad sockaddr: size ", size));
  }
  const int family = addr->sa_family;
  if ((family == AF_INET && size < sizeof(sockaddr_in)) ||
      (family == AF_INET6 && size < sizeof(sockaddr_in6)) ||
      (family != AF_INET && family != AF_INET6 && family != AF_UNIX)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad sockaddr: family ", family, " with size ", size));
  }
  SocketAddress address;
  std::memcpy(&address.storage_, addr, size);
  address.size_ = size;
  return address;
}

bool SocketAddress::is_inet() const {
  return family() == AF_INET || family() == AF_INET6;
}

bool SocketAddress::is_abstract() const {
  if (!is_unix() || size_ <= kUnixPathOffset) return false;
  return reinterpret_cast<const sockaddr_un*>(&storage_)->sun_path[0] == '\0';
}

bool SocketAddress::is_unnamed_unix() const {
  return is_unix() && size_ <= kUnixPathOffset;
}

std::optional<uint16_t> SocketAddress::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  }
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  }
  return std::nullopt;
}

absl::StatusOr<SocketAddress> SocketAddress::WithPort(uint16_t port) const {
  SocketAddress copy = *this;
  if (family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&copy.storage_)->sin_port = htons(port);
  } else if (family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&copy.storage_)->sin6_port = htons(port);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("WithPort: ", ToString(), " is not an IP address"));
  }
  return copy;
}

absl::string_view SocketAddress::unix_name() const {
  if (!is_unix() || size_ <= kUnixPathOffset) return absl::string_view();
  const char* path = reinterpret_cast<const sockaddr_un*>(&storage_)->sun_path;
  const size_t length = size_ - kUnixPathOffset;
  if (path[0] == '\0') return absl::string_view(path + 1, length - 1);
  // A filesystem path ends at its NUL (the kernel may report the length
  // with or without it).
  return absl::string_view(path, strnlen(path, length));
}

void SocketAddress::set_size(socklen_t size) {
  size_ = size > capacity() ? capacity() : size;
}

std::string SocketAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  switch (family()) {
    case AF_INET: {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&storage_);
      ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
      return absl::StrCat(text, ":", ntohs(in->sin_port));
    }
    case AF_INET6: {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
      return absl::StrCat("[", text, "]:", ntohs(in6->sin6_port));
    }
    case AF_UNIX:
      if (is_unnamed_unix()) return "(unnamed)";
      if (is_abstract())
        return absl::StrCat("@", absl::CHexEscape(unix_name()));
      return std::string(unix_name());
    default:
      return "(none)";
  }
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
  if (a.size_ != b.size_ || a.family() != b.family()) return false;
  switch (a.family()) {
    case AF_INET: {
      const auto* x = reinterpret_cast<const sockaddr_in*>(&a.storage_);
      const auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage_);
      return x->sin_port == y->sin_port &&
             x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    case AF_INET6: {
      const auto* x = reinterpret_cast<const sockaddr_in6*>(&a.storage_);
      const auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage_);
      return x->sin6_port == y->sin6_port &&
             x->sin6_scope_id == y->sin6_scope_id &&
             std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(in6_addr)) == 0;
    }
    default:
      return std::memcmp(&a.storage_, &b.storage_, a.size_) == 0;
  }
}

}  // namespace ipcbox
