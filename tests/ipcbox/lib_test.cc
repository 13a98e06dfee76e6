// The pieces of tools/ipcbox that need no live objects: the ipcbox name
// marker, verdicts, the removal rules, output formatting, and the sources
// read from a fake /proc tree (--root).
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/ipcbox/ipcbox_name.h"
#include "tools/ipcbox/output.h"
#include "tools/ipcbox/remove.h"
#include "tools/ipcbox/scan.h"
#include "tools/ipcbox/verdict.h"

namespace ipcbox::tool {
namespace {

TEST(IpcboxName, ReadsTheCreatorPid) {
  pid_t pid = 0;
  EXPECT_TRUE(ParseIpcboxName("/shm_test.4242.9f3c0d11aa22bb33", &pid));
  EXPECT_EQ(pid, 4242);
  EXPECT_TRUE(ParseIpcboxName("/tmp/dir/fifo.a.b.17.0000000000000000", &pid));
  EXPECT_EQ(pid, 17);
}

TEST(IpcboxName, RejectsOtherNames) {
  pid_t pid = 0;
  EXPECT_FALSE(ParseIpcboxName("/shMemEx", &pid));
  EXPECT_FALSE(ParseIpcboxName("/x.42.9f3c0d11aa22bb3", &pid));   // 15 digits
  EXPECT_FALSE(ParseIpcboxName("/x.42.9F3C0D11AA22BB33", &pid));  // upper case
  EXPECT_FALSE(
      ParseIpcboxName("/x.4a.9f3c0d11aa22bb33", &pid));  // pid not a number
  EXPECT_FALSE(ParseIpcboxName("/x.0.9f3c0d11aa22bb33", &pid));  // pid 0
  EXPECT_FALSE(ParseIpcboxName("/.42.9f3c0d11aa22bb33", &pid));  // no prefix
  EXPECT_FALSE(ParseIpcboxName("/42.9f3c0d11aa22bb33", &pid));   // no pid
  EXPECT_EQ(pid, 0);
}

IpcObject Object(Kind kind) {
  IpcObject o;
  o.kind = kind;
  o.name = "/x";
  o.uid = 1000;
  o.uid_known = true;
  return o;
}

// A channel whose participants are `publisher_alive` and subscribers with
// the given liveness (place i each).
IpcObject Channel(bool publisher_alive, std::vector<bool> subscribers) {
  IpcObject o = Object(Kind::kChannel);
  ChannelParticipant publisher;
  publisher.publisher = true;
  publisher.alive = publisher_alive;
  publisher.pid = publisher_alive ? 10 : 0;
  o.channel.participants.push_back(publisher);
  o.channel.live_participants = publisher_alive ? 1 : 0;
  for (size_t i = 0; i < subscribers.size(); ++i) {
    ChannelParticipant s;
    s.place = static_cast<uint32_t>(i);
    s.alive = subscribers[i];
    s.pid = static_cast<pid_t>(20 + i);
    s.backlog = i;
    o.channel.participants.push_back(s);
    o.channel.live_participants += s.alive ? 1 : 0;
  }
  return o;
}

TEST(Verdict, ChannelIsInUseWhileAParticipantLives) {
  std::string reason;
  EXPECT_EQ(DecideVerdict(Channel(true, {}), &reason), Verdict::kInUse);
  EXPECT_EQ(reason, "publisher, 0 live subscribers");
  EXPECT_EQ(DecideVerdict(Channel(false, {false, true}), &reason),
            Verdict::kInUse);
  EXPECT_EQ(reason, "no publisher, 1 live subscriber");
}

TEST(Verdict, ChannelWithEveryParticipantDeadIsStale) {
  std::string reason;
  IpcObject o = Channel(false, {false, false});
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kStale);
  // But not while a process still has it mapped.
  o.holders.push_back(Holder{7, "mapped", "app"});
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kInUse);
}

TEST(Verdict, CorruptChannelIsNeverStale) {
  IpcObject o = Object(Kind::kChannel);
  o.channel.problem = "not a usable channel: bad magic number";
  std::string reason;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kIdle);
  EXPECT_EQ(reason, "unused, and not a usable channel: bad magic number");
}

TEST(Output, ChannelParticipantsInTheTableAndJson) {
  IpcObject o = Channel(true, {true, false, true});
  o.verdict = DecideVerdict(o, &o.reason);
  const std::string table = ObjectsTable({o}, "");
  EXPECT_NE(table.find("pub 10 sub 20,21(dead),22(backlog 2)"),
            std::string::npos)
      << table;
  const std::string json = ObjectJson(o, "");
  EXPECT_NE(json.find("\"publisher\":{\"pid\":10,"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"place\":2,\"pid\":22,\"pid_source\":null,"
                      "\"alive\":true,\"backlog\":2,\"missed\":0}"),
            std::string::npos)
      << json;
  o.channel = ChannelState();
  o.channel.problem = "not a usable channel: x";
  EXPECT_NE(ObjectJson(o, "").find(
                "\"channel\":{\"problem\":\"not a usable channel: x\"}"),
            std::string::npos);
  EXPECT_NE(ObjectDetails(o, "").find("problem:"), std::string::npos);
}

