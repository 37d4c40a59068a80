// Copyright 2026 The tracktry-grpc Authors.
//
// OutcomeTable and OutcomeName: the per-operation outcome counts bench/soak
// classifies.
#include "bench/loadgen_outcomes.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tracktry::bench {
namespace {

TEST(OutcomeNameTest, CodeAndReason) {
  EXPECT_EQ(OutcomeName("OK", ""), "OK");
  EXPECT_EQ(OutcomeName("OK", "IGNORED"), "OK");
  EXPECT_EQ(OutcomeName("DEADLINE_EXCEEDED", ""), "DEADLINE_EXCEEDED");
  EXPECT_EQ(OutcomeName("UNAVAILABLE", "UPSTREAM_OUTCOME_UNKNOWN"),
            "UNAVAILABLE/UPSTREAM_OUTCOME_UNKNOWN");
}

TEST(OutcomeTableTest, CountsByOperationAndOutcome) {
  OutcomeTable table;
  EXPECT_EQ(table.ToJson(), nlohmann::json::object());
  table.Record("get", "OK");
  table.Record("get", "OK");
  table.Record("get", "UNAVAILABLE/UPSTREAM_UNAVAILABLE");
  table.Record("create_repeat", "ALREADY_EXISTS/TRACKING_ALREADY_EXISTS");
  EXPECT_EQ(table.total(), 4);
  EXPECT_EQ(table.failed(), 2);
  EXPECT_EQ(table.Count("get", "OK"), 2);
  EXPECT_EQ(table.Count("get", "NOT_FOUND"), 0);
  EXPECT_EQ(table.Count("list", "OK"), 0);
  EXPECT_EQ(table.ToJson(), nlohmann::json::parse(R"({
              "get": {"OK": 2, "UNAVAILABLE/UPSTREAM_UNAVAILABLE": 1},
              "create_repeat": {"ALREADY_EXISTS/TRACKING_ALREADY_EXISTS": 1}
            })"));
  table.Clear();
  EXPECT_EQ(table.total(), 0);
  EXPECT_EQ(table.failed(), 0);
  EXPECT_EQ(table.ToJson(), nlohmann::json::object());
}

}  // namespace
}  // namespace tracktry::bench
