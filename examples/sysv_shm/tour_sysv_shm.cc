#include "examples/sysv_shm/tour_sysv_shm.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "examples/shm/child_with_output.h"
#include "examples/sysv_shm/server_output.h"
#include "examples/sysv_shm/sysv_shm.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/shm/sysv_shared_memory.h"

namespace ipcbox::examples {
namespace {

// The ftok file, and the segment of its key, removed however the tour ends
// (a server killed on a timeout cannot remove its segment itself).
class Rendezvous {
 public:
  Rendezvous() : path_(UniqueTempPath("sysv_shm_tour")) {
    const int fd = ::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd >= 0) ::close(fd);
  }
  ~Rendezvous() {
    absl::StatusOr<sysv::IpcKey> key =
        sysv::IpcKey::FromPath(path_, kSeedProjectId);
    if (key.ok()) sysv::SharedMemory::Remove(*key).IgnoreError();
    ::unlink(path_.c_str());
  }
  Rendezvous(const Rendezvous&) = delete;
  Rendezvous& operator=(const Rendezvous&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

absl::Status ExitedZero(const ChildWithOutput::Result& result,
                        absl::string_view who) {
  if (result.exit_code == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      who, " exited with ", result.exit_code, ": ", result.output));
}

}  // namespace

absl::Status RunSysvShmTour(tour::Report& report) {
  Rendezvous rendezvous;
  // The seed's values, except the ftok path (the seed's author's home
  // directory) and the interval (a tenth of the seed's second).
  SysvShmOptions options;
  options.path = rendezvous.path();
  options.interval = absl::Milliseconds(100);
  const Deadline deadline = Deadline::After(absl::Seconds(60));

  absl::StatusOr<ChildWithOutput> server = ChildWithOutput::Start(
      [&](std::FILE* out) { return RunSysvShmServer(options, out, stderr); });
  if (!server.ok()) return server.status();
  // The segment exists once the server has printed its first line.
  if (absl::Status s = server->ReadUntil("server:", deadline); !s.ok()) {
    return s;
  }
  absl::StatusOr<ChildWithOutput> client = ChildWithOutput::Start(
      [&](std::FILE* err) { return RunSysvShmClient(options, err); });
  if (!client.ok()) return client.status();

  const pid_t server_pid = server->pid();
  const pid_t client_pid = client->pid();
  absl::StatusOr<ChildWithOutput::Result> served = server->Finish(deadline);
  if (!served.ok()) return served.status();
  absl::StatusOr<ChildWithOutput::Result> wrote = client->Finish(deadline);
  if (!wrote.ok()) return wrote.status();
  if (absl::Status s = ExitedZero(*served, "sysv_shm_server"); !s.ok()) {
    return s;
  }
  if (absl::Status s = ExitedZero(*wrote, "sysv_shm_client"); !s.ok()) {
    return s;
  }

  absl::StatusOr<std::vector<std::string>> texts =
      ParseServerOutput(served->output, options.rounds);
  if (!texts.ok()) return texts.status();
  report.Line(absl::StrCat("sysv_shm_server ", server_pid, " (ftok key, ",
                           options.size, " bytes, 0664) printed ",
                           texts->size(), " lines while sysv_shm_client ",
                           client_pid, " wrote:"));
  std::vector<std::string> shown;
  for (const std::string& text : *texts) shown.push_back("server:" + text);
  report.Line(absl::StrJoin(shown, " | "));
  if (texts->back().empty()) {
    return absl::InternalError("the server never saw the client's letters");
  }

  absl::StatusOr<sysv::IpcKey> key =
      sysv::IpcKey::FromPath(options.path, options.project_id);
  if (!key.ok()) return key.status();
  absl::StatusOr<sysv::SharedMemory> left =
      sysv::SharedMemory::OpenExisting(*key, 1, MemoryAccess::kReadOnly);
  if (!absl::IsNotFound(left.status())) {
    return absl::InternalError(
        "the segment is still there after the server finished");
  }
  report.Line(
      "every line is the seed's \"server:%s\" of a prefix of the client's "
      "letters; both exited 0; the server removed the segment");
  return absl::OkStatus();
}

}  // namespace ipcbox::examples
