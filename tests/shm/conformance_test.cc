// The behaviour every SharedMemory backend promises (see
// ipcbox/shm/shared_memory.h), checked once and run against each: POSIX
// objects and System V segments, both named by a PosixName here. Then what
// POSIX objects add that lib/channel relies on (a descriptor to lock).

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/shm/posix_shared_memory.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "ipcbox/shm/sysv_shared_memory.h"
#include "tests/shm/shm_test_util.h"
#include "tests/support/child_process.h"
#include "tests/support/privileges.h"

namespace ipcbox::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);
constexpr int kCannotDropPrivileges = 77;

template <typename Shm>
class SharedMemoryConformanceTest : public ::testing::Test {
 protected:
  using Name = ScopedName<Shm>;

  static SharedMemoryOptions WithMode(OpenMode mode) {
    SharedMemoryOptions options;
    options.open_mode = mode;
    return options;
  }

  static bool Exists(const PosixName& name) {
    absl::StatusOr<Shm> shm =
        Shm::OpenExisting(name, 1, MemoryAccess::kReadOnly);
    return shm.ok();
  }
};

TYPED_TEST_SUITE(SharedMemoryConformanceTest, ShmBackends, ShmBackendNames);

// How a status names the object called `name`: POSIX by the name, System V
// by the key the name hashes to.
template <typename Backend>
std::string Mention(const PosixName& name) {
  if constexpr (std::is_same_v<Backend, posix::SharedMemory>) {
    return std::string(name.view());
  } else {
    return sysv::IpcKey::FromName(name).ToString();
  }
}

TYPED_TEST(SharedMemoryConformanceTest, CreateGivesZeroedWritableBytes) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 4096);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_EQ(shm->size(), 4096u);
  EXPECT_EQ(shm->bytes().size(), 4096u);
  EXPECT_EQ(shm->mutable_bytes().size(), 4096u);
  EXPECT_TRUE(shm->writable());
  EXPECT_TRUE(shm->owner());
  for (char c : shm->bytes()) ASSERT_EQ(c, '\0');
}

TYPED_TEST(SharedMemoryConformanceTest, AnOpenerSeesTheCreatorsBytes) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 512);
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<TypeParam> opener = TypeParam::OpenExisting(*name, 512);
  ASSERT_TRUE(opener.ok()) << opener.status();
  EXPECT_FALSE(opener->owner());
  std::memcpy(creator->mutable_bytes().data(), "hello", 6);
  EXPECT_STREQ(opener->bytes().data(), "hello");
  opener->mutable_bytes()[0] = 'j';
  EXPECT_STREQ(creator->bytes().data(), "jello");
}

TYPED_TEST(SharedMemoryConformanceTest, CreatingATakenNameIsAlreadyExists) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> first = TypeParam::Create(*name, 64);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<TypeParam> second = TypeParam::Create(*name, 64);
  EXPECT_TRUE(absl::IsAlreadyExists(second.status())) << second.status();
  // The failed attempt did not disturb the first object.
  EXPECT_TRUE(this->Exists(*name));
}

TYPED_TEST(SharedMemoryConformanceTest, OpeningWhatDoesNotExistIsNotFound) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> shm = TypeParam::OpenExisting(*name, 64);
  EXPECT_TRUE(absl::IsNotFound(shm.status())) << shm.status();
  absl::Status removed = TypeParam::Remove(*name);
  EXPECT_TRUE(absl::IsNotFound(removed)) << removed;
}

TYPED_TEST(SharedMemoryConformanceTest, SizeZeroIsInvalidArgument) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> created = TypeParam::Create(*name, 0);
  EXPECT_TRUE(absl::IsInvalidArgument(created.status())) << created.status();
  EXPECT_THAT(created.status().message(), HasSubstr("size 0"));
  EXPECT_FALSE(this->Exists(*name));
  absl::StatusOr<TypeParam> opened = TypeParam::OpenExisting(*name, 0);
  EXPECT_TRUE(absl::IsInvalidArgument(opened.status())) << opened.status();
}

TYPED_TEST(SharedMemoryConformanceTest, MoreThanTheObjectHoldsFails) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 512);
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<TypeParam> opener = TypeParam::OpenExisting(*name, 8192);
  EXPECT_TRUE(absl::IsFailedPrecondition(opener.status())) << opener.status();
  EXPECT_THAT(opener.status().message(),
              AllOf(HasSubstr("holds 512 bytes"), HasSubstr("8192")));
}

