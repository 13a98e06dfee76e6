// util-linux as a real peer: a lock held by flock(1) is seen by FlockLock,
// a FlockLock is seen by flock(1), and lslocks(8) reports the range of an
// FcntlLock (and an OfdLock) held by this process. The tools are host
// binaries run with fork + exec, which works under qemu-user as well.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/file_lock/byte_range.h"
#include "ipcbox/file_lock/fcntl_lock.h"
#include "ipcbox/file_lock/flock_lock.h"
#include "ipcbox/file_lock/lock_type.h"
#include "ipcbox/file_lock/ofd_lock.h"
#include "tests/file_lock/lock_test_util.h"
#include "tests/support/child_process.h"

namespace ipcbox::testing {
namespace {

constexpr char kFlock[] = "/usr/bin/flock";
constexpr char kLslocks[] = "/usr/bin/lslocks";

// A host program run with fork + exec, its stdin and stdout connected to us
// by pipes. Its process group is killed when the object goes, so that no
// grandchild (the shell flock(1) starts) outlives the test.
class Tool {
 public:
  static absl::StatusOr<Tool> Start(std::vector<std::string> argv) {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0) return absl::InternalError("pipe2");
    if (::pipe2(from_child, O_CLOEXEC) != 0) {
      ::close(to_child[0]);
      ::close(to_child[1]);
      return absl::InternalError("pipe2");
    }
    Tool tool;
    tool.stdin_.reset(to_child[1]);
    tool.stdout_.reset(from_child[0]);
    Fd child_in(to_child[0]);
    Fd child_out(from_child[1]);
    absl::StatusOr<ChildProcess> child = ForkChild([&]() -> int {
      ::setpgid(0, 0);
      if (::dup2(child_in.get(), STDIN_FILENO) < 0 ||
          ::dup2(child_out.get(), STDOUT_FILENO) < 0) {
        return 126;
      }
      std::vector<char*> args;
      for (std::string& arg : argv) args.push_back(arg.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
      return 127;
    });
    if (!child.ok()) return child.status();
    tool.child_.emplace(*std::move(child));
    return tool;
  }

  Tool(Tool&&) = default;
  Tool& operator=(Tool&&) = default;
  ~Tool() {
    if (child_.has_value() && !child_->Poll().has_value()) {
      ::kill(-child_->pid(), SIGKILL);
    }
  }

  // Reads one line (without '\n') within `timeout`; empty on EOF or timeout.
  std::string ReadLine(absl::Duration timeout) {
    std::string line;
    const Deadline deadline = Deadline::After(timeout);
    for (;;) {
      struct pollfd pfd = {stdout_.get(), POLLIN, 0};
      if (::poll(&pfd, 1, deadline.PollTimeoutMs()) <= 0) return line;
      char c;
      if (::read(stdout_.get(), &c, 1) != 1 || c == '\n') return line;
      line.push_back(c);
    }
  }

  // Everything the tool writes until it closes its stdout.
  std::string ReadAll(absl::Duration timeout) {
    std::string out;
    const Deadline deadline = Deadline::After(timeout);
    for (;;) {
      struct pollfd pfd = {stdout_.get(), POLLIN, 0};
      if (::poll(&pfd, 1, deadline.PollTimeoutMs()) <= 0) return out;
      char buf[512];
      const ssize_t n = ::read(stdout_.get(), buf, sizeof(buf));
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
    }
  }

  void CloseStdin() { stdin_.reset(); }
  ExitResult Wait() { return child_->Wait(kPeerTimeout); }

 private:
  Tool() = default;

