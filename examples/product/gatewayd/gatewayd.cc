// gatewayd: a gateway daemon built from sockets and signals.
//
// It publishes what a local producer writes to its standard input (sensord's
// readings in this product) to a subscriber on an abstract Unix stream
// socket, and stops cleanly on SIGTERM or SIGINT, which it receives through
// a signalfd beside its other descriptors:
//
//   gatewayd --socket=product-demo --subscribe > readings.txt &
//   sensord --readings=5 | gatewayd --socket=product-demo
//
// The server accepts one subscriber, forwards its input until end of input,
// then closes the connection; the subscriber prints what it received until
// then. An abstract socket has no file, so nothing is left behind. Every wait
// is bounded by --timeout_ms.

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/signal/scoped_signal_mask.h"
#include "ipcbox/signal/signal_fd.h"
#include "ipcbox/signal/signal_number.h"
#include "ipcbox/signal/signal_set.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"
#include "ipcbox/socket/stream_socket.h"

namespace {

constexpr char kUsage[] =
    "usage: gatewayd --socket=NAME [--subscribe] [--timeout_ms=MS]\n"
    "Serves standard input to one subscriber on the abstract Unix socket\n"
    "@NAME until end of input, SIGTERM or SIGINT; with --subscribe, connects\n"
    "to @NAME and prints what the server sends.\n"
    "  --socket=NAME    abstract socket name (required)\n"
    "  --subscribe      be the subscriber, not the server\n"
    "  --timeout_ms=MS  bound on every wait, 1..60000 (default 5000)\n"
    "  --help           this text\n";

struct Options {
  std::string socket;
  bool subscribe = false;
  int timeout_ms = 5000;
};

[[noreturn]] void UsageError(const std::string& message) {
  std::fprintf(stderr, "gatewayd: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

Options ParseFlags(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--subscribe") {
      options.subscribe = true;
    } else if (absl::ConsumePrefix(&arg, "--socket=")) {
      options.socket = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--timeout_ms=")) {
      if (!absl::SimpleAtoi(arg, &options.timeout_ms) ||
          options.timeout_ms < 1 || options.timeout_ms > 60000) {
        UsageError("--timeout_ms must be 1..60000");
      }
    } else {
      UsageError(absl::StrCat("unknown argument '", argv[i], "'"));
    }
  }
  if (options.socket.empty()) UsageError("--socket is required");
  return options;
}

// Waits until `fd` is readable or a signal is pending on `signals`. Returns
// true for `fd`; false, after reporting it, for a signal.
absl::StatusOr<bool> WaitForInputOrSignal(int fd, ipcbox::SignalFd& signals,
                                          absl::Duration timeout) {
  pollfd fds[] = {{signals.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
  int ready;
  do {
    ready = ::poll(fds, 2, ipcbox::ToPollTimeoutMs(timeout));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0)
    return ipcbox::ErrnoError(errno, "poll", "stdin, listener and signalfd");
  if (ready == 0) return ipcbox::TimedOutError();
  if (fds[0].revents != 0) {
    absl::StatusOr<ipcbox::SignalInfo> info = signals.Read();
    if (!info.ok()) return info.status();
    std::fprintf(stderr, "gatewayd: %s, stopping\n",
                 ipcbox::SignalName(info->signo).c_str());
    return false;
  }
  return true;
}

absl::Status Serve(const ipcbox::SocketAddress& address,
                   const Options& options) {
  const absl::Duration timeout = absl::Milliseconds(options.timeout_ms);
  absl::StatusOr<ipcbox::SignalSet> stop =
      ipcbox::SignalSet::Of({SIGTERM, SIGINT});
  if (!stop.ok()) return stop.status();
  absl::StatusOr<ipcbox::ScopedSignalMask> mask =
      ipcbox::ScopedSignalMask::Block(*stop);
  if (!mask.ok()) return mask.status();
  absl::StatusOr<ipcbox::SignalFd> signals = ipcbox::SignalFd::Create(*stop);
  if (!signals.ok()) return signals.status();
  absl::StatusOr<ipcbox::StreamListener> listener =
      ipcbox::StreamListener::Listen(address);
  if (!listener.ok()) return listener.status();
  std::fprintf(stderr, "gatewayd: listening on %s\n",
               address.ToString().c_str());

  absl::StatusOr<bool> ready =
      WaitForInputOrSignal(listener->fd().get(), *signals, timeout);
  if (!ready.ok() || !*ready) return ready.status();
  absl::StatusOr<ipcbox::StreamSocket> subscriber =
      listener->AcceptFor(timeout);
  if (!subscriber.ok()) return subscriber.status();

  for (;;) {
    ready = WaitForInputOrSignal(STDIN_FILENO, *signals, timeout);
    if (!ready.ok() || !*ready) return ready.status();
    char buf[512];
    ssize_t n;
    do {
      n = ::read(STDIN_FILENO, buf, sizeof(buf));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return ipcbox::ErrnoError(errno, "read", STDIN_FILENO);
    if (n == 0) return absl::OkStatus();  // closing tells the subscriber
    if (absl::Status s = subscriber->SendAll(absl::string_view(buf, n),
                                             ipcbox::Deadline::After(timeout));
        !s.ok()) {
      return s;
    }
  }
}

absl::Status Subscribe(const ipcbox::SocketAddress& address,
                       const Options& options) {
  const absl::Duration timeout = absl::Milliseconds(options.timeout_ms);
  const ipcbox::Deadline deadline = ipcbox::Deadline::After(timeout);
  absl::StatusOr<ipcbox::StreamSocket> server;
  // The server may not be listening yet.
  while (!(server = ipcbox::StreamSocket::Connect(address, deadline)).ok()) {
    if (deadline.expired()) return server.status();
    ::usleep(20 * 1000);
  }
  for (;;) {
    char buf[512];
    absl::StatusOr<size_t> n = server->ReceiveFor(absl::MakeSpan(buf), timeout);
    if (ipcbox::IsEndOfStream(n.status())) return absl::OkStatus();
    if (!n.ok()) return n.status();
    if (std::fwrite(buf, 1, *n, stdout) != *n || std::fflush(stdout) != 0) {
      return absl::InternalError("writing standard output failed");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseFlags(argc, argv);
  absl::StatusOr<ipcbox::SocketAddress> address =
      ipcbox::SocketAddress::UnixAbstract(options.socket);
  if (!address.ok()) UsageError(address.status().ToString());
  const absl::Status status = options.subscribe ? Subscribe(*address, options)
                                                : Serve(*address, options);
  if (!status.ok()) {
    std::fprintf(stderr, "gatewayd: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
