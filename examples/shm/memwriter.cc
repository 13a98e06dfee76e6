#include "examples/shm/memwriter.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/types/span.h"
#include "examples/shm/shmem.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/recoverable_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_options.h"

namespace ipcbox::examples {
namespace {

// Takes back posts an earlier run left (see the header). Bounded: a peer
// posting as fast as we take cannot keep us here.
void DrainStalePosts(posix::NamedSemaphore& semaphore) {
  for (int i = 0; i < 1000 && semaphore.TryWait().ok(); ++i) {
  }
}

}  // namespace

int RunMemwriter(const MemwriterOptions& options, std::FILE* err) {
  const ShmemOptions& shmem = options.shmem;
  int exit_code = 0;
  const std::optional<SeedObjects> seed =
      ResolveSeedObjects(shmem, err, "Can't open shared mem segment...",
                         "Can't open shared mem segment...", &exit_code);
  if (!seed) return exit_code;
  if (options.contents.size() >= shmem.byte_size) {
    return SeedFail(
        err, "Can't open shared mem segment...",
        absl::InvalidArgumentError(absl::StrCat(
            "the text (", options.contents.size(),
            " bytes and a NUL) does not fit in ", shmem.byte_size, " bytes")));
  }

  // shm_open(BackingFile, O_RDWR | O_CREAT, AccessPerms), ftruncate, mmap.
  SharedMemoryOptions shm_options;
  shm_options.open_mode = OpenMode::kOpenOrCreate;
  shm_options.permissions = seed->permissions;
  absl::StatusOr<posix::SharedMemory> memory = posix::SharedMemory::Open(
      seed->backing_file, shmem.byte_size, shm_options);
  if (!memory.ok()) {
    return SeedFail(err, "Can't open shared mem segment...", memory.status());
  }
  const absl::Span<char> bytes = memory->mutable_bytes();
  std::fprintf(err, "shared mem address: %p [0..%d]\n",
               static_cast<void*>(bytes.data()),
               static_cast<int>(bytes.size()) - 1);
  std::fprintf(err, "backing file:\t\t/dev/shm%s\n",
               seed->backing_file.c_str());
  std::fflush(err);

  // sem_open(SemaphoreName, O_CREAT, AccessPerms, 0).
  SemaphoreOptions sem_options;
  sem_options.initial_value = 0;
  sem_options.permissions = seed->permissions;
  // With the holder record that lets readers recover a dead reader's turn.
  absl::StatusOr<posix::RecoverableSemaphore> semaphore =
      posix::RecoverableSemaphore::Open(
          seed->semaphore_name,
          WithOpenMode(OpenMode::kOpenOrCreate, sem_options));
  if (!semaphore.ok()) return SeedFail(err, "sem_open", semaphore.status());
  if (!semaphore->created()) DrainStalePosts(semaphore->semaphore());

  // strcpy(memptr, MemContents): the text and its NUL.
  std::memcpy(bytes.data(), options.contents.data(), options.contents.size());
  bytes[options.contents.size()] = '\0';

  if (absl::Status s = semaphore->Post(); !s.ok()) {
    return SeedFail(err, "sem_post", s);
  }

  absl::SleepFor(options.linger);  // sleep(12): give the reader a chance.

  // munmap, close, sem_close, shm_unlink; and the semaphore's name too.
  memory->Remove().IgnoreError();  // NotFound: someone removed it already.
  memory->Close().IgnoreError();
  semaphore->Remove().IgnoreError();
  return 0;
}

}  // namespace ipcbox::examples
