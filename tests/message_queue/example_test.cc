// The ported sender and receiver (examples/message_queue) print exactly what
// the article shows, keep the seed's wire format (so the seed's C programs
// can be either side; //tests/message_queue:seed_interop_test runs them),
// and fail the way the seed does, only more clearly.

#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "examples/message_queue/flags.h"
#include "examples/message_queue/mqueue.h"
#include "gtest/gtest.h"
#include "ipcbox/core/unique_name.h"
#include "tests/support/child_process.h"

namespace ipcbox::examples {
namespace {

using ::ipcbox::testing::ExitedWith;
using ::ipcbox::testing::ForkChild;

// Copied from the article ("Using pipes and message queues").
constexpr char kArticleSender[] =
    "msg1 sent as type 1\n"
    "msg2 sent as type 1\n"
    "msg3 sent as type 2\n"
    "msg4 sent as type 2\n"
    "msg5 sent as type 3\n"
    "msg6 sent as type 3\n";
constexpr char kArticleReceiver[] =
    "msg5 received as type 3\n"
    "msg1 received as type 1\n"
    "msg3 received as type 2\n"
    "msg2 received as type 1\n"
    "msg6 received as type 3\n"
    "msg4 received as type 2\n";

// A scratch "queue.h" and the queue its ftok() key names, both removed at
// the end whatever happened.
class ExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = UniqueTempPath("queue.h");
    const int fd = ::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
    key_ = ::ftok(path_.c_str(), kProjectId);
    ASSERT_NE(key_, -1);
    sender_.path = path_;
    receiver_.path = path_;
  }
  void TearDown() override {
    if (const int id = QueueId(); id >= 0) ::msgctl(id, IPC_RMID, nullptr);
    ::unlink(path_.c_str());
  }

  // The queue's id, or -1 if there is none.
  int QueueId() const { return ::msgget(key_, 0); }

  int Send(std::string* out, std::string* err = nullptr) {
    std::ostringstream o, e;
    const int code = RunSender(sender_, o, e);
    *out = o.str();
    if (err != nullptr) *err = e.str();
    return code;
  }
  int Receive(std::string* out, std::string* err = nullptr) {
    std::ostringstream o, e;
    const int code = RunReceiver(receiver_, o, e);
    *out = o.str();
    if (err != nullptr) *err = e.str();
    return code;
  }

  std::string path_;
  key_t key_ = -1;
  SenderConfig sender_;
  ReceiverConfig receiver_;
};

TEST_F(ExampleTest, DefaultsAreTheSeeds) {
  EXPECT_EQ(SenderConfig().path, "queue.h");
  EXPECT_EQ(SenderConfig().project_id, 123);
  EXPECT_EQ(ReceiverConfig().project_id, 123);
  EXPECT_EQ(kMsgLen, 4u);
  EXPECT_EQ(kMsgCount, 6);
  EXPECT_EQ(SenderConfig().payloads.size(), 6u);
  EXPECT_EQ(kWireSize, sizeof(long) == 8 ? 16u : 12u);
  EXPECT_STREQ(kDocumentedSenderOutput, kArticleSender);
  EXPECT_STREQ(kDocumentedReceiverOutput, kArticleReceiver);
}

TEST_F(ExampleTest, SenderThenReceiverPrintTheArticlesLines) {
  std::string out;
  ASSERT_EQ(Send(&out), 0);
  EXPECT_EQ(out, kArticleSender);
  ASSERT_EQ(Receive(&out), 0);
  EXPECT_EQ(out, kArticleReceiver);
  EXPECT_LT(QueueId(), 0) << "the receiver must remove the queue";
}

TEST_F(ExampleTest, QueueOutlivesTheSenderProcess) {
  absl::StatusOr<testing::ChildProcess> child = ForkChild([&] {
    std::string out;
    EXPECT_EQ(Send(&out), 0);
    EXPECT_EQ(out, kArticleSender);
  });
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE(ExitedWith(child->Wait(absl::Seconds(20)), 0));

  const int id = QueueId();
  ASSERT_GE(id, 0);
  struct msqid_ds ds;
  ASSERT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
  EXPECT_EQ(ds.msg_qnum, 6u);
  EXPECT_EQ(ds.__msg_cbytes, 6 * kWireSize);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0666u);

  std::string out;
  ASSERT_EQ(Receive(&out), 0);
  EXPECT_EQ(out, kArticleReceiver);
}

// A peer that does what the seed's sender does on the wire: msgsnd() of the
// seed's struct with sizeof(struct) bytes of text.
TEST_F(ExampleTest, ReceiverReadsTheSeedsWireFormat) {
  const int id = ::msgget(key_, 0666 | IPC_CREAT);
  ASSERT_GE(id, 0);
  const char* payloads[] = {"msg1", "msg2", "msg3", "msg4", "msg5", "msg6"};
  const long types[] = {1, 1, 2, 2, 3, 3};
  for (int i = 0; i < 6; ++i) {
    struct {
      QueuedMessage msg;
      char beyond[sizeof(long)];  // what the seed's msgsnd reads past msg
    } raw;
    std::memset(&raw, 0x5a, sizeof(raw));
    raw.msg.type = types[i];
    std::strcpy(raw.msg.payload, payloads[i]);
    ASSERT_EQ(::msgsnd(id, &raw, sizeof(QueuedMessage), IPC_NOWAIT), 0);
  }
  std::string out;
  ASSERT_EQ(Receive(&out), 0);
  EXPECT_EQ(out, kArticleReceiver);
}

