#include "ipcbox/core/open_mode.h"

#include <fcntl.h>

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace ipcbox {
namespace {

constexpr OpenMode kAllModes[] = {
    OpenMode::kCreateExclusive,
    OpenMode::kOpenOrCreate,
    OpenMode::kOpenExisting,
    OpenMode::kPurgeAndCreate,
};

TEST(OpenModeTest, Flags) {
  EXPECT_EQ(OpenModeFlags(OpenMode::kCreateExclusive), O_CREAT | O_EXCL);
  EXPECT_EQ(OpenModeFlags(OpenMode::kOpenOrCreate), O_CREAT);
  EXPECT_EQ(OpenModeFlags(OpenMode::kOpenExisting), 0);
  EXPECT_EQ(OpenModeFlags(OpenMode::kPurgeAndCreate), O_CREAT | O_EXCL);
}

TEST(OpenModeTest, FlagsAreOnlyCreationBits) {
  for (OpenMode mode : kAllModes) {
    EXPECT_EQ(OpenModeFlags(mode) & ~(O_CREAT | O_EXCL), 0)
        << OpenModeName(mode);
  }
}

TEST(OpenModeTest, MayCreate) {
  EXPECT_TRUE(MayCreate(OpenMode::kCreateExclusive));
  EXPECT_TRUE(MayCreate(OpenMode::kOpenOrCreate));
  EXPECT_FALSE(MayCreate(OpenMode::kOpenExisting));
  EXPECT_TRUE(MayCreate(OpenMode::kPurgeAndCreate));
  for (OpenMode mode : kAllModes) {
    EXPECT_EQ(MayCreate(mode), (OpenModeFlags(mode) & O_CREAT) != 0)
        << OpenModeName(mode);
  }
}

TEST(OpenModeTest, RemovesExisting) {
  for (OpenMode mode : kAllModes) {
    EXPECT_EQ(RemovesExisting(mode), mode == OpenMode::kPurgeAndCreate)
        << OpenModeName(mode);
  }
}

TEST(OpenModeTest, NamesAreDistinctAndStable) {
  EXPECT_EQ(OpenModeName(OpenMode::kCreateExclusive), "create-exclusive");
  EXPECT_EQ(OpenModeName(OpenMode::kOpenOrCreate), "open-or-create");
  EXPECT_EQ(OpenModeName(OpenMode::kOpenExisting), "open-existing");
  EXPECT_EQ(OpenModeName(OpenMode::kPurgeAndCreate), "purge-and-create");
  std::set<std::string> names;
  for (OpenMode mode : kAllModes) names.emplace(OpenModeName(mode));
  EXPECT_EQ(names.size(), 4u);
}

TEST(OpenModeTest, UsableAtCompileTime) {
  static_assert(OpenModeFlags(OpenMode::kOpenExisting) == 0);
  static_assert(!MayCreate(OpenMode::kOpenExisting));
  static_assert(OpenModeName(OpenMode::kOpenOrCreate).size() == 14);
}

}  // namespace
}  // namespace ipcbox
