// The fifo_chat_server / fifo_chat_client examples between real processes:
// the seed's lines byte for byte, the seed's FIFO mode, the 63/64-byte
// buffers, the C-string printing, end of input ending both, and a client
// whose server went away getting an error instead of dying of SIGPIPE.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/fifo/fifo_chat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "ipcbox/pipe/pipe.h"
#include "tests/fifo/fifo_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::examples {
namespace {

using ::ipcbox::testing::AwaitMode;
using ::ipcbox::testing::ChildProcess;
using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::LstatMode;
using ::ipcbox::testing::NothingAt;
using ::ipcbox::testing::ReadFile;
using ::ipcbox::testing::ScopedPath;
using ::ipcbox::testing::ScopedUmask;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);

Deadline Soon() { return Deadline::After(absl::Seconds(60)); }

// Waits (bounded) until `path` holds a FIFO.
bool AwaitFifo(const std::string& path) {
  for (int i = 0; i < 6000; ++i) {
    if (S_ISFIFO(LstatMode(path))) return true;
    ::usleep(10000);
  }
  return false;
}

// Waits (bounded) until the file at `path` contains `text`.
bool AwaitText(const std::string& path, absl::string_view text) {
  for (int i = 0; i < 6000; ++i) {
    if (absl::StrContains(ReadFile(path), text)) return true;
    ::usleep(10000);
  }
  return false;
}

