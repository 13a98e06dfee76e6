#include "examples/fifo/tour_fifo.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "examples/fifo/fifo_channel.h"
#include "examples/fifo/fifo_chat.h"
#include "examples/tour/scenario.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/pipe/pipe.h"

namespace ipcbox::examples {
namespace {

// Generous: the writer alone pauses ~1.5 s over its 12000 rounds.
constexpr absl::Duration kScenarioTimeout = absl::Seconds(120);

// A fresh directory under /tmp, removed with whatever the programs left in
// it (they should leave nothing: the check is separate).
class ScratchDir {
 public:
  static absl::StatusOr<ScratchDir> Create() {
    std::string path = "/tmp/ipcbox-tour-fifo.XXXXXX";
    if (::mkdtemp(path.data()) == nullptr) {
      return ErrnoError(errno, "mkdtemp", path);
    }
    return ScratchDir(std::move(path));
  }
  ScratchDir(ScratchDir&& other) noexcept
      : path_(std::exchange(other.path_, std::string())) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    for (const char* name : {kFifoChannelPath, kChatFifoPath}) {
      ::unlink(In(name).c_str());
    }
    ::rmdir(path_.c_str());
  }

  const std::string& path() const { return path_; }
  std::string In(absl::string_view name) const {
    return absl::StrCat(path_, "/", name);
  }
  bool Empty() const {
    struct stat st;
    return ::lstat(In(kFifoChannelPath).c_str(), &st) != 0 &&
           ::lstat(In(kChatFifoPath).c_str(), &st) != 0;
  }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// One of the example programs, running in a forked process whose working
// directory is the scratch directory and whose standard output comes back
// through a pipe. Killed and reaped if still running when destroyed.
class ExampleProcess {
 public:
  // Runs `main` (the example's logic, returning an exit code) in the child,
  // with `stdin_fd` as its standard input if not -1.
  static absl::StatusOr<ExampleProcess> Start(const ScratchDir& dir,
                                              absl::FunctionRef<int()> main,
                                              int stdin_fd = -1) {
    absl::StatusOr<Pipe> out = CreatePipe();
    if (!out.ok()) return out.status();
    std::fflush(nullptr);  // or the child flushes our buffered output again
    const pid_t pid = ::fork();
    if (pid < 0) return ErrnoError(errno, "fork", "");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the tour
      const bool ready =
          ::chdir(dir.path().c_str()) == 0 &&
          out->writer.DuplicateOnto(STDOUT_FILENO).ok() &&
          (stdin_fd < 0 || ::dup2(stdin_fd, STDIN_FILENO) == STDIN_FILENO);
      const int code = ready ? main() : 126;
      std::fflush(nullptr);
      ::_exit(code);
    }
    return ExampleProcess(pid, std::move(out->reader));
  }

  ExampleProcess(ExampleProcess&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), out_(std::move(other.out_)) {}
  ExampleProcess& operator=(ExampleProcess&&) = delete;
  ~ExampleProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    RetryOnEintr([&] { return ::waitpid(pid_, nullptr, 0); });
  }

  // Reads its output until `text` has arrived (the whole output so far is
  // returned), or until end of output if `text` is empty.
  absl::StatusOr<std::string> ReadOutput(const Deadline& deadline,
                                         absl::string_view text = "") {
    char buf[4096];
    while (text.empty() || !absl::StrContains(output_, text)) {
      absl::StatusOr<size_t> n = out_.ReadUntil(absl::MakeSpan(buf), deadline);
      if (IsEndOfStream(n.status()) && text.empty()) break;
      if (!n.ok()) {
        return absl::Status(
            n.status().code(),
            absl::StrCat("reading the output of pid ", pid_, " (so far: \"",
                         output_, "\"): ", n.status().ToString()));
      }
      output_.append(buf, *n);
    }
    return output_;
  }

  // Waits for it to exit; OK only for exit code 0.
  absl::Status Wait(const Deadline& deadline) {
    for (;;) {
      int wstatus = 0;
      const pid_t done = ::waitpid(pid_, &wstatus, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
          return absl::OkStatus();
        }
        return absl::InternalError(absl::StrFormat(
            "example process ended with wait status %#x", wstatus));
      }
      if (done < 0 && errno != EINTR) return ErrnoError(errno, "waitpid", "");
      if (deadline.expired()) {
        return absl::DeadlineExceededError("example process did not exit");
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
  }

 private:
  ExampleProcess(pid_t pid, PipeReader out) : pid_(pid), out_(std::move(out)) {}

  pid_t pid_;
  PipeReader out_;
  std::string output_;
};

// Prints what the example's main prints; the exit code says how it went.
int PrintOrFail(const absl::Status& status, absl::string_view line) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  std::fwrite(line.data(), 1, line.size(), stdout);
  return 0;
}

absl::Status Expect(absl::string_view what, absl::string_view got,
                    absl::string_view want) {
  if (got == want) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      what, ": got \"", got, "\", the seed prints \"", want, "\""));
}

