// Counts statuses by kind, for measured loops (no-allocation proofs) that
// must not assert, or format a message, while they run: the loop adds each
// outcome, the test checks the counts afterwards.
//
//   ipcbox::testing::StatusTally tally;
//   for (int i = 0; i < kRounds; ++i) {
//     tally.Add(lock.TryLock(LockType::kExclusive));
//     tally.Add(lock.Unlock());
//   }
//   EXPECT_EQ(tally.ok, 2 * kRounds);

#ifndef IPCBOX_TESTS_SUPPORT_STATUS_TALLY_H_
#define IPCBOX_TESTS_SUPPORT_STATUS_TALLY_H_

#include "absl/status/status.h"
#include "ipcbox/core/end_of_stream.h"
#include "ipcbox/core/errors.h"

namespace ipcbox::testing {

struct StatusTally {
  int ok = 0;
  int would_block = 0;
  int timed_out = 0;
  int end_of_stream = 0;
  int other = 0;

  void Add(const absl::Status& s) {
    if (s.ok()) {
      ++ok;
    } else if (IsWouldBlock(s)) {
      ++would_block;
    } else if (IsTimedOut(s)) {
      ++timed_out;
    } else if (IsEndOfStream(s)) {
      ++end_of_stream;
    } else {
      ++other;
    }
  }
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_STATUS_TALLY_H_
