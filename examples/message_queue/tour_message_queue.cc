#include "examples/message_queue/tour_message_queue.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "examples/message_queue/mqueue.h"
#include "examples/shm/child_with_output.h"
#include "examples/tour/scenario.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/message_queue/sysv_message_queue.h"

namespace ipcbox::examples {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(20);

// What a program run in a child process printed, and how it ended.
struct ChildRun {
  pid_t pid = -1;
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `program` in a forked child, as a separate process would run the
// binary, and collects its output. A child that outlives kChildTimeout is
// killed.
absl::StatusOr<ChildRun> RunInChild(
    const std::function<int(std::ostream&, std::ostream&)>& program) {
  absl::StatusOr<ChildWithOutput::Result> result = ChildWithOutput::Run(
      [&](std::FILE* stream) {
        std::ostringstream out;
        std::ostringstream err;
        const int code = program(out, err);
        // Both through the one stream: out, then a NUL, then err.
        const std::string both = out.str() + '\0' + err.str();
        std::fwrite(both.data(), 1, both.size(), stream);
        return code;
      },
      Deadline::After(kChildTimeout));
  if (!result.ok()) return result.status();
  std::pair<std::string, std::string> parts =
      absl::StrSplit(result->output, absl::MaxSplits('\0', 1));
  ChildRun run;
  run.pid = result->pid;
  run.exit_code = result->exit_code;
  run.out = parts.first;
  run.err = parts.second;
  return run;
}

absl::Status ExpectRun(const ChildRun& run, const char* name,
                       const char* documented) {
  if (run.exit_code != 0) {
    return absl::InternalError(
        absl::StrCat(name, " exited with ", run.exit_code, ": ", run.err));
  }
  if (run.out != documented) {
    return absl::InternalError(absl::StrCat(
        name, " printed \"", absl::CEscape(run.out), "\", the article shows \"",
        absl::CEscape(documented), "\""));
  }
  return absl::OkStatus();
}

// A scratch directory with an empty queue.h: the ftok() file. Removes both,
// and any queue left under the key, when done.
class Scratch {
 public:
  absl::Status Create() {
    std::string dir = UniqueTempPath("mqueue_tour");
    if (::mkdir(dir.c_str(), 0700) != 0) return ErrnoError(errno, "mkdir", dir);
    dir_ = dir;
    path_ = dir_ + "/" + kPathName;
    const int fd =
        ::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return ErrnoError(errno, "open", path_);
    ::close(fd);
    return absl::OkStatus();
  }
  ~Scratch() {
    if (path_.empty()) return;
    absl::StatusOr<sysv::IpcKey> key =
        sysv::IpcKey::FromPath(path_, kProjectId);
    if (key.ok()) {
      sysv::QueueOptions existing;
      existing.open_mode = OpenMode::kOpenExisting;
      absl::StatusOr<sysv::MessageQueue> left =
          sysv::MessageQueue::Open(*key, existing);
      if (left.ok()) (void)left->Remove();
    }
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace

absl::Status RunMessageQueueTour(tour::Report& report) {
  Scratch scratch;
  if (absl::Status s = scratch.Create(); !s.ok()) return s;
  absl::StatusOr<sysv::IpcKey> key =
      sysv::IpcKey::FromPath(scratch.path(), kProjectId);
  if (!key.ok()) return key.status();
  report.Line(absl::StrCat("ftok(\"", kPathName, "\", ", kProjectId,
                           ") in a scratch directory: ", key->ToString()));

  SenderConfig sender;
  sender.path = scratch.path();
  absl::StatusOr<ChildRun> sent =
      RunInChild([&](std::ostream& out, std::ostream& err) {
        return RunSender(sender, out, err);
      });
  if (!sent.ok()) return sent.status();
  if (absl::Status s = ExpectRun(*sent, "sender", kDocumentedSenderOutput);
      !s.ok())
    return s;
  report.Line(
      absl::StrCat("sender (pid ", sent->pid,
                   ") printed the article's six \"sent\" lines and exited"));

  // The queue outlives its creator: look at it between the two programs.
  sysv::QueueOptions existing;
  existing.open_mode = OpenMode::kOpenExisting;
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::Open(*key, existing);
  if (!queue.ok()) return queue.status();
  absl::StatusOr<sysv::QueueStatus> stat = queue->Stat();
  if (!stat.ok()) return stat.status();
  report.Line(absl::StrCat("queue id ", queue->id(), " holds ", stat->messages,
                           " messages, ", stat->bytes, " bytes (", kWireSize,
                           " per message: the seed's struct), mode ",
                           absl::StrFormat("0%o", stat->mode)));
  if (stat->messages != static_cast<size_t>(kMsgCount) ||
      stat->bytes != kMsgCount * kWireSize) {
    return absl::InternalError(
        "the queue does not hold the sender's six messages");
  }

  ReceiverConfig receiver;
  receiver.path = scratch.path();
  absl::StatusOr<ChildRun> received =
      RunInChild([&](std::ostream& out, std::ostream& err) {
        return RunReceiver(receiver, out, err);
      });
  if (!received.ok()) return received.status();
  if (absl::Status s =
          ExpectRun(*received, "receiver", kDocumentedReceiverOutput);
      !s.ok()) {
    return s;
  }
  for (absl::string_view line :
       absl::StrSplit(received->out, '\n', absl::SkipEmpty())) {
    report.Line(absl::StrCat("receiver: ", line));
  }
  report.Line(
      "types asked 3,1,2,1,3,2: out of FIFO order, oldest first within a type");

  if (absl::Status gone = queue->Stat().status(); !absl::IsNotFound(gone)) {
    return absl::InternalError(absl::StrCat(
        "the receiver did not remove the queue: ", gone.ToString()));
  }
  report.Line(
      "the receiver removed the queue (IPC_RMID); IPC_STAT now finds none");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
