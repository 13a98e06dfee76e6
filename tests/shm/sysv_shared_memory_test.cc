// sysv::SharedMemory and sysv::IpcKey on their own: keys (ftok, explicit,
// private), IPC_STAT, removed ids, the size limits, and util-linux's ipcs and
// ipcrm as real peers. What both backends share is in conformance_test.cc.

#include "ipcbox/shm/sysv_shared_memory.h"

#include <sys/ipc.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "tests/shm/sysv_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::sysv {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::ScopedShmKey;
using ::ipcbox::testing::ScopedTempFile;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);

// Runs a shell command and returns what it printed (host tools: ipcs).
std::string RunCommand(const std::string& command) {
  std::string output;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[512];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  ::pclose(pipe);
  return output;
}

// --- Keys --------------------------------------------------------------------

TEST(ShmKeyTest, FtokOfAMissingPathIsNotFoundNamingThePath) {
  absl::StatusOr<IpcKey> key =
      IpcKey::FromPath("/nonexistent/ipcbox/ftok-target", 3);
  EXPECT_TRUE(absl::IsNotFound(key.status())) << key.status();
  EXPECT_THAT(key.status().message(),
              AllOf(HasSubstr("/nonexistent/ipcbox/ftok-target"),
                    HasSubstr("does not exist")));
}

TEST(ShmKeyTest, FtokProjectIdMustBe1To255) {
  ScopedTempFile file;
  for (int bad : {0, 256, 259, -1, 1000}) {
    absl::StatusOr<IpcKey> key = IpcKey::FromPath(file.path(), bad);
    EXPECT_TRUE(absl::IsInvalidArgument(key.status())) << bad;
    EXPECT_THAT(key.status().message(), HasSubstr("1..255"));
  }
  for (int good : {1, 3, 0x66, 255}) {
    EXPECT_TRUE(IpcKey::FromPath(file.path(), good).ok()) << good;
  }
}

TEST(ShmKeyTest, FtokIsStableForOneFileAndIdAndDiffersByProjectId) {
  ScopedTempFile file;
  absl::StatusOr<IpcKey> a = IpcKey::FromPath(file.path(), 3);
  absl::StatusOr<IpcKey> b = IpcKey::FromPath(file.path(), 3);
  absl::StatusOr<IpcKey> c = IpcKey::FromPath(file.path(), 4);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_FALSE(a->is_private());
  // ftok puts the project id in the top 8 bits.
  EXPECT_EQ(static_cast<uint32_t>(a->value()) >> 24, 3u);
}

TEST(ShmKeyTest, ExplicitKeysRejectPrivateAndMinusOne) {
  EXPECT_TRUE(absl::IsInvalidArgument(IpcKey::FromValue(IPC_PRIVATE).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(IpcKey::FromValue(-1).status()));
  absl::StatusOr<IpcKey> key = IpcKey::FromValue(0x5eed);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->value(), 0x5eed);
  EXPECT_EQ(key->ToString(), "key 0x00005eed");
  EXPECT_EQ(IpcKey::Private().ToString(), "IPC_PRIVATE");
}

TEST(ShmKeyTest, NamesHashToStableNonPrivateKeys) {
  absl::StatusOr<PosixName> name = PosixName::Create("/shMemEx");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(IpcKey::FromName(*name), IpcKey::FromName(*name));
  EXPECT_FALSE(IpcKey::FromName(*name).is_private());
  EXPECT_NE(IpcKey::FromName(*name),
            IpcKey::FromName(*PosixName::Create("/shMemEy")));
}

// --- Segments ----------------------------------------------------------------

TEST(SysvSharedMemoryTest, AnFtokKeyFindsTheSameSegment) {
  ScopedTempFile file;
  absl::StatusOr<IpcKey> key = IpcKey::FromPath(file.path(), 3);
  ASSERT_TRUE(key.ok()) << key.status();
  ScopedShmKey guard(*key);
  absl::StatusOr<SharedMemory> server = SharedMemory::Create(*key, 4096);
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<IpcKey> again = IpcKey::FromPath(file.path(), 3);
  ASSERT_TRUE(again.ok());
  absl::StatusOr<SharedMemory> client =
      SharedMemory::OpenExisting(*again, 4096);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ(client->id(), server->id());
  EXPECT_EQ(client->key(), *key);
}

