#include "examples/socket_server/tour_socket_server.h"

#include <signal.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/shm/child_with_output.h"
#include "examples/socket_server/concurrent_echo_server.h"
#include "examples/tour/scenario.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_socket.h"

namespace ipcbox::examples {
namespace {

constexpr absl::Duration kScenarioTimeout = absl::Seconds(60);
constexpr int kClients = 5;
constexpr int kMessagesPerClient = 3;
constexpr absl::string_view kRefusal = "server busy, try again later\n";

std::string Message(int client, int message) {
  return absl::StrFormat("client %d, message %d\n", client, message);
}

// The server's "listening on 127.0.0.1:PORT (" line, parsed.
absl::StatusOr<SocketAddress> ListeningAddress(absl::string_view output) {
  constexpr absl::string_view kMarker = "listening on ";
  const size_t start = output.find(kMarker);
  if (start == output.npos) {
    return absl::InternalError("the server did not say where it listens");
  }
  absl::string_view rest = output.substr(start + kMarker.size());
  return SocketAddress::ParseInet(rest.substr(0, rest.find(' ')));
}

// One client process: connects, waits until the tour lets every client go
// (end-of-stream on `barrier`), so that all are connected at once, then
// echoes its messages and checks each reply.
int RunClient(const SocketAddress& server, int index, PipeReader& barrier,
              std::FILE* out, const Deadline& deadline) {
  absl::StatusOr<StreamSocket> socket = StreamSocket::Connect(server, deadline);
  if (!socket.ok()) {
    std::fprintf(out, "connect: %s\n", socket.status().ToString().c_str());
    return 1;
  }
  char byte;
  absl::StatusOr<size_t> go =
      barrier.ReadUntil(absl::MakeSpan(&byte, 1), deadline);
  if (!IsEndOfStream(go.status())) {
    std::fprintf(out, "waiting to start: %s\n", go.status().ToString().c_str());
    return 2;
  }
  for (int m = 0; m < kMessagesPerClient; ++m) {
    const std::string sent = Message(index, m);
    std::string reply(sent.size(), '\0');
    absl::Status s = socket->SendAll(sent, deadline);
    if (s.ok()) s = socket->ReceiveFull(absl::MakeSpan(reply), deadline);
    if (!s.ok() || reply != sent) {
      std::fprintf(out, "echo of \"%s\": %s \"%s\"\n",
                   std::string(absl::StripSuffix(sent, "\n")).c_str(),
                   s.ToString().c_str(), reply.c_str());
      return 3;
    }
    std::fprintf(out, "echoed: %s", sent.c_str());
  }
  return 0;
}

// A client over the limit: the tour itself connects and reads what the
// server says before closing.
absl::Status ExpectRefused(const SocketAddress& server,
                           const Deadline& deadline) {
  absl::StatusOr<StreamSocket> extra = StreamSocket::Connect(server, deadline);
  if (!extra.ok()) return extra.status();
  std::string told;
  char buf[256];
  for (;;) {
    absl::StatusOr<size_t> n =
        extra->ReceiveUntil(absl::MakeSpan(buf), deadline);
    if (IsEndOfStream(n.status())) break;
    if (!n.ok()) return n.status();
    told.append(buf, *n);
  }
  if (told != kRefusal) {
    return absl::InternalError(absl::StrCat(
        "client ", kClients + 1, " was told \"", told, "\", expected \"",
        absl::StripSuffix(kRefusal, "\n"), "\""));
  }
  return absl::OkStatus();
}

std::string LineWith(absl::string_view output, absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StrContains(line, text)) return std::string(line);
  }
  return "";
}

}  // namespace

absl::Status RunConcurrentEchoServerTour(tour::Report& report) {
  const Deadline deadline = Deadline::After(kScenarioTimeout);
  EchoServerConfig config;
  config.host = "127.0.0.1";
  config.port = 0;  // a free port: the tour must not collide with anything
  config.max_connections = kClients;
  config.buffer_bytes = 1024;
  config.refusal_message = std::string(kRefusal);

  absl::StatusOr<ChildWithOutput> server = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunConcurrentEchoServer(config, out); });
  if (!server.ok()) return server.status();
  if (absl::Status s = server->ReadUntil("-byte buffers)\n", deadline);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<SocketAddress> address = ListeningAddress(server->output());
  if (!address.ok()) return address.status();
  report.Line(
      absl::StrCat("server: ", LineWith(server->output(), "listening")));

  absl::StatusOr<Pipe> barrier = CreatePipe();
  if (!barrier.ok()) return barrier.status();
  std::vector<ChildWithOutput> clients;
  for (int i = 1; i <= kClients; ++i) {
    absl::StatusOr<ChildWithOutput> client =
        ChildWithOutput::Start([&](std::FILE* out) {
          barrier->writer = PipeWriter();  // only the tour holds it open
          return RunClient(*address, i, barrier->reader, out, deadline);
        });
    if (!client.ok()) return client.status();
    clients.push_back(*std::move(client));
  }
  if (absl::Status s = server->ReadUntil(
          absl::StrCat("(", kClients, " connected)\n"), deadline);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ExpectRefused(*address, deadline); !s.ok()) return s;
  report.Line(absl::StrFormat(
      "%d client processes connected at once; client %d was refused: \"%s\"",
      kClients, kClients + 1, absl::StripSuffix(kRefusal, "\n")));

  barrier->writer = PipeWriter();  // go
  int64_t bytes = 0;
  for (int i = 1; i <= kClients; ++i) {
    absl::StatusOr<ChildWithOutput::Result> done =
        clients[i - 1].Finish(deadline);
    if (!done.ok()) return done.status();
    if (done->exit_code != 0) {
      return absl::InternalError(absl::StrCat(
          "client ", i, " exited with ", done->exit_code, ": ", done->output));
    }
    for (int m = 0; m < kMessagesPerClient; ++m) {
      bytes += static_cast<int64_t>(Message(i, m).size());
    }
  }
  report.Line(absl::StrFormat(
      "each echoed %d messages concurrently, checked byte for byte",
      kMessagesPerClient));

  if (absl::Status s = server->ReadUntil("(0 connected)\n", deadline);
      !s.ok()) {
    return s;
  }
  if (::kill(server->pid(), SIGTERM) != 0) {
    return ErrnoError(errno, "kill(SIGTERM)", absl::StrCat(server->pid()));
  }
  absl::StatusOr<ChildWithOutput::Result> stopped = server->Finish(deadline);
  if (!stopped.ok()) return stopped.status();
  const std::string summary = LineWith(stopped->output, "stopped by");
  report.Line(absl::StrCat("server: ", summary));
  const std::string expected = absl::StrFormat(
      "stopped by SIGTERM: %d clients served, 1 refused, %d bytes echoed",
      kClients, bytes);
  if (stopped->exit_code != 0 || summary != expected) {
    return absl::InternalError(absl::StrCat(
        "the server exited with ", stopped->exit_code, " saying \"", summary,
        "\", expected \"", expected, "\"; its output:\n", stopped->output));
  }
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
