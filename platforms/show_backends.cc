// Prints which backends this build's generic types use, and why.
#include <cstdio>

#include "platforms/selected_backends.h"

int main() {
  std::printf("lock_backend=%s (%s)\n", ipcbox::LockBackendName(),
              ipcbox::kLockBackendFromPlatform ? "platform default" : "flag");
  std::printf("ipc_flavor=%s (%s)\n", ipcbox::IpcFlavorName(),
              ipcbox::kIpcFlavorFromPlatform ? "platform default" : "flag");
  return 0;
}
