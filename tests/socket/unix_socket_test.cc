// Unix-domain sockets: stream, seqpacket and datagram over filesystem paths
// and abstract names; socket-file permissions, ownership and removal; stale
// socket replacement (and what is never replaced); socket pairs; adopting
// descriptors.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/socket/datagram_socket.h"
#include "ipcbox/socket/internal/open_socket.h"
#include "ipcbox/socket/seqpacket_listener.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/socket_pair.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"
#include "tests/socket/socket_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

using ::testing::HasSubstr;

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

mode_t FileMode(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// What a server that died without cleaning up leaves behind: a socket file
// with nothing bound to it.
void LeaveStaleSocketFile(const SocketAddress& address, int type) {
  const int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::bind(fd, address.sockaddr(), address.size()), 0);
  ::close(fd);
  ASSERT_TRUE(PathExists(std::string(address.unix_name())));
}

// Connects, sends `request`, expects it echoed by `listener` (same process).
void ExpectStreamEcho(StreamListener& listener, const SocketAddress& address) {
  absl::StatusOr<StreamSocket> client = StreamSocket::Connect(address, Soon());
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<StreamSocket> server = listener.AcceptUntil(Soon());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(client->SendAll("ping", Soon()).ok());
  std::array<char, 4> buf;
  ASSERT_TRUE(server->ReceiveFull(absl::MakeSpan(buf), Soon()).ok());
  ASSERT_TRUE(server->SendAll(absl::string_view(buf.data(), 4), Soon()).ok());
  std::array<char, 4> echo;
  ASSERT_TRUE(client->ReceiveFull(absl::MakeSpan(echo), Soon()).ok());
  EXPECT_EQ(absl::string_view(echo.data(), 4), "ping");
}

TEST(UnixStreamTest, EchoOverAFilesystemPath) {
  ScopedSocketPath path("unix_stream");
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  EXPECT_EQ(listener->family(), AF_UNIX);
  EXPECT_EQ(listener->LocalAddress()->unix_name(), path.path());
  ExpectStreamEcho(*listener, path.address());
}

TEST(UnixStreamTest, EchoOverAnAbstractNameCreatesNoFile) {
  const SocketAddress address = UniqueAbstractAddress("unix_abstract");
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  EXPECT_EQ(*listener->LocalAddress(), address);
  ExpectStreamEcho(*listener, address);
  EXPECT_FALSE(PathExists(std::string(address.unix_name())));
}

TEST(UnixStreamTest, AbstractNamesAreExactlyTheirBytes) {
  const SocketAddress address = UniqueAbstractAddress("unix_exact");
  absl::StatusOr<StreamListener> listener = StreamListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  // The same name with one trailing NUL is another socket: nobody there.
  std::string padded(address.unix_name());
  padded.push_back('\0');
  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(*SocketAddress::UnixAbstract(padded), Soon());
  EXPECT_THAT(client.status().message(), HasSubstr("Connection refused"));
}

TEST(UnixStreamTest, AnAbstractNameInUseIsAlreadyTaken) {
  const SocketAddress address = UniqueAbstractAddress("unix_taken");
  absl::StatusOr<StreamListener> first = StreamListener::Listen(address);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<StreamListener> second = StreamListener::Listen(address);
  EXPECT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("Address already in use"));
}

TEST(UnixPathTest, SocketFileGetsExactPermissionsWhateverTheUmask) {
  ScopedSocketPath owner_only("unix_mode");
  const mode_t old_umask = ::umask(0);  // would give 0777
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(owner_only.address());
  ::umask(old_umask);
  ASSERT_TRUE(listener.ok()) << listener.status();
  EXPECT_EQ(FileMode(owner_only.path()), 0600);

  ScopedSocketPath group("unix_mode_group");
  ListenOptions options;
  options.permissions = *Permissions::FromMode(0660);
  const mode_t strict_umask = ::umask(077);  // would give 0700
  absl::StatusOr<StreamListener> shared =
      StreamListener::Listen(group.address(), options);
  ::umask(strict_umask);
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(FileMode(group.path()), 0660);
}

