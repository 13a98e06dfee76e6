// A stand-in test binary for //toolchains/board:runner_test: each mode ends
// the way a real test can (pass, fail, crash, overrun), so the runner's test
// can check that the runner reports each of them faithfully.
//
//   board_probe env      checks the board-side test environment, writes an
//                        undeclared output and an XML file, exits 0
//   board_probe fail     exits 1
//   board_probe segv     dies of SIGSEGV
//   board_probe abort    dies of SIGABRT
//   board_probe sleep N  forks a child, and both sleep N seconds
//   board_probe exclusive DIR  fails if another probe holds DIR/busy
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <string>

namespace {

int Fail(const std::string& why) {
  fprintf(stderr, "board_probe: %s\n", why.c_str());
  return 1;
}

std::string Env(const char* name) {
  const char* value = getenv(name);
  return value == nullptr ? "" : value;
}

bool WriteFile(const std::string& path, const std::string& text) {
  FILE* file = fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  const bool ok = fputs(text.c_str(), file) >= 0;
  return fclose(file) == 0 && ok;
}

int CheckEnvironment(const char* program) {
  for (const char* name : {"TEST_TMPDIR", "TEST_UNDECLARED_OUTPUTS_DIR",
                           "TEST_SRCDIR", "XML_OUTPUT_FILE", "TEST_TARGET"}) {
    if (Env(name).empty()) return Fail(std::string(name) + " is not set");
  }
  if (!WriteFile(Env("TEST_TMPDIR") + "/scratch", "x")) {
    return Fail("TEST_TMPDIR is not writable");
  }
  // The data file must have come along with the binary.
  const std::string data = Env("TEST_SRCDIR") + "/" + Env("TEST_WORKSPACE") +
                           "/toolchains/board/testdata/probe_data.txt";
  if (access(data.c_str(), R_OK) != 0) return Fail("no data file " + data);
  if (Env("GTEST_OUTPUT") != "xml:" + Env("XML_OUTPUT_FILE")) {
    return Fail("GTEST_OUTPUT does not name XML_OUTPUT_FILE");
  }
  // As under Bazel on the host: a test (and what it spawns) starts with
  // SIGINT at its default, not ignored as a shell leaves a command it runs
  // in the background (which ignores SIGQUIT too, but an ignored SIGQUIT
  // can also come from whoever started Bazel, so it is not checked).
  struct sigaction action;
  if (sigaction(SIGINT, nullptr, &action) != 0 ||
      action.sa_handler != SIG_DFL) {
    return Fail("SIGINT is not at its default");
  }
  struct utsname names;
  if (uname(&names) != 0) return Fail("uname failed");
  printf("board_probe: running %s on %s (%s), argv[0] %s\n",
         Env("TEST_TARGET").c_str(), names.nodename, names.machine, program);
  if (!WriteFile(Env("TEST_UNDECLARED_OUTPUTS_DIR") + "/probe_output.txt",
                 names.machine) ||
      !WriteFile(Env("XML_OUTPUT_FILE"),
                 "<?xml version=\"1.0\"?><testsuites name=\"board_probe\" "
                 "tests=\"1\" failures=\"0\"></testsuites>\n")) {
    return Fail("cannot write the outputs");
  }
  return 0;
}

int Exclusive(const std::string& dir) {
  // Two probes inside this window at once mean the slot limit let two run.
  const std::string busy = dir + "/busy";
  const int fd = open(busy.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (fd < 0) {
    return Fail(errno == EEXIST ? "another probe is running on this board"
                                : "cannot create " + busy);
  }
  close(fd);
  sleep(1);
  unlink(busy.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "env") return CheckEnvironment(argv[0]);
  if (mode == "fail") return Fail("failing on purpose");
  if (mode == "segv") return raise(SIGSEGV) == 0 ? 3 : 4;
  if (mode == "abort") abort();
  if (mode == "sleep" && argc > 2) {
    const unsigned seconds = static_cast<unsigned>(atoi(argv[2]));
    fork();  // The child must go too when the runner stops the test.
    sleep(seconds);
    return 0;
  }
  if (mode == "exclusive" && argc > 2) return Exclusive(argv[2]);
  fprintf(stderr,
          "usage: board_probe env|fail|segv|abort|sleep N|exclusive DIR\n");
  return mode == "--help" ? 0 : 2;
}
