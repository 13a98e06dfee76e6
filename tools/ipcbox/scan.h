// Every IPC object of the chosen kinds, with holders and verdicts: what
// `ls`, `show`, `rm` and `clean` work from.
//
//   ScanOptions options;
//   options.kinds = {Kind::kShm, Kind::kSysvShm};
//   for (const IpcObject& o : ScanObjects(options)) ...
#ifndef IPCBOX_TOOLS_IPCBOX_SCAN_H_
#define IPCBOX_TOOLS_IPCBOX_SCAN_H_

#include <string>
#include <vector>

#include "tools/ipcbox/ipc_object.h"

namespace ipcbox::tool {

struct ScanOptions {
  std::string root;  // prefixes /proc, /dev ("" for the machine's own)
  std::vector<Kind> kinds{std::begin(kAllKinds), std::end(kAllKinds)};
  // Where FIFOs and socket files are looked for.
  std::vector<std::string> paths{"/tmp", "/run"};
};

std::vector<IpcObject> ScanObjects(const ScanOptions& options);

// The owner's user name from <root>/etc/passwd, else the number.
std::string OwnerName(const std::string& root, uid_t uid);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_SCAN_H_
