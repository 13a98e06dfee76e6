// A test binary for ipc_leak_check_binary_test.sh, never run on its own: one
// test leaves a System V segment behind (and prints its id, so that the
// script can remove it), the other removes its segment. With
// IPCBOX_IPC_LEAK_CHECK=1 the first must fail the binary, naming the segment;
// the second must not.

#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "gtest/gtest.h"

namespace {

TEST(LeakDemo, LeavesASegment) {
  const int id = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  ::printf("created shm id %d\n", id);
  ::fflush(stdout);
}

TEST(LeakDemo, RemovesItsSegment) {
  const int id = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  ::printf("created shm id %d\n", id);
  ::fflush(stdout);
  EXPECT_EQ(::shmctl(id, IPC_RMID, nullptr), 0);
}

}  // namespace
