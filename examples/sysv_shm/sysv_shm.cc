#include "examples/sysv_shm/sysv_shm.h"

#include <cstdio>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/shm/bounded_read.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "ipcbox/shm/sysv_shared_memory.h"

namespace ipcbox::examples {
namespace {

int Fail(std::FILE* err, absl::string_view program, const absl::Status& s) {
  std::fprintf(err, "%s: %s\n", std::string(program).c_str(),
               std::string(s.message()).c_str());
  std::fflush(err);
  return 1;
}

// The seed's server uses IPC_EXCL, so a segment left by a server that did
// not finish blocks the next run; say how to clear it.
absl::Status ExplainStale(const absl::Status& status, sysv::IpcKey key) {
  if (!absl::IsAlreadyExists(status)) return status;
  return absl::AlreadyExistsError(
      absl::StrCat(status.message(),
                   " (left by a server that did not finish? remove it "
                   "with: ipcrm -M ",
                   key.ToString().substr(4), ")"));
}

absl::Status ExplainMissing(const absl::Status& status) {
  if (!absl::IsNotFound(status)) return status;
  return absl::NotFoundError(
      absl::StrCat(status.message(), " (start sysv_shm_server first)"));
}

}  // namespace

absl::Status ValidateSysvShmOptions(const SysvShmOptions& options) {
  if (options.rounds < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--rounds must be at least 1, not ", options.rounds));
  }
  if (static_cast<size_t>(options.rounds) >= options.size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rounds ", options.rounds, " needs ", options.rounds + 1,
        " bytes (letters and a NUL), more than --size ", options.size));
  }
  if (options.interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--interval must not be negative");
  }
  return absl::OkStatus();
}

std::string ServerLine(absl::Span<const char> segment) {
  return absl::StrCat("server:", BoundedCString(segment).text, "\n");
}

void ClientRound(absl::Span<char> segment, int round) {
  // The seed's two stores; validated options keep both inside the segment.
  segment[round] = static_cast<char>('A' + round % 26);
  segment[round + 1] = '\0';
}

int RunSysvShmServer(const SysvShmOptions& options, std::FILE* out,
                     std::FILE* err,
                     absl::FunctionRef<void(int round)> after_round) {
  constexpr absl::string_view kProgram = "sysv_shm_server";
  if (absl::Status s = ValidateSysvShmOptions(options); !s.ok()) {
    return Fail(err, kProgram, s);
  }
  absl::StatusOr<sysv::IpcKey> key =
      sysv::IpcKey::FromPath(options.path, options.project_id);
  if (!key.ok()) return Fail(err, kProgram, key.status());
  SharedMemoryOptions shm_options;  // create exclusively, as IPC_EXCL
  shm_options.permissions = *Permissions::FromMode(kSeedMode);
  absl::StatusOr<sysv::SharedMemory> segment =
      sysv::SharedMemory::Open(*key, options.size, shm_options);
  if (!segment.ok()) {
    return Fail(err, kProgram, ExplainStale(segment.status(), *key));
  }
  for (int round = 0; round < options.rounds; ++round) {
    const std::string line = ServerLine(segment->bytes());
    std::fputs(line.c_str(), out);
    std::fflush(out);
    after_round(round);
  }
  // shmdt, then IPC_RMID: the server made the segment, so it removes it.
  if (absl::Status s = segment->Close(); !s.ok()) return Fail(err, kProgram, s);
  return 0;
}

int RunSysvShmServer(const SysvShmOptions& options, std::FILE* out,
                     std::FILE* err) {
  return RunSysvShmServer(options, out, err,
                          [&](int) { absl::SleepFor(options.interval); });
}

int RunSysvShmClient(const SysvShmOptions& options, std::FILE* err,
                     absl::FunctionRef<void(int round)> after_round) {
  constexpr absl::string_view kProgram = "sysv_shm_client";
  if (absl::Status s = ValidateSysvShmOptions(options); !s.ok()) {
    return Fail(err, kProgram, s);
  }
  absl::StatusOr<sysv::IpcKey> key =
      sysv::IpcKey::FromPath(options.path, options.project_id);
  if (!key.ok()) return Fail(err, kProgram, key.status());
  absl::StatusOr<sysv::SharedMemory> segment =
      sysv::SharedMemory::OpenExisting(*key, options.size);
  if (!segment.ok()) {
    return Fail(err, kProgram, ExplainMissing(segment.status()));
  }
  for (int round = 0; round < options.rounds; ++round) {
    ClientRound(segment->mutable_bytes(), round);
    after_round(round);
  }
  // shmdt only: the segment is the server's to remove.
  if (absl::Status s = segment->Close(); !s.ok()) return Fail(err, kProgram, s);
  return 0;
}

int RunSysvShmClient(const SysvShmOptions& options, std::FILE* err) {
  return RunSysvShmClient(options, err,
                          [&](int) { absl::SleepFor(options.interval); });
}

}  // namespace ipcbox::examples
