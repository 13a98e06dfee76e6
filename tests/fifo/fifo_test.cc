// Fifo, the file-system object: creation in every OpenMode, exact
// permissions whatever the umask, refusal of regular files and symbolic
// links (never followed, never removed), bad paths, and removal only by the
// creator and only of the FIFO it created.

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/fifo/fifo.h"
#include "tests/fifo/fifo_test_util.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::LstatMode;
using ::ipcbox::testing::NothingAt;
using ::ipcbox::testing::ReadFile;
using ::ipcbox::testing::ScopedPath;
using ::ipcbox::testing::ScopedUmask;
using ::ipcbox::testing::WriteFile;
using ::testing::HasSubstr;

Permissions Mode(mode_t mode) { return *Permissions::FromMode(mode); }

FifoOptions Options(OpenMode open_mode, mode_t mode = 0600) {
  FifoOptions options;
  options.open_mode = open_mode;
  options.permissions = Mode(mode);
  return options;
}

TEST(FifoTest, CreatesAFifoWithOwnerOnlyPermissionsByDefault) {
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  EXPECT_TRUE(fifo->created());
  EXPECT_EQ(fifo->path(), path.path());
  EXPECT_EQ(LstatMode(path.path()), S_IFIFO | 0600);
}

TEST(FifoTest, DestructorRemovesTheFifoItCreated) {
  ScopedPath path("fifo_test");
  {
    absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
    ASSERT_TRUE(fifo.ok()) << fifo.status();
    ASSERT_TRUE(S_ISFIFO(LstatMode(path.path())));
  }
  EXPECT_TRUE(NothingAt(path.path()));
}

// mkfifo's mode goes through the umask; the FIFO must get the exact mode
// anyway, in both directions (bits the umask removes are added back; the
// requested mode is never widened).
class FifoPermissionsTest
    : public ::testing::TestWithParam<std::pair<mode_t, mode_t>> {};

TEST_P(FifoPermissionsTest, ModeIsExactWhateverTheUmask) {
  const auto [umask_bits, mode] = GetParam();
  ScopedUmask umask(umask_bits);
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path(), Mode(mode));
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  EXPECT_EQ(LstatMode(path.path()), S_IFIFO | mode)
      << std::oct << "umask " << umask_bits << ", asked " << mode;
}

INSTANTIATE_TEST_SUITE_P(
    UmaskAndMode, FifoPermissionsTest,
    ::testing::Values(std::make_pair(mode_t{022}, mode_t{0666}),  // fifoWriter
                      std::make_pair(mode_t{022}, mode_t{0664}),  // chat server
                      std::make_pair(mode_t{077}, mode_t{0660}),
                      std::make_pair(mode_t{0}, mode_t{0600}),
                      std::make_pair(mode_t{0}, mode_t{0777}),
                      std::make_pair(mode_t{0777}, mode_t{0640})));

TEST(FifoTest, CreateExclusiveRefusesAnExistingFifo) {
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> first = Fifo::Create(path.path());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<Fifo> second = Fifo::Create(path.path());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists)
      << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("mkfifo"));
}

TEST(FifoTest, TheDefaultOpenModeCreatesExclusively) {
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> first = Fifo::Open(path.path());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created());
  EXPECT_EQ(Fifo::Open(path.path()).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(FifoTest, OpenOrCreateUsesAnExistingFifoWithoutTakingItOver) {
  ScopedPath path("fifo_test");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  {
    absl::StatusOr<Fifo> fifo =
        Fifo::Open(path.path(), Options(OpenMode::kOpenOrCreate, 0666));
    ASSERT_TRUE(fifo.ok()) << fifo.status();
    EXPECT_FALSE(fifo->created());
  }
  // Neither its mode changed nor was it removed: it is not this Fifo's.
  EXPECT_EQ(LstatMode(path.path()), S_IFIFO | 0640);
}

TEST(FifoTest, OpenOrCreateCreatesWhenNothingIsThere) {
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> fifo =
      Fifo::Open(path.path(), Options(OpenMode::kOpenOrCreate, 0666));
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  EXPECT_TRUE(fifo->created());
  EXPECT_EQ(LstatMode(path.path()), S_IFIFO | 0666);
}

TEST(FifoTest, OpenExistingNeedsAFifo) {
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> missing = Fifo::OpenExisting(path.path());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound)
      << missing.status();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  {
    absl::StatusOr<Fifo> fifo = Fifo::OpenExisting(path.path());
    ASSERT_TRUE(fifo.ok()) << fifo.status();
    EXPECT_FALSE(fifo->created());
  }
  EXPECT_TRUE(S_ISFIFO(LstatMode(path.path())));
}

