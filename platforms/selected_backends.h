// The backends that the generic ipcbox types stand for in this build.
//
// Resolved by //platforms from --//platforms:lock_backend and
// --//platforms:ipc_flavor, "auto" meaning the target platform's default.
//
//   if constexpr (ipcbox::kLockBackend == ipcbox::LockBackend::kOfd) { ... }
//   std::printf("%s\n", ipcbox::LockBackendName());
#ifndef IPCBOX_PLATFORMS_SELECTED_BACKENDS_H_
#define IPCBOX_PLATFORMS_SELECTED_BACKENDS_H_

namespace ipcbox {

enum class LockBackend { kFcntl, kOfd, kFlock };
enum class IpcFlavor { kPosix, kSysv };

#if defined(IPCBOX_LOCK_BACKEND_FCNTL)
inline constexpr LockBackend kLockBackend = LockBackend::kFcntl;
#elif defined(IPCBOX_LOCK_BACKEND_OFD)
inline constexpr LockBackend kLockBackend = LockBackend::kOfd;
#elif defined(IPCBOX_LOCK_BACKEND_FLOCK)
inline constexpr LockBackend kLockBackend = LockBackend::kFlock;
#else
#error "No lock backend selected: depend on //platforms:selected_backends"
#endif

#if defined(IPCBOX_IPC_FLAVOR_POSIX)
inline constexpr IpcFlavor kIpcFlavor = IpcFlavor::kPosix;
#elif defined(IPCBOX_IPC_FLAVOR_SYSV)
inline constexpr IpcFlavor kIpcFlavor = IpcFlavor::kSysv;
#else
#error "No IPC flavor selected: depend on //platforms:selected_backends"
#endif

// True when the choice came from the platform ("auto") rather than a flag.
#if defined(IPCBOX_LOCK_BACKEND_FROM_PLATFORM)
inline constexpr bool kLockBackendFromPlatform = true;
#else
inline constexpr bool kLockBackendFromPlatform = false;
#endif
#if defined(IPCBOX_IPC_FLAVOR_FROM_PLATFORM)
inline constexpr bool kIpcFlavorFromPlatform = true;
#else
inline constexpr bool kIpcFlavorFromPlatform = false;
#endif

constexpr const char* LockBackendName() {
  return kLockBackend == LockBackend::kFcntl ? "fcntl"
         : kLockBackend == LockBackend::kOfd ? "ofd"
                                             : "flock";
}

constexpr const char* IpcFlavorName() {
  return kIpcFlavor == IpcFlavor::kPosix ? "posix" : "sysv";
}

}  // namespace ipcbox

#endif  // IPCBOX_PLATFORMS_SELECTED_BACKENDS_H_
