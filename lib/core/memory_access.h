// memory_access.h
//
// `MemoryAccess` says whether a process may only read a shared region (a
// mapped file, a shared memory object or segment) or also write it. Asking
// for read-only access where reading is all a process does is a safeguard,
// not a courtesy: a stray write through a read-only mapping is a SIGSEGV in
// the faulty process instead of silent corruption of what every peer sees.
//
// Example:
//
//   int prot = ProtectionFlags(MemoryAccess::kReadOnly);  // PROT_READ
//   void* p = ::mmap(nullptr, size, prot, MAP_SHARED, fd, 0);

#ifndef IPCBOX_CORE_MEMORY_ACCESS_H_
#define IPCBOX_CORE_MEMORY_ACCESS_H_

#include <fcntl.h>
#include <sys/mman.h>

#include "absl/strings/string_view.h"

namespace ipcbox {

enum class MemoryAccess {
  kReadOnly,
  kReadWrite,
};

// The mmap() protection for `access`.
constexpr int ProtectionFlags(MemoryAccess access) {
  return access == MemoryAccess::kReadWrite ? PROT_READ | PROT_WRITE
                                            : PROT_READ;
}

// The open()/shm_open() access mode for `access` (O_RDONLY or O_RDWR; a
// shared mapping that may be written needs a descriptor open for both).
constexpr int OpenAccessFlags(MemoryAccess access) {
  return access == MemoryAccess::kReadWrite ? O_RDWR : O_RDONLY;
}

// "read-only" or "read-write", for messages.
constexpr absl::string_view MemoryAccessName(MemoryAccess access) {
  return access == MemoryAccess::kReadWrite ? "read-write" : "read-only";
}

}  // namespace ipcbox

#endif  // IPCBOX_CORE_MEMORY_ACCESS_H_
