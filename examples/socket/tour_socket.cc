#include "examples/socket/tour_socket.h"

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "examples/shm/child_with_output.h"
#include "examples/socket/book_echo.h"
#include "examples/tour/scenario.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"

namespace ipcbox::examples {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(20);

// Everything `child` printed, once it has exited 0, by `deadline`.
absl::StatusOr<std::string> Finish(ChildWithOutput& child, const char* name,
                                   const Deadline& deadline) {
  absl::StatusOr<ChildWithOutput::Result> done = child.Finish(deadline);
  if (!done.ok()) {
    return absl::Status(done.status().code(),
                        absl::StrCat(name, ": ", done.status().message()));
  }
  if (done->exit_code != 0) {
    return absl::InternalError(absl::StrCat(name, " failed (exit code ",
                                            done->exit_code, "); it printed \"",
                                            absl::CEscape(done->output), "\""));
  }
  return done->output;
}

std::string Lines(std::initializer_list<absl::string_view> lines) {
  std::string text;
  for (absl::string_view line : lines) absl::StrAppend(&text, line, "\n");
  return text;
}

absl::Status Expect(const std::string& actual, const std::string& expected,
                    const char* who) {
  if (actual == expected) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(who, " printed \"", absl::CEscape(actual),
                   "\", the article shows \"", absl::CEscape(expected), "\""));
}

}  // namespace

absl::Status RunSocketTour(tour::Report& report) {
  // The seed's port may be taken on a busy machine (or by the seed's own
  // server): ask the kernel for a free one, on loopback only.
  absl::StatusOr<StreamListener> listener =
      ListenForBookClients(SocketAddress::Ipv4Loopback(0));
  if (!listener.ok()) return listener.status();
  absl::StatusOr<SocketAddress> bound = listener->LocalAddress();
  if (!bound.ok()) return bound.status();
  const uint16_t port = *bound->port();
  report.Line(absl::StrCat("server: ", ListeningLine(port),
                           " (a free port instead of ", kPortNumber, ")"));

  BookServerOptions server_options;
  server_options.max_clients = 1;
  server_options.client_timeout = kPatience;
  absl::StatusOr<ChildWithOutput> server =
      ChildWithOutput::Start([&](std::FILE* out) {
        return ServeBookClients(*listener, server_options, out, stderr).ok()
                   ? 0
                   : 1;
      });
  if (!server.ok()) return server.status();
  (void)listener->Close();  // the server process has its own

  BookClientOptions client_options;
  client_options.port = port;
  client_options.timeout = kPatience;
  absl::StatusOr<ChildWithOutput> client =
      ChildWithOutput::Start([&](std::FILE* out) {
        absl::Status run = RunBookClient(client_options, out);
        if (!run.ok())
          std::fprintf(stderr, "client: %s\n", run.ToString().c_str());
        return run.ok() ? 0 : 1;
      });
  if (!client.ok()) return client.status();

  const Deadline deadline = Deadline::After(kPatience);
  absl::StatusOr<std::string> client_out =
      Finish(*client, "socket_client", deadline);
  absl::StatusOr<std::string> server_out =
      Finish(*server, "socket_server", deadline);
  if (!client_out.ok()) return client_out.status();
  if (!server_out.ok()) return server_out.status();

  report.Line(absl::StrCat("client ", client->pid(), " (host \"localhost\", ",
                           "resolved without NSS) printed:"));
  for (absl::string_view line :
       absl::StrSplit(*client_out, '\n', absl::SkipEmpty())) {
    report.Line(absl::StrCat("  ", line));
  }
  report.Line(absl::StrCat(
      "server ", server->pid(), " printed: ",
      absl::StrJoin(absl::StrSplit(*server_out, '\n', absl::SkipEmpty()),
                    " | ")));
  absl::Status s = Expect(*client_out,
                          Lines({kClientConnectedLine, kBooks[0], kBooks[1],
                                 kBooks[2], kClientDoneLine}),
                          "socket_client");
  if (!s.ok()) return s;
  s = Expect(*server_out, Lines({kBooks[0], kBooks[1], kBooks[2]}),
             "socket_server");
  if (!s.ok()) return s;
  report.Line(
      "both outputs match the article; the server served one "
      "client and returned (--once)");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
