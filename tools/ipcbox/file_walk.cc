#include "tools/ipcbox/file_walk.h"

#include <dirent.h>

#include <algorithm>

namespace ipcbox::tool {
namespace {

constexpr int kMaxDepth = 4;

void Walk(
    const std::string& root, const std::string& dir, dev_t dev, int depth,
    mode_t type,
    const std::function<void(const std::string&, const struct stat&)>& visit) {
  DIR* d = opendir((root + dir).c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string path = dir == "/" ? "/" + n : dir + "/" + n;
    struct stat st;
    if (lstat((root + path).c_str(), &st) != 0) continue;
    if ((st.st_mode & S_IFMT) == type) {
      visit(path, st);
    } else if (S_ISDIR(st.st_mode) && depth < kMaxDepth && st.st_dev == dev) {
      Walk(root, path, dev, depth + 1, type, visit);
    }
  }
}

}  // namespace

void WalkFiles(
    const std::string& root, const std::vector<std::string>& dirs, mode_t type,
    const std::function<void(const std::string&, const struct stat&)>& visit) {
  for (std::string dir : dirs) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    struct stat st;
    if (stat((root + dir).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    Walk(root, dir, st.st_dev, 1, type, visit);
  }
}

}  // namespace ipcbox::tool
