// SocketAddress and ParsePort: numeric parsing, port ranges, the "[::1]:port"
// form, Unix path limits, exact abstract address lengths, and the clear
// statuses for malformed input. Plus ResolveHost's set-up-time lookups.

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/socket/resolve.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {
namespace {

using ::testing::HasSubstr;

constexpr size_t kPathOffset = offsetof(sockaddr_un, sun_path);

TEST(ParsePortTest, AcceptsTheWholeRange) {
  EXPECT_EQ(*ParsePort("0"), 0);
  EXPECT_EQ(*ParsePort("9876"), 9876);
  EXPECT_EQ(*ParsePort("65535"), 65535);
  EXPECT_EQ(*ParsePort("00080"), 80);
}

TEST(ParsePortTest, RejectsOutOfRangeAndMalformed) {
  for (absl::string_view bad :
       {"65536", "99999", "4294967377", "-1", "+80", " 80", "80 ", "0x50",
        "", "8o"}) {
    absl::StatusOr<uint16_t> port = ParsePort(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(port.status())) << bad;
  }
  EXPECT_THAT(ParsePort("65536").status().message(), HasSubstr("0..65535"));
}

TEST(SocketAddressTest, ParsesIpv4) {
  absl::StatusOr<SocketAddress> a = SocketAddress::ParseInet("127.0.0.1:9876");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->family(), AF_INET);
  EXPECT_EQ(a->size(), sizeof(sockaddr_in));
  EXPECT_EQ(a->port(), 9876);
  EXPECT_EQ(a->ToString(), "127.0.0.1:9876");
  EXPECT_EQ(*a, SocketAddress::Ipv4Loopback(9876));
}

TEST(SocketAddressTest, ParsesBracketedIpv6) {
  absl::StatusOr<SocketAddress> a = SocketAddress::ParseInet("[::1]:9876");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->family(), AF_INET6);
  EXPECT_EQ(a->size(), sizeof(sockaddr_in6));
  EXPECT_EQ(a->port(), 9876);
  EXPECT_EQ(a->ToString(), "[::1]:9876");
  EXPECT_EQ(*a, SocketAddress::Ipv6Loopback(9876));
  EXPECT_EQ(SocketAddress::ParseInet("[fe80::1:2]:1")->ToString(),
            "[fe80::1:2]:1");
}

TEST(SocketAddressTest, InetTakesBareOrBracketedHosts) {
  EXPECT_EQ(*SocketAddress::Inet("::1", 5), SocketAddress::Ipv6Loopback(5));
  EXPECT_EQ(*SocketAddress::Inet("[::1]", 5), SocketAddress::Ipv6Loopback(5));
  EXPECT_EQ(*SocketAddress::Inet("0.0.0.0", 5), SocketAddress::Ipv4Any(5));
  EXPECT_EQ(SocketAddress::Ipv6Any(7).ToString(), "[::]:7");
}

TEST(SocketAddressTest, RejectsMalformedAddressesClearly) {
  struct Case {
    absl::string_view text;
    absl::string_view why;
  };
  for (const Case& c : {
           Case{"127.0.0.1", "host:port"},
           Case{"127.0.0.1:", "empty"},
           Case{"127.0.0.1:65536", "0..65535"},
           Case{"127.0.0.1:-5", "decimal"},
           Case{"127.0.0.1:http", "decimal"},
           Case{"256.0.0.1:80", "IPv4"},
           Case{"1.2.3:80", "IPv4"},
           Case{"localhost:80", "ResolveHost"},
           Case{"::1:80", "brackets"},
           Case{"[::1]", "\":port\""},
           Case{"[::1:80", "']'"},
           Case{"[127.0.0.1]:80", "IPv6 addresses only"},
           Case{"[::g]:80", "IPv6"},
           Case{"[fe80::1%eth0]:80", "IPv6"},
           Case{":80", "numeric"},
       }) {
    absl::StatusOr<SocketAddress> a = SocketAddress::ParseInet(c.text);
    EXPECT_TRUE(absl::IsInvalidArgument(a.status())) << c.text;
    EXPECT_THAT(a.status().message(), HasSubstr(c.why)) << c.text;
  }
}

TEST(SocketAddressTest, WithPortKeepsTheHost) {
  SocketAddress a = *SocketAddress::ParseInet("[::1]:1")->WithPort(65535);
  EXPECT_EQ(a.ToString(), "[::1]:65535");
  absl::StatusOr<SocketAddress> path = SocketAddress::UnixPath("/tmp/x");
  EXPECT_TRUE(absl::IsInvalidArgument(path->WithPort(1).status()));
  EXPECT_FALSE(path->port().has_value());
}

TEST(SocketAddressTest, UnixPathUpToTheSunPathLimit) {
  const std::string longest = "/" + std::string(kMaxUnixPathLength - 1, 'p');
  ASSERT_EQ(longest.size(), 107u);
  absl::StatusOr<SocketAddress> a = SocketAddress::UnixPath(longest);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->family(), AF_UNIX);
  EXPECT_FALSE(a->is_abstract());
  EXPECT_EQ(a->unix_name(), longest);
  EXPECT_EQ(a->size(), kPathOffset + longest.size() + 1);  // with the NUL
  EXPECT_EQ(a->ToString(), longest);
}

