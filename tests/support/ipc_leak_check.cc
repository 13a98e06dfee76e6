#include "tests/support/ipc_leak_check.h"

#include <sys/shm.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace ipcbox::testing {
namespace {

using Kind = SysvIpcObject::Kind;

// The columns this check reads from each /proc/sysvipc file (after a header
// line). All three start with key, id and perms; the rest differ:
//   shm: key shmid perms size cpid lpid nattch uid gid cuid cgid ...
//   sem: key semid perms nsems uid gid cuid cgid otime ctime
//   msg: key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid ...
struct Table {
  Kind kind;
  const char* path;
  int size_column;
  int creator_pid_column;      // -1: not listed.
  int last_sender_pid_column;  // -1: not listed.
};

constexpr Table kTables[] = {
    {Kind::kSharedMemory, "/proc/sysvipc/shm", 3, 4, -1},
    {Kind::kSemaphoreSet, "/proc/sysvipc/sem", 3, -1, -1},
    {Kind::kMessageQueue, "/proc/sysvipc/msg", 4, -1, 5},
};

bool ParseOctal(absl::string_view text, unsigned* value) {
  if (text.empty() || text.find_first_not_of("01234567") != text.npos) {
    return false;
  }
  *value = static_cast<unsigned>(
      std::strtoul(std::string(text).c_str(), nullptr, 8));
  return true;
}

absl::StatusOr<SysvIpcObject> ParseLine(const Table& table,
                                        absl::string_view line) {
  const std::vector<absl::string_view> columns =
      absl::StrSplit(line, ' ', absl::SkipEmpty());
  SysvIpcObject object;
  object.kind = table.kind;
  int key = 0;
  int64_t size = 0;
  int creator = 0;
  int sender = 0;
  const auto column = [&](int i) {
    return i < static_cast<int>(columns.size()) ? columns[i]
                                                : absl::string_view();
  };
  const bool parsed =
      absl::SimpleAtoi(column(0), &key) &&
      absl::SimpleAtoi(column(1), &object.id) &&
      ParseOctal(column(2), &object.mode) &&
      absl::SimpleAtoi(column(table.size_column), &size) &&
      (table.creator_pid_column < 0 ||
       absl::SimpleAtoi(column(table.creator_pid_column), &creator)) &&
      (table.last_sender_pid_column < 0 ||
       absl::SimpleAtoi(column(table.last_sender_pid_column), &sender));
  if (!parsed) {
    return absl::InternalError(absl::StrCat("cannot parse a line of ",
                                            table.path, ": \"", line, "\""));
  }
  object.key = static_cast<key_t>(key);
  object.size = static_cast<uint64_t>(size);
  object.creator_pid = static_cast<pid_t>(creator);
  object.last_sender_pid = static_cast<pid_t>(sender);
  return object;
}

}  // namespace

bool SysvIpcObject::removed_but_attached() const {
  return kind == Kind::kSharedMemory && (mode & SHM_DEST) != 0;
}

std::string SysvIpcObject::Describe() const {
  const std::string key_text =
      key == 0 ? std::string("IPC_PRIVATE")
               : absl::StrFormat("0x%08x", static_cast<unsigned>(key));
  switch (kind) {
    case Kind::kSharedMemory:
      return absl::StrCat("System V shared memory segment id ", id, ", key ",
                          key_text, ", ", size, " bytes, created by pid ",
                          creator_pid, " (remove with: ipcrm -m ", id, ")");
    case Kind::kSemaphoreSet:
      return absl::StrCat("System V semaphore set id ", id, ", key ", key_text,
                          ", ", size,
                          " semaphore(s), creator pid not recorded by the "
                          "kernel (remove with: ipcrm -s ",
                          id, ")");
    case Kind::kMessageQueue:
      return absl::StrCat(
          "System V message queue id ", id, ", key ", key_text, ", ", size,
          " message(s), creator pid not recorded by the kernel",
          last_sender_pid != 0
              ? absl::StrCat(", last sender pid ", last_sender_pid)
              : std::string(),
          " (remove with: ipcrm -q ", id, ")");
  }
  return "unknown System V object";
}

absl::StatusOr<std::vector<SysvIpcObject>> ListSysvIpcObjects() {
  std::vector<SysvIpcObject> objects;
  for (const Table& table : kTables) {
    std::ifstream file(table.path);
    if (!file) {
      return absl::UnavailableError(
          absl::StrCat("cannot read ", table.path,
                       " (a kernel without System V IPC, or no /proc?)"));
    }
    std::string line;
    std::getline(file, line);  // The header.
    while (std::getline(file, line)) {
      if (line.find_first_not_of(' ') == std::string::npos) continue;
      absl::StatusOr<SysvIpcObject> object = ParseLine(table, line);
      if (!object.ok()) return object.status();
      objects.push_back(*object);
    }
  }
  return objects;
}

IpcLeakCheck::IpcLeakCheck() {
  absl::StatusOr<std::vector<SysvIpcObject>> objects = ListSysvIpcObjects();
  if (!objects.ok()) {
    before_status_ = objects.status();
    ADD_FAILURE() << "IPC leak check: " << before_status_;
    return;
  }
  for (const SysvIpcObject& object : *objects) {
    before_.emplace(object.kind, object.id);
  }
}

absl::StatusOr<std::vector<SysvIpcObject>> IpcLeakCheck::CreatedSince() const {
  if (!before_status_.ok()) return before_status_;
  absl::StatusOr<std::vector<SysvIpcObject>> now = ListSysvIpcObjects();
  if (!now.ok()) return now.status();
  std::vector<SysvIpcObject> created;
  for (const SysvIpcObject& object : *now) {
    if (object.removed_but_attached()) continue;
    if (before_.count({object.kind, object.id}) != 0) continue;
    created.push_back(object);
  }
  return created;
}

void IpcLeakCheck::ExpectNoneLeft() const {
  absl::StatusOr<std::vector<SysvIpcObject>> left = CreatedSince();
  if (!left.ok()) {
    ADD_FAILURE() << "IPC leak check: " << left.status();
    return;
  }
  for (const SysvIpcObject& object : *left) {
    ADD_FAILURE() << "IPC leak check: leaked " << object.Describe();
  }
}

bool IpcLeakCheckRequested() {
  const char* value = std::getenv("IPCBOX_IPC_LEAK_CHECK");
  return value != nullptr && absl::string_view(value) == "1";
}

namespace {

// Checks the whole binary: from before the first test to after the last.
class IpcLeakCheckEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (IpcLeakCheckRequested()) check_.emplace();
  }

  void TearDown() override {
    if (!check_.has_value()) return;
    // The failures name no test: gtest reports them after the last one, and
    // its summary still counts every test as passed; the exit status is 1.
    check_->ExpectNoneLeft();
    check_.reset();
  }

 private:
  std::optional<IpcLeakCheck> check_;
};

// Registered while the binary starts (gtest owns the environment); the
// BUILD target is alwayslink, since nothing refers to this by name.
[[maybe_unused]] const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new IpcLeakCheckEnvironment);

}  // namespace
}  // namespace ipcbox::testing
