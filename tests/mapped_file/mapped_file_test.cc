// MappedFile: mapping regular files read-only and read-write, msync, size
// and type checks, O_NOFOLLOW, creation with reserved space, and processes
// sharing a file's pages.

#include "ipcbox/mapped_file/mapped_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
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
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/mapped_file/mapping.h"
#include "tests/support/child_process.h"
#include "tests/support/privileges.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;
using ::ipcbox::testing::KilledBy;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr absl::Duration kChildTimeout = absl::Seconds(60);

MappedFileOptions Options(OpenMode open_mode) {
  MappedFileOptions options;
  options.open_mode = open_mode;
  return options;
}

// A unique path, unlinked (with whatever is there) when the guard goes.
class ScopedPath {
 public:
  explicit ScopedPath(std::string path) : path_(std::move(path)) {}
  ScopedPath() : ScopedPath(UniqueTempPath("mapped_file")) {}
  ~ScopedPath() { ::unlink(path_.c_str()); }
  ScopedPath(const ScopedPath&) = delete;
  ScopedPath& operator=(const ScopedPath&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(::write(fd, contents.data(), contents.size()),
            static_cast<ssize_t>(contents.size()));
  ::close(fd);
}

std::string ReadFile(const std::string& path) {
  std::string contents;
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return contents;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0)
    contents.append(buffer, n);
  ::close(fd);
  return contents;
}

struct stat StatPath(const std::string& path) {
  struct stat st = {};
  ::stat(path.c_str(), &st);
  return st;
}

// Messages quote paths cut to a bounded length, and Bazel's $TEST_TMPDIR
// alone can exceed it: tests that look for the path in a message use this.
std::string ShortTempPath(absl::string_view prefix) {
  return absl::StrCat("/tmp", UniqueName(prefix));
}

std::string AsString(absl::Span<const char> bytes) {
  return std::string(bytes.data(), bytes.size());
}

TEST(MappedFileTest, OpenMapsTheWholeFileReadOnly) {
  ScopedPath file;
  WriteFile(file.path(), "Now is the winter of our discontent\n");
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(file.path(), MemoryAccess::kReadOnly);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->path(), file.path());
  EXPECT_EQ(mapped->size(), 36u);
  EXPECT_EQ(AsString(mapped->bytes()), "Now is the winter of our discontent\n");
  EXPECT_FALSE(mapped->writable());
  EXPECT_TRUE(mapped->mutable_bytes().empty());
}

TEST(MappedFileTest, WritesReachTheFileAndSyncFlushesThem) {
  ScopedPath file;
  WriteFile(file.path(), "aaaaaaaa");
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(file.path(), MemoryAccess::kReadWrite);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  ASSERT_TRUE(mapped->writable());
  std::memcpy(mapped->mutable_bytes().data(), "bb", 2);
  EXPECT_TRUE(mapped->Sync(SyncMode::kSync).ok());
  EXPECT_EQ(ReadFile(file.path()), "bbaaaaaa");
  mapped->mutable_bytes()[7] = 'c';
  EXPECT_TRUE(mapped->Sync(SyncMode::kAsync).ok());
  ASSERT_TRUE(mapped->Close().ok());
  EXPECT_EQ(ReadFile(file.path()), "bbaaaaac");
  EXPECT_EQ(mapped->size(), 0u);
  EXPECT_TRUE(absl::IsFailedPrecondition(mapped->Sync()));
}

TEST(MappedFileTest, AnEmptyFileIsAClearError) {
  ScopedPath file(ShortTempPath("mf_empty"));
  WriteFile(file.path(), "");
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(file.path(), MemoryAccess::kReadOnly);
  EXPECT_TRUE(absl::IsFailedPrecondition(mapped.status())) << mapped.status();
  EXPECT_THAT(mapped.status().message(),
              AllOf(HasSubstr(file.path()), HasSubstr("empty")));
}

