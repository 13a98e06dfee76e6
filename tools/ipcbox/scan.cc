#include "tools/ipcbox/scan.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/ipcbox/process_table.h"
#include "tools/ipcbox/sources.h"
#include "tools/ipcbox/verdict.h"

namespace ipcbox::tool {

std::vector<IpcObject> ScanObjects(const ScanOptions& options) {
  const ProcessTable table = ProcessTable::Scan(options.root);
  const std::string& root = options.root;
  std::vector<IpcObject> objects;
  for (Kind kind : options.kinds) {
    switch (kind) {
      case Kind::kShm:
        ScanPosixShm(root, table, &objects);
        break;
      case Kind::kSem:
        ScanPosixSem(root, table, &objects);
        break;
      case Kind::kMq:
        ScanPosixMq(root, table, &objects);
        break;
      case Kind::kSysvShm:
        ScanSysvShm(root, table, &objects);
        break;
      case Kind::kSysvSem:
        ScanSysvSem(root, table, &objects);
        break;
      case Kind::kSysvMsg:
        ScanSysvMsg(root, table, &objects);
        break;
      case Kind::kSocket:
        ScanSockets(root, options.paths, table, &objects);
        break;
      case Kind::kFifo:
        ScanFifos(root, options.paths, table, &objects);
        break;
      case Kind::kLock:
        ScanLocks(root, table, &objects);
        break;
      case Kind::kChannel:
        ScanChannels(root, table, &objects);
        break;
    }
  }
  // A channel is also a shm object; listed among channels, it is not
  // listed (nor cleaned) twice.
  std::set<std::string> channels;
  for (const IpcObject& o : objects) {
    if (o.kind == Kind::kChannel) channels.insert(o.name);
  }
  objects.erase(std::remove_if(objects.begin(), objects.end(),
                               [&](const IpcObject& o) {
                                 return o.kind == Kind::kShm &&
                                        channels.count(o.name) != 0;
                               }),
                objects.end());
  for (IpcObject& o : objects) o.verdict = DecideVerdict(o, &o.reason);
  return objects;
}

std::string OwnerName(const std::string& root, uid_t uid) {
  // Parsed here rather than through getpwuid, which a static binary
  // cannot use safely (NSS modules).
  std::string text;
  if (ReadSmallFile(root + "/etc/passwd", &text)) {
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ':');
      uint32_t id;
      if (f.size() > 2 && absl::SimpleAtoi(f[2], &id) && id == uid) {
        return std::string(f[0]);
      }
    }
  }
  return absl::StrCat(uid);
}

}  // namespace ipcbox::tool
