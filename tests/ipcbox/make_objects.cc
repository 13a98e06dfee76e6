// Test helper for ipcbox_test.sh: makes one object of each kind that
// ipcbox's library makes (POSIX shm, named semaphore, POSIX queue, System V
// segment, FIFO, listening Unix socket), all named by UniqueName /
// UniqueTempPath, prints "<kind> <name>" per object and "ready", then holds
// them for at most --seconds (the test SIGKILLs it, leaving them behind
// with a dead creator, or lets it run to keep them in use). A normal exit
// removes them.
//
//   make_objects --dir=DIR [--seconds=120]
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/stream_listener.h"

ABSL_FLAG(std::string, dir, "", "directory for the FIFO and the socket file");
ABSL_FLAG(int, seconds, 120, "how long to hold the objects at most");

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "make_objects: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) {
    std::fprintf(stderr, "make_objects: --dir is required\n");
    return 2;
  }
  absl::StatusOr<ipcbox::PosixName> shm_name =
      ipcbox::PosixName::Create(ipcbox::UniqueName("ipcbox_test_shm"));
  absl::StatusOr<ipcbox::PosixName> mq_name =
      ipcbox::PosixName::Create(ipcbox::UniqueName("ipcbox_test_mq"));
  const std::string sem_name = ipcbox::UniqueName("ipcbox_test_sem");
  absl::StatusOr<ipcbox::PosixName> sysv_name =
      ipcbox::PosixName::Create(ipcbox::UniqueName("ipcbox_test_sysv"));
  if (!shm_name.ok()) return Fail(shm_name.status());
  if (!mq_name.ok()) return Fail(mq_name.status());
  if (!sysv_name.ok()) return Fail(sysv_name.status());

  auto shm = ipcbox::posix::SharedMemory::Create(*shm_name, 4096);
  if (!shm.ok()) return Fail(shm.status());
  auto sem = ipcbox::posix::NamedSemaphore::Create(sem_name);
  if (!sem.ok()) return Fail(sem.status());
  ipcbox::posix::QueueOptions queue_options;
  queue_options.remove_when_destroyed = true;
  auto mq = ipcbox::posix::MessageQueue::Open(*mq_name, queue_options);
  if (!mq.ok()) return Fail(mq.status());
  const ipcbox::sysv::IpcKey sysv_key =
      ipcbox::sysv::IpcKey::FromName(*sysv_name);
  auto sysv = ipcbox::sysv::SharedMemory::Create(sysv_key, 4096);
  if (!sysv.ok()) return Fail(sysv.status());
  // The socket's name carries the pid too; dir + name must fit sun_path.
  const std::string socket_path =
      absl::StrCat(dir, "/", ipcbox::UniqueName("s").substr(1));
  auto address = ipcbox::SocketAddress::UnixPath(socket_path);
  if (!address.ok()) return Fail(address.status());
  auto listener = ipcbox::StreamListener::Listen(*address);
  if (!listener.ok()) return Fail(listener.status());
  auto fifo = ipcbox::Fifo::Create(
      absl::StrCat(dir, "/", ipcbox::UniqueName("ipcbox_test_fifo").substr(1)));
  if (!fifo.ok()) return Fail(fifo.status());

  std::printf(
      "shm %s\nsem %s\nmq %s\nsysv-shm 0x%08x\nsocket %s\nfifo %s\nready\n",
      shm_name->c_str(), sem_name.c_str(), mq_name->c_str(),
      static_cast<unsigned>(sysv_key.value()), socket_path.c_str(),
      fifo->path().c_str());
  std::fflush(stdout);
  for (int i = 0; i < absl::GetFlag(FLAGS_seconds); ++i) sleep(1);
  return 0;
}
