// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/fault_injector.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace tracktry::emulator {
namespace {

using ::testing::HasSubstr;

FaultRule Rule(FaultKind kind, const char* route = "*") {
  FaultRule rule;
  rule.kind = kind;
  rule.route = route;
  return rule;
}

TEST(FaultInjectorTest, ParsesEveryKind) {
  for (const char* kind :
       {"latency", "http_error", "meta_error", "malformed_json",
        "truncated_json", "wrong_shape", "oversize", "drop", "reset_mid_body",
        "hang", "trickle", "drop_after_request", "store_then_drop"}) {
    absl::StatusOr<FaultRule> rule =
        FaultRuleFromJson(nlohmann::json{{"route", "get"}, {"kind", kind}});
    ASSERT_TRUE(rule.ok()) << kind << ": " << rule.status();
    EXPECT_STREQ(FaultKindName(rule->kind), kind);
  }
}

TEST(FaultInjectorTest, AppliesDefaults) {
  absl::StatusOr<FaultRule> http =
      FaultRuleFromJson(nlohmann::json{{"kind", "http_error"}});
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(http->route, "*");
  EXPECT_EQ(http->http_status, 502);
  absl::StatusOr<FaultRule> meta =
      FaultRuleFromJson(nlohmann::json{{"kind", "meta_error"}});
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->meta_code, 500);
  EXPECT_EQ(meta->http_status, 0);
  absl::StatusOr<FaultRule> oversize =
      FaultRuleFromJson(nlohmann::json{{"kind", "oversize"}});
  ASSERT_TRUE(oversize.ok());
  EXPECT_EQ(oversize->oversize_bytes, 16 << 20);
}

TEST(FaultInjectorTest, RejectsBadRules) {
  const nlohmann::json bad[] = {
      nlohmann::json{{"route", "get"}},
      nlohmann::json{{"kind", "explode"}},
      nlohmann::json{{"kind", "latency"}, {"route", "gett"}},
      nlohmann::json{{"kind", "latency"}, {"latency_ms", "100"}},
      nlohmann::json{{"kind", "http_error"}, {"http_status", 999}},
      nlohmann::json{{"kind", "drop"}, {"probability", 1.5}},
      nlohmann::json{{"kind", "wrong_shape"}, {"shape", "square"}},
      nlohmann::json::array(),
  };
  for (const nlohmann::json& json : bad) {
    EXPECT_FALSE(FaultRuleFromJson(json).ok()) << json.dump();
  }
  FaultInjector injector(1);
  const absl::Status status = injector.SetRulesFromJson(
      nlohmann::json{{"rules", {{{"kind", "explode"}}}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("explode"));
}

TEST(FaultInjectorTest, MatchesRouteMethodAndPath) {
  FaultInjector injector(1);
  FaultRule by_route = Rule(FaultKind::kDrop, "get");
  FaultRule by_method = Rule(FaultKind::kHang);
  by_method.method = "DELETE";
  FaultRule by_path = Rule(FaultKind::kHttpError);
  by_path.path = "/trackings/batch";
  FaultRule by_prefix = Rule(FaultKind::kMalformedJson);
  by_prefix.path = "/v2/carriers*";
  injector.SetRules({by_route, by_method, by_path, by_prefix});

  auto kind_of = [&](const char* route, const char* method,
                     const char* relative, const char* full) {
    FaultDecision decision = injector.Select(route, method, relative, full);
    return decision.action.has_value() ? FaultKindName(decision.action->kind)
                                       : "none";
  };
  EXPECT_STREQ(kind_of("get", "GET", "/trackings/a/b", "/v1/trackings/a/b"),
               "drop");
  EXPECT_STREQ(
      kind_of("delete", "DELETE", "/trackings/a/b", "/v1/trackings/a/b"),
      "hang");
  EXPECT_STREQ(
      kind_of("batch", "POST", "/trackings/batch", "/v1/trackings/batch"),
      "http_error");
  EXPECT_STREQ(
      kind_of("detect", "POST", "/carriers/detect", "/v2/carriers/detect"),
      "malformed_json");
  EXPECT_STREQ(
      kind_of("detect", "POST", "/carriers/detect", "/v1/carriers/detect"),
      "none");
  EXPECT_STREQ(kind_of("list", "GET", "/trackings/get", "/v1/trackings/get"),
               "none");
}

TEST(FaultInjectorTest, TimesExpiresRule) {
  FaultInjector injector(1);
  FaultRule rule = Rule(FaultKind::kDrop);
  rule.times = 2;
  injector.SetRules({rule});
  EXPECT_TRUE(injector.Select("get", "GET", "/x", "/v1/x").action.has_value());
  EXPECT_TRUE(injector.Select("get", "GET", "/x", "/v1/x").action.has_value());
  EXPECT_FALSE(injector.Select("get", "GET", "/x", "/v1/x").action.has_value());
  const std::vector<FaultRule> rules = injector.rules();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].applied, 2);
  EXPECT_TRUE(rules[0].expired());
  EXPECT_EQ(FaultRuleToJson(rules[0]).at("remaining"), 0);
}