TEST(MappedFileTest, AMissingFileIsNotFound) {
  ScopedPath file(ShortTempPath("mf_missing"));
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(file.path(), MemoryAccess::kReadOnly);
  EXPECT_TRUE(absl::IsNotFound(mapped.status())) << mapped.status();
  EXPECT_THAT(mapped.status().message(), HasSubstr(file.path()));
}

TEST(MappedFileTest, ASymbolicLinkIsNotFollowed) {
  ScopedPath target;
  ScopedPath link(UniqueTempPath("mapped_file_link"));
  WriteFile(target.path(), "secret");
  ASSERT_EQ(::symlink(target.path().c_str(), link.path().c_str()), 0);
  for (MemoryAccess access :
       {MemoryAccess::kReadOnly, MemoryAccess::kReadWrite}) {
    absl::StatusOr<MappedFile> mapped =
        MappedFile::OpenExisting(link.path(), access);
    EXPECT_TRUE(absl::IsFailedPrecondition(mapped.status())) << mapped.status();
    EXPECT_THAT(mapped.status().message(), HasSubstr("symbolic link"));
  }
  absl::StatusOr<MappedFile> created =
      MappedFile::Open(link.path(), 64, Options(OpenMode::kOpenOrCreate));
  EXPECT_FALSE(created.ok());
  EXPECT_EQ(ReadFile(target.path()), "secret");
}

TEST(MappedFileTest, ADirectoryIsNotARegularFile) {
  const std::string dir = UniqueTempPath("mapped_file_dir");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(dir, MemoryAccess::kReadOnly);
  ::rmdir(dir.c_str());
  EXPECT_TRUE(absl::IsFailedPrecondition(mapped.status())) << mapped.status();
  EXPECT_THAT(mapped.status().message(), HasSubstr("not a regular file"));
}

TEST(MappedFileTest, ALengthLargerThanTheFileIsAFailedPrecondition) {
  ScopedPath file;
  WriteFile(file.path(), std::string(100, 'x'));
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(file.path(), 4096, MemoryAccess::kReadOnly);
  EXPECT_TRUE(absl::IsFailedPrecondition(mapped.status())) << mapped.status();
  EXPECT_THAT(mapped.status().message(),
              AllOf(HasSubstr("holds 100 bytes"), HasSubstr("4096")));
  absl::StatusOr<MappedFile> zero =
      MappedFile::OpenExisting(file.path(), 0, MemoryAccess::kReadOnly);
  EXPECT_TRUE(absl::IsInvalidArgument(zero.status())) << zero.status();
  absl::StatusOr<MappedFile> prefix =
      MappedFile::OpenExisting(file.path(), 10, MemoryAccess::kReadOnly);
  ASSERT_TRUE(prefix.ok()) << prefix.status();
  EXPECT_EQ(prefix->size(), 10u);
}

// Root's CAP_DAC_OVERRIDE would open the 0400 file anyway, so the check runs
// in a child that has given that capability up.
TEST(MappedFileTest, OpeningReadWriteWithoutWritePermissionIsDenied) {
  ScopedPath file;
  WriteFile(file.path(), "read only");
  ASSERT_EQ(::chmod(file.path().c_str(), 0400), 0);
  constexpr int kCannotDropPrivileges = 77;
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    if (!testing::DropFileAccessOverride()) return kCannotDropPrivileges;
    absl::StatusOr<MappedFile> rw =
        MappedFile::OpenExisting(file.path(), MemoryAccess::kReadWrite);
    EXPECT_TRUE(absl::IsPermissionDenied(rw.status())) << rw.status();
    EXPECT_TRUE(
        MappedFile::OpenExisting(file.path(), MemoryAccess::kReadOnly).ok());
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  const testing::ExitResult result = child->Wait(kChildTimeout);
  if (result.exited_with(kCannotDropPrivileges)) {
    GTEST_SKIP() << "capset() refused to drop CAP_DAC_OVERRIDE";
  }
  EXPECT_TRUE(ExitedWith(result, 0));
}

