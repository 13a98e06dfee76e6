// sensord: a sensor daemon built from pipes and a message queue.
//
// A sampler runs in a forked child, so that a sensor driver that hangs or
// crashes cannot take the daemon with it. It hands each reading to the
// parent over a private POSIX message queue; the parent writes one line per
// reading, "reading <n> <millidegrees C>", to its standard output, which
// must be a pipe to the consumer (gatewayd in this product):
//
//   sensord --readings=5 | gatewayd --socket=product-demo
//
// The sensor is simulated (20.000 C plus 1.5 C per reading) so that a check
// knows what to expect. Every wait is bounded by --timeout_ms. The queue has
// no name, so nothing is left behind however the daemon ends.

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace {

constexpr char kUsage[] =
    "usage: sensord [--readings=N] [--timeout_ms=MS]\n"
    "Samples a (simulated) temperature sensor in a child process and writes\n"
    "one line per reading, \"reading <n> <millidegrees>\", to standard\n"
    "output, which must be a pipe.\n"
    "  --readings=N     how many readings, 1..1000 (default 5)\n"
    "  --timeout_ms=MS  bound on every wait, 1..60000 (default 5000)\n"
    "  --help           this text\n";

constexpr size_t kMessageSize = 32;

struct Options {
  int readings = 5;
  int timeout_ms = 5000;
};

// Parses "--name=value" into `out` if `arg` is that flag. Returns false for
// another flag; exits with status 2 for a bad value.
bool ParseIntFlag(absl::string_view arg, absl::string_view name, int low,
                  int high, int& out) {
  if (!absl::ConsumePrefix(&arg, name) || !absl::ConsumePrefix(&arg, "=")) {
    return false;
  }
  if (!absl::SimpleAtoi(arg, &out) || out < low || out > high) {
    std::fprintf(stderr, "sensord: %.*s must be %d..%d\n%s",
                 static_cast<int>(name.size()), name.data(), low, high, kUsage);
    std::exit(2);
  }
  return true;
}

Options ParseFlags(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (!ParseIntFlag(arg, "--readings", 1, 1000, options.readings) &&
        !ParseIntFlag(arg, "--timeout_ms", 1, 60000, options.timeout_ms)) {
      std::fprintf(stderr, "sensord: unknown argument '%s'\n%s", argv[i],
                   kUsage);
      std::exit(2);
    }
  }
  return options;
}

int SimulatedMillidegrees(int n) { return 20000 + 1500 * n; }

// The child: one message per reading, then an empty message for the end.
int Sample(ipcbox::posix::MessageQueue& queue, const Options& options) {
  const absl::Duration timeout = absl::Milliseconds(options.timeout_ms);
  for (int n = 1; n <= options.readings; ++n) {
    char message[kMessageSize];
    const int size = absl::SNPrintF(message, sizeof(message), "%d %d", n,
                                    SimulatedMillidegrees(n));
    if (absl::Status s = queue.SendFor(absl::string_view(message, size),
                                       /*priority=*/0, timeout);
        !s.ok()) {
      std::fprintf(stderr, "sensord: sampler: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  return queue.SendFor("", /*priority=*/0, timeout).ok() ? 0 : 1;
}

// The parent: queue to pipe, until the sampler's end message.
absl::Status Forward(ipcbox::posix::MessageQueue& queue,
                     ipcbox::PipeWriter& out, const Options& options) {
  const absl::Duration timeout = absl::Milliseconds(options.timeout_ms);
  for (;;) {
    char message[kMessageSize];
    absl::StatusOr<ipcbox::ReceivedMessage> got =
        queue.ReceiveFor(absl::MakeSpan(message), timeout);
    if (!got.ok()) return got.status();
    if (got->size == 0) return absl::OkStatus();
    char line[kMessageSize + 16];
    const int size = absl::SNPrintF(line, sizeof(line), "reading %s\n",
                                    absl::string_view(message, got->size));
    if (absl::Status s = out.WriteAll(absl::string_view(line, size),
                                      ipcbox::Deadline::After(timeout));
        !s.ok()) {
      return s;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseFlags(argc, argv);

  struct stat stdout_stat;
  if (::fstat(STDOUT_FILENO, &stdout_stat) != 0 ||
      !S_ISFIFO(stdout_stat.st_mode)) {
    std::fprintf(stderr, "sensord: standard output must be a pipe\n%s", kUsage);
    return 2;
  }
  const int stdout_copy = ::dup(STDOUT_FILENO);
  absl::StatusOr<ipcbox::PipeWriter> out =
      ipcbox::PipeWriter::FromFd(ipcbox::Fd(stdout_copy));
  if (!out.ok()) {
    std::fprintf(stderr, "sensord: standard output: %s\n",
                 out.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<ipcbox::posix::MessageQueue> queue =
      ipcbox::posix::MessageQueue::CreatePrivate(
          ipcbox::QueueCapacity{/*max_messages=*/8,
                                /*max_message_size=*/kMessageSize});
  if (!queue.ok()) {
    std::fprintf(stderr, "sensord: %s\n", queue.status().ToString().c_str());
    return 1;
  }

  const pid_t sampler = ::fork();
  if (sampler < 0) {
    std::fprintf(stderr, "sensord: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (sampler == 0) ::_exit(Sample(*queue, options));

  const absl::Status forwarded = Forward(*queue, *out, options);
  if (!forwarded.ok()) ::kill(sampler, SIGKILL);  // it may be stuck
  int wait_status = 0;
  while (::waitpid(sampler, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!forwarded.ok()) {
    std::fprintf(stderr, "sensord: %s\n", forwarded.ToString().c_str());
    return 1;
  }
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    std::fprintf(stderr, "sensord: the sampler failed\n");
    return 1;
  }
  return 0;
}
