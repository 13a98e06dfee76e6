// A real peer: util-linux's ipcs(1) sees an ipcbox System V queue, with the
// message count and bytes ipcbox put in it, and ipcrm(1) removing it is seen
// by ipcbox. The tools are host binaries, exec'd from the test (also from an
// ARM test under qemu-user: the kernel runs them natively).

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "ipcbox/message_queue/sysv_message.h"
#include "ipcbox/message_queue/sysv_message_queue.h"
#include "tests/message_queue/test_util.h"

namespace ipcbox::sysv {
namespace {

constexpr char kIpcs[] = "/usr/bin/ipcs";
constexpr char kIpcrm[] = "/usr/bin/ipcrm";

// Runs `command` through /bin/sh and returns its stdout and exit code.
std::pair<std::string, int> RunShell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  char buf[4096];
  size_t n;
  while ((n = ::fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = ::pclose(pipe);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// One row of `ipcs -q`: key msqid owner perms used-bytes messages.
struct IpcsRow {
  std::string key;
  std::string owner;
  std::string perms;
  long used_bytes = -1;
  long messages = -1;
};

// The row of `ipcs -q` for queue `id`, found by the msqid column.
std::optional<IpcsRow> IpcsRowFor(int id) {
  auto [output, code] = RunShell(absl::StrCat(kIpcs, " -q"));
  EXPECT_EQ(code, 0) << output;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    int msqid;
    if (fields.size() != 6 || !absl::SimpleAtoi(fields[1], &msqid) ||
        msqid != id) {
      continue;
    }
    IpcsRow row;
    row.key = std::string(fields[0]);
    row.owner = std::string(fields[2]);
    row.perms = std::string(fields[3]);
    EXPECT_TRUE(absl::SimpleAtoi(fields[4], &row.used_bytes)) << line;
    EXPECT_TRUE(absl::SimpleAtoi(fields[5], &row.messages)) << line;
    return row;
  }
  return std::nullopt;
}

class IpcsTest : public ::ipcbox::testing::FreshSysvQueueTest {
 protected:
  void SetUp() override {
    if (::access(kIpcs, X_OK) != 0 || ::access(kIpcrm, X_OK) != 0) {
      GTEST_SKIP() << kIpcs << " or " << kIpcrm
                   << " is missing (util-linux not installed)";
    }
    FreshSysvQueueTest::SetUp();
  }
};

TEST_F(IpcsTest, IpcsShowsTheMessageCountAndBytes) {
  std::optional<IpcsRow> row = IpcsRowFor(queue_.id());
  ASSERT_TRUE(row.has_value()) << "queue id " << queue_.id() << " not listed";
  EXPECT_EQ(row->messages, 0);
  EXPECT_EQ(row->perms, "600");
  EXPECT_EQ(row->key,
            absl::StrCat("0x", absl::Hex(key_.value(), absl::kZeroPad8)));

  Message<16> message;
  message.set_type(1);
  ASSERT_TRUE(message.SetPayload("12345").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue_.TrySendMessage(message).ok());
  row = IpcsRowFor(queue_.id());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->messages, 3);
  EXPECT_EQ(row->used_bytes, 15);

  ASSERT_TRUE(queue_.TryReceiveMessage(message).ok());
  row = IpcsRowFor(queue_.id());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->messages, 2);
  EXPECT_EQ(row->used_bytes, 10);

  const int id = queue_.id();
  ASSERT_TRUE(queue_.Remove().ok());
  EXPECT_FALSE(IpcsRowFor(id).has_value());
}

TEST_F(IpcsTest, QueueRemovedByIpcrmIsNotFound) {
  auto [output, code] = RunShell(absl::StrCat(kIpcrm, " -q ", queue_.id()));
  ASSERT_EQ(code, 0) << output;
  Message<16> message;
  message.set_type(1);
  absl::Status s = queue_.TrySendMessage(message);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
}

}  // namespace
}  // namespace ipcbox::sysv
