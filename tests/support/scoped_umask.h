// Sets the process umask for one scope and restores the previous one, also
// when an assertion ends the test early; for tests of what a mechanism's
// create does whatever the umask (tests run one at a time per process).
//
//   {
//     ScopedUmask umask(077);  // would narrow 0644 to 0600
//     ... create, then check the mode ...
//   }

#ifndef IPCBOX_TESTS_SUPPORT_SCOPED_UMASK_H_
#define IPCBOX_TESTS_SUPPORT_SCOPED_UMASK_H_

#include <sys/stat.h>
#include <sys/types.h>

namespace ipcbox::testing {

class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t previous_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_SCOPED_UMASK_H_