// The attack on a daemon that listens in a directory others can write: the
// moment bind() has made the socket, put a symlink to a file of the
// daemon's at the path (moving the socket file away if it is there). The
// socket's mode must never reach the symlink's target.
std::string* g_swap_victim = nullptr;

void SwapSocketForSymlink(const char* path) {
  (void)::rename(path, (std::string(path) + ".moved").c_str());
  (void)::symlink(g_swap_victim->c_str(), path);
}

TEST(UnixPathTest, ASymlinkSwappedInAfterTheBindIsRefusedNotFollowed) {
  ScopedSocketPath path("unix_swap");
  ScopedSocketPath victim_path("unix_swap_victim");
  std::string victim = victim_path.path();
  const int fd =
      ::open(victim.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ASSERT_EQ(::chmod(victim.c_str(), 0600), 0);

  g_swap_victim = &victim;
  socket_internal::g_after_bind_for_test = &SwapSocketForSymlink;
  ListenOptions options;
  options.permissions = *Permissions::FromMode(0666);
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address(), options);
  socket_internal::g_after_bind_for_test = nullptr;
  g_swap_victim = nullptr;
  ::unlink((path.path() + ".moved").c_str());

  EXPECT_EQ(FileMode(victim), 0600) << "the chmod followed the symlink";
  ASSERT_FALSE(listener.ok());
  EXPECT_THAT(listener.status().message(), HasSubstr("symlink"));
  EXPECT_THAT(listener.status().message(), HasSubstr(path.path()));
}

// The same attacker, the moment bind() has made the socket, removes the
// socket file (if it is there) and binds a listening socket of its own at
// the path. Checking the path after bind() then finds a socket, the wrong
// one: a server that reported success would have its clients served by the
// attacker, and its mode set on the attacker's socket.
int g_impostor_fd = -1;

void SwapSocketForAnother(const char* path) {
  (void)::unlink(path);
  // Raw calls: a listener of ours would run this hook again.
  g_impostor_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const SocketAddress address = *SocketAddress::UnixPath(path);
  if (g_impostor_fd < 0 ||
      ::bind(g_impostor_fd, address.sockaddr(), address.size()) != 0 ||
      ::chmod(path, 0600) != 0 || ::listen(g_impostor_fd, 4) != 0) {
    ADD_FAILURE() << "the impostor could not listen at " << path;
  }
}

TEST(UnixPathTest, AnotherSocketSwappedInAfterTheBindIsNeverTakenForOurs) {
  ScopedSocketPath path("unix_impostor");
  socket_internal::g_after_bind_for_test = &SwapSocketForAnother;
  ListenOptions options;
  options.permissions = *Permissions::FromMode(0666);
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address(), options);
  socket_internal::g_after_bind_for_test = nullptr;
  ASSERT_GE(g_impostor_fd, 0);
  Fd impostor(g_impostor_fd);
  g_impostor_fd = -1;

  EXPECT_EQ(FileMode(path.path()), 0600)
      << "the listener set the mode of the impostor's socket";
  if (listener.ok()) {
    // Only acceptable if the path leads to our listener after all.
    absl::StatusOr<StreamSocket> client =
        StreamSocket::Connect(path.address(), Soon());
    ASSERT_TRUE(client.ok()) << client.status();
    absl::StatusOr<StreamSocket> accepted =
        listener->AcceptUntil(Deadline::After(absl::Milliseconds(200)));
    EXPECT_TRUE(accepted.ok())
        << "Listen() succeeded, yet its clients reach another socket: "
        << accepted.status();
  } else {
    EXPECT_THAT(listener.status().message(), HasSubstr(path.path()));
  }
}

TEST(UnixPathTest, TheCreatorRemovesItsPath) {
  ScopedSocketPath path("unix_remove");
  {
    absl::StatusOr<StreamListener> listener =
        StreamListener::Listen(path.address());
    ASSERT_TRUE(listener.ok()) << listener.status();
    EXPECT_TRUE(PathExists(path.path()));
  }
  EXPECT_FALSE(PathExists(path.path()));

  absl::StatusOr<DatagramSocket> bound = DatagramSocket::Bind(path.address());
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_TRUE(PathExists(path.path()));
  EXPECT_TRUE(bound->Close().ok());
  EXPECT_FALSE(PathExists(path.path()));
}