// Waits for the server to have created its FIFO, as a person would before
// starting the client in the other terminal, and for its mode to be the
// seed's (between mkfifo() and chmod() it is what the umask left).
absl::Status WaitForFifo(const std::string& path, mode_t mode,
                         const Deadline& deadline) {
  struct stat st;
  while (::lstat(path.c_str(), &st) != 0 || st.st_mode != (S_IFIFO | mode)) {
    if (deadline.expired()) {
      return absl::DeadlineExceededError(
          absl::StrFormat("%s never became a FIFO with mode %#o", path, mode));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::OkStatus();
}

std::string Chomp(absl::string_view line) {
  return std::string(absl::StripSuffix(line, "\n"));
}

}  // namespace

absl::Status RunFifoTour(tour::Report& report) {
  absl::StatusOr<ScratchDir> dir = ScratchDir::Create();
  if (!dir.ok()) return dir.status();
  const Deadline deadline = Deadline::After(kScenarioTimeout);

  absl::StatusOr<ExampleProcess> writer = ExampleProcess::Start(*dir, [] {
    ::srand(1);  // glibc's default seed, whatever the tour did before fork
    absl::StatusOr<int64_t> sent = RunFifoWriter(FifoWriterOptions());
    return PrintOrFail(sent.status(), sent.ok() ? FifoWriterLine(*sent) : "");
  });
  if (!writer.ok()) return writer.status();
  absl::StatusOr<ExampleProcess> reader = ExampleProcess::Start(*dir, [] {
    FifoReaderOptions options;
    options.wait_for_fifo = absl::Seconds(30);  // the writer creates it
    absl::StatusOr<FifoReaderCounts> counts = RunFifoReader(options);
    return PrintOrFail(counts.status(),
                       counts.ok() ? FifoReaderLine(*counts) : "");
  });
  if (!reader.ok()) return reader.status();

  report.Line(absl::StrCat("in ", dir->path(),
                           ": fifo_writer and fifo_reader through ",
                           kFifoChannelPath, " (seed pauses on)"));
  absl::StatusOr<std::string> written = writer->ReadOutput(deadline);
  if (!written.ok()) return written.status();
  absl::StatusOr<std::string> read = reader->ReadOutput(deadline);
  if (!read.ok()) return read.status();
  if (absl::Status s = writer->Wait(deadline); !s.ok()) return s;
  if (absl::Status s = reader->Wait(deadline); !s.ok()) return s;
  report.Line(absl::StrCat("fifo_writer: ", Chomp(*written)));
  report.Line(absl::StrCat("fifo_reader: ", Chomp(*read)));

  if (absl::Status s =
          Expect("fifo_writer", *written, "768000 ints sent to the pipe.\n");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Expect("fifo_reader", *read,
                              "Received ints: 768000, primes: 37682\n");
      !s.ok()) {
    return s;
  }
  if (!dir->Empty()) {
    return absl::InternalError("./fifoChannel was left behind");
  }
  report.Line("both lines are the article's; ./fifoChannel is gone");
  return absl::OkStatus();
}

absl::Status RunFifoChatTour(tour::Report& report) {
  absl::StatusOr<ScratchDir> dir = ScratchDir::Create();
  if (!dir.ok()) return dir.status();
  const Deadline deadline = Deadline::After(kScenarioTimeout);

  absl::StatusOr<ExampleProcess> server = ExampleProcess::Start(*dir, [] {
    return PrintOrFail(RunChatServer(ChatServerOptions(), stdout), "");
  });
  if (!server.ok()) return server.status();
  const std::string fifo_path = dir->In(kChatFifoPath);
  if (absl::Status s = WaitForFifo(fifo_path, kChatFifoMode, deadline);
      !s.ok()) {
    return s;
  }
  report.Line(absl::StrCat("in ", dir->path(), ": fifo_chat_server made \"",
                           kChatFifoPath, "\", a FIFO with mode 0664"));

  // The client's keyboard is a pipe this scenario types into.
  absl::StatusOr<Pipe> keyboard = CreatePipe();
  if (!keyboard.ok()) return keyboard.status();
  absl::StatusOr<ExampleProcess> client = ExampleProcess::Start(
      *dir,
      [&keyboard] {
        // Only the scenario may hold the keyboard's write end, or the
        // client's input would never end.
        (void)keyboard->writer.Close();
        return PrintOrFail(
            RunChatClient(ChatClientOptions(), STDIN_FILENO, stdout), "");
      },
      keyboard->reader.fd().get());
  if (!client.ok()) return client.status();
  if (absl::Status s = keyboard->reader.Close(); !s.ok()) return s;

  // One line at a time, each seen by the server before the next is typed,
  // so that each is its own message as when a person types them.
  std::string expected_server;
  for (absl::string_view line : {"hello, server\n", "你好\n"}) {
    if (absl::Status s = keyboard->writer.WriteAll(line); !s.ok()) return s;
    absl::StrAppend(&expected_server, kChatServerPrefix, line);
    absl::StatusOr<std::string> seen =
        server->ReadOutput(deadline, expected_server);
    if (!seen.ok()) return seen.status();
    report.Line(absl::StrCat("typed \"", Chomp(line),
                             "\"; the server printed \"", kChatServerPrefix,
                             Chomp(line), "\""));
  }
  if (absl::Status s = keyboard->writer.Close(); !s.ok()) return s;  // Ctrl-D

  absl::StatusOr<std::string> client_out = client->ReadOutput(deadline);
  if (!client_out.ok()) return client_out.status();
  absl::StatusOr<std::string> server_out = server->ReadOutput(deadline);
  if (!server_out.ok()) return server_out.status();
  if (absl::Status s = client->Wait(deadline); !s.ok()) return s;
  if (absl::Status s = server->Wait(deadline); !s.ok()) return s;

  absl::StrAppend(&expected_server, kChatClientEnd);
  if (absl::Status s = Expect("fifo_chat_server", *server_out, expected_server);
      !s.ok()) {
    return s;
  }
  const std::string expected_client =
      absl::StrCat(kChatClientPrompt, kChatClientPrompt, kChatClientPrompt);
  if (absl::Status s = Expect("fifo_chat_client", *client_out, expected_client);
      !s.ok()) {
    return s;
  }
  report.Line(absl::StrCat("end of input: the server printed \"",
                           Chomp(kChatClientEnd), "\" and both exited"));
  if (!dir->Empty()) return absl::InternalError("the FIFO was left behind");
  report.Line("the server removed the FIFO it created");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
