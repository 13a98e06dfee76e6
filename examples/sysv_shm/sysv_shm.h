// sysv_shm.h
//
// The Chinese summary's System V shared memory pair (section 2.3.3, "server
// & client"), as functions:
//
// - the server makes a 4096-byte segment under the ftok key of an agreed
//   path and project id 3 (mode 0664, exclusively), prints what the segment
//   holds as a string once a second for ten seconds ("server:<text>"),
//   detaches and removes the segment;
// - the client attaches the same segment and, once a second for ten
//   seconds, appends the next letter: "A", "AB", "ABC", ..., "ABCDEFGHIJ".
//
//   $ sysv_shm_server &          $ sysv_shm_client
//   server:
//   server:A
//   server:AB
//   ...
//
// Example (both sides, each in its own process, at ten times the pace):
//
//   SysvShmOptions options;
//   options.path = "/tmp/shm-rendezvous";  // any existing file: the ftok key
//   options.interval = absl::Milliseconds(100);
//   int server_exit = RunSysvShmServer(options, stdout, stderr);
//   int client_exit = RunSysvShmClient(options, stderr);  // the other process
//
// //examples/sysv_shm:sysv_shm_server and :sysv_shm_client call these with
// flags whose defaults are the seed's values, so each interoperates with the
// seed's C server or client; the tour and the tests call them in forked
// children, or in threads in lockstep.
//
// Where they differ from the C programs, on purpose:
// - The server prints the string bounded by the segment (a client that
//   leaves no NUL in 4096 bytes cannot make it read past the end), and the
//   client refuses more rounds than the segment has room for.
// - A failed step stops the program with a message that says what and why
//   (a missing ftok path, no segment yet, a stale one), where the C programs
//   print perror() and carry on with an invalid id or address.
// - The segment is removed even when the server fails after making it.
// - Past 'Z' (more than the seed's ten rounds) the client starts again at
//   'A' rather than writing punctuation and, eventually, a NUL.

#ifndef IPCBOX_EXAMPLES_SYSV_SHM_SYSV_SHM_H_
#define IPCBOX_EXAMPLES_SYSV_SHM_SYSV_SHM_H_

#include <cstddef>
#include <cstdio>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace ipcbox::examples {

// The seed's common.h, plus its loop count, interval and mode.
inline constexpr char kSeedPath[] =
    "/home/ljj/Linux_code/test_2022_2_15/System_V_IPC/shm";
inline constexpr int kSeedProjectId = 3;
inline constexpr size_t kSeedSize = 4096;
inline constexpr int kSeedRounds = 10;
inline constexpr int kSeedMode = 0664;

struct SysvShmOptions {
  std::string path = kSeedPath;                // ftok path
  int project_id = kSeedProjectId;             // ftok project id
  size_t size = kSeedSize;                     // segment size in bytes
  absl::Duration interval = absl::Seconds(1);  // between rounds
  int rounds = kSeedRounds;  // lines printed / letters written
};

// The server's line for what the segment holds: "server:<text>\n", the text
// ending at the first NUL or at the end of the segment.
std::string ServerLine(absl::Span<const char> segment);

// What the client leaves in the segment after round `round` (0-based):
// the first round + 1 letters from 'A', NUL-terminated.
void ClientRound(absl::Span<char> segment, int round);

// The server. `out` gets the printed lines. `after_round(i)` runs after
// line i is printed; the plain overload sleeps `options.interval` there, as
// the seed does. Returns 0, or 1 after printing the error to `err`.
int RunSysvShmServer(const SysvShmOptions& options, std::FILE* out,
                     std::FILE* err,
                     absl::FunctionRef<void(int round)> after_round);
int RunSysvShmServer(const SysvShmOptions& options, std::FILE* out,
                     std::FILE* err);

// The client. `after_round(i)` runs after letter i is written; the plain
// overload sleeps `options.interval`. Returns 0, or 1 after printing the
// error to `err`.
int RunSysvShmClient(const SysvShmOptions& options, std::FILE* err,
                     absl::FunctionRef<void(int round)> after_round);
int RunSysvShmClient(const SysvShmOptions& options, std::FILE* err);

// Checks `options` before anything is created: rounds must be 1.. and leave
// room for the NUL after the last letter (rounds < size).
absl::Status ValidateSysvShmOptions(const SysvShmOptions& options);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SYSV_SHM_SYSV_SHM_H_