TEST(MappedFileTest, CreateMakesAZeroedFileWithExactPermissions) {
  ScopedPath file;
  const mode_t old_umask = ::umask(077);
  absl::StatusOr<MappedFile> mapped =
      MappedFile::Create(file.path(), 5000, *Permissions::FromMode(0640));
  ::umask(old_umask);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->size(), 5000u);
  EXPECT_TRUE(mapped->writable());
  for (char c : mapped->bytes()) ASSERT_EQ(c, '\0');
  const struct stat st = StatPath(file.path());
  EXPECT_EQ(st.st_size, 5000);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  // posix_fallocate reserved the blocks (512-byte units).
  EXPECT_GE(static_cast<int64_t>(st.st_blocks) * 512, 5000);
  mapped->mutable_bytes()[4999] = 'e';
  ASSERT_TRUE(mapped->Close().ok());
  EXPECT_EQ(ReadFile(file.path()).back(), 'e');  // the file stays
}

TEST(MappedFileTest, CreateModes) {
  ScopedPath file;
  WriteFile(file.path(), "old");
  EXPECT_TRUE(
      absl::IsAlreadyExists(MappedFile::Create(file.path(), 64).status()));
  // Open-or-create grows a smaller file, keeping its contents...
  absl::StatusOr<MappedFile> grown =
      MappedFile::Open(file.path(), 64, Options(OpenMode::kOpenOrCreate));
  ASSERT_TRUE(grown.ok()) << grown.status();
  EXPECT_EQ(AsString(grown->bytes()).substr(0, 3), "old");
  EXPECT_EQ(StatPath(file.path()).st_size, 64);
  // ...and never shrinks a larger one.
  absl::StatusOr<MappedFile> smaller =
      MappedFile::Open(file.path(), 8, Options(OpenMode::kOpenOrCreate));
  ASSERT_TRUE(smaller.ok()) << smaller.status();
  EXPECT_EQ(smaller->size(), 8u);
  EXPECT_EQ(StatPath(file.path()).st_size, 64);
  // Purge-and-create starts over.
  absl::StatusOr<MappedFile> fresh =
      MappedFile::Open(file.path(), 16, Options(OpenMode::kPurgeAndCreate));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(AsString(fresh->bytes()), std::string(16, '\0'));
  EXPECT_EQ(AsString(grown->bytes()).substr(0, 3), "old");  // the old inode
  // Open-existing needs the file.
  ScopedPath missing;
  EXPECT_TRUE(absl::IsNotFound(
      MappedFile::Open(missing.path(), 16, Options(OpenMode::kOpenExisting))
          .status()));
  // ...and never grows it: an opener maps what the creator made.
  absl::StatusOr<MappedFile> larger =
      MappedFile::Open(file.path(), 64, Options(OpenMode::kOpenExisting));
  EXPECT_TRUE(absl::IsFailedPrecondition(larger.status())) << larger.status();
  EXPECT_EQ(StatPath(file.path()).st_size, 16);
}

TEST(MappedFileTest, TheDefaultOpenModeCreatesExclusively) {
  ScopedPath file;
  ASSERT_TRUE(MappedFile::Open(file.path(), 64).ok());
  EXPECT_TRUE(
      absl::IsAlreadyExists(MappedFile::Open(file.path(), 64).status()));
}

TEST(MappedFileTest, ACreatingModeNeedsReadWriteAccess) {
  ScopedPath file;
  MappedFileOptions options = Options(OpenMode::kOpenOrCreate);
  options.access = MemoryAccess::kReadOnly;
  absl::StatusOr<MappedFile> mapped =
      MappedFile::Open(file.path(), 64, options);
  EXPECT_TRUE(absl::IsInvalidArgument(mapped.status())) << mapped.status();
  EXPECT_NE(::access(file.path().c_str(), F_OK), 0);
}

TEST(MappedFileTest, CreateOfSizeZeroIsRefusedAndLeavesNothing) {
  ScopedPath file;
  absl::StatusOr<MappedFile> mapped = MappedFile::Create(file.path(), 0);
  EXPECT_TRUE(absl::IsInvalidArgument(mapped.status())) << mapped.status();
  EXPECT_NE(::access(file.path().c_str(), F_OK), 0);
}