TEST(Remove, InUseChannelIsRefused) {
  IpcObject o = Channel(true, {});
  o.uid = geteuid();
  o.verdict = DecideVerdict(o, &o.reason);
  EXPECT_FALSE(CheckRemovable(o, geteuid(), false).ok());
  o = Channel(false, {false});
  o.uid = geteuid();
  o.verdict = DecideVerdict(o, &o.reason);
  EXPECT_TRUE(CheckRemovable(o, geteuid(), false).ok());
}

TEST(Verdict, HoldersMakeItInUse) {
  IpcObject o = Object(Kind::kShm);
  o.creator_pid = 5;  // dead
  o.holders.push_back(Holder{7, "mapped", "app"});
  std::string reason;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kInUse);
  EXPECT_EQ(reason, "mapped by pid 7 (app)");
}

TEST(Verdict, AnAttachmentCountMakesItInUse) {
  IpcObject o = Object(Kind::kSysvShm);
  o.creator_pid = 5;
  o.attach_count = 1;
  std::string reason;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kInUse);
}

TEST(Verdict, DeadCreatorAndNoUserIsStale) {
  IpcObject o = Object(Kind::kSysvShm);
  o.creator_pid = 5;
  o.creator_source = "cpid";
  o.attach_count = 0;
  std::string reason;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kStale);
  o.creator_alive = true;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kIdle);
}

TEST(Verdict, UnknownCreatorIsNeverStale) {
  IpcObject o = Object(Kind::kShm);
  std::string reason;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kIdle);
  EXPECT_EQ(reason, "unused; no creator recorded");
}

TEST(Verdict, AnOrphanedSocketFileIsStale) {
  IpcObject o = Object(Kind::kSocket);
  o.orphaned = true;
  std::string reason;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kStale);
}

TEST(Verdict, ALockWithoutVisibleHolderIsNotStale) {
  IpcObject o = Object(Kind::kLock);
  o.creator_pid = 5;  // dead locker, lock inherited by a process not visible
  std::string reason;
  EXPECT_EQ(DecideVerdict(o, &reason), Verdict::kIdle);
}

TEST(Remove, RefusesObjectsInUseLocksAndBoundSockets) {
  IpcObject o = Object(Kind::kShm);
  o.verdict = Verdict::kInUse;
  EXPECT_EQ(CheckRemovable(o, 1000, false).code(),
            absl::StatusCode::kFailedPrecondition);
  o.verdict = Verdict::kStale;
  EXPECT_TRUE(CheckRemovable(o, 1000, false).ok());
  IpcObject lock = Object(Kind::kLock);
  EXPECT_EQ(CheckRemovable(lock, 1000, true).code(),
            absl::StatusCode::kFailedPrecondition);
  IpcObject socket = Object(Kind::kSocket);
  socket.verdict = Verdict::kIdle;
  EXPECT_EQ(CheckRemovable(socket, 1000, false).code(),
            absl::StatusCode::kFailedPrecondition);
  socket.orphaned = true;
  EXPECT_TRUE(CheckRemovable(socket, 1000, false).ok());
}

TEST(Remove, OtherUsersObjectsOnlyForRootWithAnyOwner) {
  IpcObject o = Object(Kind::kShm);  // uid 1000
  o.verdict = Verdict::kStale;
  EXPECT_EQ(CheckRemovable(o, 1001, false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckRemovable(o, 1001, true).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckRemovable(o, 0, false).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckRemovable(o, 0, true).ok());
}

TEST(Output, TableColumnsAreAligned) {
  EXPECT_EQ(FormatTable({{"A", "BB", "C"}, {"long", "x", "y"}}),
            "A     BB  C\n"
            "long  x   y\n");
}

TEST(Output, JsonStringsAreEscaped) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

// A fake tree: process 100 alive, 101 a zombie, 102 absent.
class FakeRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    char pattern[4096];
    snprintf(pattern, sizeof(pattern), "%s/root.XXXXXX", tmp ? tmp : "/tmp");
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    Write("proc/100/stat", "100 (app one) S 1 100\n");
    Write("proc/100/comm", "app one\n");
    Write("proc/100/maps",
          "7f0000000000-7f0000001000 rw-s 00000000 00:01 7        "
          "/SYSV00001234 (deleted)\n");
    Write("proc/101/stat", "101 (gone) Z 1 101\n");
  }
  void TearDown() override {
    std::string command = absl::StrCat("rm -rf '", root_, "'");
    ASSERT_EQ(system(command.c_str()), 0);
  }
  void Write(const std::string& path, const std::string& text) {
    std::string full = root_ + "/" + path;
    std::string dir = full.substr(0, full.rfind('/'));
    std::string command = absl::StrCat("mkdir -p '", dir, "'");
    ASSERT_EQ(system(command.c_str()), 0);
    std::ofstream(full) << text;
  }
  std::vector<IpcObject> Scan(Kind kind) {
    ScanOptions options;
    options.root = root_;
    options.kinds = {kind};
    options.paths = {"/tmp"};
    return ScanObjects(options);
  }
  std::string root_;
};