TEST(FaultInjectorTest, DropKindsActOnlyOnReusedConnections) {
  for (FaultKind kind :
       {FaultKind::kDropAfterRequest, FaultKind::kStoreThenDrop}) {
    SCOPED_TRACE(FaultKindName(kind));
    FaultInjector injector(1);
    FaultRule drop = Rule(kind, "create");
    drop.times = 1;
    FaultRule fallback = Rule(FaultKind::kHttpError, "create");
    injector.SetRules({drop, fallback});

    // The first request of a connection: the rule neither matches nor
    // counts down; later rules still apply.
    FaultDecision first = injector.Select("create", "POST", "/trackings/post",
                                          "/v1/trackings/post",
                                          /*reused_connection=*/false);
    ASSERT_TRUE(first.action.has_value());
    EXPECT_EQ(first.action->kind, FaultKind::kHttpError);
    EXPECT_EQ(injector.rules()[0].applied, 0);
    // The default is "first request".
    EXPECT_EQ(
        injector
            .Select("create", "POST", "/trackings/post", "/v1/trackings/post")
            .action->kind,
        FaultKind::kHttpError);

    // A reused connection: the rule acts, once.
    FaultDecision reused = injector.Select("create", "POST", "/trackings/post",
                                           "/v1/trackings/post",
                                           /*reused_connection=*/true);
    ASSERT_TRUE(reused.action.has_value());
    EXPECT_EQ(reused.action->kind, kind);
    EXPECT_EQ(injector.rules()[0].applied, 1);
    EXPECT_EQ(injector
                  .Select("create", "POST", "/trackings/post",
                          "/v1/trackings/post", /*reused_connection=*/true)
                  .action->kind,
              FaultKind::kHttpError);
  }
}

TEST(FaultInjectorTest, DropKindsRoundTripThroughJson) {
  FaultInjector injector(1);
  ASSERT_TRUE(
      injector
          .SetRulesFromJson(nlohmann::json::parse(
              R"({"rules":[{"route":"get","kind":"drop_after_request","times":1},
                                   {"route":"create","kind":"store_then_drop"}]})"))
          .ok());
  const OrderedJson json = injector.ToJson();
  EXPECT_EQ(json["rules"][0]["kind"], "drop_after_request");
  EXPECT_EQ(json["rules"][0]["route"], "get");
  EXPECT_EQ(json["rules"][0]["remaining"], 1);
  EXPECT_EQ(json["rules"][1]["kind"], "store_then_drop");
  EXPECT_EQ(json["rules"][1]["remaining"], -1);
}

TEST(FaultInjectorTest, LatencyRulesAccumulateBeforeAction) {
  FaultInjector injector(1);
  FaultRule slow = Rule(FaultKind::kLatency);
  slow.latency_ms = 100;
  FaultRule slower = Rule(FaultKind::kLatency, "get");
  slower.latency_ms = 50;
  FaultRule error = Rule(FaultKind::kHttpError);
  error.latency_ms = 7;
  FaultRule never = Rule(FaultKind::kDrop);
  injector.SetRules({slow, slower, error, never});
  const FaultDecision decision = injector.Select("get", "GET", "/x", "/v1/x");
  EXPECT_EQ(decision.extra_latency_ms, 157);
  EXPECT_EQ(decision.latency_rules, 2);
  ASSERT_TRUE(decision.action.has_value());
  EXPECT_EQ(decision.action->kind, FaultKind::kHttpError);
  EXPECT_EQ(injector.rules()[3].applied, 0);
}

TEST(FaultInjectorTest, ProbabilityIsSeededAndDeterministic) {
  auto pattern = [](uint64_t seed) {
    FaultInjector injector(seed);
    FaultRule rule = Rule(FaultKind::kDrop);
    rule.probability = 0.3;
    injector.SetRules({rule});
    std::vector<bool> hits;
    for (int i = 0; i < 400; ++i) {
      hits.push_back(
          injector.Select("get", "GET", "/x", "/v1/x").action.has_value());
    }
    return hits;
  };
  const std::vector<bool> a = pattern(7);
  EXPECT_EQ(a, pattern(7));
  EXPECT_NE(a, pattern(8));
  const long hits = std::count(a.begin(), a.end(), true);
  EXPECT_GT(hits, 80);
  EXPECT_LT(hits, 160);
}

TEST(FaultInjectorTest, ResetClearsRulesAndReseeds) {
  FaultInjector injector(3);
  FaultRule rule = Rule(FaultKind::kDrop);
  rule.probability = 0.5;
  injector.SetRules({rule});
  std::vector<bool> first;
  for (int i = 0; i < 50; ++i) {
    first.push_back(
        injector.Select("get", "GET", "/x", "/v1/x").action.has_value());
  }
  injector.Reset();
  EXPECT_TRUE(injector.rules().empty());
  injector.SetRules({rule});
  std::vector<bool> second;
  for (int i = 0; i < 50; ++i) {
    second.push_back(
        injector.Select("get", "GET", "/x", "/v1/x").action.has_value());
  }
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace tracktry::emulator
