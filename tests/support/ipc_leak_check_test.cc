// IpcLeakCheck lists System V objects as the kernel does and reports exactly
// those created after it started that are still there. Failures are caught
// with a fake reporter and searched for this test's object, not counted, so
// that objects other processes create meanwhile cannot change the verdict.
// ipc_leak_check_binary_test.sh shows the registered environment failing a
// whole test binary.

#include "tests/support/ipc_leak_check.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace ipcbox::testing {
namespace {

using Kind = SysvIpcObject::Kind;

// A System V object this test created, removed when the guard goes (also
// when an assertion returns early).
class ScopedSysvObject {
 public:
  static ScopedSysvObject Segment(key_t key = IPC_PRIVATE) {
    return ScopedSysvObject(Kind::kSharedMemory,
                            ::shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
  }
  static ScopedSysvObject SemaphoreSet() {
    return ScopedSysvObject(Kind::kSemaphoreSet,
                            ::semget(IPC_PRIVATE, 2, IPC_CREAT | 0600));
  }
  static ScopedSysvObject MessageQueue() {
    return ScopedSysvObject(Kind::kMessageQueue,
                            ::msgget(IPC_PRIVATE, IPC_CREAT | 0600));
  }

  ScopedSysvObject(ScopedSysvObject&& other) noexcept
      : kind_(other.kind_), id_(other.id_), errno_(other.errno_) {
    other.id_ = -1;
  }
  ScopedSysvObject& operator=(ScopedSysvObject&&) = delete;
  ~ScopedSysvObject() { Remove(); }

  Kind kind() const { return kind_; }
  int id() const { return id_; }
  // errno of the failed get call, for messages.
  int error() const { return errno_; }

  void Remove() {
    if (id_ < 0) return;
    switch (kind_) {
      case Kind::kSharedMemory:
        ::shmctl(id_, IPC_RMID, nullptr);
        break;
      case Kind::kSemaphoreSet:
        ::semctl(id_, 0, IPC_RMID);
        break;
      case Kind::kMessageQueue:
        ::msgctl(id_, IPC_RMID, nullptr);
        break;
    }
    id_ = -1;
  }

 private:
  ScopedSysvObject(Kind kind, int id)
      : kind_(kind), id_(id), errno_(id < 0 ? errno : 0) {}

  Kind kind_;
  int id_;
  int errno_;
};

std::optional<SysvIpcObject> Find(Kind kind, int id) {
  absl::StatusOr<std::vector<SysvIpcObject>> objects = ListSysvIpcObjects();
  EXPECT_TRUE(objects.ok()) << objects.status();
  if (!objects.ok()) return std::nullopt;
  for (const SysvIpcObject& object : *objects) {
    if (object.kind == kind && object.id == id) return object;
  }
  return std::nullopt;
}

// The failure messages `fn` records, caught so they do not fail this test.
std::vector<std::string> FailuresOf(absl::FunctionRef<void()> fn) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::
            INTERCEPT_ONLY_CURRENT_THREAD,
        &results);
    fn();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) {
    messages.push_back(results.GetTestPartResult(i).message());
  }
  return messages;
}

// The failure in `failures` that reports `object`, or "".
std::string ReportOf(const std::vector<std::string>& failures,
                     const std::string& object) {
  for (const std::string& failure : failures) {
    if (failure.find(object + ",") != std::string::npos) return failure;
  }
  return "";
}

std::string ShmName(int id) {
  return absl::StrCat("leaked System V shared memory segment id ", id);
}

TEST(ListSysvIpcObjectsTest, ListsASegmentWithItsKeySizeAndCreator) {
  // A key with the top bit set: /proc prints keys as signed decimals.
  const key_t key = static_cast<key_t>(
      0x80000000u | (static_cast<uint32_t>(::getpid()) & 0xffffff) << 4 |
      (static_cast<uint32_t>(::random()) & 0xf));
  ScopedSysvObject segment = ScopedSysvObject::Segment(key);
  ASSERT_GE(segment.id(), 0) << "shmget: errno " << segment.error();
  std::optional<SysvIpcObject> listed = Find(Kind::kSharedMemory, segment.id());
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->key, key);
  EXPECT_EQ(listed->size, 4096u);
  EXPECT_EQ(listed->mode & 0777, 0600u);
  EXPECT_EQ(listed->creator_pid, ::getpid());
  EXPECT_FALSE(listed->removed_but_attached());
  EXPECT_EQ(listed->Describe(),
            absl::StrFormat("System V shared memory segment id %d, key 0x%08x, "
                            "4096 bytes, created by pid %d (remove with: "
                            "ipcrm -m %d)",
                            segment.id(), static_cast<unsigned>(key),
                            ::getpid(), segment.id()));
  segment.Remove();
  EXPECT_FALSE(Find(Kind::kSharedMemory, segment.id()).has_value());
}

