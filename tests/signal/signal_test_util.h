// Helpers shared by the signal tests.

#ifndef IPCBOX_TESTS_SIGNAL_SIGNAL_TEST_UTIL_H_
#define IPCBOX_TESTS_SIGNAL_SIGNAL_TEST_UTIL_H_

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace ipcbox::testing {

// What the signalfd probe saw: empty if a signalfd received the signal this
// process raised, else which step failed and how.
struct SignalFdProbe {
  bool delivered = false;
  std::string failure;
};

// Whether a signalfd receives a signal this process raises, checked with
// the raw system calls only. It checks the environment the signalfd tests
// need, so it must not share code with what they test: a regression in
// ScopedSignalMask or SignalFd must fail the test that covers it, not be
// taken for a problem of the environment.
inline SignalFdProbe ProbeSignalFd() {
  SignalFdProbe probe;
  auto failed = [&probe](const char* step, int err) {
    probe.failure = std::string(step) + ": " + strerror(err);
    return probe;
  };
  // SIGURG is ignored meanwhile, so a SIGURG that the descriptor misses is
  // discarded when the mask goes instead of reaching a handler. (A blocked
  // signal is queued even when ignored; ignoring it again on the way out
  // drops it.)
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_action;
  if (sigaction(SIGURG, &ignore, &old_action) != 0) {
    return failed("sigaction", errno);
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGURG);
  sigset_t old_mask;
  if (int err = pthread_sigmask(SIG_BLOCK, &set, &old_mask); err != 0) {
    sigaction(SIGURG, &old_action, nullptr);
    return failed("pthread_sigmask", err);
  }
  const int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) {
    probe.failure = std::string("signalfd: ") + strerror(errno);
  } else if (raise(SIGURG) != 0) {
    probe.failure = std::string("raise: ") + strerror(errno);
  } else {
    pollfd ready = {fd, POLLIN, 0};
    int n;
    do {
      n = poll(&ready, 1, /*timeout_ms=*/5000);
    } while (n < 0 && errno == EINTR);
    signalfd_siginfo info = {};
    if (n < 0) {
      probe.failure = std::string("poll: ") + strerror(errno);
    } else if (n == 0) {
      probe.failure = "the raised SIGURG never made the descriptor readable";
    } else if (read(fd, &info, sizeof(info)) != sizeof(info)) {
      probe.failure = std::string("read: ") + strerror(errno);
    } else if (info.ssi_signo != SIGURG) {
      probe.failure = "read signal " + std::to_string(info.ssi_signo) +
                      " instead of SIGURG";
    } else {
      probe.delivered = true;
    }
  }
  if (fd >= 0) close(fd);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGURG, &old_action, nullptr);
  return probe;
}

}  // namespace ipcbox::testing

// For tests that need a working signalfd: fails at once, saying which raw
// call let the probe down, rather than letting each read wait out its
// deadline. It never skips: signalfd delivers on Linux, and also under the
// qemu-user that runs the aarch64 and armv7 tests (7.2, Debian 12; checked
// with this probe), so a probe that fails is a regression to see.
#define IPCBOX_ASSERT_SIGNALFD_DELIVERS()                              \
  do {                                                                 \
    const ::ipcbox::testing::SignalFdProbe ipcbox_probe_ =             \
        ::ipcbox::testing::ProbeSignalFd();                            \
    ASSERT_TRUE(ipcbox_probe_.delivered)                               \
        << "a signalfd (raw calls, no ipcbox code) did not receive a " \
           "raised SIGURG: "                                           \
        << ipcbox_probe_.failure;                                      \
  } while (false)

#endif  // IPCBOX_TESTS_SIGNAL_SIGNAL_TEST_UTIL_H_
