// Named pipes: the kernel lists none, so they are found by walking the
// directories given (file_walk.h); holders are the processes with the FIFO
// open. The creator is known only from an ipcbox name (ipcbox_name.h).
#include "tools/ipcbox/file_walk.h"
#include "tools/ipcbox/ipcbox_name.h"
#include "tools/ipcbox/sources.h"

namespace ipcbox::tool {

void ScanFifos(const std::string& root, const std::vector<std::string>& paths,
               const ProcessTable& table, std::vector<IpcObject>* out) {
  WalkFiles(root, paths, S_IFIFO,
            [&](const std::string& path, const struct stat& st) {
              IpcObject o;
              o.kind = Kind::kFifo;
              o.name = path;
              o.uid = st.st_uid;
              o.uid_known = true;
              o.mode = st.st_mode & 07777;
              o.mode_known = true;
              o.size = "-";
              o.holders = table.HoldersOf(st.st_dev, st.st_ino);
              pid_t creator;
              if (ParseIpcboxName(path, &creator)) {
                o.by_ipcbox = true;
                o.creator_pid = creator;
                o.creator_source = "name";
                o.creator_alive = table.IsAlive(creator);
              }
              out->push_back(std::move(o));
            });
}

}  // namespace ipcbox::tool