// A chat: the server in one child writing to a file, the client in another
// reading a pipe this test types into.
class ChatTest : public ::testing::Test {
 protected:
  void StartServer() {
    absl::StatusOr<ChildProcess> server = ForkChild([&] {
      std::FILE* out = std::fopen(server_out_.c_str(), "w");
      if (out == nullptr) return 2;
      ChatServerOptions options;
      options.fifo_path = fifo_.path();
      options.open_timeout = absl::Seconds(60);
      const absl::Status s = RunChatServer(options, out);
      std::fclose(out);
      EXPECT_TRUE(s.ok()) << s;
      return 0;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_.emplace(*std::move(server));
    ASSERT_TRUE(AwaitFifo(fifo_.path()));
  }

  void StartClient() {
    absl::StatusOr<Pipe> keyboard = CreatePipe();
    ASSERT_TRUE(keyboard.ok());
    absl::StatusOr<ChildProcess> client = ForkChild([&] {
      (void)keyboard->writer.Close();  // or the input never ends
      std::FILE* out = std::fopen(client_out_.c_str(), "w");
      if (out == nullptr) return 2;
      ChatClientOptions options;
      options.fifo_path = fifo_.path();
      options.open_timeout = absl::Seconds(60);
      const absl::Status s =
          RunChatClient(options, keyboard->reader.fd().get(), out);
      std::fclose(out);
      return s.ok() ? 0 : 1;
    });
    ASSERT_TRUE(client.ok()) << client.status();
    client_.emplace(*std::move(client));
    keyboard_ = std::move(keyboard->writer);
  }

  // Types `line` and waits until the server has printed it.
  void Type(absl::string_view line) {
    ASSERT_TRUE(keyboard_.WriteAll(line).ok());
    absl::StrAppend(&expected_server_, kChatServerPrefix, line);
    ASSERT_TRUE(AwaitText(server_out_.path(), expected_server_))
        << ReadFile(server_out_.path());
  }

  ScopedPath fifo_{"fifo_chat_test"};
  ScopedPath server_out_{"fifo_chat_test_server_out"};
  ScopedPath client_out_{"fifo_chat_test_client_out"};
  std::optional<ChildProcess> server_;
  std::optional<ChildProcess> client_;
  PipeWriter keyboard_;
  std::string expected_server_;
};

TEST_F(ChatTest, TheSeedsLinesAreKept) {
  // The strings of the seed's server.c and client.c.
  EXPECT_STREQ(kChatServerPrefix, "server receive]: ");
  EXPECT_STREQ(kChatClientEnd, "******* client end *******\n");
  EXPECT_STREQ(kChatClientPrompt, "[client input]: ");
  EXPECT_STREQ(kChatFifoPath, "fifo");
  EXPECT_EQ(kChatFifoMode, 0664u);
  EXPECT_EQ(kChatBufferSize, 64u);
}

TEST_F(ChatTest, LinesTypedIntoTheClientComeOutOfTheServer) {
  ScopedUmask umask(022);  // the seed's umask(0) + 0664 must not depend on it
  StartServer();
  EXPECT_TRUE(AwaitMode(fifo_.path(), S_IFIFO | 0664))
      << std::oct << LstatMode(fifo_.path());
  StartClient();
  Type("hello, world!\n");
  Type("你好\n");
  ASSERT_TRUE(keyboard_.Close().ok());  // Ctrl-D

  EXPECT_TRUE(ExitedWith(client_->Wait(kChildTimeout), 0));
  EXPECT_TRUE(ExitedWith(server_->Wait(kChildTimeout), 0));
  EXPECT_EQ(
      ReadFile(server_out_.path()),
      absl::StrCat("server receive]: hello, world!\n",
                   "server receive]: 你好\n", "******* client end *******\n"));
  EXPECT_EQ(ReadFile(client_out_.path()),
            "[client input]: [client input]: [client input]: ");
  EXPECT_TRUE(NothingAt(fifo_.path()));  // the server created it, so removes it
}

TEST_F(ChatTest, ServerPrintsAsACStringInPiecesOfAtMost63Bytes) {
  StartServer();
  StartClient();
  ASSERT_TRUE(keyboard_.WriteAll(absl::string_view("ab\0cd\n", 6)).ok());
  ASSERT_TRUE(AwaitText(server_out_.path(), "server receive]: ab"));
  const std::string long_line = std::string(100, 'x') + "\n";
  ASSERT_TRUE(keyboard_.WriteAll(long_line).ok());
  ASSERT_TRUE(keyboard_.Close().ok());
  EXPECT_TRUE(ExitedWith(client_->Wait(kChildTimeout), 0));
  EXPECT_TRUE(ExitedWith(server_->Wait(kChildTimeout), 0));

  // The long line arrives in pieces (the client sends at most 64 bytes, the
  // server reads at most 63), each with the prefix; together they are the
  // line. The bytes after the NUL were sent but, as in the seed, not shown.
  std::string out = ReadFile(server_out_.path());
  ASSERT_TRUE(absl::StartsWith(out, "server receive]: ab"));
  out = out.substr(std::string("server receive]: ab").size());
  ASSERT_TRUE(absl::EndsWith(out, kChatClientEnd)) << out;
  out.resize(out.size() - std::string(kChatClientEnd).size());
  int pieces = 0;
  for (size_t at = out.find(kChatServerPrefix); at != std::string::npos;
       at = out.find(kChatServerPrefix, at + 1)) {
    ++pieces;
  }
  EXPECT_GE(pieces, 2) << out;
  EXPECT_EQ(absl::StrReplaceAll(out, {{kChatServerPrefix, ""}}), long_line);
}

TEST_F(ChatTest, AnExistingFifoIsUsedAndLeftInPlace) {
  ASSERT_EQ(::mkfifo(fifo_.c_str(), 0600), 0);
  StartServer();
  StartClient();
  Type("again\n");
  ASSERT_TRUE(keyboard_.Close().ok());
  EXPECT_TRUE(ExitedWith(client_->Wait(kChildTimeout), 0));
  EXPECT_TRUE(ExitedWith(server_->Wait(kChildTimeout), 0));
  EXPECT_EQ(LstatMode(fifo_.path()), S_IFIFO | 0600);  // not the server's
}

TEST_F(ChatTest, ClientWhoseServerIsGoneGetsAnErrorNotSigpipe) {
  absl::StatusOr<Fifo> fifo = Fifo::Create(fifo_.path());
  ASSERT_TRUE(fifo.ok());
  StartClient();
  ASSERT_TRUE(keyboard_.WriteAll("one\n").ok());
  // The timed open waits for the client's first message (a reader that did
  // not wait would read end-of-stream until the client has connected).
  absl::StatusOr<PipeReader> server = OpenFifoReader(fifo_.path(), Soon());
  ASSERT_TRUE(server.ok()) << server.status();
  char buf[4];
  ASSERT_TRUE(server->ReadFull(absl::MakeSpan(buf), Soon()).ok());
  ASSERT_TRUE(server->Close().ok());  // the server quits
  ASSERT_TRUE(keyboard_.WriteAll("two\n").ok());
  ASSERT_TRUE(keyboard_.Close().ok());
  EXPECT_TRUE(ExitedWith(client_->Wait(kChildTimeout), 1));  // not SIGPIPE
}

}  // namespace
}  // namespace ipcbox::examples