TEST(SysvSharedMemoryTest, PrivateSegmentsAreNewEachTimeAndNotFoundByKey) {
  absl::StatusOr<SharedMemory> a = SharedMemory::CreatePrivate(64);
  absl::StatusOr<SharedMemory> b = SharedMemory::CreatePrivate(64);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(a->id(), b->id());
  EXPECT_TRUE(a->key().is_private());
  absl::StatusOr<SharedMemory> open =
      SharedMemory::OpenExisting(IpcKey::Private(), 64);
  EXPECT_TRUE(absl::IsInvalidArgument(open.status())) << open.status();
  EXPECT_THAT(open.status().message(), HasSubstr("by id"));
  // By id it can be found.
  absl::StatusOr<SharedMemory> by_id = SharedMemory::Attach(a->id());
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_FALSE(by_id->owner());
  EXPECT_EQ(by_id->size(), 64u);
  by_id->mutable_bytes()[0] = 'i';
  EXPECT_EQ(a->bytes()[0], 'i');
}

TEST(SysvSharedMemoryTest, StatReportsSizeCreatorModeAndAttachments) {
  ScopedShmKey key;
  const mode_t old_umask = ::umask(077);  // System V ignores it anyway
  absl::StatusOr<SharedMemory> shm =
      SharedMemory::Create(*key, 4096, *Permissions::FromMode(0664));
  ::umask(old_umask);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<SegmentInfo> info = shm->Stat();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->id, shm->id());
  EXPECT_EQ(info->key, (*key).value());
  EXPECT_EQ(info->size, 4096u);
  EXPECT_EQ(info->attach_count, 1u);
  EXPECT_EQ(info->creator_pid, ::getpid());
  EXPECT_EQ(info->last_pid, ::getpid());
  EXPECT_EQ(info->owner_uid, ::geteuid());
  EXPECT_EQ(info->creator_uid, ::geteuid());
  EXPECT_EQ(info->permissions, 0664u);
  EXPECT_FALSE(info->marked_for_removal);
  EXPECT_GT(info->last_attach, absl::Now() - absl::Hours(1));
}

// The child forks before the segment exists (so it inherits no attachment),
// then attaches once: the parent sees 2 attachments and the child's pid as
// the last one, then 1 again after the child has gone.
TEST(SysvSharedMemoryTest, AttachCountFollowsAChildAttaching) {
  ScopedShmKey key;
  int go[2], ready[2];
  ASSERT_EQ(::pipe(go), 0);
  ASSERT_EQ(::pipe(ready), 0);
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    char c;
    if (::read(go[0], &c, 1) != 1) return 2;
    absl::StatusOr<SharedMemory> shm = SharedMemory::OpenExisting(*key, 4096);
    if (!shm.ok()) return 3;
    if (::write(ready[1], "r", 1) != 1) return 4;
    if (::read(go[0], &c, 1) != 1) return 5;  // hold until told
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<SharedMemory> shm = SharedMemory::Create(*key, 4096);
  ASSERT_TRUE(shm.ok()) << shm.status();
  ASSERT_EQ(shm->Stat()->attach_count, 1u);
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  absl::StatusOr<SegmentInfo> with_child = shm->Stat();
  ASSERT_TRUE(with_child.ok()) << with_child.status();
  EXPECT_EQ(with_child->attach_count, 2u);
  EXPECT_EQ(with_child->last_pid, child->pid());
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  absl::StatusOr<SegmentInfo> after = shm->Stat();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->attach_count, 1u);
  for (int fd : {go[0], go[1], ready[0], ready[1]}) ::close(fd);
}

