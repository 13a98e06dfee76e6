// Removes a named thing (a file, a POSIX semaphore, shared memory object or
// message queue) when the guard goes out of scope, whoever created it and
// however the test ended, so that a failing test leaves nothing behind.
// `Remove` is the call that removes one by name: ::unlink, ::sem_unlink,
// ::shm_unlink, ::mq_unlink.
//
//   ScopedRemoval<::sem_unlink> guard(UniqueName("sem_test"));
//   sem_t* sem = ::sem_open(guard.name().c_str(), O_CREAT | O_EXCL, 0600, 0);

#ifndef IPCBOX_TESTS_SUPPORT_SCOPED_REMOVAL_H_
#define IPCBOX_TESTS_SUPPORT_SCOPED_REMOVAL_H_

#include <string>
#include <utility>

namespace ipcbox::testing {

template <int (*Remove)(const char*)>
class ScopedRemoval {
 public:
  explicit ScopedRemoval(std::string name) : name_(std::move(name)) {}
  ~ScopedRemoval() { Remove(name_.c_str()); }
  ScopedRemoval(const ScopedRemoval&) = delete;
  ScopedRemoval& operator=(const ScopedRemoval&) = delete;

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_SCOPED_REMOVAL_H_
