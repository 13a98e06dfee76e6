#include "examples/shm/memreader.h"

#include <cstdio>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/shm/shmem.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/recoverable_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/shm/bounded_read.h"
#include "ipcbox/shm/posix_shared_memory.h"

namespace ipcbox::examples {

int RunMemreader(const MemreaderOptions& options, std::FILE* out,
                 std::FILE* err) {
  const ShmemOptions& shmem = options.shmem;
  int exit_code = 0;
  const std::optional<SeedObjects> seed = ResolveSeedObjects(
      shmem, err, "Can't get file descriptor...", "sem_open", &exit_code);
  if (!seed) return exit_code;

  // shm_open(BackingFile, O_RDWR, AccessPerms) and mmap, read-only here.
  absl::StatusOr<posix::SharedMemory> memory =
      posix::SharedMemory::OpenExisting(seed->backing_file, shmem.byte_size,
                                        MemoryAccess::kReadOnly);
  if (!memory.ok()) {
    return SeedFail(err, "Can't get file descriptor...", memory.status());
  }

  // sem_open(SemaphoreName, O_CREAT, AccessPerms, 0): the writer may not
  // have opened it yet.
  SemaphoreOptions sem_options;
  sem_options.initial_value = 0;
  sem_options.permissions = seed->permissions;
  // With a holder record, so that a reader killed between its wait and its
  // post does not block every later reader (see recoverable_semaphore.h).
  absl::StatusOr<posix::RecoverableSemaphore> semaphore =
      posix::RecoverableSemaphore::Open(
          seed->semaphore_name,
          WithOpenMode(OpenMode::kOpenOrCreate, sem_options));
  if (!semaphore.ok()) return SeedFail(err, "sem_open", semaphore.status());

  // Wait until the writer has posted, read, and let the next reader in.
  if (absl::Status s = semaphore->TakeTurn(Deadline::After(options.timeout));
      !s.ok()) {
    if (IsTimedOut(s)) {
      // Name the right party: a live earlier reader that holds the turn, or
      // a writer that never posted.
      s = TimedOutError(absl::StrCat("no turn within ",
                                     absl::FormatDuration(options.timeout),
                                     ": ", s.message()));
    }
    return SeedFail(err, "sem_wait", s);
  }
  if (semaphore->recovered_from() != 0) {
    std::fprintf(err,
                 "memreader: reader %d died holding the semaphore; "
                 "its turn was given back\n",
                 static_cast<int>(semaphore->recovered_from()));
  }
  // The object is the seed's 0644 one that others may have opened for
  // writing: copy under the shrink guard, so a peer's ftruncate is an error
  // here, not a SIGBUS.
  std::string text(shmem.byte_size + 1, '\0');
  absl::StatusOr<size_t> copied =
      CopyCStringGuarded(memory->bytes(), absl::MakeSpan(text),
                         absl::StrCat("shared memory ", memory->name().view()));
  if (!copied.ok()) {
    semaphore->GiveBackTurn().IgnoreError();
    return SeedFail(err, "read", copied.status());
  }
  text.resize(*copied);
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
  semaphore->GiveBackTurn()
      .IgnoreError();  // As the seed: errors are not checked.
  return 0;
}

}  // namespace ipcbox::examples
