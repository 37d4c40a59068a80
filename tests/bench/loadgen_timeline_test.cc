// Copyright 2026 The tracktry-grpc Authors.
//
// OutcomeTimeline: one JSON line per interval, empty intervals included,
// calls in the interval their completion was observed, late calls counted.
#include "bench/loadgen_timeline.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tracktry::bench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

std::vector<nlohmann::json> Lines(const std::ostringstream& out) {
  std::vector<nlohmann::json> lines;
  for (absl::string_view line :
       absl::StrSplit(out.str(), '\n', absl::SkipEmpty())) {
    lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

TEST(OutcomeTimelineTest, WritesEveryIntervalWithItsCalls) {
  std::ostringstream out;
  const int64_t origin = 100 * kSecond;
  OutcomeTimeline timeline(&out, origin, 5 * kSecond, 1'700'000'000'000);
  timeline.Record(origin + 1 * kSecond, "get", "OK", false);
  timeline.Record(origin + 4 * kSecond, "get", "UNAVAILABLE/CIRCUIT_OPEN",
                  false);
  EXPECT_EQ(timeline.intervals_written(), 0);
  // Nothing in [5 s, 10 s); a late call in [10 s, 15 s).
  timeline.Record(origin + 11 * kSecond, "create", "OK", true);
  EXPECT_EQ(timeline.intervals_written(), 2);
  timeline.Finish(origin + 12 * kSecond);

  const std::vector<nlohmann::json> lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["interval"], 0);
  EXPECT_EQ(lines[0]["start_unix_ms"], 1'700'000'000'000);
  EXPECT_EQ(lines[0]["end_unix_ms"], 1'700'000'005'000);
  EXPECT_EQ(lines[0]["calls"], 2);
  EXPECT_EQ(lines[0]["failed"], 1);
  EXPECT_EQ(lines[0]["late"], 0);
  EXPECT_EQ(lines[0]["ops"]["get"]["UNAVAILABLE/CIRCUIT_OPEN"], 1);
  EXPECT_EQ(lines[1]["interval"], 1);
  EXPECT_EQ(lines[1]["calls"], 0);
  EXPECT_EQ(lines[1]["ops"], nlohmann::json::object());
  EXPECT_EQ(lines[2]["interval"], 2);
  EXPECT_EQ(lines[2]["start_unix_ms"], 1'700'000'010'000);
  EXPECT_EQ(lines[2]["end_unix_ms"], 1'700'000'012'000);  // cut at Finish
  EXPECT_EQ(lines[2]["late"], 1);
  EXPECT_EQ(lines[2]["ops"]["create"]["OK"], 1);
}

TEST(OutcomeTimelineTest, FlushWritesIntervalsWithoutCalls) {
  std::ostringstream out;
  OutcomeTimeline timeline(&out, 0, kSecond, 0);
  timeline.Flush(3 * kSecond + 1);
  EXPECT_EQ(timeline.intervals_written(), 3);
  timeline.Finish(3 * kSecond + 1);
  EXPECT_EQ(Lines(out).size(), 4u);
}

}  // namespace
}  // namespace tracktry::bench