TEST(ListSysvIpcObjectsTest, ListsSemaphoreSetsAndMessageQueues) {
  ScopedSysvObject set = ScopedSysvObject::SemaphoreSet();
  ASSERT_GE(set.id(), 0) << "semget: errno " << set.error();
  ScopedSysvObject queue = ScopedSysvObject::MessageQueue();
  ASSERT_GE(queue.id(), 0) << "msgget: errno " << queue.error();
  struct {
    long type;
    char text[8];
  } message = {1, "hello"};
  ASSERT_EQ(::msgsnd(queue.id(), &message, sizeof(message.text), 0), 0);

  std::optional<SysvIpcObject> listed_set = Find(Kind::kSemaphoreSet, set.id());
  ASSERT_TRUE(listed_set.has_value());
  EXPECT_EQ(listed_set->key, IPC_PRIVATE);
  EXPECT_EQ(listed_set->size, 2u);
  EXPECT_EQ(listed_set->Describe(),
            absl::StrCat("System V semaphore set id ", set.id(),
                         ", key IPC_PRIVATE, 2 semaphore(s), creator pid not "
                         "recorded by the kernel (remove with: ipcrm -s ",
                         set.id(), ")"));

  std::optional<SysvIpcObject> listed_queue =
      Find(Kind::kMessageQueue, queue.id());
  ASSERT_TRUE(listed_queue.has_value());
  EXPECT_EQ(listed_queue->size, 1u);
  EXPECT_EQ(listed_queue->last_sender_pid, ::getpid());
}

TEST(IpcLeakCheckTest, ReportsASegmentCreatedAndLeftBehind) {
  IpcLeakCheck check;
  ScopedSysvObject segment = ScopedSysvObject::Segment();
  ASSERT_GE(segment.id(), 0) << "shmget: errno " << segment.error();
  const std::vector<std::string> failures =
      FailuresOf([&] { check.ExpectNoneLeft(); });
  const std::string report = ReportOf(failures, ShmName(segment.id()));
  EXPECT_NE(report, "") << ::testing::PrintToString(failures);
  EXPECT_NE(report.find(absl::StrCat("created by pid ", ::getpid())),
            std::string::npos)
      << report;
}

TEST(IpcLeakCheckTest, ReportsSemaphoreSetsAndMessageQueuesToo) {
  IpcLeakCheck check;
  ScopedSysvObject set = ScopedSysvObject::SemaphoreSet();
  ASSERT_GE(set.id(), 0) << "semget: errno " << set.error();
  ScopedSysvObject queue = ScopedSysvObject::MessageQueue();
  ASSERT_GE(queue.id(), 0) << "msgget: errno " << queue.error();
  const std::vector<std::string> failures =
      FailuresOf([&] { check.ExpectNoneLeft(); });
  EXPECT_NE(ReportOf(failures, absl::StrCat("leaked System V semaphore set id ",
                                            set.id())),
            "")
      << ::testing::PrintToString(failures);
  EXPECT_NE(ReportOf(failures, absl::StrCat("leaked System V message queue id ",
                                            queue.id())),
            "")
      << ::testing::PrintToString(failures);
}

TEST(IpcLeakCheckTest, IgnoresRemovedObjectsAndOlderOnes) {
  ScopedSysvObject older = ScopedSysvObject::Segment();
  ASSERT_GE(older.id(), 0) << "shmget: errno " << older.error();
  IpcLeakCheck check;
  ScopedSysvObject removed = ScopedSysvObject::Segment();
  ASSERT_GE(removed.id(), 0) << "shmget: errno " << removed.error();
  const int removed_id = removed.id();
  removed.Remove();
  const std::vector<std::string> failures =
      FailuresOf([&] { check.ExpectNoneLeft(); });
  EXPECT_EQ(ReportOf(failures, ShmName(older.id())), "");
  EXPECT_EQ(ReportOf(failures, ShmName(removed_id)), "");
}

TEST(IpcLeakCheckTest, IgnoresASegmentRemovedWhileStillAttached) {
  IpcLeakCheck check;
  ScopedSysvObject segment = ScopedSysvObject::Segment();
  ASSERT_GE(segment.id(), 0) << "shmget: errno " << segment.error();
  const int id = segment.id();
  void* mapped = ::shmat(id, nullptr, 0);
  ASSERT_NE(mapped, reinterpret_cast<void*>(-1)) << "shmat: errno " << errno;
  segment.Remove();  // IPC_RMID: the segment lives on until shmdt.
  const std::optional<SysvIpcObject> listed = Find(Kind::kSharedMemory, id);
  const std::vector<std::string> failures =
      FailuresOf([&] { check.ExpectNoneLeft(); });
  EXPECT_EQ(::shmdt(mapped), 0);
  ASSERT_TRUE(listed.has_value()) << "the kernel lists it until shmdt";
  EXPECT_TRUE(listed->removed_but_attached());
  EXPECT_EQ(ReportOf(failures, ShmName(id)), "");
  EXPECT_FALSE(Find(Kind::kSharedMemory, id).has_value());
}

TEST(IpcLeakCheckTest, IsRequestedOnlyByTheValueOne) {
  const char* saved = ::getenv("IPCBOX_IPC_LEAK_CHECK");
  const std::optional<std::string> original =
      saved != nullptr ? std::optional<std::string>(saved) : std::nullopt;
  ::unsetenv("IPCBOX_IPC_LEAK_CHECK");
  EXPECT_FALSE(IpcLeakCheckRequested());
  ::setenv("IPCBOX_IPC_LEAK_CHECK", "0", 1);
  EXPECT_FALSE(IpcLeakCheckRequested());
  ::setenv("IPCBOX_IPC_LEAK_CHECK", "1", 1);
  EXPECT_TRUE(IpcLeakCheckRequested());
  if (original.has_value()) {
    ::setenv("IPCBOX_IPC_LEAK_CHECK", original->c_str(), 1);
  } else {
    ::unsetenv("IPCBOX_IPC_LEAK_CHECK");
  }
}

}  // namespace
}  // namespace ipcbox::testing
