#include "ipcbox/semaphore/recoverable_semaphore.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/shm/shared_memory_options.h"

namespace ipcbox::posix {
namespace {

// What the record object holds. A pid is read from another process's
// memory: it is only ever passed to kill(pid, 0) and compared.
struct HolderRecord {
  std::atomic<pid_t> pid;
};
static_assert(std::atomic<pid_t>::is_always_lock_free,
              "the record is shared between processes");

HolderRecord& RecordIn(SharedMemory& memory) {
  return *reinterpret_cast<HolderRecord*>(memory.mutable_bytes().data());
}

bool IsGone(pid_t pid) {
  return pid > 0 && ::kill(pid, 0) == -1 && errno == ESRCH;
}

}  // namespace

absl::StatusOr<RecoverableSemaphore> RecoverableSemaphore::Open(
    const PosixName& name, const SemaphoreOptions& options) {
  const OpenMode mode = options.open_mode;
  absl::StatusOr<PosixName> record_name =
      PosixName::Create(absl::StrCat(name.view(), ".holder"));
  if (!record_name.ok()) return record_name.status();
  absl::StatusOr<NamedSemaphore> semaphore =
      NamedSemaphore::Open(name, options);
  if (!semaphore.ok()) return semaphore.status();
  SharedMemoryOptions record_options;
  record_options.open_mode = RemovesExisting(mode) ? OpenMode::kPurgeAndCreate
                                                   : OpenMode::kOpenOrCreate;
  record_options.permissions = options.permissions;
  record_options.ownership = options.ownership;
  absl::StatusOr<SharedMemory> record =
      SharedMemory::Open(*record_name, sizeof(HolderRecord), record_options);
  if (!record.ok()) return record.status();
  // Whoever created the record removes it (usually the semaphore's
  // creator; a process that found the semaphore without one, say made by a
  // C program, makes the record and removes it when done).
  return RecoverableSemaphore(*std::move(semaphore), *std::move(record));
}

absl::Status RecoverableSemaphore::TakeTurn(Deadline deadline) {
  recovered_from_ = 0;
  HolderRecord& record = RecordIn(record_);
  for (;;) {
    const Deadline slice =
        std::min(deadline, Deadline::After(kHolderCheckInterval),
                 [](const Deadline& a, const Deadline& b) {
                   return a.Remaining() < b.Remaining();
                 });
    absl::Status waited = semaphore_.WaitUntil(slice);
    if (waited.ok()) {
      record.pid.store(::getpid());
      return absl::OkStatus();
    }
    if (!IsTimedOut(waited)) return waited;
    pid_t holder = record.pid.load();
    if (IsGone(holder) && record.pid.compare_exchange_strong(holder, 0)) {
      // Exactly one waiter wins the exchange and gives the turn back.
      if (absl::Status s = semaphore_.Post(); !s.ok()) return s;
      recovered_from_ = holder;
      continue;
    }
    if (deadline.expired()) {
      holder = record.pid.load();
      return TimedOutError(
          holder > 0 && !IsGone(holder)
              ? absl::StrCat(
                    "semaphore ", QuoteForMessage(semaphore_.name().view()),
                    ": process ", holder, " took it and has not given it back")
              : absl::StrCat("semaphore ",
                             QuoteForMessage(semaphore_.name().view()),
                             ": nobody posted it, and no live process "
                             "holds it"));
    }
  }
}

absl::Status RecoverableSemaphore::GiveBackTurn() {
  pid_t self = ::getpid();
  RecordIn(record_).pid.compare_exchange_strong(self, 0);
  return semaphore_.Post();
}

absl::Status RecoverableSemaphore::Remove() {
  absl::Status record = record_.Remove();
  absl::Status semaphore = semaphore_.Remove();
  return semaphore.ok() ? record : semaphore;
}

}  // namespace ipcbox::posix