TEST_F(FakeRoot, SysvShmVerdictsFromCpidNattchAndMaps) {
  Write("proc/sysvipc/shm",
        "       key      shmid perms                  size  cpid  lpid nattch  "
        " uid   gid  cuid  cgid      atime      dtime      ctime        rss    "
        "   swap\n"
        "      4660          7   600                  4096   101   101      1  "
        "   0     0     0     0          0          0          0          0    "
        "      0\n"
        "         0          8  1666                   100   100     0      0  "
        "1000     0     0     0          0          0          0          0    "
        "      0\n"
        "        -1          9   644                   100   101     0      0  "
        "   0     0     0     0          0          0          0          0    "
        "      0\n"
        "        -1         10   644                   100   102     0      0  "
        "   0     0     0     0          0          0          0          0    "
        "      0\n");
  std::vector<IpcObject> objects = Scan(Kind::kSysvShm);
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(objects[0].name, "7");
  EXPECT_EQ(objects[0].key, "0x00001234");
  EXPECT_EQ(objects[0].mode, 0600u);
  EXPECT_EQ(objects[0].verdict, Verdict::kInUse);
  ASSERT_EQ(objects[0].holders.size(), 1u);
  EXPECT_EQ(objects[0].holders[0].pid, 100);
  EXPECT_EQ(objects[0].holders[0].comm, "app one");
  EXPECT_EQ(objects[1].verdict, Verdict::kIdle);  // creator 100 alive
  EXPECT_EQ(objects[1].uid, 1000u);
  EXPECT_EQ(objects[1].mode, 0666u);
  EXPECT_EQ(objects[2].key, "0xffffffff");
  EXPECT_EQ(objects[2].verdict, Verdict::kStale);  // creator a zombie
  EXPECT_EQ(objects[3].verdict, Verdict::kStale);  // creator gone
}

TEST_F(FakeRoot, LocksAndTheirWaiters) {
  Write("proc/locks",
        "1: POSIX  ADVISORY  WRITE 100 fd:00:1052678 0 EOF\n"
        "1: -> POSIX  ADVISORY  WRITE 102 fd:00:1052678 0 EOF\n"
        "2: OFDLCK ADVISORY  READ  -1 00:05:1234 0 EOF\n");
  std::vector<IpcObject> objects = Scan(Kind::kLock);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].name, "fd:00:1052678");
  EXPECT_EQ(objects[0].detail, "POSIX WRITE, 1 waiting");
  EXPECT_EQ(objects[0].verdict, Verdict::kInUse);
  EXPECT_EQ(objects[1].creator_pid, 0);
  EXPECT_EQ(objects[1].verdict, Verdict::kIdle);
}

TEST_F(FakeRoot, BoundUnixSocketsGroupedByPath) {
  Write(
      "proc/net/unix",
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 500 /run/app.sock\n"
      "0000000000000000: 00000003 00000000 00000000 0001 03 501 /run/app.sock\n"
      "0000000000000000: 00000003 00000000 00000000 0001 03 502\n"
      "0000000000000000: 00000002 00000000 00000000 0002 01 503 @abstract\n");
  std::vector<IpcObject> objects = Scan(Kind::kSocket);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].name, "/run/app.sock");
  EXPECT_EQ(objects[0].size, "2 sockets");
  EXPECT_EQ(objects[0].detail, "stream listening, file removed");
  EXPECT_EQ(objects[1].name, "@abstract");
  EXPECT_EQ(objects[1].detail, "dgram");
}

TEST_F(FakeRoot, PosixObjectsFromDevShmAndMqueue) {
  Write("dev/shm/plain", "12345");
  Write("dev/shm/sem.lock", "x");
  Write("dev/shm/data.101.0123456789abcdef", "");
  Write("dev/mqueue/events", "QSIZE:129 NOTIFY:2 SIGNO:0 NOTIFY_PID:100\n");
  std::vector<IpcObject> shm = Scan(Kind::kShm);
  ASSERT_EQ(shm.size(), 2u);
  EXPECT_EQ(shm[0].name, "/data.101.0123456789abcdef");
  EXPECT_TRUE(shm[0].by_ipcbox);
  EXPECT_EQ(shm[0].verdict, Verdict::kStale);  // pid 101 is a zombie
  EXPECT_EQ(shm[1].name, "/plain");
  EXPECT_EQ(shm[1].bytes, 5u);
  EXPECT_FALSE(shm[1].by_ipcbox);
  EXPECT_EQ(shm[1].verdict, Verdict::kIdle);
  std::vector<IpcObject> sem = Scan(Kind::kSem);
  ASSERT_EQ(sem.size(), 1u);
  EXPECT_EQ(sem[0].name, "/lock");
  std::vector<IpcObject> mq = Scan(Kind::kMq);
  ASSERT_EQ(mq.size(), 1u);
  EXPECT_EQ(mq[0].bytes, 129u);
  EXPECT_EQ(mq[0].verdict,
            Verdict::kInUse);  // pid 100 waits for a notification
}

}  // namespace
}  // namespace ipcbox::tool
