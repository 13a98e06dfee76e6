// sysv_shm_server's and sysv_shm_client's flags: with none given, the
// options are the seed's values (so either program pairs with the seed's C
// server or client, //tests/interop:sysv_shm_test), each flag reaches its
// option, and values the programs cannot use are refused before anything is
// created.

#include "examples/sysv_shm/flags.h"

#include <cstdint>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "examples/sysv_shm/sysv_shm.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(std::string, path);
ABSL_DECLARE_FLAG(int, proj_id);
ABSL_DECLARE_FLAG(uint64_t, size);
ABSL_DECLARE_FLAG(absl::Duration, interval);
ABSL_DECLARE_FLAG(int, rounds);

namespace ipcbox::examples {
namespace {

// The values are spelled out as the article prints them (common.h and the
// two loops), not taken from sysv_shm.h, which could drift with the flags.
TEST(SysvShmFlagsTest, DefaultsAreTheSeeds) {
  absl::StatusOr<SysvShmOptions> options = SysvShmOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->path,
            "/home/ljj/Linux_code/test_2022_2_15/System_V_IPC/shm");  // PATH
  EXPECT_EQ(options->project_id, 3);                                  // PROJ_ID
  EXPECT_EQ(options->size, 4096u);                                    // SIZE
  EXPECT_EQ(options->interval, absl::Seconds(1));  // sleep(1)
  EXPECT_EQ(options->rounds, 10);                  // i < 10, size < 10
  EXPECT_EQ(kSeedMode, 0664);  // shmget(key, SIZE, 0664|...)
}

TEST(SysvShmFlagsTest, EachFlagReachesItsOption) {
  absl::FlagSaver restore_defaults;
  absl::SetFlag(&FLAGS_path, "/tmp");
  absl::SetFlag(&FLAGS_proj_id, 7);
  absl::SetFlag(&FLAGS_size, uint64_t{8192});
  absl::SetFlag(&FLAGS_interval, absl::Milliseconds(200));
  absl::SetFlag(&FLAGS_rounds, 4);
  absl::StatusOr<SysvShmOptions> options = SysvShmOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->path, "/tmp");
  EXPECT_EQ(options->project_id, 7);
  EXPECT_EQ(options->size, 8192u);
  EXPECT_EQ(options->interval, absl::Milliseconds(200));
  EXPECT_EQ(options->rounds, 4);
}

TEST(SysvShmFlagsTest, AnEmptySegmentIsRefused) {
  absl::FlagSaver restore_defaults;
  absl::SetFlag(&FLAGS_size, uint64_t{0});
  EXPECT_EQ(SysvShmOptionsFromFlags().status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SysvShmFlagsTest, MoreRoundsThanTheSegmentHoldsAreRefused) {
  absl::FlagSaver restore_defaults;
  absl::SetFlag(&FLAGS_rounds, 4096);  // 4096 letters and a NUL: 4097 bytes
  EXPECT_EQ(SysvShmOptionsFromFlags().status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::SetFlag(&FLAGS_rounds, 4095);
  EXPECT_TRUE(SysvShmOptionsFromFlags().ok());
}

TEST(SysvShmFlagsTest, ANegativeIntervalIsRefused) {
  absl::FlagSaver restore_defaults;
  absl::SetFlag(&FLAGS_interval, absl::Seconds(-1));
  EXPECT_EQ(SysvShmOptionsFromFlags().status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ipcbox::examples
