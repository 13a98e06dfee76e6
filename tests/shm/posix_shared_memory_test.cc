// posix::SharedMemory on its own: ownership and removal, permissions, sizing
// and the POSIX-specific bad inputs. The behaviour both backends share is in
// conformance_test.cc.

#include "ipcbox/shm/posix_shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/memory_access.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/shm/shared_memory_options.h"
#include "tests/shm/posix_test_util.h"

namespace ipcbox::posix {
namespace {

using ::ipcbox::testing::ScopedShmName;
using ::ipcbox::testing::ShmObjectExists;
using ::testing::AllOf;
using ::testing::HasSubstr;

mode_t ObjectMode(const PosixName& name) {
  const int fd = ::shm_open(name.c_str(), O_RDONLY, 0);
  if (fd < 0) return static_cast<mode_t>(-1);
  struct stat st;
  const int r = ::fstat(fd, &st);
  ::close(fd);
  return r == 0 ? (st.st_mode & 07777) : static_cast<mode_t>(-1);
}

SharedMemoryOptions WithMode(OpenMode mode) {
  SharedMemoryOptions options;
  options.open_mode = mode;
  return options;
}

TEST(PosixSharedMemoryTest, CreateMapsZeroedBytesOfTheAskedSize) {
  ScopedShmName name;
  absl::StatusOr<SharedMemory> shm = SharedMemory::Create(*name, 512);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_EQ(shm->size(), 512u);
  EXPECT_EQ(shm->bytes().size(), 512u);
  EXPECT_EQ(shm->mutable_bytes().size(), 512u);
  EXPECT_TRUE(shm->writable());
  EXPECT_TRUE(shm->owner());
  EXPECT_EQ(shm->name(), *name);
  for (char c : shm->bytes()) ASSERT_EQ(c, '\0');
}

TEST(PosixSharedMemoryTest, DefaultPermissionsAreOwnerOnlyWhateverTheUmask) {
  ScopedShmName name;
  const mode_t old_umask = ::umask(0);  // would let 0666 through unchanged
  absl::StatusOr<SharedMemory> shm = SharedMemory::Create(*name, 64);
  ::umask(old_umask);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_EQ(ObjectMode(*name), 0600u);
}

TEST(PosixSharedMemoryTest, AskedPermissionsApplyExactlyDespiteTheUmask) {
  ScopedShmName name;
  const mode_t old_umask = ::umask(077);  // would narrow 0644 to 0600
  absl::StatusOr<SharedMemory> shm =
      SharedMemory::Create(*name, 512, *Permissions::FromMode(0644));
  ::umask(old_umask);
  ASSERT_TRUE(shm.ok()) << shm.status();
  EXPECT_EQ(ObjectMode(*name), 0644u);
}

TEST(PosixSharedMemoryTest, AnOpenerRemovesTheNameWhenAsked) {
  ScopedShmName name;
  absl::StatusOr<SharedMemory> creator = SharedMemory::Create(*name, 64);
  ASSERT_TRUE(creator.ok()) << creator.status();
  absl::StatusOr<SharedMemory> opener = SharedMemory::OpenExisting(*name, 64);
  ASSERT_TRUE(opener.ok()) << opener.status();
  EXPECT_TRUE(opener->Remove().ok());
  EXPECT_FALSE(ShmObjectExists(*name));
  // Both mappings stay usable after the name is gone.
  opener->mutable_bytes()[0] = 'x';
  EXPECT_EQ(creator->bytes()[0], 'x');
  // The creator finds its name already removed.
  EXPECT_TRUE(absl::IsNotFound(creator->Close()));
}

TEST(PosixSharedMemoryTest, DisownKeepsTheObjectForSomeoneElse) {
  ScopedShmName name;
  {
    absl::StatusOr<SharedMemory> shm = SharedMemory::Create(*name, 64);
    ASSERT_TRUE(shm.ok()) << shm.status();
    shm->mutable_bytes()[0] = 'k';
    shm->Disown();
    EXPECT_FALSE(shm->owner());
  }
  ASSERT_TRUE(ShmObjectExists(*name));
  absl::StatusOr<SharedMemory> later = SharedMemory::OpenExisting(*name, 64);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->bytes()[0], 'k');
  EXPECT_TRUE(SharedMemory::Remove(*name).ok());
  EXPECT_FALSE(ShmObjectExists(*name));
}

TEST(PosixSharedMemoryTest, ANewerObjectUnderTheSameNameIsLeftAlone) {
  ScopedShmName name;
  absl::StatusOr<SharedMemory> first = SharedMemory::Create(*name, 64);
  ASSERT_TRUE(first.ok()) << first.status();
  // Someone removes our object and makes another under the same name.
  ASSERT_TRUE(SharedMemory::Remove(*name).ok());
  absl::StatusOr<SharedMemory> second = SharedMemory::Create(*name, 64);
  ASSERT_TRUE(second.ok()) << second.status();
  absl::Status closed = first->Close();
  EXPECT_TRUE(absl::IsFailedPrecondition(closed)) << closed;
  EXPECT_THAT(closed.message(), HasSubstr("another object"));
  EXPECT_TRUE(ShmObjectExists(*name));
}

TEST(PosixSharedMemoryTest, StaticRemoveOfAMissingNameIsNotFound) {
  ScopedShmName name;
  absl::Status removed = SharedMemory::Remove(*name);
  EXPECT_TRUE(absl::IsNotFound(removed)) << removed;
  EXPECT_THAT(removed.message(), HasSubstr(std::string(name->view())));
}

TEST(PosixSharedMemoryTest, OpenOrCreateGrowsASmallerObjectAndDoesNotOwnIt) {
  ScopedShmName name;
  absl::StatusOr<SharedMemory> first = SharedMemory::Create(*name, 100);
  ASSERT_TRUE(first.ok()) << first.status();
  first->mutable_bytes()[0] = 'a';
  absl::StatusOr<SharedMemory> second =
      SharedMemory::Open(*name, 8192, WithMode(OpenMode::kOpenOrCreate));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->owner());
  EXPECT_EQ(second->size(), 8192u);
  EXPECT_EQ(second->bytes()[0], 'a');
  second->mutable_bytes()[8191] = 'z';  // space reserved: no SIGBUS
  // Now large enough for a plain opener too.
  EXPECT_TRUE(SharedMemory::OpenExisting(*name, 8192).ok());
}