TEST(UnixPathTest, MovedSocketsRemoveThePathOnce) {
  ScopedSocketPath path("unix_move");
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  StreamListener moved = *std::move(listener);
  EXPECT_TRUE(PathExists(path.path()));
  StreamListener target;
  target = std::move(moved);
  EXPECT_TRUE(PathExists(path.path()));
  ExpectStreamEcho(target, path.address());
  EXPECT_TRUE(target.Close().ok());
  EXPECT_FALSE(PathExists(path.path()));
}

TEST(UnixPathTest, ReleaseLeavesThePath) {
  ScopedSocketPath path("unix_release");
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  Fd fd = listener->Release();
  EXPECT_TRUE(fd.valid());
  EXPECT_FALSE(listener->valid());
  *listener = StreamListener();
  EXPECT_TRUE(PathExists(path.path()));
}

TEST(UnixPathTest, AForkedChildDoesNotRemoveItsParentsPath) {
  ScopedSocketPath path("unix_fork");
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    // The child's copy goes away, as it would if the child returned from
    // main: the parent's server must keep its name.
    EXPECT_TRUE(listener->Close().ok());
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kPatience), 0));
  EXPECT_TRUE(PathExists(path.path()));
  ExpectStreamEcho(*listener, path.address());
}

TEST(UnixPathTest, APathTakenOverByAnotherServerIsNotRemoved) {
  ScopedSocketPath path("unix_takeover");
  absl::StatusOr<StreamListener> old_server =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(old_server.ok()) << old_server.status();
  // An operator removes the file and a new server binds the same path.
  ASSERT_EQ(::unlink(path.path().c_str()), 0);
  absl::StatusOr<StreamListener> new_server =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(new_server.ok()) << new_server.status();
  EXPECT_TRUE(old_server->Close().ok());
  EXPECT_TRUE(PathExists(path.path()));
  ExpectStreamEcho(*new_server, path.address());
}

TEST(UnixPathTest, AStaleSocketFileIsReplaced) {
  ScopedSocketPath path("unix_stale");
  LeaveStaleSocketFile(path.address(), SOCK_STREAM);
  absl::StatusOr<StreamSocket> refused =
      StreamSocket::Connect(path.address(), Soon());
  EXPECT_THAT(refused.status().message(), HasSubstr("Connection refused"));

  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(listener.ok()) << listener.status();
  ExpectStreamEcho(*listener, path.address());
}

TEST(UnixPathTest, AStaleDatagramSocketFileIsReplaced) {
  ScopedSocketPath path("unix_stale_dgram");
  LeaveStaleSocketFile(path.address(), SOCK_DGRAM);
  absl::StatusOr<DatagramSocket> bound = DatagramSocket::Bind(path.address());
  ASSERT_TRUE(bound.ok()) << bound.status();
}

TEST(UnixPathTest, ALiveListenerIsNeverReplaced) {
  ScopedSocketPath path("unix_live");
  absl::StatusOr<StreamListener> live = StreamListener::Listen(path.address());
  ASSERT_TRUE(live.ok()) << live.status();
  absl::StatusOr<StreamListener> intruder =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(absl::IsAlreadyExists(intruder.status())) << intruder.status();
  EXPECT_THAT(intruder.status().message(), HasSubstr("live socket"));
  // A live socket of another type counts too.
  absl::StatusOr<SeqPacketListener> other_type =
      SeqPacketListener::Listen(path.address());
  EXPECT_TRUE(absl::IsAlreadyExists(other_type.status()))
      << other_type.status();
  // The probe that found the listener alive was a connection: the server
  // sees it come and go.
  absl::StatusOr<StreamSocket> probe = live->AcceptUntil(Soon());
  ASSERT_TRUE(probe.ok()) << probe.status();
  char byte;
  EXPECT_TRUE(IsEndOfStream(
      probe->ReceiveUntil(absl::MakeSpan(&byte, 1), Soon()).status()));
  ExpectStreamEcho(*live, path.address());
}