TEST(SysvSharedMemoryTest, ARemovedIdGivesAClearNotFound) {
  ScopedShmKey key;
  absl::StatusOr<SharedMemory> shm = SharedMemory::Create(*key, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  const int id = shm->id();
  ASSERT_TRUE(shm->Remove().ok());
  EXPECT_FALSE(shm->owner());
  // Still attached: the segment lives on, marked, and its key is free.
  absl::StatusOr<SegmentInfo> marked = shm->Stat();
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_TRUE(marked->marked_for_removal);
  EXPECT_EQ(marked->key, IPC_PRIVATE);
  EXPECT_TRUE(absl::IsNotFound(SharedMemory::OpenExisting(*key, 64).status()));
  shm->mutable_bytes()[0] = 'm';  // still usable
  ASSERT_TRUE(shm->Close().ok());
  // Last detach: the id is gone.
  for (const absl::Status& status :
       {SharedMemory::Attach(id).status(), SharedMemory::StatId(id).status()}) {
    EXPECT_TRUE(absl::IsNotFound(status)) << status;
    EXPECT_THAT(status.message(), AllOf(HasSubstr(absl::StrCat("id ", id)),
                                        HasSubstr("removed")));
  }
}

TEST(SysvSharedMemoryTest, OpenOrCreateRefusesToGrowASmallerSegment) {
  ScopedShmKey key;
  absl::StatusOr<SharedMemory> small = SharedMemory::Create(*key, 100);
  ASSERT_TRUE(small.ok()) << small.status();
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  absl::StatusOr<SharedMemory> big = SharedMemory::Open(*key, 8192, options);
  EXPECT_TRUE(absl::IsFailedPrecondition(big.status())) << big.status();
  EXPECT_THAT(big.status().message(),
              AllOf(HasSubstr("holds 100 bytes"), HasSubstr("8192"),
                    HasSubstr("cannot grow")));
  EXPECT_TRUE(small->Stat().ok());  // the existing segment was left alone
}

TEST(SysvSharedMemoryTest, MoreThanShmmaxIsInvalidArgumentNamingTheLimit) {
  std::ifstream file("/proc/sys/kernel/shmmax");
  std::string text;
  uint64_t shmmax = 0;
  if (!std::getline(file, text) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &shmmax)) {
    GTEST_SKIP() << "cannot read /proc/sys/kernel/shmmax";
  }
  if (shmmax >= std::numeric_limits<size_t>::max()) {
    GTEST_SKIP() << "SHMMAX (" << shmmax << ") is beyond what a "
                 << sizeof(void*) * 8 << "-bit process can ask for";
  }
  ScopedShmKey key;
  absl::StatusOr<SharedMemory> shm =
      SharedMemory::Create(*key, static_cast<size_t>(shmmax) + 1);
  EXPECT_TRUE(absl::IsInvalidArgument(shm.status())) << shm.status();
  EXPECT_THAT(shm.status().message(),
              AllOf(HasSubstr("SHMMAX"), HasSubstr(absl::StrCat(shmmax))));
  EXPECT_TRUE(absl::IsNotFound(SharedMemory::OpenExisting(*key, 1).status()));
}

TEST(SysvSharedMemoryTest, ExplicitKeysWork) {
  ScopedShmKey guard;
  absl::StatusOr<IpcKey> key = IpcKey::FromValue((*guard).value());
  ASSERT_TRUE(key.ok());
  absl::StatusOr<SharedMemory> shm = SharedMemory::Create(*key, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_EQ(shm->key(), *key);
}

// --- util-linux as the peer
// ---------------------------------------------------

TEST(SysvSharedMemoryTest, IpcsShowsTheSegmentAndNotAfterClose) {
  ScopedShmKey key;
  absl::StatusOr<SharedMemory> shm =
      SharedMemory::Create(*key, 4096, *Permissions::FromMode(0664));
  ASSERT_TRUE(shm.ok()) << shm.status();
  // Asked first: with 2>&1 a missing ipcs is the shell's "not found" text
  // (a busybox board has no ipcs), not an empty output.
  if (RunCommand("command -v ipcs").empty()) {
    GTEST_SKIP() << "ipcs (util-linux) is not available";
  }
  const std::string command = absl::StrCat("ipcs -m -i ", shm->id(), " 2>&1");
  const std::string before = RunCommand(command);
  EXPECT_THAT(before, AllOf(HasSubstr(absl::StrCat("shmid=", shm->id())),
                            HasSubstr("access_perms=0664"),
                            HasSubstr("bytes=4096"), HasSubstr("nattch=1")));
  ASSERT_TRUE(shm->Close().ok());
  EXPECT_THAT(RunCommand("ipcs -m"),
              ::testing::Not(HasSubstr((*key).ToString().substr(4))));
}

TEST(SysvSharedMemoryTest, IpcrmByAPeerMarksTheSegmentForRemoval) {
  ScopedShmKey key;
  absl::StatusOr<SharedMemory> shm = SharedMemory::Create(*key, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  const int id = shm->id();
  RunCommand(absl::StrCat("ipcrm -m ", id, " 2>&1"));
  absl::StatusOr<SegmentInfo> info = shm->Stat();
  ASSERT_TRUE(info.ok()) << info.status();
  if (!info->marked_for_removal) GTEST_SKIP() << "ipcrm is not available";
  EXPECT_TRUE(absl::IsNotFound(SharedMemory::OpenExisting(*key, 64).status()));
  EXPECT_TRUE(shm->Close().ok());
  EXPECT_TRUE(absl::IsNotFound(SharedMemory::Attach(id).status()));
}

}  // namespace
}  // namespace ipcbox::sysv
