// ExitStatus decodes waitpid()'s status word and reads well.

#include <signal.h>
#include <sys/wait.h>

#include <sstream>

#include "gtest/gtest.h"
#include "ipcbox/process/exit_status.h"

namespace ipcbox {
namespace {

TEST(ExitStatusTest, DecodesAnExit) {
  const ExitStatus status = ExitStatus::FromWaitStatus(3 << 8);
  EXPECT_TRUE(status.exited());
  EXPECT_FALSE(status.signaled());
  EXPECT_EQ(status.exit_code(), 3);
  EXPECT_EQ(status.term_signal(), 0);
  EXPECT_FALSE(status.success());
  EXPECT_TRUE(status.exited_with(3));
  EXPECT_EQ(status.ToString(), "exited with code 3");
  EXPECT_TRUE(ExitStatus::FromWaitStatus(0).success());
}

TEST(ExitStatusTest, DecodesASignal) {
  const ExitStatus status = ExitStatus::FromWaitStatus(SIGTERM);
  EXPECT_TRUE(status.signaled());
  EXPECT_FALSE(status.exited());
  EXPECT_EQ(status.term_signal(), SIGTERM);
  EXPECT_EQ(status.exit_code(), -1);
  EXPECT_TRUE(status.killed_by(SIGTERM));
  EXPECT_FALSE(status.success());
  EXPECT_EQ(status.ToString(), "killed by SIGTERM (signal 15)");

  const ExitStatus core = ExitStatus::FromWaitStatus(SIGSEGV | 0x80);
  EXPECT_TRUE(core.core_dumped());
  EXPECT_EQ(core.ToString(), "killed by SIGSEGV (signal 11), core dumped");
}

TEST(ExitStatusTest, ComparesAndPrints) {
  EXPECT_EQ(ExitStatus::Exited(0), ExitStatus::FromWaitStatus(0));
  EXPECT_NE(ExitStatus::Exited(9), ExitStatus::KilledBy(9));
  EXPECT_EQ(ExitStatus::Exited(256 + 4).exit_code(), 4);
  std::ostringstream out;
  out << ExitStatus::KilledBy(SIGKILL);
  EXPECT_EQ(out.str(), "killed by SIGKILL (signal 9)");
}

}  // namespace
}  // namespace ipcbox
