#include "examples/socket/tour_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "examples/socket/book_echo.h"
#include "examples/tour/scenario.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"

namespace ipcbox::examples {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(20);

// A program running in a forked child with its output going into a pipe.
struct Running {
  pid_t pid = -1;
  Fd output;
};

absl::StatusOr<Running> Start(const std::function<int(std::FILE*)>& program) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2", "");
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork", "");
  if (pid == 0) {
    read_end.reset();
    std::FILE* out = ::fdopen(write_end.release(), "w");
    const int code = out == nullptr ? 120 : program(out);
    if (out != nullptr) std::fclose(out);
    ::_exit(code);
  }
  return Running{pid, std::move(read_end)};
}

// Everything the child printed, once it has exited 0, by `deadline`.
absl::StatusOr<std::string> Finish(Running& child, const char* name,
                                   const Deadline& deadline) {
  std::string text;
  char buf[512];
  absl::Status status;
  for (;;) {
    struct pollfd pfd = {child.output.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, deadline.PollTimeoutMs());
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      status = absl::DeadlineExceededError(
          absl::StrCat(name, " did not finish in time"));
      break;
    }
    const ssize_t n = ::read(child.output.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  if (!status.ok()) ::kill(child.pid, SIGKILL);
  int wait_status = 0;
  while (::waitpid(child.pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!status.ok()) return status;
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return absl::InternalError(absl::StrCat(name, " failed (wait status ",
                                            wait_status, "); it printed \"",
                                            absl::CEscape(text), "\""));
  }
  return text;
}

std::string Lines(std::initializer_list<absl::string_view> lines) {
  std::string text;
  for (absl::string_view line : lines) absl::StrAppend(&text, line, "\n");
  return text;
}

absl::Status Expect(const std::string& actual, const std::string& expected,
                    const char* who) {
  if (actual == expected) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(who, " printed \"",
                                          absl::CEscape(actual),
                                          "\", the article shows \"",
                                          absl::CEscape(expected), "\""));
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
  absl::StatusOr<Running> server = Start([&](std::FILE* out) {
    return ServeBookClients(*listener, server_options, out, stderr).ok() ? 0
                                                                        : 1;
  });
  if (!server.ok()) return server.status();
  (void)listener->Close();  // the server process has its own

  BookClientOptions client_options;
  client_options.port = port;
  client_options.timeout = kPatience;
  absl::StatusOr<Running> client = Start([&](std::FILE* out) {
    absl::Status run = RunBookClient(client_options, out);
    if (!run.ok()) std::fprintf(stderr, "client: %s\n", run.ToString().c_str());
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

  report.Line(absl::StrCat("client ", client->pid, " (host \"localhost\", ",
                           "resolved without NSS) printed:"));
  for (absl::string_view line : absl::StrSplit(*client_out, '\n', absl::SkipEmpty())) {
    report.Line(absl::StrCat("  ", line));
  }
  report.Line(absl::StrCat("server ", server->pid, " printed: ",
                           absl::StrJoin(absl::StrSplit(*server_out, '\n',
                                                        absl::SkipEmpty()),
                                         " | ")));
  absl::Status s = Expect(
      *client_out,
      Lines({kClientConnectedLine, kBooks[0], kBooks[1], kBooks[2],
             kClientDoneLine}),
      "socket_client");
  if (!s.ok()) return s;
  s = Expect(*server_out, Lines({kBooks[0], kBooks[1], kBooks[2]}),
             "socket_server");
  if (!s.ok()) return s;
  report.Line("both outputs match the article; the server served one "
              "client and returned (--once)");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
