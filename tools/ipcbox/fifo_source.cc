// Named pipes: the kernel lists none, so they are found by walking the
// directories given (file_walk.h); holders are the processes with the FIFO
// open. The creator is known only from an ipcbox name (ipcbox_name.h).
#include "tools/ipcbox/file_walk.h"
#include "tools/ipcbox/sources.h"

namespace ipcbox::tool {

void ScanFifos(const std::string& root, const std::vector<std::string>& paths,
               const ProcessTable& table, std::vector<IpcObject>* out) {
  WalkFiles(root, paths, S_IFIFO,
            [&](const std::string& path, const struct stat& st) {
              IpcObject o = ObjectOfFile(Kind::kFifo, path, st, table);
              o.bytes = 0;  // what a FIFO holds is in flight, not stored
              o.size = "-";
              out->push_back(std::move(o));
            });
}

}  // namespace ipcbox::tool
