#include "tools/ipcbox/channel_tap.h"

#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "ipcbox/channel/subscriber.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "tools/ipcbox/output.h"

namespace ipcbox::tool {
namespace {

volatile sig_atomic_t g_interrupted = 0;

void OnSignal(int) { g_interrupted = 1; }

// SIGINT and SIGTERM end the loop (between two receives, bounded by the
// poll interval below) so that the subscriber detaches cleanly.
void CatchInterrupts() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// How often a waiting loop looks at the interrupt flag and the clock.
constexpr absl::Duration kPoll = absl::Milliseconds(100);

absl::StatusOr<Subscriber> Attach(const TapOptions& options) {
  absl::StatusOr<PosixName> name = PosixName::Create(options.name);
  if (!name.ok()) return name.status();
  WaitOptions waiting;
  waiting.spin = 100;  // a watcher need not answer in nanoseconds
  return Subscriber::Attach(*name, waiting);
}

// Why a loop ended, for people and for --json.
struct End {
  int status = 0;
  std::string why;
};

End Ended(const absl::Status& status) {
  if (IsPublisherGone(status)) return {1, "publisher gone"};
  return {1, status.ToString()};
}

std::string Hex(absl::Span<const char> bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    absl::StrAppendFormat(&out, "%s%02x", i == 0 ? "" : " ",
                          static_cast<unsigned char>(bytes[i]));
  }
  return out;
}

std::string Text(absl::Span<const char> bytes) {
  std::string out;
  for (char c : bytes) out += (c >= 0x20 && c < 0x7f) ? c : '.';
  return out;
}

}  // namespace

int RunEcho(const TapOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Subscriber> subscriber = Attach(options);
  if (!subscriber.ok()) {
    err << "ipcbox: channel " << options.name << ": " << subscriber.status()
        << "\n";
    return 1;
  }
  CatchInterrupts();
  const absl::Time stop = absl::Now() + options.duration;
  if (options.json) {
    out << "{\"channel\":" << JsonString(options.name) << ",\"samples\":[\n";
  }
  uint64_t received = 0;
  End end{0, "count"};
  while (options.count == 0 || received < options.count) {
    if (g_interrupted) {
      end = {0, "interrupted"};
      break;
    }
    const absl::Time now = absl::Now();
    if (now >= stop) {
      end = {0, "duration"};
      break;
    }
    absl::StatusOr<Sample> sample =
        subscriber->Receive(Deadline::After(std::min(kPoll, stop - now)));
    if (IsTimedOut(sample.status())) continue;
    if (!sample.ok()) {
      end = Ended(sample.status());
      break;
    }
    const absl::Span<const char> data = sample->data();
    const absl::Span<const char> head =
        data.subspan(0, std::min<size_t>(data.size(), options.preview_bytes));
    if (options.json) {
      out << (received == 0 ? "" : ",\n")
          << "{\"sequence\":" << sample->sequence()
          << ",\"size\":" << data.size() << ",\"hex\":" << JsonString(Hex(head))
          << ",\"text\":" << JsonString(Text(head)) << "}";
    } else {
      out << absl::StrFormat("seq %-8d %6d B  %s  |%s|%s\n", sample->sequence(),
                             data.size(), Hex(head), Text(head),
                             head.size() < data.size() ? "..." : "");
    }
    out.flush();
    ++received;
  }
  if (options.json) {
    out << (received == 0 ? "" : "\n") << "],\"received\":" << received
        << ",\"missed\":" << subscriber->missed()
        << ",\"end\":" << JsonString(end.why) << "}\n";
  } else {
    err << "ipcbox: " << received << " samples, " << subscriber->missed()
        << " missed; stopped: " << end.why << "\n";
  }
  return end.status;
}

int RunHz(const TapOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<Subscriber> subscriber = Attach(options);
  if (!subscriber.ok()) {
    err << "ipcbox: channel " << options.name << ": " << subscriber.status()
        << "\n";
    return 1;
  }
  CatchInterrupts();
  const absl::Time start = absl::Now();
  const absl::Time stop = start + options.duration;
  absl::Time window_start = start;
  uint64_t window_samples = 0, total = 0, windows = 0;
  uint64_t window_missed_base = 0;
  End end{0, "count"};
  if (options.json) {
    out << "{\"channel\":" << JsonString(options.name) << ",\"windows\":[\n";
  }
  auto report_window = [&](absl::Time now) {
    const double seconds = absl::ToDoubleSeconds(now - window_start);
    const double hz = seconds > 0 ? window_samples / seconds : 0;
    const uint64_t missed = subscriber->missed() - window_missed_base;
    if (options.json) {
      out << (windows == 0 ? "" : ",\n")
          << absl::StrFormat(
                 "{\"samples\":%d,\"seconds\":%.3f,\"hz\":%.1f,\"missed\":%d}",
                 window_samples, seconds, hz, missed);
    } else {
      out << absl::StrFormat("%s: %.1f Hz (%d samples in %.2f s, %d missed)\n",
                             options.name, hz, window_samples, seconds, missed);
    }
    out.flush();
    ++windows;
    window_start = now;
    window_samples = 0;
    window_missed_base = subscriber->missed();
  };
  for (;;) {
    const absl::Time now = absl::Now();
    if (now >= window_start + options.window) {
      report_window(now);
      if (options.count != 0 && windows >= options.count) break;
    }
    if (g_interrupted) {
      end = {0, "interrupted"};
      break;
    }
    if (now >= stop) {
      end = {0, "duration"};
      break;
    }
    const absl::Duration wait =
        std::min({kPoll, stop - now, window_start + options.window - now});
    absl::StatusOr<Sample> sample = subscriber->Receive(Deadline::After(wait));
    if (IsTimedOut(sample.status())) continue;
    if (!sample.ok()) {
      end = Ended(sample.status());
      break;
    }
    ++window_samples;
    ++total;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double hz = seconds > 0 ? total / seconds : 0;
  if (options.json) {
    out << (windows == 0 ? "" : "\n")
        << absl::StrFormat(
               "],\"samples\":%d,\"seconds\":%.3f,\"hz\":%.1f,"
               "\"missed\":%d,\"end\":",
               total, seconds, hz, subscriber->missed())
        << JsonString(end.why) << "}\n";
  } else {
    out << absl::StrFormat(
        "%s: average %.1f Hz (%d samples in %.2f s, %d missed)\n", options.name,
        hz, total, seconds, subscriber->missed());
    err << "ipcbox: stopped: " << end.why << "\n";
  }
  return end.status;
}

}  // namespace ipcbox::tool
