#include "tests/support/alloc_counter.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#include "tests/support/escape.h"

#if defined(__SANITIZE_ADDRESS__)
#define IPCBOX_ALLOC_COUNTER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IPCBOX_ALLOC_COUNTER_ASAN 1
#endif
#endif

namespace ipcbox::testing {
namespace {

// Constant-initialised, so allocations made before main() (while these are
// still zero) cost one load and are never counted.
std::atomic<int> active_counters{0};
std::atomic<int64_t> total_count{0};
std::atomic<int64_t> total_bytes{0};

// initial-exec: reading a thread_local must never allocate, and it is read
// from inside the allocator hooks.
__attribute__((tls_model("initial-exec"))) thread_local int64_t thread_count;
__attribute__((tls_model("initial-exec"))) thread_local int64_t thread_bytes;

inline void Record(size_t bytes) {
  if (active_counters.load(std::memory_order_relaxed) == 0) return;
  total_count.fetch_add(1, std::memory_order_relaxed);
  total_bytes.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  ++thread_count;
  thread_bytes += static_cast<int64_t>(bytes);
}

}  // namespace

AllocationCounter::AllocationCounter(Threads threads) : threads_(threads) {
  // Activate before sampling, so nothing between the two goes unseen.
  active_counters.fetch_add(1, std::memory_order_seq_cst);
  start_ = Now();
}

AllocationCounter::~AllocationCounter() { Stop(); }

void AllocationCounter::Stop() {
  if (stopped_) return;
  end_ = Now();
  stopped_ = true;
  active_counters.fetch_sub(1, std::memory_order_seq_cst);
}

AllocationCounter::Tally AllocationCounter::Now() const {
  if (threads_ == Threads::kThisThread) return {thread_count, thread_bytes};
  return {total_count.load(std::memory_order_relaxed),
          total_bytes.load(std::memory_order_relaxed)};
}

int64_t AllocationCounter::count() const {
  return (stopped_ ? end_ : Now()).count - start_.count;
}

int64_t AllocationCounter::bytes() const {
  return (stopped_ ? end_ : Now()).bytes - start_.bytes;
}

void InjectTwoAllocations() {
  // Escape keeps the compiler from eliding the pairs (allowed for new/delete
  // and done by gcc's -fallocation-dce, and for malloc/free too).
  int* object = new int(7);
  Escape(object);
  delete object;
  void* block = malloc(24);
  Escape(block);
  free(block);
}

namespace alloc_counter_internal {

::testing::AssertionResult NoAllocations(const AllocationCounter& counter,
                                         const char* statement) {
  if (counter.count() == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "`" << statement << "` made " << counter.count()
         << " heap allocation(s), " << counter.bytes()
         << " bytes requested; expected none (counted by "
         << AllocationCounter::Method() << ")";
}

}  // namespace alloc_counter_internal

#if defined(IPCBOX_ALLOC_COUNTER_ASAN)

const char* AllocationCounter::Method() {
  return "AddressSanitizer allocation hooks";
}

}  // namespace ipcbox::testing

// gcc does not ship <sanitizer/allocator_interface.h>; libasan exports this.
extern "C" int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, size_t),
    void (*free_hook)(const volatile void*));

namespace ipcbox::testing {
namespace {

void OnAsanMalloc(const volatile void*, size_t size) { Record(size); }
void OnAsanFree(const volatile void*) {}

// Installed during static initialisation, before the tests start threads. A
// counter that silently counted nothing would let every zero-allocation test
// pass, so failing to install is fatal.
const bool asan_hooks_installed = [] {
  if (__sanitizer_install_malloc_and_free_hooks(&OnAsanMalloc, &OnAsanFree) ==
      0) {
    fputs("alloc_counter: cannot install AddressSanitizer malloc hooks\n",
          stderr);
    abort();
  }
  return true;
}();

}  // namespace
}  // namespace ipcbox::testing

// The BUILD target always passes --wrap, so the wrappers must exist; ASan's
// hook already counts these calls, so they only forward.
#define IPCBOX_COUNT(bytes) static_cast<void>(0)

#else  // !IPCBOX_ALLOC_COUNTER_ASAN

const char* AllocationCounter::Method() {
  return "operator new replacement and ld --wrap=malloc";
}

}  // namespace ipcbox::testing

#define IPCBOX_COUNT(bytes) ::ipcbox::testing::Record(bytes)

#endif  // IPCBOX_ALLOC_COUNTER_ASAN

