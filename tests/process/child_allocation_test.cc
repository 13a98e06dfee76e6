// Nothing is allocated in a new child before the caller's code runs:
// ForkFunction's child makes only async-signal-safe calls before the
// function (a forked copy of a multithreaded parent may find the allocator's
// lock held by a thread that no longer exists, and would hang in malloc),
// and Spawn never forks a copy of the parent that could run library code at
// all (posix_spawn's child shares the parent's memory and only execs).
//
// How: a pthread_atfork child handler records the allocation count at the
// moment fork() returns in the child. glibc runs it in the new child before
// fork() returns to ForkFunction; the function, first thing, compares the
// count again. AllocationCounter's tallies are copied into the child with
// the rest of memory and keep counting there.

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/process/child.h"
#include "ipcbox/process/command.h"
#include "ipcbox/process/fork_function.h"
#include "ipcbox/process/spawn.h"
#include "tests/support/alloc_counter.h"

namespace ipcbox {
namespace {

using ::ipcbox::testing::AllocationCounter;

constexpr absl::Duration kBound = absl::Seconds(30);

// Set by the test around the fork; read by the handlers.
std::atomic<const AllocationCounter*> g_counter{nullptr};
// In the child: the counter's count when fork() returned there.
int64_t g_count_at_fork = -1;
// In the parent: fork() calls made (prepare handlers run).
std::atomic<int> g_forks{0};

void BeforeFork() { g_forks.fetch_add(1); }

void InForkedChild() {
  const AllocationCounter* counter = g_counter.load();
  if (counter != nullptr) g_count_at_fork = counter->count();
}

// Registered once, before main(), for the whole binary.
const int kAtForkError = pthread_atfork(&BeforeFork, nullptr, &InForkedChild);

// Exit codes of the probe function.
constexpr int kNoAllocation = 0;
constexpr int kHandlerDidNotRun = 2;
constexpr int kAllocatedBase = 10;  // + the number of allocations (capped)

// What the child found at the start of its function: kNoAllocation, or
// kAllocatedBase + how many allocations happened since fork() returned.
int AllocationsSinceFork(const AllocationCounter& counter) {
  if (g_count_at_fork < 0) return kHandlerDidNotRun;
  const int64_t since = counter.count() - g_count_at_fork;
  if (since == 0) return kNoAllocation;
  return kAllocatedBase + static_cast<int>(std::min<int64_t>(since, 200));
}

// Counts while it lives and shows the counter to the fork handlers.
class CountingAcrossFork {
 public:
  CountingAcrossFork() { g_counter.store(&counter_); }
  ~CountingAcrossFork() { g_counter.store(nullptr); }
  const AllocationCounter& counter() const { return counter_; }

 private:
  AllocationCounter counter_;
};

TEST(ChildAllocationTest, ForkFunctionAllocatesNothingBeforeTheFunction) {
  ASSERT_EQ(kAtForkError, 0);
  // Every option that gives the child work before the function.
  ForkOptions options;
  options.stdio.in = Stdio::Pipe();
  options.stdio.out = Stdio::Pipe();
  options.stdio.err = Stdio::SameAsStdout();
  options.new_process_group = true;
  options.die_with_parent = true;
  options.close_other_descriptors = true;
  options.keep_open = {STDERR_FILENO + 1};
  absl::StatusOr<Child> child;
  {
    CountingAcrossFork counting;
    child = ForkFunction(
        [&] { return AllocationsSinceFork(counting.counter()); }, options);
  }
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->exited_with(kNoAllocation))
      << "the child " << *status << " (" << kHandlerDidNotRun
      << ": the atfork handler did not run; " << kAllocatedBase
      << " + n: n allocations between fork() and the function)";
}

// The measurement sees an allocation the child makes after the fork: the
// test above would fail if ForkFunction's child allocated.
TEST(ChildAllocationTest, AnAllocationInTheChildIsSeen) {
  ASSERT_EQ(kAtForkError, 0);
  absl::StatusOr<Child> child;
  {
    CountingAcrossFork counting;
    child = ForkFunction([&] {
      void* volatile allocated = malloc(64);  // volatile: cannot be elided
      const int found = AllocationsSinceFork(counting.counter());
      free(allocated);
      return found;
    });
  }
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->exited_with(kAllocatedBase + 1)) << *status;
}

// Spawn's child runs no code of ipcbox's at all: posix_spawn starts it with
// clone(CLONE_VM | CLONE_VFORK) (a fork under qemu-user, made by glibc's
// posix_spawn all the same) and the child only applies the file actions and
// attributes, then execs. What can be checked from here is that Spawn never
// goes through fork(), after which a copy of the parent would run library
// code (and could allocate) before the exec: fork() runs the atfork
// handlers, posix_spawn does not.
TEST(ChildAllocationTest, SpawnNeverForksACopyOfTheParent) {
  ASSERT_EQ(kAtForkError, 0);
  Command command({"true"});
  command.SetStdin(Stdio::Pipe()).SetStdout(Stdio::Pipe());
  const int forks_before = g_forks.load();
  absl::StatusOr<Child> child = Spawn(command);
  const int forks_after = g_forks.load();
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(forks_after, forks_before);
  absl::StatusOr<ExitStatus> status = child->WaitFor(kBound);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->success()) << *status;

  // Control: ForkFunction does fork(), and the handlers see it.
  absl::StatusOr<Child> forked = ForkFunction([] { return 0; });
  ASSERT_TRUE(forked.ok()) << forked.status();
  EXPECT_EQ(g_forks.load(), forks_after + 1);
  EXPECT_TRUE(forked->WaitFor(kBound).ok());
}

}  // namespace
}  // namespace ipcbox