TEST(UnixPathTest, ALiveListenerWithAFullBacklogIsNeverReplaced) {
  ScopedSocketPath path("unix_full");
  absl::StatusOr<StreamListener> live =
      ListenWithMinimalBacklog(path.address());
  ASSERT_TRUE(live.ok()) << live.status();
  std::array<absl::StatusOr<StreamSocket>, 2> queued;
  for (auto& client : queued) {
    client = StreamSocket::Connect(path.address(), Deadline::Expired());
  }
  absl::StatusOr<StreamListener> intruder =
      StreamListener::Listen(path.address());
  EXPECT_TRUE(absl::IsAlreadyExists(intruder.status())) << intruder.status();
}

TEST(UnixPathTest, ALiveDatagramSocketIsNeverReplaced) {
  ScopedSocketPath path("unix_live_dgram");
  absl::StatusOr<DatagramSocket> live = DatagramSocket::Bind(path.address());
  ASSERT_TRUE(live.ok()) << live.status();
  struct stat before;
  ASSERT_EQ(::lstat(path.path().c_str(), &before), 0);

  absl::StatusOr<DatagramSocket> intruder =
      DatagramSocket::Bind(path.address());
  ASSERT_TRUE(absl::IsAlreadyExists(intruder.status())) << intruder.status();
  EXPECT_THAT(intruder.status().message(), HasSubstr("live socket"));
  // A listener of another type does not take it either.
  absl::StatusOr<StreamListener> other_type =
      StreamListener::Listen(path.address());
  EXPECT_TRUE(absl::IsAlreadyExists(other_type.status()))
      << other_type.status();

  // Still the same file, and datagrams sent to the path still reach the
  // socket bound first.
  struct stat after;
  ASSERT_EQ(::lstat(path.path().c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_dev, before.st_dev);
  absl::StatusOr<DatagramSocket> sender = DatagramSocket::Open(AF_UNIX);
  ASSERT_TRUE(sender.ok()) << sender.status();
  ASSERT_TRUE(sender->SendTo("still here", path.address()).ok());
  char buf[16];
  absl::StatusOr<size_t> n = live->ReceiveUntil(absl::MakeSpan(buf), Soon());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "still here");
}

