// The semaphore types the typed suites run against, one struct each:
//
//   Semaphore     the type under test
//   kName         the suffix GoogleTest prints
//   kMaxValue     its largest value
//   kUndoneOnExit whether the kernel gives back a dead process's waits
//   Create()      a fresh semaphore that no other test can see; it is
//                 removed when the returned object is destroyed

#ifndef IPCBOX_TESTS_SEMAPHORE_BACKENDS_H_
#define IPCBOX_TESTS_SEMAPHORE_BACKENDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/sysv_key.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/semaphore/posix_anonymous_semaphore.h"
#include "ipcbox/semaphore/posix_named_semaphore.h"
#include "ipcbox/semaphore/semaphore_options.h"
#include "ipcbox/semaphore/sysv_semaphore.h"

namespace ipcbox::testing {

struct PosixNamedBackend {
  using Semaphore = posix::NamedSemaphore;
  static constexpr const char* kName = "PosixNamed";
  static constexpr unsigned kMaxValue = kMaxPosixSemaphoreValue;
  static constexpr bool kUndoneOnExit = false;
  static absl::StatusOr<Semaphore> Create(const SemaphoreOptions& options) {
    return Semaphore::Create(UniqueName("sem_test"), options);
  }
};

struct PosixUnnamedBackend {
  using Semaphore = posix::AnonymousSemaphore;
  static constexpr const char* kName = "PosixUnnamed";
  static constexpr unsigned kMaxValue = kMaxPosixSemaphoreValue;
  static constexpr bool kUndoneOnExit = false;
  static absl::StatusOr<Semaphore> Create(const SemaphoreOptions& options) {
    return Semaphore::Create(options);
  }
};

struct SysvBackend {
  using Semaphore = sysv::Semaphore;
  static constexpr const char* kName = "SystemV";
  static constexpr unsigned kMaxValue = kMaxSysvSemaphoreValue;
  static constexpr bool kUndoneOnExit = true;
  static absl::StatusOr<Semaphore> Create(const SemaphoreOptions& options) {
    return Semaphore::Create(sysv::IpcKey::Private(), options);
  }
};

using AllBackends =
    ::testing::Types<PosixNamedBackend, PosixUnnamedBackend, SysvBackend>;

struct BackendNames {
  template <typename Backend>
  static std::string GetName(int) {
    return Backend::kName;
  }
};

// Options for a lock (undone at exit on System V) or a signal (never
// undone) starting at `value`.
inline SemaphoreOptions LockOptions(unsigned value) {
  SemaphoreOptions options;
  options.initial_value = value;
  options.undo_on_exit = true;
  return options;
}

inline SemaphoreOptions SignalOptions(unsigned value) {
  SemaphoreOptions options;
  options.initial_value = value;
  options.undo_on_exit = false;
  return options;
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SEMAPHORE_BACKENDS_H_