TEST(FifoTest, PurgeAndCreateReplacesAStaleFifo) {
  ScopedPath path("fifo_test");
  ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
  struct stat before;
  ASSERT_EQ(::lstat(path.c_str(), &before), 0);
  absl::StatusOr<Fifo> fifo =
      Fifo::Open(path.path(), Options(OpenMode::kPurgeAndCreate));
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  EXPECT_TRUE(fifo->created());
  struct stat after;
  ASSERT_EQ(::lstat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_mode, S_IFIFO | 0600);
  // Not the stale one (the old inode number may be reused at once, so the
  // mode is the telling difference; the inode check is a bonus).
  EXPECT_NE(before.st_mode, after.st_mode);
}

// A regular file where the FIFO should be: an error in every mode, and the
// file is neither changed nor removed.
class RegularFileAtPathTest : public ::testing::TestWithParam<OpenMode> {};

TEST_P(RegularFileAtPathTest, IsAnErrorAndTheFileIsUntouched) {
  ScopedPath path("fifo_test");
  WriteFile(path.path(), "precious data\n");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  absl::StatusOr<Fifo> fifo =
      Fifo::Open(path.path(), Options(GetParam(), 0666));
  ASSERT_FALSE(fifo.ok());
  if (GetParam() == OpenMode::kCreateExclusive) {
    EXPECT_EQ(fifo.status().code(), absl::StatusCode::kAlreadyExists);
  } else {
    EXPECT_EQ(fifo.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(fifo.status().message(),
                HasSubstr("is a regular file, not a FIFO"));
  }
  EXPECT_EQ(LstatMode(path.path()), S_IFREG | 0640);
  EXPECT_EQ(ReadFile(path.path()), "precious data\n");
}

INSTANTIATE_TEST_SUITE_P(AllModes, RegularFileAtPathTest,
                         ::testing::Values(OpenMode::kCreateExclusive,
                                           OpenMode::kOpenOrCreate,
                                           OpenMode::kOpenExisting,
                                           OpenMode::kPurgeAndCreate));

// A symbolic link at the path is never followed, whether it points to a
// regular file, to a FIFO or nowhere, and neither it nor its target changes.
class SymlinkAtPathTest : public ::testing::TestWithParam<OpenMode> {};

TEST_P(SymlinkAtPathTest, IsAnErrorAndNeitherLinkNorTargetChanges) {
  ScopedPath target("fifo_test_target");
  ScopedPath fifo_target("fifo_test_fifo_target");
  ScopedPath dangling("fifo_test_nothing");
  WriteFile(target.path(), "precious data\n");
  ASSERT_EQ(::chmod(target.c_str(), 0640), 0);
  ASSERT_EQ(::mkfifo(fifo_target.c_str(), 0640), 0);

  for (const ScopedPath* to : {&target, &fifo_target, &dangling}) {
    ScopedPath link("fifo_test_link");
    ASSERT_EQ(::symlink(to->c_str(), link.c_str()), 0);
    absl::StatusOr<Fifo> fifo =
        Fifo::Open(link.path(), Options(GetParam(), 0666));
    ASSERT_FALSE(fifo.ok()) << "link to " << to->path();
    if (GetParam() == OpenMode::kCreateExclusive) {
      EXPECT_EQ(fifo.status().code(), absl::StatusCode::kAlreadyExists);
    } else {
      EXPECT_EQ(fifo.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_THAT(fifo.status().message(),
                  HasSubstr("is a symbolic link (not followed), not a FIFO"));
    }
    EXPECT_TRUE(S_ISLNK(LstatMode(link.path())));
  }
  EXPECT_EQ(LstatMode(target.path()), S_IFREG | 0640);
  EXPECT_EQ(ReadFile(target.path()), "precious data\n");
  EXPECT_EQ(LstatMode(fifo_target.path()), S_IFIFO | 0640);
  EXPECT_TRUE(NothingAt(dangling.path()));  // mkfifo did not create it
}

INSTANTIATE_TEST_SUITE_P(AllModes, SymlinkAtPathTest,
                         ::testing::Values(OpenMode::kCreateExclusive,
                                           OpenMode::kOpenOrCreate,
                                           OpenMode::kOpenExisting,
                                           OpenMode::kPurgeAndCreate));

TEST(FifoTest, BadPathsAreRejectedBeforeAnySystemCall) {
  const std::string too_long(PATH_MAX, 'x');
  const std::string with_nul("/tmp/a\0b", 8);
  for (const std::string& path : {std::string(), too_long, with_nul}) {
    absl::StatusOr<Fifo> fifo = Fifo::Create(path);
    EXPECT_EQ(fifo.status().code(), absl::StatusCode::kInvalidArgument)
        << fifo.status();
    EXPECT_THAT(fifo.status().message(), HasSubstr("FIFO path"));
  }
}

TEST(FifoTest, AComponentLongerThanNameMaxIsTheKernelsError) {
  ScopedPath dir("fifo_test_dir");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  const std::string path = dir.path() + "/" + std::string(NAME_MAX + 1, 'n');
  absl::StatusOr<Fifo> fifo = Fifo::Create(path);
  ASSERT_FALSE(fifo.ok());
  EXPECT_THAT(std::string(fifo.status().message()), HasSubstr("mkfifo"));
  EXPECT_THAT(std::string(fifo.status().message()),
              HasSubstr("File name too long"));
}

TEST(FifoTest, AMissingDirectoryIsNotFound) {
  ScopedPath dir("fifo_test_no_such_dir");
  const std::string path = dir.path() + "/fifo";
  absl::StatusOr<Fifo> fifo = Fifo::Create(path);
  EXPECT_EQ(fifo.status().code(), absl::StatusCode::kNotFound) << fifo.status();
  EXPECT_THAT(fifo.status().message(), HasSubstr("mkfifo"));
  EXPECT_TRUE(NothingAt(dir.path()));
}

TEST(FifoTest, RemoveRemovesEvenAFifoItDidNotCreate) {
  ScopedPath path("fifo_test");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  absl::StatusOr<Fifo> fifo = Fifo::OpenExisting(path.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  EXPECT_TRUE(fifo->Remove().ok());
  EXPECT_TRUE(NothingAt(path.path()));
  EXPECT_TRUE(fifo->path().empty());
  EXPECT_TRUE(fifo->Remove().ok());  // stands for nothing now
}

TEST(FifoTest, RemoveIsOkWhenThePeerRemovedItFirst) {
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  ASSERT_EQ(::unlink(path.c_str()), 0);
  EXPECT_TRUE(fifo->Remove().ok());
}

TEST(FifoTest, NeverRemovesANewerFileAtTheSamePath) {
  ScopedPath path("fifo_test");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  // Another run removes ours and makes its own; keep ours alive under
  // another name so the kernel cannot hand the new one the same inode.
  ScopedPath moved("fifo_test_moved");
  ASSERT_EQ(::rename(path.c_str(), moved.c_str()), 0);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  absl::Status removed = fifo->Remove();
  EXPECT_EQ(removed.code(), absl::StatusCode::kFailedPrecondition) << removed;
  EXPECT_THAT(removed.message(), HasSubstr("not removed"));
  EXPECT_TRUE(S_ISFIFO(LstatMode(path.path())));
}

TEST(FifoTest, ReleaseKeepsTheFifo) {
  ScopedPath path("fifo_test");
  std::string kept;
  {
    absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
    ASSERT_TRUE(fifo.ok()) << fifo.status();
    kept = fifo->Release();
    EXPECT_FALSE(fifo->created());
  }
  EXPECT_EQ(kept, path.path());
  EXPECT_TRUE(S_ISFIFO(LstatMode(path.path())));
}

TEST(FifoTest, MovingTransfersOwnership) {
  ScopedPath path("fifo_test");
  ScopedPath other_path("fifo_test_other");
  absl::StatusOr<Fifo> fifo = Fifo::Create(path.path());
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  Fifo moved = *std::move(fifo);
  EXPECT_TRUE(moved.created());
  EXPECT_TRUE(S_ISFIFO(LstatMode(path.path())));
  { Fifo gone = std::move(moved); }
  EXPECT_TRUE(NothingAt(path.path()));

  // Move-assigning over a Fifo that created one removes that one first.
  absl::StatusOr<Fifo> a = Fifo::Create(path.path());
  absl::StatusOr<Fifo> b = Fifo::Create(other_path.path());
  ASSERT_TRUE(a.ok() && b.ok());
  *a = *std::move(b);
  EXPECT_TRUE(NothingAt(path.path()));
  EXPECT_TRUE(S_ISFIFO(LstatMode(other_path.path())));
}

}  // namespace
}  // namespace ipcbox