TEST(UnixPathTest, ARegularFileIsNeverRemoved) {
  ScopedSocketPath path("unix_file");
  {
    Fd file(::open(path.path().c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
                   0600));
    ASSERT_TRUE(file.valid());
    ASSERT_EQ(::write(file.get(), "precious", 8), 8);
  }
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  ASSERT_TRUE(absl::IsFailedPrecondition(listener.status()))
      << listener.status();
  EXPECT_THAT(listener.status().message(), HasSubstr("not a socket"));
  absl::StatusOr<DatagramSocket> dgram = DatagramSocket::Bind(path.address());
  EXPECT_TRUE(absl::IsFailedPrecondition(dgram.status())) << dgram.status();
  struct stat st;
  ASSERT_EQ(::lstat(path.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 8);
}

TEST(UnixPathTest, ADirectoryIsNeverRemoved) {
  ScopedSocketPath path("unix_dir");
  ASSERT_EQ(::mkdir(path.path().c_str(), 0700), 0);
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address());
  EXPECT_TRUE(absl::IsFailedPrecondition(listener.status()))
      << listener.status();
  struct stat st;
  ASSERT_EQ(::lstat(path.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ::rmdir(path.path().c_str());
}

TEST(UnixPathTest, StaleReplacementCanBeTurnedOff) {
  ScopedSocketPath path("unix_keep");
  LeaveStaleSocketFile(path.address(), SOCK_STREAM);
  ListenOptions options;
  options.replace_stale_path = false;
  absl::StatusOr<StreamListener> listener =
      StreamListener::Listen(path.address(), options);
  EXPECT_TRUE(absl::IsAlreadyExists(listener.status())) << listener.status();
  EXPECT_TRUE(PathExists(path.path()));
}

TEST(UnixPathTest, ConnectingToNothingSaysSo) {
  ScopedSocketPath path("unix_nothing");
  absl::StatusOr<StreamSocket> client =
      StreamSocket::Connect(path.address(), Soon());
  EXPECT_TRUE(absl::IsNotFound(client.status())) << client.status();
  EXPECT_THAT(client.status().message(), HasSubstr(path.path()));
}

TEST(UnixSeqPacketTest, KeepsMessageBoundaries) {
  const SocketAddress address = UniqueAbstractAddress("seqpacket");
  absl::StatusOr<SeqPacketListener> listener =
      SeqPacketListener::Listen(address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<SeqPacketSocket> client =
      SeqPacketSocket::Connect(address, Soon());
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<SeqPacketSocket> server = listener->AcceptUntil(Soon());
  ASSERT_TRUE(server.ok()) << server.status();

  for (absl::string_view m : {"one", "two!", "three"}) {
    ASSERT_TRUE(client->Send(m).ok());
  }
  char buf[64];
  for (absl::string_view m : {"one", "two!", "three"}) {
    absl::StatusOr<size_t> n =
        server->ReceiveUntil(absl::MakeSpan(buf), Soon());
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(absl::string_view(buf, *n), m);
  }
  ASSERT_TRUE(client->Close().ok());
  EXPECT_TRUE(IsEndOfStream(
      server->ReceiveUntil(absl::MakeSpan(buf), Soon()).status()));
}

TEST(UnixSeqPacketTest, AMessageLargerThanTheBufferIsReported) {
  absl::StatusOr<SocketPair<SeqPacketSocket>> pair =
      CreateSeqPacketSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_TRUE(pair->first.Send(std::string(300, 'x')).ok());
  ASSERT_TRUE(pair->first.Send("next").ok());
  char buf[256];
  absl::StatusOr<size_t> n = pair->second.Receive(absl::MakeSpan(buf));
  ASSERT_TRUE(absl::IsResourceExhausted(n.status())) << n.status();
  EXPECT_THAT(n.status().message(), HasSubstr("300 bytes"));
  EXPECT_THAT(n.status().message(), HasSubstr("256-byte buffer"));
  // The next message is intact.
  n = pair->second.Receive(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "next");
}

TEST(UnixSeqPacketTest, EmptyMessagesAreRefused) {
  absl::StatusOr<SocketPair<SeqPacketSocket>> pair =
      CreateSeqPacketSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_TRUE(absl::IsInvalidArgument(pair->first.Send("")));
}

TEST(UnixSeqPacketTest, TcpAddressesAreRefused) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      SeqPacketSocket::Connect(SocketAddress::Ipv4Loopback(1)).status()));
}

TEST(UnixDatagramTest, RequestAndReplyBetweenBoundSockets) {
  ScopedSocketPath server_path("dgram_server");
  absl::StatusOr<DatagramSocket> server =
      DatagramSocket::Bind(server_path.address());
  ASSERT_TRUE(server.ok()) << server.status();
  const SocketAddress client_address = UniqueAbstractAddress("dgram_client");
  absl::StatusOr<DatagramSocket> client = DatagramSocket::Bind(client_address);
  ASSERT_TRUE(client.ok()) << client.status();

  ASSERT_TRUE(client->SendTo("request", server_path.address()).ok());
  char buf[64];
  SocketAddress from;
  absl::StatusOr<size_t> n =
      server->ReceiveUntil(absl::MakeSpan(buf), Soon(), &from);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "request");
  EXPECT_EQ(from, client_address);
  ASSERT_TRUE(server->SendTo("reply", from).ok());
  n = client->ReceiveUntil(absl::MakeSpan(buf), Soon());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "reply");
}

TEST(UnixDatagramTest, ADatagramLargerThanTheBufferIsReported) {
  absl::StatusOr<SocketPair<DatagramSocket>> pair = CreateDatagramSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_TRUE(pair->first.Send(std::string(1000, 'd')).ok());
  ASSERT_TRUE(pair->first.Send("small").ok());
  char buf[100];
  absl::StatusOr<size_t> n = pair->second.Receive(absl::MakeSpan(buf));
  ASSERT_TRUE(absl::IsResourceExhausted(n.status())) << n.status();
  EXPECT_THAT(n.status().message(), HasSubstr("1000 bytes"));
  n = pair->second.Receive(absl::MakeSpan(buf));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "small");
}

TEST(UnixDatagramTest, EmptyDatagramsAreMessagesToo) {
  absl::StatusOr<SocketPair<DatagramSocket>> pair = CreateDatagramSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_TRUE(pair->first.Send("").ok());
  char buf[8];
  absl::StatusOr<size_t> n =
      pair->second.ReceiveFor(absl::MakeSpan(buf), kPatience);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0u);
}

