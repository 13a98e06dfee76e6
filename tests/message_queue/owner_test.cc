// Removal is the owner's: another user's process gets a status that says
// so, for both backends. The kernel enforces it (IPC_RMID needs the owner
// or creator uid; the mqueue directory is sticky); ipcbox reports it.
//
// A child switches to user "nobody", which needs root and a uid map that
// has it: this target is tagged no-sandbox because Bazel's sandbox maps
// only the caller's uid. Elsewhere the tests skip and say why.

#include <sys/msg.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message_queue.h"
#include "tests/message_queue/test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr absl::Duration kChildTimeout = absl::Seconds(30);

constexpr uid_t kStranger = 65534;  // "nobody"

// Becomes user `kStranger`; false with errno set if that is not possible.
bool BecomeStranger() {
  return ::setresgid(kStranger, kStranger, kStranger) == 0 &&
         ::setresuid(kStranger, kStranger, kStranger) == 0;
}

// Why a child cannot become another user here, or "" if it can: not root,
// or a user namespace (Bazel's sandbox, a container) that maps no other uid.
std::string CannotSwitchUserReason() {
  if (::geteuid() != 0) return "needs root to switch to another uid";
  absl::StatusOr<ChildProcess> probe =
      ForkChild([]() -> int { return BecomeStranger() ? 0 : errno; });
  if (!probe.ok()) return probe.status().ToString();
  ExitResult result = probe->Wait(kChildTimeout);
  if (result.exited_with(0)) return "";
  return absl::StrCat("setresuid(", kStranger, ") fails here (",
                      result.exited ? std::strerror(result.exit_code) : "?",
                      "): no other uid is mapped in this user namespace");
}

// The kernel lets only the owner or creator (or a privileged process)
// remove a queue; ipcbox says so. Needs root to become another user.
TEST(SysvRemovalTest, OnlyTheOwnerMayRemove) {
  if (std::string why = CannotSwitchUserReason(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  sysv::QueueOptions options;
  options.permissions = *Permissions::FromMode(0666);
  options.remove_when_destroyed = true;
  const sysv::IpcKey key = RandomSysvKey();
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::Open(key, options);
  ASSERT_TRUE(queue.ok()) << queue.status();
  SysvQueueGuard guard(queue->id());
  absl::StatusOr<ChildProcess> stranger = ForkChild([&]() -> int {
    if (!BecomeStranger()) return 2;
    sysv::QueueOptions open;
    open.open_mode = OpenMode::kOpenExisting;
    open.ownership.allowed_owner = 0;  // root's queue, trusted here
    absl::StatusOr<sysv::MessageQueue> theirs =
        sysv::MessageQueue::Open(key, open);
    if (!theirs.ok()) return 3;
    absl::Status s = theirs->Remove();
    EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
    EXPECT_NE(s.message().find("owner"), absl::string_view::npos) << s;
    return 0;
  });
  ASSERT_TRUE(stranger.ok());
  EXPECT_TRUE(ExitedWith(stranger->Wait(kChildTimeout), 0));
  EXPECT_TRUE(queue->Stat().ok());
}

// A stranger who creates the key's queue first, wide open, must not have
// the daemon's open-or-create adopt it (and read or inject its messages).
TEST(SysvAdoptionTest, OpenOrCreateRefusesAQueueAStrangerMade) {
  if (std::string why = CannotSwitchUserReason(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  const sysv::IpcKey key = RandomSysvKey();
  absl::StatusOr<ChildProcess> stranger = ForkChild([&]() -> int {
    if (!BecomeStranger()) return 2;
    return ::msgget(key.value(), IPC_CREAT | IPC_EXCL | 0666) >= 0 ? 0 : 3;
  });
  ASSERT_TRUE(stranger.ok());
  ASSERT_TRUE(ExitedWith(stranger->Wait(kChildTimeout), 0));
  SysvQueueGuard guard(::msgget(key.value(), 0));

  sysv::QueueOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  options.permissions = *Permissions::FromMode(0666);
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::Open(key, options);
  ASSERT_TRUE(absl::IsPermissionDenied(queue.status())) << queue.status();
  EXPECT_NE(queue.status().message().find("uid 65534"), absl::string_view::npos)
      << queue.status();
  EXPECT_NE(queue.status().message().find("0666"), absl::string_view::npos);
  options.open_mode = OpenMode::kOpenExisting;
  EXPECT_TRUE(absl::IsPermissionDenied(
      sysv::MessageQueue::Open(key, options).status()));
  options.ownership.allowed_owner = kStranger;
  EXPECT_TRUE(sysv::MessageQueue::Open(key, options).ok());
}

// The same user's queue, but wider than the caller would have made it.
TEST(SysvAdoptionTest, OpenOrCreateRefusesAWiderModeThanAsked) {
  const sysv::IpcKey key = RandomSysvKey();
  const int id = ::msgget(key.value(), IPC_CREAT | IPC_EXCL | 0666);
  ASSERT_GE(id, 0);
  SysvQueueGuard guard(id);
  sysv::QueueOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;  // permissions: 0600
  absl::StatusOr<sysv::MessageQueue> queue =
      sysv::MessageQueue::Open(key, options);
  ASSERT_TRUE(absl::IsPermissionDenied(queue.status())) << queue.status();
  EXPECT_NE(queue.status().message().find("mode 0666"),
            absl::string_view::npos);
  options.ownership.check = false;
  EXPECT_TRUE(sysv::MessageQueue::Open(key, options).ok());
}

TEST(PosixRemovalTest, OnlyTheOwnerMayUnlink) {
  if (std::string why = CannotSwitchUserReason(); !why.empty()) {
    GTEST_SKIP() << why;
  }
  const PosixName name = UniqueMqName();
  MqNameGuard guard(name);
  posix::QueueOptions options;
  options.permissions = *Permissions::FromMode(0666);
  absl::StatusOr<posix::MessageQueue> queue =
      posix::MessageQueue::Open(name, options);
  ASSERT_TRUE(queue.ok()) << queue.status();
  absl::StatusOr<ChildProcess> stranger = ForkChild([&]() -> int {
    if (!BecomeStranger()) return 2;
    absl::Status s = posix::MessageQueue::Unlink(name);
    EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
    return 0;
  });
  ASSERT_TRUE(stranger.ok());
  EXPECT_TRUE(ExitedWith(stranger->Wait(kChildTimeout), 0));
}

}  // namespace
}  // namespace ipcbox::testing
