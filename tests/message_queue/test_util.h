// Helpers shared by the lib/message_queue tests: unique keys and names,
// guards that remove every queue a test makes, even when the test fails, and
// a fixture for typed suites over both backends.

#ifndef IPCBOX_TESTS_MESSAGE_QUEUE_TEST_UTIL_H_
#define IPCBOX_TESTS_MESSAGE_QUEUE_TEST_UTIL_H_

#include <mqueue.h>
#include <sys/msg.h>
#include <time.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/message_queue/common.h"
#include "ipcbox/message_queue/posix_message_queue.h"
#include "ipcbox/message_queue/sysv_message_queue.h"

namespace ipcbox::testing {

// A random explicit key. Keys are a system-wide namespace shared by every
// test running in parallel; tests create with kCreateExclusive, so a clash
// fails loudly rather than sharing a queue (2^31 keys make it unlikely).
inline sysv::IpcKey RandomSysvKey() {
  absl::BitGen gen;
  for (;;) {
    const key_t value = static_cast<key_t>(
        absl::Uniform<uint32_t>(gen, 0x10000000u, 0x7fffffffu));
    absl::StatusOr<sysv::IpcKey> key = sysv::IpcKey::FromValue(value);
    if (key.ok()) return *key;
  }
}

inline PosixName UniqueMqName(const char* prefix = "mq_test") {
  return *PosixName::Create(UniqueName(prefix));
}

// Removes a System V queue by id when it goes out of scope (whoever created
// it; a queue already removed is fine).
class SysvQueueGuard {
 public:
  explicit SysvQueueGuard(int id = -1) : id_(id) {}
  SysvQueueGuard(const SysvQueueGuard&) = delete;
  SysvQueueGuard& operator=(const SysvQueueGuard&) = delete;
  ~SysvQueueGuard() {
    if (id_ >= 0) ::msgctl(id_, IPC_RMID, nullptr);
  }
  void set(int id) { id_ = id; }

 private:
  int id_;
};

// Unlinks a POSIX queue name when it goes out of scope.
class MqNameGuard {
 public:
  explicit MqNameGuard(const PosixName& name) : name_(name) {}
  MqNameGuard(const MqNameGuard&) = delete;
  MqNameGuard& operator=(const MqNameGuard&) = delete;
  ~MqNameGuard() { ::mq_unlink(name_.c_str()); }

 private:
  PosixName name_;
};

// Monotonic stopwatch (absl::Now() is the wall clock).
inline absl::Duration MonotonicNow() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return absl::DurationFromTimespec(ts);
}

// The two backends, for typed suites, and their names in test output:
//   TYPED_TEST_SUITE(MyTest, QueueBackends, QueueBackendNames);
using QueueBackends = ::testing::Types<posix::MessageQueue, sysv::MessageQueue>;

class QueueBackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, posix::MessageQueue> ? "Posix" : "Sysv";
  }
};

// A fixture whose SetUp makes `queue_`, a private `Queue` of the capacity
// the derived fixture passes, removed with the fixture:
//   template <typename Queue>
//   class MyTest : public PrivateQueueTest<Queue> {
//    protected:
//     MyTest() : PrivateQueueTest<Queue>(kCapacity) {}
//   };
template <typename Queue>
class PrivateQueueTest : public ::testing::Test {
 protected:
  explicit PrivateQueueTest(QueueCapacity capacity) : capacity_(capacity) {}

  void SetUp() override {
    absl::StatusOr<Queue> queue = Queue::CreatePrivate(capacity_);
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }

  Queue queue_;

 private:
  QueueCapacity capacity_;
};

// A fixture whose SetUp opens `queue_`, a fresh System V queue under a
// random key (`key_`), removed when the test ends.
class FreshSysvQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sysv::QueueOptions options;
    options.remove_when_destroyed = true;
    absl::StatusOr<sysv::MessageQueue> queue =
        sysv::MessageQueue::Open(key_, options);
    ASSERT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
    guard_.set(queue_.id());
  }

  const sysv::IpcKey key_ = RandomSysvKey();
  SysvQueueGuard guard_;
  sysv::MessageQueue queue_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_MESSAGE_QUEUE_TEST_UTIL_H_