// A peer that does what the seed's receiver does: msgrcv() into the seed's
// struct, sizeof(struct) bytes, MSG_NOERROR | IPC_NOWAIT.
TEST_F(ExampleTest, SenderWritesTheSeedsWireFormat) {
  std::string out;
  ASSERT_EQ(Send(&out), 0);
  const int id = QueueId();
  ASSERT_GE(id, 0);
  for (long type : {3L, 1L, 2L}) {
    struct {
      QueuedMessage msg;
      char beyond[sizeof(long)];  // where the seed's msgrcv writes past msg
    } raw;
    const ssize_t n = ::msgrcv(id, &raw, sizeof(QueuedMessage), type,
                               MSG_NOERROR | IPC_NOWAIT);
    ASSERT_EQ(n, static_cast<ssize_t>(sizeof(QueuedMessage)));
    EXPECT_EQ(raw.msg.type, type);
    EXPECT_EQ(raw.msg.payload[kMsgLen], '\0');
    EXPECT_EQ(std::strlen(raw.msg.payload), kMsgLen);
  }
}

TEST_F(ExampleTest, ReceiverOnAnEmptyQueueSaysSoAndStillRemovesIt) {
  std::string out, err;
  EXPECT_EQ(Receive(&out, &err), kExitSomeMessagesFailed);
  std::string expected;
  for (int i = 0; i < 6; ++i) expected += "msgrcv trouble...\n";
  EXPECT_EQ(out, expected);
  EXPECT_NE(err.find("no message of that type"), std::string::npos) << err;
  EXPECT_LT(QueueId(), 0);
}

TEST_F(ExampleTest, MissingFtokFileFailsLikeTheSeed) {
  sender_.path = receiver_.path = path_ + ".missing";
  std::string out, err;
  EXPECT_EQ(Send(&out, &err), kExitSetUpFailed);
  EXPECT_EQ(out, "");
  EXPECT_EQ(err.rfind("couldn't get key...", 0), 0u) << err;
  EXPECT_EQ(Receive(&out, &err), kExitSetUpFailed);
  EXPECT_EQ(err.rfind("key not gotten...", 0), 0u) << err;
}

TEST_F(ExampleTest, FullQueueIsReportedNotPrintedAsSent) {
  // Fill the queue's bytes first, so IPC_NOWAIT sends fail.
  const int id = ::msgget(key_, 0666 | IPC_CREAT);
  ASSERT_GE(id, 0);
  struct msqid_ds ds;
  ASSERT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
  ds.msg_qbytes = 2 * kWireSize;
  ASSERT_EQ(::msgctl(id, IPC_SET, &ds), 0);
  std::string out, err;
  EXPECT_EQ(Send(&out, &err), kExitSomeMessagesFailed);
  EXPECT_EQ(out, "msg1 sent as type 1\nmsg2 sent as type 1\n");
  EXPECT_NE(err.find("the queue is full"), std::string::npos) << err;
}

TEST_F(ExampleTest, OtherFlagValues) {
  sender_.payloads = {"a", "bb", "ccc"};
  sender_.types = {7, 5, 9};
  receiver_.types = {0, -8, 9};  // any; lowest <= 8; exactly 9
  std::string out;
  ASSERT_EQ(Send(&out), 0);
  EXPECT_EQ(out, "a sent as type 7\nbb sent as type 5\nccc sent as type 9\n");
  ASSERT_EQ(Receive(&out), 0);
  EXPECT_EQ(out,
            "a received as type 7\nbb received as type 5\n"
            "ccc received as type 9\n");
}

TEST_F(ExampleTest, BadArguments) {
  std::string out, err;
  sender_.payloads = {"toolong"};
  sender_.types = {1};
  EXPECT_EQ(Send(&out, &err), kExitBadArguments);
  EXPECT_NE(err.find("longer than MsgLen"), std::string::npos) << err;
  sender_.payloads = {"a", "b"};
  EXPECT_EQ(Send(&out, &err), kExitBadArguments);
  sender_.payloads = {"a"};
  sender_.types = {0};
  EXPECT_EQ(Send(&out, &err), kExitSomeMessagesFailed);
  EXPECT_NE(err.find("type must be > 0"), std::string::npos) << err;
}

TEST(ExampleFlagsTest, ParseAndUnparse) {
  std::string error;
  MessageTypes types;
  EXPECT_TRUE(AbslParseFlag("3,1,-2,0", &types, &error));
  EXPECT_EQ(types.types, (std::vector<long>{3, 1, -2, 0}));
  EXPECT_EQ(AbslUnparseFlag(types), "3,1,-2,0");
  EXPECT_FALSE(AbslParseFlag("1,x", &types, &error));
}

}  // namespace
}  // namespace ipcbox::examples