// The C allocator, through the linker's --wrap: a call to malloc from any
// object in the link lands in __wrap_malloc, and __real_malloc is the C
// library's malloc. A link without the --wrap flags fails on the undefined
// __real_ symbols instead of producing a counter that misses malloc.
extern "C" {

void* __real_malloc(size_t size);
void* __real_calloc(size_t n, size_t size);
void* __real_realloc(void* ptr, size_t size);
void* __real_reallocarray(void* ptr, size_t n, size_t size);
void* __real_aligned_alloc(size_t alignment, size_t size);
int __real_posix_memalign(void** out, size_t alignment, size_t size);
void* __real_memalign(size_t alignment, size_t size);
void* __real_valloc(size_t size);
void* __real_pvalloc(size_t size);

void* __wrap_malloc(size_t size) {
  IPCBOX_COUNT(size);
  return __real_malloc(size);
}

void* __wrap_calloc(size_t n, size_t size) {
  IPCBOX_COUNT(n * size);
  return __real_calloc(n, size);
}

// realloc(p, 0) frees; everything else may hand out a new block.
void* __wrap_realloc(void* ptr, size_t size) {
  if (size != 0 || ptr == nullptr) IPCBOX_COUNT(size);
  return __real_realloc(ptr, size);
}

void* __wrap_reallocarray(void* ptr, size_t n, size_t size) {
  if (n * size != 0 || ptr == nullptr) IPCBOX_COUNT(n * size);
  return __real_reallocarray(ptr, n, size);
}

void* __wrap_aligned_alloc(size_t alignment, size_t size) {
  IPCBOX_COUNT(size);
  return __real_aligned_alloc(alignment, size);
}

int __wrap_posix_memalign(void** out, size_t alignment, size_t size) {
  IPCBOX_COUNT(size);
  return __real_posix_memalign(out, alignment, size);
}

void* __wrap_memalign(size_t alignment, size_t size) {
  IPCBOX_COUNT(size);
  return __real_memalign(alignment, size);
}

void* __wrap_valloc(size_t size) {
  IPCBOX_COUNT(size);
  return __real_valloc(size);
}

void* __wrap_pvalloc(size_t size) {
  IPCBOX_COUNT(size);
  return __real_pvalloc(size);
}

}  // extern "C"

#if !defined(IPCBOX_ALLOC_COUNTER_ASAN)

// Global operator new and delete. Each new counts once and takes memory from
// the real C allocator directly, so it is not counted a second time through
// __wrap_malloc. Every overload is replaced, so none depends on how libstdc++
// happens to be linked (in a dynamic link its own new would reach malloc from
// inside libstdc++.so, where --wrap does not reach).

namespace {

void* AllocateOnce(size_t size, size_t alignment) {
  if (size == 0) size = 1;  // operator new must return a unique pointer.
  if (alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) return __real_malloc(size);
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  void* ptr = nullptr;
  return __real_posix_memalign(&ptr, alignment, size) == 0 ? ptr : nullptr;
}

// The standard's loop: on failure call the new-handler until it gives up.
void* AllocateOrNull(size_t size, size_t alignment) {
  IPCBOX_COUNT(size);
  for (;;) {
    if (void* ptr = AllocateOnce(size, alignment)) return ptr;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    handler();
  }
}

void* AllocateOrThrow(size_t size, size_t alignment) {
  if (void* ptr = AllocateOrNull(size, alignment)) return ptr;
#if defined(__cpp_exceptions)
  throw std::bad_alloc();
#else
  abort();
#endif
}

constexpr size_t kDefault = 0;

}  // namespace

void* operator new(size_t size) { return AllocateOrThrow(size, kDefault); }
void* operator new[](size_t size) { return AllocateOrThrow(size, kDefault); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return AllocateOrNull(size, kDefault);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return AllocateOrNull(size, kDefault);
}
void* operator new(size_t size, std::align_val_t alignment) {
  return AllocateOrThrow(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
  return AllocateOrThrow(size, static_cast<size_t>(alignment));
}
void* operator new(size_t size, std::align_val_t alignment,
                   const std::nothrow_t&) noexcept {
  return AllocateOrNull(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment,
                     const std::nothrow_t&) noexcept {
  return AllocateOrNull(size, static_cast<size_t>(alignment));
}

void operator delete(void* ptr) noexcept { free(ptr); }
void operator delete[](void* ptr) noexcept { free(ptr); }
void operator delete(void* ptr, const std::nothrow_t&) noexcept { free(ptr); }
void operator delete[](void* ptr, const std::nothrow_t&) noexcept { free(ptr); }
void operator delete(void* ptr, size_t) noexcept { free(ptr); }
void operator delete[](void* ptr, size_t) noexcept { free(ptr); }
void operator delete(void* ptr, std::align_val_t) noexcept { free(ptr); }
void operator delete[](void* ptr, std::align_val_t) noexcept { free(ptr); }
void operator delete(void* ptr, std::align_val_t,
                     const std::nothrow_t&) noexcept {
  free(ptr);
}
void operator delete[](void* ptr, std::align_val_t,
                       const std::nothrow_t&) noexcept {
  free(ptr);
}
void operator delete(void* ptr, size_t, std::align_val_t) noexcept {
  free(ptr);
}
void operator delete[](void* ptr, size_t, std::align_val_t) noexcept {
  free(ptr);
}

#endif  // !IPCBOX_ALLOC_COUNTER_ASAN