TYPED_TEST(SharedMemoryConformanceTest, AnOpenerMayMapLessThanTheObject) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 8192);
  ASSERT_TRUE(creator.ok()) << creator.status();
  creator->mutable_bytes()[99] = 'x';
  absl::StatusOr<TypeParam> opener = TypeParam::OpenExisting(*name, 100);
  ASSERT_TRUE(opener.ok()) << opener.status();
  EXPECT_EQ(opener->size(), 100u);
  EXPECT_EQ(opener->bytes().size(), 100u);
  EXPECT_EQ(opener->bytes()[99], 'x');
}

TYPED_TEST(SharedMemoryConformanceTest, TheCreatorRemovesWhenDestroyed) {
  typename TestFixture::Name name;
  {
    absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 64);
    ASSERT_TRUE(shm.ok()) << shm.status();
    ASSERT_TRUE(this->Exists(*name));
  }
  EXPECT_FALSE(this->Exists(*name));
}

TYPED_TEST(SharedMemoryConformanceTest, CloseRemovesAndEmpties) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_TRUE(shm->Close().ok());
  EXPECT_FALSE(this->Exists(*name));
  EXPECT_EQ(shm->size(), 0u);
  EXPECT_TRUE(shm->bytes().empty());
  EXPECT_TRUE(shm->mutable_bytes().empty());
  EXPECT_FALSE(shm->writable());
  EXPECT_TRUE(shm->Close().ok());
}

TYPED_TEST(SharedMemoryConformanceTest, AnOpenerNeverRemoves) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 64);
  ASSERT_TRUE(creator.ok()) << creator.status();
  {
    absl::StatusOr<TypeParam> opener = TypeParam::OpenExisting(*name, 64);
    ASSERT_TRUE(opener.ok()) << opener.status();
    EXPECT_FALSE(opener->owner());
    EXPECT_TRUE(opener->Close().ok());
  }
  EXPECT_TRUE(this->Exists(*name));
}

TYPED_TEST(SharedMemoryConformanceTest, AnOpenerRemovesWhenAsked) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 64);
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<TypeParam> opener = TypeParam::OpenExisting(*name, 64);
  ASSERT_TRUE(opener.ok()) << opener.status();
  EXPECT_TRUE(opener->Remove().ok());
  EXPECT_FALSE(this->Exists(*name));
  // Memory already mapped stays shared and usable.
  opener->mutable_bytes()[0] = 'r';
  EXPECT_EQ(creator->bytes()[0], 'r');
}

TYPED_TEST(SharedMemoryConformanceTest, DisownKeepsTheObjectAfterClose) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  shm->mutable_bytes()[0] = 'k';
  shm->Disown();
  EXPECT_FALSE(shm->owner());
  EXPECT_TRUE(shm->Close().ok());
  absl::StatusOr<TypeParam> later = TypeParam::OpenExisting(*name, 64);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->bytes()[0], 'k');
  EXPECT_TRUE(TypeParam::Remove(*name).ok());
  EXPECT_FALSE(this->Exists(*name));
}

TYPED_TEST(SharedMemoryConformanceTest, MovingHandsOverOwnership) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  TypeParam first = *std::move(shm);
  {
    TypeParam second = std::move(first);
    EXPECT_TRUE(second.owner());
    EXPECT_FALSE(first.owner());  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(first.bytes().empty());
  }
  EXPECT_FALSE(this->Exists(*name));
}

TYPED_TEST(SharedMemoryConformanceTest, OpenOrCreateOwnsOnlyWhatItCreates) {
  typename TestFixture::Name name;
  const SharedMemoryOptions options = this->WithMode(OpenMode::kOpenOrCreate);
  absl::StatusOr<TypeParam> first = TypeParam::Open(*name, 256, options);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->owner());
  absl::StatusOr<TypeParam> second = TypeParam::Open(*name, 256, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->owner());
  first->mutable_bytes()[5] = 'o';
  EXPECT_EQ(second->bytes()[5], 'o');
}

TYPED_TEST(SharedMemoryConformanceTest, PurgeAndCreateReplacesAStaleObject) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> stale = TypeParam::Create(*name, 64);
  ASSERT_TRUE(stale.ok()) << stale.status();
  stale->mutable_bytes()[0] = 's';
  stale->Disown();  // as if its creator had crashed
  absl::StatusOr<TypeParam> fresh =
      TypeParam::Open(*name, 64, this->WithMode(OpenMode::kPurgeAndCreate));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_TRUE(fresh->owner());
  EXPECT_EQ(fresh->bytes()[0], '\0');
  EXPECT_EQ(stale->bytes()[0], 's');  // the old memory is another object
}