// A file in /dev/shm (tmpfs) larger than the file system: ResourceExhausted
// at creation, and no file left.
TEST(MappedFileTest, CreateBeyondTheFileSystemsSpaceIsResourceExhausted) {
  struct statvfs fs;
  ASSERT_EQ(::statvfs("/dev/shm", &fs), 0);
  const uint64_t capacity = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  const uint64_t wanted = capacity + (uint64_t{1} << 20);
  if (capacity == 0) GTEST_SKIP() << "/dev/shm has no size limit";
  if (wanted > std::min<uint64_t>(std::numeric_limits<size_t>::max(),
                                  std::numeric_limits<off_t>::max())) {
    GTEST_SKIP() << "/dev/shm holds " << capacity << " bytes, more than a "
                 << sizeof(void*) * 8 << "-bit process can ask for";
  }
  ScopedPath file(absl::StrCat("/dev/shm", UniqueName("mapped_file_full")));
  absl::StatusOr<MappedFile> mapped =
      MappedFile::Create(file.path(), static_cast<size_t>(wanted));
  EXPECT_TRUE(absl::IsResourceExhausted(mapped.status())) << mapped.status();
  EXPECT_THAT(mapped.status().message(), HasSubstr("not enough space"));
  EXPECT_NE(::access(file.path().c_str(), F_OK), 0);
}

TEST(MappedFileTest, WritingThroughAReadOnlyMappingFaults) {
  ScopedPath file;
  WriteFile(file.path(), "constant");
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(file.path(), MemoryAccess::kReadOnly);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    ::signal(SIGSEGV, SIG_DFL);
    volatile char* p = const_cast<char*>(mapped->bytes().data());
    p[0] = 'C';
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGSEGV));
  EXPECT_EQ(ReadFile(file.path()), "constant");
}

// The caveat the header documents: a file truncated under a mapping raises
// SIGBUS on access past the new end. Nothing can prevent it; this shows why
// peers must agree never to shrink a shared file.
TEST(MappedFileTest, TruncatingUnderAMappingRaisesSigbus) {
  ScopedPath file;
  WriteFile(file.path(), std::string(8192, 'x'));
  absl::StatusOr<MappedFile> mapped =
      MappedFile::OpenExisting(file.path(), MemoryAccess::kReadOnly);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    ::signal(SIGBUS, SIG_DFL);
    if (::truncate(file.path().c_str(), 0) != 0) return 2;
    volatile const char* p = mapped->bytes().data();
    return static_cast<int>(p[5000]);
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(KilledBy(child->Wait(kChildTimeout), SIGBUS));
}

TEST(MappedFileTest, AChildWritesAndTheParentSeesItWithoutSync) {
  ScopedPath file;
  absl::StatusOr<MappedFile> parent = MappedFile::Create(file.path(), 4096);
  ASSERT_TRUE(parent.ok()) << parent.status();
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    // Its own mapping of the file, not the inherited one.
    absl::StatusOr<MappedFile> mine =
        MappedFile::OpenExisting(file.path(), MemoryAccess::kReadWrite);
    if (!mine.ok()) return 2;
    std::memcpy(mine->mutable_bytes().data(), "from the child", 15);
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
  EXPECT_STREQ(parent->bytes().data(), "from the child");
}

TEST(MappedFileTest, TheParentWritesAndAChildReads) {
  ScopedPath file;
  absl::StatusOr<MappedFile> parent = MappedFile::Create(file.path(), 4096);
  ASSERT_TRUE(parent.ok()) << parent.status();
  std::memcpy(parent->mutable_bytes().data(), "from the parent", 16);
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    absl::StatusOr<MappedFile> mine =
        MappedFile::OpenExisting(file.path(), MemoryAccess::kReadOnly);
    if (!mine.ok()) return 2;
    return std::strcmp(mine->bytes().data(), "from the parent") == 0 ? 0 : 3;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(ExitedWith(child->Wait(kChildTimeout), 0));
}

}  // namespace
}  // namespace ipcbox
