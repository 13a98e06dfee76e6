// System V shared memory, semaphore sets and message queues, from
// /proc/sysvipc/*: a header line naming the columns, then one line per
// object. Columns are looked up by name, so a kernel that adds some
// (rss, swap) does not shift them.
#include <sys/ipc.h>
#include <sys/sem.h>

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/ipcbox/sources.h"

namespace ipcbox::tool {
namespace {

using Row = std::map<std::string, std::string>;

std::vector<Row> ReadTable(const std::string& path) {
  std::vector<Row> rows;
  std::string text;
  if (!ReadSmallFile(path, &text)) return rows;
  std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipWhitespace());
  if (lines.empty()) return rows;
  std::vector<std::string> header =
      absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields =
        absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    if (fields.size() < header.size()) continue;
    Row row;
    for (size_t j = 0; j < header.size(); ++j) row[header[j]] = fields[j];
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t Number(const Row& row, const char* column) {
  auto it = row.find(column);
  int64_t value = -1;
  if (it == row.end() || !absl::SimpleAtoi(it->second, &value)) return -1;
  return value;
}

// Fills the columns every System V table has; false if a required one is
// missing or malformed.
bool Common(Kind kind, const Row& row, const char* id_column, IpcObject* o) {
  int64_t key = Number(row, "key");
  int64_t id = Number(row, id_column);
  int64_t uid = Number(row, "uid");
  auto perms = row.find("perms");
  unsigned mode = 0;
  if (id < 0 || uid < 0 || perms == row.end()) return false;
  // perms is printed in octal ("%4o").
  for (char c : perms->second) {
    if (c < '0' || c > '7') return false;
    mode = mode * 8 + (c - '0');
  }
  o->kind = kind;
  o->name = absl::StrCat(id);
  // The kernel prints key as a signed int.
  o->key = absl::StrFormat("0x%08x", static_cast<uint32_t>(key));
  o->uid = static_cast<uid_t>(uid);
  o->uid_known = true;
  o->mode = mode & 0777;
  o->mode_known = true;
  return true;
}

void Pid(const ProcessTable& table, int64_t pid, pid_t* out, bool* alive) {
  *out = pid > 0 ? static_cast<pid_t>(pid) : 0;
  *alive = table.IsAlive(*out);
}

}  // namespace

void ScanSysvShm(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out) {
  for (const Row& row : ReadTable(root + "/proc/sysvipc/shm")) {
    IpcObject o;
    if (!Common(Kind::kSysvShm, row, "shmid", &o)) continue;
    int64_t size = Number(row, "size");
    o.bytes = size > 0 ? size : 0;
    o.size = absl::StrCat(o.bytes, " B");
    Pid(table, Number(row, "cpid"), &o.creator_pid, &o.creator_alive);
    o.creator_source = "cpid";
    Pid(table, Number(row, "lpid"), &o.last_pid, &o.last_alive);
    int64_t nattch = Number(row, "nattch");
    o.attach_count = nattch < 0 ? -1 : static_cast<int>(nattch);
    o.holders = table.AttachersOf(std::stoi(o.name));
    out->push_back(std::move(o));
  }
}

void ScanSysvSem(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out) {
  for (const Row& row : ReadTable(root + "/proc/sysvipc/sem")) {
    IpcObject o;
    if (!Common(Kind::kSysvSem, row, "semid", &o)) continue;
    int64_t nsems = Number(row, "nsems");
    o.size = absl::StrCat(nsems, " sems");
    if (root.empty() && nsems > 0 && nsems <= 256) {
      // Values and the last semop's pid are only behind semctl.
      int id = std::stoi(o.name);
      std::vector<int> values;
      pid_t last = 0;
      for (int i = 0; i < nsems; ++i) {
        int v = semctl(id, i, GETVAL);
        if (v < 0) break;
        values.push_back(v);
        int p = semctl(id, i, GETPID);
        if (p > 0 && last == 0) last = p;
      }
      if (values.size() == static_cast<size_t>(nsems)) {
        o.size = absl::StrCat("values ", absl::StrJoin(values, ","));
      }
      Pid(table, last, &o.last_pid, &o.last_alive);
    }
    out->push_back(std::move(o));
  }
}

void ScanSysvMsg(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out) {
  for (const Row& row : ReadTable(root + "/proc/sysvipc/msg")) {
    IpcObject o;
    if (!Common(Kind::kSysvMsg, row, "msqid", &o)) continue;
    int64_t bytes = Number(row, "cbytes");
    o.bytes = bytes > 0 ? bytes : 0;
    o.size = absl::StrCat(Number(row, "qnum"), " msgs, ", o.bytes, " B");
    // Last sender and last receiver; the kernel keeps no creator.
    int64_t lspid = Number(row, "lspid");
    int64_t lrpid = Number(row, "lrpid");
    Pid(table, lrpid > 0 ? lrpid : lspid, &o.last_pid, &o.last_alive);
    out->push_back(std::move(o));
  }
}

}  // namespace ipcbox::tool
