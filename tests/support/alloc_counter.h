// AllocationCounter counts heap allocations made while it is alive, so that a
// test can prove a hot path does not allocate:
//
//   ipcbox::testing::AllocationCounter counter;
//   for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pipe.Write(buffer).ok());
//   EXPECT_EQ(counter.count(), 0);
//
// or, for a single statement:
//
//   EXPECT_NO_ALLOCATIONS(pipe.Write(buffer));
//
// A counter sees allocations from every thread by default; construct it with
// `AllocationCounter::Threads::kThisThread` to ignore other threads (a peer
// thread that sets itself up while the loop runs, for example). Counters may
// nest and may live on several threads at once; each one reports what happened
// between its construction and its `Stop()` (or now, if not stopped).
//
// What is counted depends on how the test binary is built:
//
// - Without AddressSanitizer (the static test binaries): this library replaces
//   every global operator new and new[] (plain, nothrow, aligned), and wraps
//   malloc, calloc, realloc, reallocarray, aligned_alloc, posix_memalign,
//   memalign, valloc and pvalloc with the linker's --wrap (its BUILD target
//   adds the flags). --wrap redirects calls made from objects linked into the
//   executable: in a -static link that is everything, C library internals
//   (strdup, fopen, ...) included. In a dynamic link without ASan, calls that
//   libc.so or libstdc++.so make to malloc from inside themselves are not seen,
//   but their operator new calls are (the replacement is global).
// - With AddressSanitizer: the replacements are compiled out so ASan keeps
//   checking new/delete pairing, and counting uses ASan's allocation hook
//   (`__sanitizer_install_malloc_and_free_hooks`), which sees every allocation
//   ASan's allocator serves, shared libraries included.
//
// Memory that does not come from the heap (mmap, stack, static storage) is
// never counted; neither is free(), nor realloc(p, 0).
//
// Counting costs one relaxed atomic load per allocation while no counter is
// alive, and two atomic additions while one is.

#ifndef IPCBOX_TESTS_SUPPORT_ALLOC_COUNTER_H_
#define IPCBOX_TESTS_SUPPORT_ALLOC_COUNTER_H_

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace ipcbox::testing {

class AllocationCounter {
 public:
  enum class Threads { kAll, kThisThread };

  // Starts counting. With kThisThread, call count() and bytes() on the thread
  // that constructed the counter.
  explicit AllocationCounter(Threads threads = Threads::kAll);
  ~AllocationCounter();

  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;

  // Allocations (calls) and requested bytes since construction, up to Stop().
  int64_t count() const;
  int64_t bytes() const;

  // Freezes count() and bytes(), so that what the test does afterwards (such
  // as building a failure message) is not counted. Idempotent.
  void Stop();

  // Names the counting method compiled in, for diagnostics.
  static const char* Method();

 private:
  struct Tally {
    int64_t count = 0;
    int64_t bytes = 0;
  };
  Tally Now() const;

  Threads threads_;
  bool stopped_ = false;
  Tally start_;
  Tally end_;
};

// Makes exactly two heap allocations, one through operator new and one
// through malloc, and frees them. What the counter sees depends on how each
// test binary is linked and sanitized (see above), so every binary that
// proves "no allocations" also proves its counter is not blind:
//
//   TEST(PipeAllocationTest, TheCounterSeesAnInjectedAllocation) {
//     EXPECT_NONFATAL_FAILURE(
//         EXPECT_NO_ALLOCATIONS(ipcbox::testing::InjectTwoAllocations()),
//         "made 2 heap allocation(s)");
//   }
void InjectTwoAllocations();

namespace alloc_counter_internal {
// Builds the EXPECT_NO_ALLOCATIONS verdict from a stopped counter.
::testing::AssertionResult NoAllocations(const AllocationCounter& counter,
                                         const char* statement);
}  // namespace alloc_counter_internal

}  // namespace ipcbox::testing

// Runs the statement (anything that compiles as `statement;`) and records a
// failure naming it if it allocated. The variadic form keeps commas inside
// template arguments from splitting the macro argument.
#define IPCBOX_NO_ALLOCATIONS_IMPL_(gtest_check, ...)                     \
  do {                                                                    \
    ::ipcbox::testing::AllocationCounter ipcbox_alloc_counter_;           \
    __VA_ARGS__;                                                          \
    ipcbox_alloc_counter_.Stop();                                         \
    gtest_check(::ipcbox::testing::alloc_counter_internal::NoAllocations( \
        ipcbox_alloc_counter_, #__VA_ARGS__));                            \
  } while (false)

#define EXPECT_NO_ALLOCATIONS(...) \
  IPCBOX_NO_ALLOCATIONS_IMPL_(EXPECT_TRUE, __VA_ARGS__)
#define ASSERT_NO_ALLOCATIONS(...) \
  IPCBOX_NO_ALLOCATIONS_IMPL_(ASSERT_TRUE, __VA_ARGS__)

#endif  // IPCBOX_TESTS_SUPPORT_ALLOC_COUNTER_H_