TYPED_TEST(SharedMemoryConformanceTest, CreatingReadOnlyIsInvalidArgument) {
  typename TestFixture::Name name;
  for (OpenMode mode : {OpenMode::kCreateExclusive, OpenMode::kOpenOrCreate,
                        OpenMode::kPurgeAndCreate}) {
    SharedMemoryOptions options = this->WithMode(mode);
    options.access = MemoryAccess::kReadOnly;
    absl::StatusOr<TypeParam> shm = TypeParam::Open(*name, 64, options);
    EXPECT_TRUE(absl::IsInvalidArgument(shm.status()))
        << OpenModeName(mode) << ": " << shm.status();
  }
  EXPECT_FALSE(this->Exists(*name));
}

TYPED_TEST(SharedMemoryConformanceTest, ReadOnlyGivesNoWritableBytes) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 64);
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<TypeParam> reader =
      TypeParam::OpenExisting(*name, 64, MemoryAccess::kReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_FALSE(reader->writable());
  EXPECT_TRUE(reader->mutable_bytes().empty());
  EXPECT_EQ(reader->bytes().size(), 64u);
  creator->mutable_bytes()[7] = 'v';
  EXPECT_EQ(reader->bytes()[7], 'v');
}

// Read-only is enforced by the MMU, not only by the empty span.
TYPED_TEST(SharedMemoryConformanceTest, WritingThroughReadOnlyMemoryFaults) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 64);
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<TypeParam> reader =
      TypeParam::OpenExisting(*name, 64, MemoryAccess::kReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    ::signal(SIGSEGV, SIG_DFL);  // no sanitizer report, just the signal
    volatile char* p = const_cast<char*>(reader->bytes().data());
    p[0] = 'w';
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGSEGV));
  EXPECT_EQ(creator->bytes()[0], '\0');
}

// The object is 0400: opening it read-write is PermissionDenied, read-only
// works. Root's CAP_DAC_OVERRIDE would open it anyway, so the check runs in
// a child that has given that capability up.
TYPED_TEST(SharedMemoryConformanceTest, ReadWriteWithoutWritePermission) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator =
      TypeParam::Create(*name, 64, *Permissions::FromMode(0400));
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    if (!DropFileAccessOverride()) return kCannotDropPrivileges;
    absl::StatusOr<TypeParam> rw = TypeParam::OpenExisting(*name, 64);
    EXPECT_TRUE(absl::IsPermissionDenied(rw.status())) << rw.status();
    if constexpr (std::is_same_v<TypeParam, posix::SharedMemory>) {
      // System V fails at shmat(), where it names the segment by its id.
      EXPECT_THAT(rw.status().message(), HasSubstr(Mention<TypeParam>(*name)));
    }
    absl::StatusOr<TypeParam> ro =
        TypeParam::OpenExisting(*name, 64, MemoryAccess::kReadOnly);
    EXPECT_TRUE(ro.ok()) << ro.status();
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  const ExitResult result = child->Wait(kChildTimeout);
  if (result.exited_with(kCannotDropPrivileges)) {
    GTEST_SKIP() << "running with CAP_DAC_OVERRIDE and capset() refused to "
                    "drop it, so permissions cannot be checked";
  }
  EXPECT_TRUE(ExitedWith(result, 0));
}