TEST(SocketAddressTest, UnixPathOverTheLimitNamesIt) {
  const std::string too_long = "/" + std::string(kMaxUnixPathLength, 'p');
  absl::StatusOr<SocketAddress> a = SocketAddress::UnixPath(too_long);
  ASSERT_TRUE(absl::IsInvalidArgument(a.status())) << a.status();
  EXPECT_THAT(a.status().message(), HasSubstr("108 bytes"));
  EXPECT_THAT(a.status().message(), HasSubstr("at most 107 bytes"));
}

TEST(SocketAddressTest, UnixPathRejectsEmptyAndNul) {
  EXPECT_TRUE(absl::IsInvalidArgument(SocketAddress::UnixPath("").status()));
  EXPECT_THAT(SocketAddress::UnixPath(absl::string_view("/a\0b", 4))
                  .status()
                  .message(),
              HasSubstr("NUL"));
}

TEST(SocketAddressTest, AbstractAddressLengthIsExact) {
  absl::StatusOr<SocketAddress> a = SocketAddress::UnixAbstract("app");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->is_abstract());
  // sun_family, the leading NUL, "app": no terminator, no padding.
  EXPECT_EQ(a->size(), kPathOffset + 1 + 3);
  EXPECT_EQ(a->sockaddr()->sa_family, AF_UNIX);
  const auto* un = reinterpret_cast<const sockaddr_un*>(a->sockaddr());
  EXPECT_EQ(un->sun_path[0], '\0');
  EXPECT_EQ(absl::string_view(un->sun_path + 1, 3), "app");
  EXPECT_EQ(a->unix_name(), "app");
  EXPECT_EQ(a->ToString(), "@app");
}

TEST(SocketAddressTest, AbstractNamesMayHoldAnyByte) {
  const absl::string_view name("a\0b\n", 4);
  absl::StatusOr<SocketAddress> a = SocketAddress::UnixAbstract(name);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->unix_name(), name);
  EXPECT_EQ(a->size(), kPathOffset + 1 + 4);
  // Escaped for logs (a digit or hex letter after \x00 is escaped too).
  EXPECT_EQ(a->ToString(), "@a\\x00\\x62\\n");
  // "a" and "a\0" are different names.
  EXPECT_NE(*SocketAddress::UnixAbstract("a"),
            *SocketAddress::UnixAbstract(absl::string_view("a\0", 2)));
}

TEST(SocketAddressTest, AbstractNameLimits) {
  EXPECT_TRUE(
      SocketAddress::UnixAbstract(std::string(kMaxUnixAbstractNameLength, 'n'))
          .ok());
  absl::StatusOr<SocketAddress> too_long = SocketAddress::UnixAbstract(
      std::string(kMaxUnixAbstractNameLength + 1, 'n'));
  EXPECT_TRUE(absl::IsInvalidArgument(too_long.status()));
  EXPECT_THAT(too_long.status().message(), HasSubstr("at most 107"));
  EXPECT_TRUE(
      absl::IsInvalidArgument(SocketAddress::UnixAbstract("").status()));
}

TEST(SocketAddressTest, FromSockaddrChecksSizeAndFamily) {
  sockaddr_in in = {};
  in.sin_family = AF_INET;
  EXPECT_TRUE(SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in),
                                          sizeof(in))
                  .ok());
  EXPECT_FALSE(SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in),
                                           sizeof(in) - 1)
                   .ok());
  in.sin_family = AF_PACKET;
  EXPECT_FALSE(SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in),
                                           sizeof(in))
                   .ok());
}

TEST(SocketAddressTest, EmptyAddress) {
  SocketAddress none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.family(), AF_UNSPEC);
  EXPECT_EQ(none.ToString(), "(none)");
}

TEST(ResolveHostTest, NumericAddressesNeedNoResolver) {
  EXPECT_EQ(*ResolveHost("127.0.0.1", 80), SocketAddress::Ipv4Loopback(80));
  EXPECT_EQ(*ResolveHost("::1", 80), SocketAddress::Ipv6Loopback(80));
  EXPECT_EQ(*ResolveHost("[::1]", 80), SocketAddress::Ipv6Loopback(80));
}

TEST(ResolveHostTest, LocalhostIsLoopbackWithoutNss) {
  EXPECT_EQ(*ResolveHost("localhost", 9876),
            SocketAddress::Ipv4Loopback(9876));
  EXPECT_EQ(*ResolveHost("LocalHost.", 9876),
            SocketAddress::Ipv4Loopback(9876));
  EXPECT_EQ(*ResolveHost("board.localhost", 1),
            SocketAddress::Ipv4Loopback(1));
  EXPECT_EQ(*ResolveHost("localhost", 9876, IpFamily::kIpv6),
            SocketAddress::Ipv6Loopback(9876));
}

TEST(ResolveHostTest, FamilyMismatchOfANumericAddress) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      ResolveHost("127.0.0.1", 1, IpFamily::kIpv6).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      ResolveHost("::1", 1, IpFamily::kIpv4).status()));
}

TEST(ResolveHostTest, MalformedNamesNeverReachTheResolver) {
  for (absl::string_view bad : {absl::string_view(""), absl::string_view("has space"),
                                absl::string_view("tab\there"),
                                absl::string_view("nul\0x", 5),
                                absl::string_view("300.1.1.1")}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ResolveHost(bad, 1).status())) << bad;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(
      ResolveHost(std::string(254, 'a'), 1).status()));
}

}  // namespace
}  // namespace ipcbox