  Fd stdin_;
  Fd stdout_;
  std::optional<ChildProcess> child_;
};

bool Installed(const char* tool) { return ::access(tool, X_OK) == 0; }

// --- flock(1)
// -----------------------------------------------------------------

TEST(Flock1PeerTest, FlockBackendSeesALockHeldByFlock1) {
  ASSERT_TRUE(Installed(kFlock)) << kFlock << " (util-linux) is missing";
  TempPath file("flock1_holds");
  // flock(1) takes the lock, then its command says so and holds it until we
  // close its stdin.
  absl::StatusOr<Tool> flock1 =
      Tool::Start({kFlock, "--exclusive", file.path(), "--command",
                   "echo locked; read line || true"});
  ASSERT_TRUE(flock1.ok()) << flock1.status();
  ASSERT_EQ(flock1->ReadLine(kPeerTimeout), "locked");

  absl::StatusOr<FlockLock> lock = FlockLock::Open(file.path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(IsWouldBlock(lock->TryLock(LockType::kExclusive)));
  EXPECT_TRUE(IsWouldBlock(lock->TryLock(LockType::kShared)));
  EXPECT_TRUE(
      IsTimedOut(lock->LockFor(LockType::kShared, absl::Milliseconds(100))));

  flock1->CloseStdin();  // the command ends, flock(1) exits and unlocks
  EXPECT_TRUE(lock->LockFor(LockType::kExclusive, kPeerTimeout).ok());
  EXPECT_TRUE(ExitedWith(flock1->Wait(), 0));
}

TEST(Flock1PeerTest, Flock1SeesALockHeldByTheFlockBackend) {
  ASSERT_TRUE(Installed(kFlock)) << kFlock << " (util-linux) is missing";
  TempPath file("flock1_sees");
  absl::StatusOr<FlockLock> lock = FlockLock::Open(file.path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->Lock(LockType::kShared).ok());

  // flock -n exits 1 when the lock is taken; a shared request gets through.
  absl::StatusOr<Tool> refused =
      Tool::Start({kFlock, "--nonblock", "--exclusive", file.path(), "true"});
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(ExitedWith(refused->Wait(), 1));
  absl::StatusOr<Tool> shared =
      Tool::Start({kFlock, "--nonblock", "--shared", file.path(), "true"});
  ASSERT_TRUE(shared.ok());
  EXPECT_TRUE(ExitedWith(shared->Wait(), 0));

  ASSERT_TRUE(lock->Unlock().ok());
  absl::StatusOr<Tool> allowed =
      Tool::Start({kFlock, "--nonblock", "--exclusive", file.path(), "true"});
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(ExitedWith(allowed->Wait(), 0));
}

// --- lslocks(8)
// ---------------------------------------------------------------

struct LslocksRow {
  std::string pid;
  std::string type;
  std::string mode;
  int64_t start = -1;
  int64_t end = -1;
  std::string path;
};

// Runs `lslocks --raw` and returns the rows for the file at `path`, matched
// by inode: lslocks finds a lock's path through the holder's /proc/PID/fd,
// which an OFD lock (pid -1) does not have.
std::vector<LslocksRow> LslocksRowsFor(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  const std::string inode = absl::StrCat(st.st_ino);
  absl::StatusOr<Tool> lslocks =
      Tool::Start({kLslocks, "--raw", "--noheadings", "--output",
                   "PID,TYPE,MODE,START,END,INODE,PATH"});
  EXPECT_TRUE(lslocks.ok()) << lslocks.status();
  if (!lslocks.ok()) return {};
  const std::string out = lslocks->ReadAll(kPeerTimeout);
  EXPECT_TRUE(ExitedWith(lslocks->Wait(), 0)) << out;
  std::vector<LslocksRow> rows;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    // PATH is last and --raw escapes blanks in it, so seven fields.
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() != 7 || f[5] != inode) continue;
    LslocksRow row{f[0], f[1], f[2], -1, -1, f[6]};
    EXPECT_TRUE(absl::SimpleAtoi(f[3], &row.start)) << line;
    EXPECT_TRUE(absl::SimpleAtoi(f[4], &row.end)) << line;
    rows.push_back(row);
  }
  return rows;
}

TEST(LslocksPeerTest, ReportsTheRangeOfAnFcntlLock) {
  ASSERT_TRUE(Installed(kLslocks)) << kLslocks << " (util-linux) is missing";
  TempPath file("lslocks_fcntl");
  absl::StatusOr<FcntlLock> lock = FcntlLock::Open(file.path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->Lock(LockType::kExclusive, ByteRange::Of(100, 50)).ok());
  ASSERT_TRUE(lock->Lock(LockType::kShared, ByteRange::Of(4096, 1)).ok());

  std::vector<LslocksRow> rows = LslocksRowsFor(file.path());
  ASSERT_EQ(rows.size(), 2u)
      << "lslocks does not list both locks of " << file.path();
  std::sort(rows.begin(), rows.end(),
            [](const LslocksRow& a, const LslocksRow& b) {
              return a.start < b.start;
            });
  EXPECT_EQ(rows[0].pid, absl::StrCat(::getpid()));
  EXPECT_EQ(rows[0].type, "POSIX");
  EXPECT_EQ(rows[0].mode, "WRITE");
  EXPECT_EQ(rows[0].start, 100);
  EXPECT_EQ(rows[0].end, 149);  // lslocks shows the last byte, inclusive
  char real[PATH_MAX];
  ASSERT_NE(::realpath(file.c_str(), real), nullptr);
  EXPECT_EQ(rows[0].path, real);
  EXPECT_EQ(rows[1].pid, absl::StrCat(::getpid()));
  EXPECT_EQ(rows[1].mode, "READ");
  EXPECT_EQ(rows[1].start, 4096);
  EXPECT_EQ(rows[1].end, 4096);

  ASSERT_TRUE(lock->Unlock().ok());
  EXPECT_TRUE(LslocksRowsFor(file.path()).empty());
}

TEST(LslocksPeerTest, ReportsAnOfdLockAsOfdlck) {
  ASSERT_TRUE(Installed(kLslocks)) << kLslocks << " (util-linux) is missing";
  TempPath file("lslocks_ofd");
  absl::StatusOr<OfdLock> lock = OfdLock::Open(file.path());
  ASSERT_TRUE(lock.ok()) << lock.status();
  ASSERT_TRUE(lock->Lock(LockType::kExclusive, ByteRange::Of(7, 3)).ok());
  std::vector<LslocksRow> rows = LslocksRowsFor(file.path());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].type, "OFDLCK");
  EXPECT_EQ(rows[0].start, 7);
  EXPECT_EQ(rows[0].end, 9);
}

}  // namespace
}  // namespace ipcbox::testing
