// ipcbox::Semaphore: the backend --//platforms:ipc_flavor picks, used only
// through the surface both backends share. Run with
// --//platforms:ipc_flavor=posix and =sysv; both must pass.

#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/semaphore.h"
#include "platforms/selected_backends.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

TEST(GenericSemaphoreTest, IsTheSelectedBackend) {
#if defined(IPCBOX_IPC_FLAVOR_POSIX)
  static_assert(std::is_same_v<Semaphore, posix::NamedSemaphore>);
  EXPECT_EQ(kIpcFlavor, IpcFlavor::kPosix);
#else
  static_assert(std::is_same_v<Semaphore, sysv::Semaphore>);
  EXPECT_EQ(kIpcFlavor, IpcFlavor::kSysv);
#endif
}

TEST(GenericSemaphoreTest, TwoProcessesShareASemaphoreByName) {
  const std::string name = UniqueName("generic_sem");
  SemaphoreOptions options;
  options.initial_value = 0;
  options.undo_on_exit = false;  // A signal: the child's post must outlive it.
  absl::StatusOr<Semaphore> owner = Semaphore::Create(name, options);
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_TRUE(owner->created());
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    absl::StatusOr<Semaphore> mine = Semaphore::OpenExisting(name, options);
    if (!mine.ok() || mine->created()) return 1;
    return mine->Post().ok() ? 0 : 2;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(owner->WaitFor(absl::Seconds(30)).ok());
  EXPECT_TRUE(ExitedWith(child->Wait(absl::Seconds(60)), 0));
  EXPECT_TRUE(IsWouldBlock(owner->TryWait()));
  ASSERT_TRUE(owner->Remove().ok());
  EXPECT_EQ(Semaphore::OpenExisting(name).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ipcbox::testing