// What lib/channel (and any lock-free protocol in shared memory) relies on:
// a futex word in the memory is the same word in every process that maps
// it, so a non-private FUTEX_WAKE in one wakes a FUTEX_WAIT in another.
TYPED_TEST(SharedMemoryConformanceTest, AFutexInTheMemoryWakesAPeerProcess) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> shm = TypeParam::Create(*name, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  auto* words = reinterpret_cast<uint32_t*>(shm->mutable_bytes().data());
  absl::StatusOr<ChildProcess> child = ForkChild([&] {
    // The child maps the object anew: another mapping, the same memory.
    absl::StatusOr<TypeParam> mine = TypeParam::OpenExisting(*name, 64);
    if (!mine.ok()) return 1;
    auto* word = reinterpret_cast<uint32_t*>(mine->mutable_bytes().data());
    __atomic_store_n(&word[1], 1u, __ATOMIC_SEQ_CST);  // "waiting"
    for (int i = 0; i < 100 && __atomic_load_n(word, __ATOMIC_SEQ_CST) == 0;
         ++i) {
      struct timespec ts = {0, 100000000};  // bounded: 100 x 100 ms
      ::syscall(SYS_futex, word, FUTEX_WAIT, 0u, &ts, nullptr, 0);
    }
    return __atomic_load_n(word, __ATOMIC_SEQ_CST) == 7 ? 0 : 2;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (__atomic_load_n(&words[1], __ATOMIC_SEQ_CST) == 0 &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  __atomic_store_n(&words[0], 7u, __ATOMIC_SEQ_CST);
  ::syscall(SYS_futex, &words[0], FUTEX_WAKE, 1, nullptr, nullptr, 0);
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

// A reader that stays after the creator closed (a channel's subscriber
// reading what a publisher that left had published) keeps its memory.
TYPED_TEST(SharedMemoryConformanceTest, AnOpenersBytesOutliveTheCreator) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> creator = TypeParam::Create(*name, 4096);
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<TypeParam> opener = TypeParam::OpenExisting(*name, 4096);
  ASSERT_TRUE(opener.ok()) << opener.status();
  std::memcpy(creator->mutable_bytes().data() + 4000, "last", 5);
  ASSERT_TRUE(creator->Close().ok());
  EXPECT_FALSE(this->Exists(*name));
  EXPECT_STREQ(opener->bytes().data() + 4000, "last");
  opener->mutable_bytes()[0] = 'w';  // still writable, no fault
  EXPECT_EQ(opener->bytes()[0], 'w');
}

TYPED_TEST(SharedMemoryConformanceTest, StatusesNameTheObject) {
  typename TestFixture::Name name;
  absl::StatusOr<TypeParam> missing = TypeParam::OpenExisting(*name, 64);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr(Mention<TypeParam>(*name)));
}

// POSIX only: a descriptor of the mapped object, which lib/channel takes
// its liveness locks on (System V segments have none; a named channel is
// therefore always a POSIX object, see lib/channel/README.md).

struct flock OneByte(short type) {  // NOLINT(runtime/int)
  struct flock fl;
  std::memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 1;
  return fl;
}

TEST(PosixSharedMemoryDescriptorTest, IsTheMappedObject) {
  ScopedName<posix::SharedMemory> name;
  absl::StatusOr<posix::SharedMemory> shm =
      posix::SharedMemory::Create(*name, 4096);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<Fd> fd = shm->OpenDescriptor();
  ASSERT_TRUE(fd.ok()) << fd.status();
  struct stat st;
  ASSERT_EQ(::fstat(fd->get(), &st), 0);
  EXPECT_EQ(st.st_size, 4096);
  ASSERT_EQ(::pwrite(fd->get(), "via fd", 7, 100), 7);
  EXPECT_STREQ(shm->bytes().data() + 100, "via fd");
  // Close-on-exec, as every ipcbox descriptor.
  EXPECT_NE(::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(PosixSharedMemoryDescriptorTest, EachHasItsOwnLocks) {
  ScopedName<posix::SharedMemory> name;
  absl::StatusOr<posix::SharedMemory> shm =
      posix::SharedMemory::Create(*name, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  absl::StatusOr<Fd> first = shm->OpenDescriptor();
  absl::StatusOr<Fd> second = shm->OpenDescriptor();
  ASSERT_TRUE(first.ok() && second.ok());
  struct flock lock = OneByte(F_WRLCK);
  ASSERT_EQ(::fcntl(first->get(), F_OFD_SETLK, &lock), 0);
  // Another open file description: the lock is not its own.
  lock = OneByte(F_WRLCK);
  EXPECT_EQ(::fcntl(second->get(), F_OFD_SETLK, &lock), -1);
  struct flock probe = OneByte(F_WRLCK);
  ASSERT_EQ(::fcntl(second->get(), F_OFD_GETLK, &probe), 0);
  EXPECT_EQ(probe.l_type, F_WRLCK);
  // Closing the holder (the mapping made by shm is another description)
  // frees it.
  first->reset();
  lock = OneByte(F_WRLCK);
  EXPECT_EQ(::fcntl(second->get(), F_OFD_SETLK, &lock), 0);
}

TEST(PosixSharedMemoryDescriptorTest, RefusesANameThatNowNamesAnotherObject) {
  ScopedName<posix::SharedMemory> name;
  absl::StatusOr<posix::SharedMemory> shm =
      posix::SharedMemory::Create(*name, 64);
  ASSERT_TRUE(shm.ok()) << shm.status();
  ASSERT_TRUE(shm->Remove().ok());
  absl::StatusOr<Fd> gone = shm->OpenDescriptor();
  EXPECT_TRUE(absl::IsNotFound(gone.status())) << gone.status();
  absl::StatusOr<posix::SharedMemory> other =
      posix::SharedMemory::Create(*name, 64);
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<Fd> replaced = shm->OpenDescriptor();
  EXPECT_TRUE(absl::IsFailedPrecondition(replaced.status()))
      << replaced.status();
}

}  // namespace
}  // namespace ipcbox::testing
