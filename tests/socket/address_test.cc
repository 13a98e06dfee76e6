// SocketAddress and ParsePort: numeric parsing, port ranges, the "[::1]:port"
// form, Unix path limits, exact abstract address lengths, and the clear
// statuses for malformed input. Plus ResolveHost's set-up-time lookups,
// the getaddrinfo() path included (names from /etc/hosts, and a name that
// does not exist, resolved with a bound, without any network but loopback).

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/socket/resolve.h"
#include "ipcbox/socket/socket_address.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// Set before main(), ahead of any resolver use: a DNS query for a name that
// is not in /etc/hosts (a nameserver in /etc/resolv.conf that nothing
// answers here) gives up after one second instead of glibc's 5 s times two
// attempts. The tests bound the lookups with a forked child as well.
[[maybe_unused]] const bool kShortDnsTimeout = [] {
  return setenv("RES_OPTIONS", "timeout:1 attempts:1", /*overwrite=*/1) == 0;
}();

constexpr size_t kPathOffset = offsetof(sockaddr_un, sun_path);

TEST(ParsePortTest, AcceptsTheWholeRange) {
  EXPECT_EQ(*ParsePort("0"), 0);
  EXPECT_EQ(*ParsePort("9876"), 9876);
  EXPECT_EQ(*ParsePort("65535"), 65535);
  EXPECT_EQ(*ParsePort("00080"), 80);
}

TEST(ParsePortTest, RejectsOutOfRangeAndMalformed) {
  for (absl::string_view bad : {"65536", "99999", "4294967377", "-1", "+80",
                                " 80", "80 ", "0x50", "", "8o"}) {
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
  EXPECT_THAT(
      SocketAddress::UnixPath(absl::string_view("/a\0b", 4)).status().message(),
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
  EXPECT_TRUE(
      SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in), sizeof(in))
          .ok());
  EXPECT_FALSE(SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in),
                                           sizeof(in) - 1)
                   .ok());
  in.sin_family = AF_PACKET;
  EXPECT_FALSE(
      SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in), sizeof(in))
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
  EXPECT_EQ(*ResolveHost("localhost", 9876), SocketAddress::Ipv4Loopback(9876));
  EXPECT_EQ(*ResolveHost("LocalHost.", 9876),
            SocketAddress::Ipv4Loopback(9876));
  EXPECT_EQ(*ResolveHost("board.localhost", 1), SocketAddress::Ipv4Loopback(1));
  EXPECT_EQ(*ResolveHost("localhost", 9876, IpFamily::kIpv6),
            SocketAddress::Ipv6Loopback(9876));
}

TEST(ResolveHostTest, FamilyMismatchOfANumericAddress) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      ResolveHost("127.0.0.1", 1, IpFamily::kIpv6).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(ResolveHost("::1", 1, IpFamily::kIpv4).status()));
}

TEST(ResolveHostTest, MalformedNamesNeverReachTheResolver) {
  for (absl::string_view bad :
       {absl::string_view(""), absl::string_view("has space"),
        absl::string_view("tab\there"), absl::string_view("nul\0x", 5),
        absl::string_view("300.1.1.1")}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ResolveHost(bad, 1).status())) << bad;
  }
  EXPECT_TRUE(
      absl::IsInvalidArgument(ResolveHost(std::string(254, 'a'), 1).status()));
}

// A name that /etc/hosts maps to an address, and that address.
struct HostsEntry {
  std::string name;
  SocketAddress address;
};

// The first name in /etc/hosts that ResolveHost() does not answer itself
// (not numeric, not "localhost" or "*.localhost"), so that resolving it
// takes getaddrinfo() and NSS's "files" source, with no network.
std::optional<HostsEntry> NameFromEtcHosts() {
  std::ifstream hosts("/etc/hosts");
  std::string line;
  while (std::getline(hosts, line)) {
    line = line.substr(0, line.find('#'));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() < 2) continue;
    absl::StatusOr<SocketAddress> address = SocketAddress::Inet(fields[0], 80);
    if (!address.ok()) continue;
    for (size_t i = 1; i < fields.size(); ++i) {
      std::string name = absl::AsciiStrToLower(fields[i]);
      if (absl::StripSuffix(name, ".") == "localhost" ||
          absl::EndsWith(absl::StripSuffix(name, "."), ".localhost") ||
          name.find_first_not_of("0123456789.") == std::string::npos ||
          absl::StrContains(name, ':')) {
        continue;
      }
      return HostsEntry{std::string(fields[i]), *address};
    }
  }
  return std::nullopt;
}

TEST(ResolveHostTest, ANameFromEtcHostsGoesThroughGetaddrinfo) {
  const std::optional<HostsEntry> entry = NameFromEtcHosts();
  if (!entry.has_value()) {
    GTEST_SKIP() << "/etc/hosts names nothing but localhost here";
  }
  // In a child with a bounded wait: a lookup that hangs fails the test.
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<std::vector<SocketAddress>> all =
        ResolveHostAll(entry->name, 80);
    EXPECT_TRUE(all.ok()) << entry->name << ": " << all.status();
    if (all.ok()) {
      // Every address /etc/hosts gives the name, in any order; this one
      // among them, with the port asked for.
      EXPECT_THAT(*all, Contains(entry->address))
          << entry->name << " -> " << all->front().ToString();
    }
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(60)), 0)) << entry->name;
}

TEST(ResolveHostTest, ANameThatDoesNotExistIsAClearStatus) {
  // ".invalid" never resolves (RFC 6761): not in /etc/hosts, and DNS, if
  // reachable at all, answers that it does not exist. Without DNS the
  // resolver fails at once (no route) or after the shortened timeout.
  constexpr absl::string_view kName = "nonexistent.invalid";
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<SocketAddress> address = ResolveHost(kName, 9876);
    const absl::Status status = address.status();
    EXPECT_TRUE(absl::IsNotFound(status) || absl::IsAborted(status)) << status;
    EXPECT_THAT(status.message(), HasSubstr("getaddrinfo"));
    EXPECT_THAT(status.message(), HasSubstr(kName));
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(60)), 0));
}

}  // namespace
}  // namespace ipcbox::testing
