#include "ipcbox/core/format_mode.h"

#include <sys/types.h>

#include "gtest/gtest.h"

namespace ipcbox {
namespace {

TEST(FormatModeTest, WritesOctalAsC) {
  EXPECT_EQ(FormatMode(0), "0");
  EXPECT_EQ(FormatMode(01), "01");
  EXPECT_EQ(FormatMode(0640), "0640");
  EXPECT_EQ(FormatMode(04755), "04755");
  EXPECT_EQ(FormatMode(static_cast<mode_t>(-1)), "037777777777");
}

}  // namespace
}  // namespace ipcbox