TEST(UnixDatagramTest, ConnectedDatagramSocket) {
  const SocketAddress address = UniqueAbstractAddress("dgram_connected");
  absl::StatusOr<DatagramSocket> server = DatagramSocket::Bind(address);
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<DatagramSocket> client = DatagramSocket::Open(AF_UNIX);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(client->Connect(address).ok());
  ASSERT_TRUE(client->SendFor("hello", kPatience).ok());
  char buf[16];
  SocketAddress from;
  absl::StatusOr<size_t> n = server->Receive(absl::MakeSpan(buf), &from);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "hello");
  EXPECT_TRUE(from.is_unnamed_unix());
  EXPECT_EQ(from.ToString(), "(unnamed)");
}

TEST(UnixDatagramTest, OpenRejectsUnknownFamilies) {
  EXPECT_TRUE(
      absl::IsInvalidArgument(DatagramSocket::Open(AF_PACKET).status()));
}

TEST(SocketPairTest, StreamPairIsBidirectional) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_TRUE(pair->first.SendAll("left").ok());
  ASSERT_TRUE(pair->second.SendAll("right").ok());
  char buf[5];
  ASSERT_TRUE(pair->second.ReceiveFull(absl::MakeSpan(buf, 4), Soon()).ok());
  EXPECT_EQ(absl::string_view(buf, 4), "left");
  ASSERT_TRUE(pair->first.ReceiveFull(absl::MakeSpan(buf, 5), Soon()).ok());
  EXPECT_EQ(absl::string_view(buf, 5), "right");
  // Close-on-exec, always.
  EXPECT_TRUE(::fcntl(pair->first.fd().get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(pair->second.fd().get(), F_GETFD) & FD_CLOEXEC);
}

TEST(SocketPairTest, NonBlockingPair) {
  absl::StatusOr<SocketPair<SeqPacketSocket>> pair =
      CreateSeqPacketSocketPair(/*nonblocking=*/true);
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_TRUE(pair->first.nonblocking());
  EXPECT_TRUE(::fcntl(pair->first.fd().get(), F_GETFL) & O_NONBLOCK);
  char buf[4];
  EXPECT_TRUE(IsWouldBlock(pair->first.Receive(absl::MakeSpan(buf)).status()));
}

TEST(FromFdTest, AdoptsSocketsOfTheRightTypeOnly) {
  absl::StatusOr<SocketPair<StreamSocket>> pair = CreateStreamSocketPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  absl::StatusOr<StreamSocket> adopted =
      StreamSocket::FromFd(pair->first.Release());
  ASSERT_TRUE(adopted.ok()) << adopted.status();
  EXPECT_EQ(adopted->family(), AF_UNIX);
  EXPECT_EQ(adopted->type(), SOCK_STREAM);
  ASSERT_TRUE(adopted->SendAll("x").ok());

  absl::StatusOr<DatagramSocket> wrong =
      DatagramSocket::FromFd(pair->second.Release());
  EXPECT_TRUE(absl::IsInvalidArgument(wrong.status())) << wrong.status();

  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  Fd write_end(pipe_fds[1]);
  absl::StatusOr<StreamSocket> not_a_socket =
      StreamSocket::FromFd(Fd(pipe_fds[0]));
  EXPECT_THAT(not_a_socket.status().message(), HasSubstr("SO_TYPE"));
  EXPECT_TRUE(absl::IsInvalidArgument(StreamSocket::FromFd(Fd()).status()));
}

TEST(SocketTest, ClosedSocketsFailClearly) {
  StreamSocket socket;
  char buf[1];
  absl::StatusOr<size_t> n = socket.Receive(absl::MakeSpan(buf));
  EXPECT_TRUE(absl::IsFailedPrecondition(n.status()));
  EXPECT_THAT(n.status().message(), HasSubstr("not open"));
  EXPECT_TRUE(absl::IsFailedPrecondition(socket.SendAll("x")));
  EXPECT_TRUE(socket.Close().ok());
}

}  // namespace
}  // namespace ipcbox::testing
