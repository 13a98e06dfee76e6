#include "ipcbox/process/popen.h"

#include <poll.h>

#include <cerrno>
#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/spawn.h"

namespace ipcbox {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

absl::Status TooMuchOutputError(const Child& child, size_t limit) {
  return absl::ResourceExhaustedError(
      absl::StrCat("command (pid ", child.pid(), ") wrote more than ", limit,
                   " bytes to stdout (PopenOptions::max_output)"));
}

// Appends what one read returns; OK(false) at end-of-file.
absl::StatusOr<bool> ReadSome(PipeReader& reader, std::string& output,
                              const Child& child, size_t limit) {
  char buffer[kReadChunk];
  absl::StatusOr<size_t> n = reader.Read(absl::MakeSpan(buffer));
  if (IsEndOfStream(n.status())) return false;
  if (IsWouldBlock(n.status())) return true;
  if (!n.ok()) return n.status();
  if (output.size() + *n > limit) return TooMuchOutputError(child, limit);
  output.append(buffer, *n);
  return true;
}

// Writes what fits; the command closing its stdin (EPIPE) ends the input
// without an error, like `head` after its first lines.
absl::Status WriteSome(PipeWriter& writer, absl::string_view& input) {
  absl::StatusOr<size_t> n = writer.Write(input);
  if (IsWouldBlock(n.status())) return absl::OkStatus();
  if (!n.ok()) {
    input = absl::string_view();
    return absl::IsFailedPrecondition(n.status()) ? absl::OkStatus()
                                                  : n.status();
  }
  input.remove_prefix(*n);
  return absl::OkStatus();
}

// Feeds `input` and collects stdout together, until stdout ends.
absl::Status Converse(Child& child, absl::string_view input,
                      std::string& output, const PopenOptions& options) {
  PipeWriter& writer = child.stdin_writer();
  PipeReader& reader = child.stdout_reader();
  if (writer.valid()) {
    if (absl::Status s = writer.SetNonBlocking(true); !s.ok()) return s;
    if (input.empty()) (void)writer.Close();
  }
  if (absl::Status s = reader.SetNonBlocking(true); !s.ok()) return s;
  bool reading = true;
  while (reading) {
    pollfd fds[2] = {{reader.fd().get(), POLLIN, 0},
                     {writer.valid() ? writer.fd().get() : -1, POLLOUT, 0}};
    const int ready = ::poll(fds, 2, options.deadline.PollTimeoutMs());
    if (ready < 0 && errno != EINTR) return ErrnoError(errno, "poll", "");
    if (ready == 0 && options.deadline.expired()) return TimedOutError();
    if (fds[1].revents != 0) {
      if (absl::Status s = WriteSome(writer, input); !s.ok()) return s;
      if (input.empty()) (void)writer.Close();  // end-of-file for the command
    }
    if (fds[0].revents != 0) {
      absl::StatusOr<bool> more =
          ReadSome(reader, output, child, options.max_output);
      if (!more.ok()) return more.status();
      reading = *more;
    }
  }
  (void)writer.Close();
  return absl::OkStatus();
}

// With `feed_input` false the command's stdin is left as `command` says.
absl::StatusOr<CommandOutput> RunConversation(Command command, bool feed_input,
                                              absl::string_view input,
                                              const PopenOptions& options) {
  if (feed_input) command.SetStdin(Stdio::Pipe());
  command.SetStdout(Stdio::Pipe());
  absl::StatusOr<Child> child = Spawn(command);
  if (!child.ok()) return child.status();
  CommandOutput result;
  // On any failure `child` is killed and reaped as it goes out of scope.
  if (absl::Status s = Converse(*child, input, result.output, options);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<ExitStatus> status = child->WaitUntil(options.deadline);
  if (!status.ok()) return status.status();
  result.status = *status;
  return result;
}

}  // namespace

absl::StatusOr<Popen> Popen::OpenForReading(Command command) {
  command.SetStdout(Stdio::Pipe());
  absl::StatusOr<Child> child = Spawn(command);
  if (!child.ok()) return child.status();
  return Popen(*std::move(child));
}

absl::StatusOr<Popen> Popen::OpenForWriting(Command command) {
  command.SetStdin(Stdio::Pipe());
  absl::StatusOr<Child> child = Spawn(command);
  if (!child.ok()) return child.status();
  return Popen(*std::move(child));
}

absl::StatusOr<ExitStatus> Popen::Close(Deadline deadline) {
  (void)child_.stdin_writer().Close();
  (void)child_.stdout_reader().Close();
  return child_.WaitUntil(deadline);
}

absl::StatusOr<CommandOutput> Popen::Read(Command command,
                                          const PopenOptions& options) {
  return RunConversation(std::move(command), /*feed_input=*/false, "", options);
}

absl::StatusOr<ExitStatus> Popen::Write(Command command,
                                        absl::string_view input,
                                        const PopenOptions& options) {
  absl::StatusOr<Popen> popen = OpenForWriting(std::move(command));
  if (!popen.ok()) return popen.status();
  absl::Status written = popen->input().WriteAll(input, options.deadline);
  // EPIPE: the command stopped reading; its exit status tells the rest.
  if (!written.ok() && !absl::IsFailedPrecondition(written)) return written;
  return popen->Close(options.deadline);
}

absl::StatusOr<CommandOutput> Popen::Filter(Command command,
                                            absl::string_view input,
                                            const PopenOptions& options) {
  return RunConversation(std::move(command), /*feed_input=*/true, input,
                         options);
}

}  // namespace ipcbox
