// mqueue.h
//
// The seed's message-queue example ("Using pipes and message queues",
// Examples 4-6): a sender puts six 4-byte messages of types 1,1,2,2,3,3 on a
// System V queue found through ftok("queue.h", 123), without blocking; a
// receiver takes them by type in the order 3,1,2,1,3,2, prints each, and
// removes the queue. The queue outlives the sender, so the two run one after
// the other:
//
//   $ sender              $ receiver
//   msg1 sent as type 1   msg5 received as type 3
//   msg2 sent as type 1   msg1 received as type 1
//   msg3 sent as type 2   msg3 received as type 2
//   msg4 sent as type 2   msg2 received as type 1
//   msg5 sent as type 3   msg6 received as type 3
//   msg6 sent as type 3   msg4 received as type 2
//
// Example (the sender, then the receiver, from the directory of queue.h):
//
//   int sender_exit = RunSender(SenderConfig(), std::cout, std::cerr);
//   int receiver_exit = RunReceiver(ReceiverConfig(), std::cout, std::cerr);
//
// This is the programs' logic as functions, so that the binaries, the tests
// and the tour run the same code. The wire format is the seed's exactly, so
// either side talks to the seed's C programs run from the same directory:
// a message is `struct queuedMessage { long type; char payload[MsgLen + 1]; }`
// and the seed sends and receives sizeof(queuedMessage) bytes of it as the
// message text (16 bytes on 64-bit targets, 12 on 32-bit ARM: the payload,
// its NUL, padding, and, from the seed, whatever follows the struct in
// memory; ipcbox sends zeros there).
//
// Where the seed is careless, the port is not, without changing what a
// successful run prints: a failed send prints an error instead of "sent"; a
// failed receive prints the seed's "msgrcv trouble..." and no line of
// uninitialised bytes; a received payload is printed only up to the message's
// length, even if a peer left out the NUL; and the exit code says whether
// everything went through.

#ifndef IPCBOX_EXAMPLES_MESSAGE_QUEUE_MQUEUE_H_
#define IPCBOX_EXAMPLES_MESSAGE_QUEUE_MQUEUE_H_

#include <sys/types.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace ipcbox::examples {

// The seed's queue.h.
inline constexpr int kProjectId = 123;
inline constexpr char kPathName[] = "queue.h";  // any existing file would do
inline constexpr size_t kMsgLen = 4;
inline constexpr int kMsgCount = 6;

// The seed's message layout; its size is the message text's size.
struct QueuedMessage {
  long type;
  char payload[kMsgLen + 1];
};
inline constexpr size_t kWireSize = sizeof(QueuedMessage);

// The seed's msgget(key, 0666 | IPC_CREAT).
inline constexpr mode_t kQueueMode = 0666;

// Exit codes: the seed's exit(-1) for a set-up failure.
inline constexpr int kExitSetUpFailed = 255;
inline constexpr int kExitSomeMessagesFailed = 1;
inline constexpr int kExitBadArguments = 2;

struct SenderConfig {
  std::string path = kPathName;
  int project_id = kProjectId;
  std::vector<std::string> payloads = {"msg1", "msg2", "msg3",
                                       "msg4", "msg5", "msg6"};
  std::vector<long> types = {1, 1, 2, 2, 3, 3};  // each must be > 0
  mode_t mode = kQueueMode;
  bool nowait = true;  // IPC_NOWAIT, as the seed
};

struct ReceiverConfig {
  std::string path = kPathName;
  int project_id = kProjectId;
  // msgrcv()'s msgtyp, one receive each: > 0 that type, 0 any type, < 0 the
  // lowest type up to its absolute value.
  std::vector<long> types = {3, 1, 2, 1, 3, 2};
  mode_t mode = kQueueMode;
  bool nowait = true;  // IPC_NOWAIT, as the seed
  bool remove = true;  // msgctl(IPC_RMID) at the end, as the seed
};

// Run the program; what the seed prints goes to `out`, diagnostics to
// `err`. Returns the exit code: 0, kExitSomeMessagesFailed,
// kExitSetUpFailed or kExitBadArguments.
int RunSender(const SenderConfig& config, std::ostream& out, std::ostream& err);
int RunReceiver(const ReceiverConfig& config, std::ostream& out,
                std::ostream& err);

// What the article shows the two programs printing with the defaults.
inline constexpr char kDocumentedSenderOutput[] =
    "msg1 sent as type 1\n"
    "msg2 sent as type 1\n"
    "msg3 sent as type 2\n"
    "msg4 sent as type 2\n"
    "msg5 sent as type 3\n"
    "msg6 sent as type 3\n";
inline constexpr char kDocumentedReceiverOutput[] =
    "msg5 received as type 3\n"
    "msg1 received as type 1\n"
    "msg3 received as type 2\n"
    "msg2 received as type 1\n"
    "msg6 received as type 3\n"
    "msg4 received as type 2\n";

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_MESSAGE_QUEUE_MQUEUE_H_
