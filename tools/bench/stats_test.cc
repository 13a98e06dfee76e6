#include "tools/bench/stats.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace ipcbox::bench {
namespace {

TEST(MedianTest, OddCountIsTheMiddleValue) {
  EXPECT_EQ(Median(std::vector<double>{5, 1, 3}), 3);
  EXPECT_EQ(Median(std::vector<double>{7}), 7);
}

TEST(MedianTest, EvenCountIsTheMeanOfTheMiddleTwo) {
  EXPECT_EQ(Median(std::vector<double>{4, 1, 3, 2}), 2.5);
}

TEST(MedianTest, OneOutlierDoesNotMoveIt) {
  EXPECT_EQ(Median(std::vector<double>{300, 310, 305, 100000, 302}), 305);
}

TEST(MedianTest, NoValuesIsNaN) {
  EXPECT_TRUE(std::isnan(Median(std::vector<double>{})));
}

TEST(RatiosTest, PairsElementsInOrder) {
  EXPECT_EQ(Ratios(std::vector<double>{2, 9, 5}, std::vector<double>{1, 3, 10}),
            (std::vector<double>{2, 3, 0.5}));
}

TEST(RatiosTest, StopsAtTheShorterInput) {
  // A case that failed part-way has one more raw sample than ipcbox samples.
  EXPECT_EQ(Ratios(std::vector<double>{4}, std::vector<double>{2, 8}),
            (std::vector<double>{2}));
}

TEST(SummarizeTest, GivesMedianAndRange) {
  const Summary s = Summarize(std::vector<double>{1.1, 0.9, 1.0, 1.3});
  EXPECT_DOUBLE_EQ(s.median, 1.05);
  EXPECT_DOUBLE_EQ(s.min, 0.9);
  EXPECT_DOUBLE_EQ(s.max, 1.3);
  EXPECT_EQ(s.count, 4u);
}

TEST(SummarizeTest, MedianOfRatiosIsNotRatioOfMedians) {
  // ipcbox hit a hiccup in repetition 2 and the machine was busy for both in
  // repetition 3: the median of paired ratios still sees parity, the ratio of
  // the separate medians does not.
  const std::vector<double> raw = {100, 110, 300, 120};
  const std::vector<double> ipcbox = {100, 330, 300, 120};
  EXPECT_DOUBLE_EQ(Summarize(Ratios(ipcbox, raw)).median, 1.0);
  EXPECT_GT(Median(ipcbox) / Median(raw), 1.5);
}

TEST(SummarizeTest, NoValuesIsAllNaN) {
  const Summary s = Summarize(std::vector<double>{});
  EXPECT_TRUE(std::isnan(s.median));
  EXPECT_TRUE(std::isnan(s.min));
  EXPECT_TRUE(std::isnan(s.max));
  EXPECT_EQ(s.count, 0u);
}

}  // namespace
}  // namespace ipcbox::bench