TEST(PosixSharedMemoryTest, OpenOrCreateOwnsWhatItCreates) {
  ScopedShmName name;
  {
    absl::StatusOr<SharedMemory> shm =
        SharedMemory::Open(*name, 64, WithMode(OpenMode::kOpenOrCreate));
    ASSERT_TRUE(shm.ok()) << shm.status();
    EXPECT_TRUE(shm->owner());
  }
  EXPECT_FALSE(ShmObjectExists(*name));
}

TEST(PosixSharedMemoryTest, CreatingWithReadOnlyAccessIsRefused) {
  ScopedShmName name;
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  options.access = MemoryAccess::kReadOnly;
  absl::StatusOr<SharedMemory> shm = SharedMemory::Open(*name, 64, options);
  EXPECT_TRUE(absl::IsInvalidArgument(shm.status())) << shm.status();
  EXPECT_THAT(shm.status().message(), HasSubstr("read-write"));
  EXPECT_FALSE(ShmObjectExists(*name));
}

TEST(PosixSharedMemoryTest, InvalidNamesNeverReachShmOpen) {
  // The API takes a PosixName, so a bad name is stopped when it is made.
  for (absl::string_view bad : {"noslash", "/a/b", "/", "//x", "/.."}) {
    absl::StatusOr<PosixName> name = PosixName::Create(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(name.status())) << bad;
  }
  absl::StatusOr<PosixName> too_long =
      PosixName::Create(absl::StrCat("/", std::string(NAME_MAX + 1, 'n')));
  EXPECT_TRUE(absl::IsInvalidArgument(too_long.status()));
}

TEST(PosixSharedMemoryTest, SizeLargerThanAFileCanBeIsRefused) {
  ScopedShmName name;
  absl::StatusOr<SharedMemory> shm =
      SharedMemory::Create(*name, std::numeric_limits<size_t>::max());
  EXPECT_TRUE(absl::IsInvalidArgument(shm.status())) << shm.status();
  EXPECT_THAT(shm.status().message(), HasSubstr("largest file size"));
  EXPECT_FALSE(ShmObjectExists(*name));
}

// Asks for more than the whole /dev/shm tmpfs holds. The kernel checks the
// request against the file system's size before allocating anything, so the
// test costs nothing; with ftruncate instead of posix_fallocate the same
// request would succeed and the first write past the space would SIGBUS.
TEST(PosixSharedMemoryTest, MoreThanDevShmHoldsIsResourceExhausted) {
  struct statvfs fs;
  ASSERT_EQ(::statvfs("/dev/shm", &fs), 0) << std::strerror(errno);
  const uint64_t capacity = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  if (capacity == 0) GTEST_SKIP() << "/dev/shm has no size limit";
  const uint64_t wanted = capacity + (uint64_t{1} << 20);
  const uint64_t largest = std::min<uint64_t>(
      std::numeric_limits<size_t>::max(), std::numeric_limits<off_t>::max());
  if (wanted > largest) {
    GTEST_SKIP() << "/dev/shm holds " << capacity << " bytes, more than a "
                 << sizeof(void*) * 8 << "-bit process can ask for (" << largest
                 << "); SizeLargerThanAFileCanBeIsRefused covers "
                 << "the limit here";
  }
  ScopedShmName name;
  absl::StatusOr<SharedMemory> shm =
      SharedMemory::Create(*name, static_cast<size_t>(wanted));
  EXPECT_TRUE(absl::IsResourceExhausted(shm.status())) << shm.status();
  EXPECT_THAT(shm.status().message(),
              AllOf(HasSubstr("/dev/shm"), HasSubstr(absl::StrCat(wanted))));
  EXPECT_FALSE(ShmObjectExists(*name));
}

TEST(PosixSharedMemoryTest, TheSeedsValuesWork) {
  // memwriter: "/shMemEx", 512 bytes, 0644, O_RDWR | O_CREAT. A unique name
  // stands in for "/shMemEx" so that a real memwriter is not disturbed.
  ScopedShmName name("shMemEx");
  SharedMemoryOptions options;
  options.open_mode = OpenMode::kOpenOrCreate;
  options.permissions = *Permissions::FromMode(0644);
  absl::StatusOr<SharedMemory> writer = SharedMemory::Open(*name, 512, options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_EQ(ObjectMode(*name), 0644u);
  constexpr char kContents[] = "This is the way the world ends...\n";
  std::memcpy(writer->mutable_bytes().data(), kContents, sizeof(kContents));
  absl::StatusOr<SharedMemory> reader =
      SharedMemory::OpenExisting(*name, 512, MemoryAccess::kReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_STREQ(reader->bytes().data(), kContents);
}

TEST(PosixSharedMemoryTest, SeedNameIsAValidPosixName) {
  EXPECT_TRUE(PosixName::Create("/shMemEx").ok());
}

}  // namespace
}  // namespace ipcbox::posix
