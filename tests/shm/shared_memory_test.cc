// The generic ipcbox::SharedMemory is the backend --//platforms:ipc_flavor
// selects, and code written against it works (.ci/run builds this test with
// each flavour).

#include "ipcbox/shm/shared_memory.h"

#include <cstring>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/unique_name.h"
#include "platforms/selected_backends.h"
#include "tests/shm/shm_test_util.h"

namespace ipcbox {
namespace {

// Only the selected backend's header is included (and only its library
// linked), so the other type does not even exist here.
TEST(GenericSharedMemoryTest, IsTheSelectedBackend) {
#if defined(IPCBOX_IPC_FLAVOR_POSIX)
  EXPECT_EQ(kIpcFlavor, IpcFlavor::kPosix);
  EXPECT_TRUE((std::is_same_v<SharedMemory, posix::SharedMemory>));
#else
  EXPECT_EQ(kIpcFlavor, IpcFlavor::kSysv);
  EXPECT_TRUE((std::is_same_v<SharedMemory, sysv::SharedMemory>));
#endif
}

TEST(GenericSharedMemoryTest, CreateOpenShareAndRemove) {
  testing::ScopedName<SharedMemory> name("shm_generic");
  absl::StatusOr<SharedMemory> owner = SharedMemory::Create(*name, 4096);
  ASSERT_TRUE(owner.ok()) << owner.status();
  absl::StatusOr<SharedMemory> peer =
      SharedMemory::OpenExisting(*name, 4096, MemoryAccess::kReadOnly);
  ASSERT_TRUE(peer.ok()) << peer.status();
  std::memcpy(owner->mutable_bytes().data(), "generic", 8);
  EXPECT_STREQ(peer->bytes().data(), "generic");
  EXPECT_TRUE(owner->Close().ok());
  EXPECT_TRUE(absl::IsNotFound(
      SharedMemory::OpenExisting(*name, 1, MemoryAccess::kReadOnly).status()));
}

}  // namespace
}  // namespace ipcbox
