#include "tests/support/pattern.h"

#include <cstddef>
#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/stopwatch.h"

namespace ipcbox::testing {
namespace {

TEST(PatternTest, APieceIsThePatternFromItsOffset) {
  const std::string whole = Pattern(10000);
  EXPECT_EQ(Pattern(1000, 4321), whole.substr(4321, 1000));
  EXPECT_EQ(FirstPatternMismatch(whole.substr(4321, 1000), 4321),
            absl::string_view::npos);
}

TEST(PatternTest, ShiftedOrAlteredBytesAreFound) {
  std::string got = Pattern(4096);
  EXPECT_EQ(FirstPatternMismatch(got, 1), 0u);  // off by one byte
  got[777] ^= 1;
  EXPECT_EQ(FirstPatternMismatch(got, 0), 777u);
}

TEST(PatternTest, NoByteRepeatsWithinAShortRun) {
  // A dropped or repeated byte must change what follows.
  const std::string bytes = Pattern(4096);
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    ASSERT_NE(bytes[i], bytes[i + 1]) << "at " << i;
  }
}

TEST(PatternTest, EverySeedHasBytesOfItsOwn) {
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    EXPECT_TRUE(seen.insert(SeededPattern(seed, 16)).second) << seed;
  }
}

TEST(StopwatchTest, CountsAtLeastTheTimeSlept) {
  Stopwatch watch;
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_GE(watch.Elapsed(), absl::Milliseconds(20));
}

}  // namespace
}  // namespace ipcbox::testing
