// Giving up the capabilities that let root ignore file and IPC permissions,
// so that a test running as root (as CI and many boards do) can still check
// that ipcbox reports EACCES instead of skipping the check:
//
//   constexpr int kCannotDropPrivileges = 77;
//   absl::StatusOr<ipcbox::testing::ChildProcess> child =
//       ipcbox::testing::ForkChild([&] {
//         if (!ipcbox::testing::DropFileAccessOverride()) {
//           return kCannotDropPrivileges;  // The parent skips the test.
//         }
//         EXPECT_TRUE(absl::IsPermissionDenied(Open(path).status()));
//         return 0;
//       });
//
// Do it in a forked child: the capabilities are gone for good, and the other
// tests in the binary expect root's usual powers.

#ifndef IPCBOX_TESTS_SUPPORT_PRIVILEGES_H_
#define IPCBOX_TESTS_SUPPORT_PRIVILEGES_H_

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ipcbox::testing {

// Clears CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER (files, POSIX
// IPC objects) and CAP_IPC_OWNER (System V IPC permissions) from the calling
// thread's effective set (a no-op without them). Call it in a forked
// child: it is not undone. Returns false if the kernel refused.
inline bool DropFileAccessOverride() {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  const unsigned mask = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) |
                        (1u << CAP_FOWNER) | (1u << CAP_IPC_OWNER);
  data[0].effective &= ~mask;
  return ::syscall(SYS_capset, &header, data) == 0;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_PRIVILEGES_H_
