// Proves that the parts of core meant for hot paths never touch the heap:
// the would-block and timed-out statuses, Deadline, PosixName, Fd and
// RetryOnEintr. Global operator new is replaced in this binary by one that
// counts calls made while a `CountAllocations` scope is active.
//
// tests/support provides the project-wide counter; this one is kept local so
// that core's tests depend on nothing but core.

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/name.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/retry.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

void* CountedAllocate(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) std::abort();  // Built without exceptions: no bad_alloc.
  return p;
}

// Counts the allocations made between construction and `count()`.
class CountAllocations {
 public:
  CountAllocations() {
    g_allocations.store(0);
    g_counting.store(true);
  }
  ~CountAllocations() { g_counting.store(false); }
  long count() const {
    g_counting.store(false);
    return g_allocations.load();
  }
};

}  // namespace

void* operator new(std::size_t size) { return CountedAllocate(size); }
void* operator new[](std::size_t size) { return CountedAllocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace ipcbox {
namespace {

TEST(NoAllocationTest, CounterSeesAnInjectedAllocation) {
  // Without this the tests below would pass with a broken counter.
  CountAllocations counter;
  std::string* heap = new std::string(100, 'x');
  const long count = counter.count();
  delete heap;
  EXPECT_GE(count, 2);
}

TEST(NoAllocationTest, CounterSeesAnErrnoError) {
  CountAllocations counter;
  const absl::Status status = ErrnoError(ENOENT, "open", "/x");
  EXPECT_GE(counter.count(), 1);
  EXPECT_FALSE(status.ok());
}

TEST(NoAllocationTest, WouldBlockAndTimedOut) {
  CountAllocations counter;
  absl::Status would_block = WouldBlockError();
  absl::Status timed_out = TimedOutError();
  const bool classified = IsWouldBlock(would_block) && IsTimedOut(timed_out);
  absl::Status copy = would_block;
  absl::StatusOr<int> as_result = timed_out;
  const bool copied = IsWouldBlock(copy) && IsTimedOut(as_result.status());
  EXPECT_EQ(counter.count(), 0);
  EXPECT_TRUE(classified);
  EXPECT_TRUE(copied);
}

TEST(NoAllocationTest, EndOfStream) {
  CountAllocations counter;
  absl::Status end = EndOfStreamError();
  absl::StatusOr<size_t> as_result = end;
  const bool classified =
      IsEndOfStream(end) && IsEndOfStream(as_result.status());
  EXPECT_EQ(counter.count(), 0);
  EXPECT_TRUE(classified);
}

// Why the outcomes carry no message: absl::Status keeps any message, even a
// fixed one, on the heap, so "would block" as text would cost an allocation
// on every empty read.
TEST(NoAllocationTest, AFixedMessageWouldAllocate) {
  CountAllocations counter;
  const absl::Status with_text(absl::StatusCode::kUnavailable, "would block");
  EXPECT_GE(counter.count(), 1);
  EXPECT_TRUE(IsWouldBlock(with_text));
}

TEST(NoAllocationTest, Deadline) {
  CountAllocations counter;
  const Deadline deadline = Deadline::After(absl::Milliseconds(100));
  const bool expired = deadline.expired();
  const absl::Duration remaining = deadline.Remaining();
  const int poll_ms = deadline.PollTimeoutMs();
  const struct timespec mono = deadline.MonotonicTimespec();
  const struct timespec real = deadline.RealtimeTimespec();
  const struct timespec rel = deadline.RelativeTimespec();
  const Deadline infinite = Deadline::Infinite();
  const int infinite_ms = infinite.PollTimeoutMs();
  EXPECT_EQ(counter.count(), 0);
  EXPECT_FALSE(expired && remaining > absl::ZeroDuration());
  EXPECT_GE(poll_ms, 0);
  EXPECT_EQ(infinite_ms, -1);
  EXPECT_GE(mono.tv_sec + real.tv_sec + rel.tv_sec, 0);
}

TEST(NoAllocationTest, PosixNameAccepted) {
  CountAllocations counter;
  absl::StatusOr<PosixName> name = PosixName::Create("/hot-path-name");
  bool same = false;
  if (name.ok()) {
    PosixName copy = *name;
    same = copy == *name && copy.c_str()[0] == '/';
  }
  EXPECT_EQ(counter.count(), 0);
  EXPECT_TRUE(same);
}

TEST(NoAllocationTest, FdAndRetryAndOpenMode) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  CountAllocations counter;
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  const char byte = 'b';
  const ssize_t written =
      RetryOnEintr([&] { return ::write(write_end.get(), &byte, 1); });
  Fd moved = std::move(read_end);
  const absl::Status closed = moved.Close();
  const int flags = OpenModeFlags(OpenMode::kCreateExclusive);
  const absl::string_view mode_name = OpenModeName(OpenMode::kOpenExisting);
  write_end.reset();
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(written, 1);
  EXPECT_TRUE(closed.ok());
  EXPECT_NE(flags, 0);
  EXPECT_FALSE(mode_name.empty());
}

}  // namespace
}  // namespace ipcbox
