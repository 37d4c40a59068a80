// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingGenerator determinism and the checkpoint progression seen through
// EvaluateTracking / RenderTracking.
#include "emulator/tracking_generator.h"

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "emulator/time_format.h"
#include "emulator/tracking_record.h"
#include "emulator/tracking_renderer.h"
#include "gtest/gtest.h"

namespace tracktry::emulator {
namespace {

constexpr int64_t kCreated = 1700000000;
constexpr int64_t kDay = 86400;

std::string Number(int i) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "RN%09dCN", i);
  return buffer;
}

// The first number (RN...CN, china-post) whose scenario is `scenario`.
std::string NumberWithScenario(const TrackingGenerator& generator,
                               Scenario scenario) {
  for (int i = 0; i < 100000; ++i) {
    if (generator.ScenarioFor("china-post", Number(i)) == scenario) {
      return Number(i);
    }
  }
  return "";
}

TrackingRecord MakeRecord(const TrackingGenerator& generator,
                          const std::string& number) {
  TrackingRecord record;
  record.carrier_code = "china-post";
  record.tracking_number = number;
  record.created_at = kCreated;
  record.generated = generator.Generate("china-post", number, "", kCreated);
  return record;
}

TEST(TrackingGeneratorTest, SameSeedGivesSameData) {
  const TrackingGenerator a(42);
  const TrackingGenerator b(42);
  const TrackingGenerator other(43);
  int differing = 0;
  for (int i = 0; i < 50; ++i) {
    const GeneratedTracking x =
        a.Generate("china-post", Number(i), "", kCreated);
    const GeneratedTracking y =
        b.Generate("china-post", Number(i), "", kCreated);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.scenario, y.scenario);
    ASSERT_EQ(x.checkpoints.size(), y.checkpoints.size());
    for (size_t k = 0; k < x.checkpoints.size(); ++k) {
      EXPECT_EQ(x.checkpoints[k].time_unix, y.checkpoints[k].time_unix);
      EXPECT_EQ(x.checkpoints[k].description, y.checkpoints[k].description);
    }
    if (other.IdFor("china-post", Number(i)) != x.id) ++differing;
  }
  EXPECT_EQ(differing, 50);
}

TEST(TrackingGeneratorTest, IdIs32LowerHexDigits) {
  const std::string id = TrackingGenerator(1).IdFor("dhl", "1234567890");
  ASSERT_EQ(id.size(), 32u);
  for (const char c : id) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
  }
}

TEST(TrackingGeneratorTest, EveryScenarioOccurs) {
  const TrackingGenerator generator(42);
  std::set<Scenario> seen;
  for (int i = 0; i < 400; ++i) {
    seen.insert(generator.ScenarioFor("china-post", Number(i)));
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(TrackingGeneratorTest, CheckpointsAreOrderedAndScenarioShaped) {
  const TrackingGenerator generator(42);
  for (int i = 0; i < 300; ++i) {
    const GeneratedTracking t =
        generator.Generate("china-post", Number(i), "", kCreated);
    for (size_t k = 1; k < t.checkpoints.size(); ++k) {
      EXPECT_LT(t.checkpoints[k - 1].time_unix, t.checkpoints[k].time_unix);
    }
    switch (t.scenario) {
      case Scenario::kNeverFound:
        EXPECT_TRUE(t.checkpoints.empty());
        break;
      case Scenario::kStuckThenExpired:
        ASSERT_EQ(t.checkpoints.size(), 4u);
        EXPECT_EQ(t.checkpoints.back().status, "transit");
        break;
      case Scenario::kExceptionReturned:
        EXPECT_EQ(t.checkpoints.back().substatus, "exception010");
        break;
      case Scenario::kDeliveredWithCustoms: {
        EXPECT_NE(t.destination_country, t.original_country);
        bool customs = false;
        for (const Checkpoint& c : t.checkpoints) {
          customs |= c.item_node == "CustomsClearance";
        }
        EXPECT_TRUE(customs);
        EXPECT_EQ(t.checkpoints.back().status, "delivered");
        break;
      }
      case Scenario::kFailedAttemptThenDelivered: {
        bool failed = false;
        for (const Checkpoint& c : t.checkpoints) {
          failed |= c.status == "undelivered";
        }
        EXPECT_TRUE(failed);
        EXPECT_EQ(t.checkpoints.back().status, "delivered");
        break;
      }
      case Scenario::kDelivered:
        EXPECT_EQ(t.checkpoints.back().status, "delivered");
        break;
    }
  }
}

TEST(TrackingGeneratorTest, DestinationCodePicksCountry) {
  const TrackingGenerator generator(42);
  const std::string number =
      NumberWithScenario(generator, Scenario::kDeliveredWithCustoms);
  const GeneratedTracking t =
      generator.Generate("china-post", number, "us", kCreated);
  EXPECT_EQ(t.destination_country, "United States");
  EXPECT_EQ(t.destination_carrier, "usps");
  EXPECT_EQ(t.original_country, "China");
}

TEST(TrackingProgressionTest, NewTrackingIsPendingUntilFirstPoll) {
  const TrackingGenerator generator(42);
  TrackingRecord record = MakeRecord(
      generator, NumberWithScenario(generator, Scenario::kDelivered));
  TrackingState state = EvaluateTracking(record, kCreated + 10);
  EXPECT_EQ(state.status, "pending");
  EXPECT_FALSE(state.substatus.has_value());
  EXPECT_TRUE(state.visible.empty());
  record.polled = true;
  EXPECT_NE(EvaluateTracking(record, kCreated + 10).status, "pending");
}

TEST(TrackingProgressionTest, FinalStatusMatchesScenario) {
  const TrackingGenerator generator(42);
  const std::map<Scenario, std::string> expected = {
      {Scenario::kDelivered, "delivered"},
      {Scenario::kDeliveredWithCustoms, "delivered"},
      {Scenario::kFailedAttemptThenDelivered, "delivered"},
      {Scenario::kExceptionReturned, "exception"},
      {Scenario::kStuckThenExpired, "expired"},
      {Scenario::kNeverFound, "notfound"},
  };
  for (const auto& [scenario, status] : expected) {
    const TrackingRecord record =
        MakeRecord(generator, NumberWithScenario(generator, scenario));
    const TrackingState state = EvaluateTracking(record, kCreated + 120 * kDay);
    EXPECT_EQ(state.status, status) << ScenarioName(scenario);
  }
}

TEST(TrackingProgressionTest, EventsAppearOverTimeAndRenderConsistently) {
  const TrackingGenerator generator(42);
  const TrackingRecord record = MakeRecord(
      generator,
      NumberWithScenario(generator, Scenario::kFailedAttemptThenDelivered));
  size_t previous = 0;
  std::set<std::string> statuses;
  for (int64_t t = kCreated + 61; t < kCreated + 30 * kDay; t += 3600) {
    const TrackingState state = EvaluateTracking(record, t);
    EXPECT_GE(state.visible.size(), previous);
    previous = state.visible.size();
    statuses.insert(state.status);
    const OrderedJson json = RenderTracking(record, t, {false, false});
    EXPECT_EQ(json.at("status"), state.status);
    if (state.visible.empty()) {
      EXPECT_TRUE(json.at("origin_info").at("trackinfo").is_null());
      EXPECT_EQ(json.at("lastEvent"), "");
      EXPECT_TRUE(json.at("itemTimeLength").is_null());
      continue;
    }
    // Newest first, and lastEvent / lastUpdateTime agree with the newest.
    const Checkpoint& newest = *state.visible.back();
    const std::string date = FormatCheckpointTime(newest.time_unix);
    EXPECT_EQ(json.at("lastUpdateTime"), date);
    EXPECT_EQ(json.at("lastEvent"),
              newest.description + "," + newest.details + "," + date);
    const OrderedJson& trackinfo = json.at("origin_info").at("trackinfo");
    const OrderedJson& dest = json.at("destination_info").at("trackinfo");
    const size_t shown = trackinfo.size() + (dest.is_null() ? 0 : dest.size());
    EXPECT_EQ(shown, state.visible.size());
    EXPECT_EQ(json.at("origin_info").at("ItemReceived"),
              FormatCheckpointTime(state.visible.front()->time_unix));
    EXPECT_EQ(json.at("substatus"), newest.substatus);
    EXPECT_EQ(json.at("updated_at"),
              FormatIsoTime(std::max(kCreated + kFirstPollDelaySeconds,
                                     newest.time_unix)));
    EXPECT_GE(json.at("stayTimeLength").get<int64_t>(), 0);
  }
  EXPECT_TRUE(statuses.count("transit"));
  EXPECT_TRUE(statuses.count("pickup"));
  EXPECT_TRUE(statuses.count("undelivered"));
  EXPECT_TRUE(statuses.count("delivered"));
}

TEST(TrackingProgressionTest, CustomsLegGoesToDestinationInfo) {
  const TrackingGenerator generator(42);
  const TrackingRecord record = MakeRecord(
      generator,
      NumberWithScenario(generator, Scenario::kDeliveredWithCustoms));
  const int64_t later = kCreated + 60 * kDay;
  const OrderedJson plain = RenderTracking(record, later, {false, false});
  ASSERT_TRUE(plain.at("destination_info").is_object());
  EXPECT_TRUE(plain.at("destination_info").at("trackinfo").is_array());
  EXPECT_FALSE(plain.at("destination_info").at("CustomsClearance").is_null());
  // The newest event is in destination_info, not origin_info.
  EXPECT_EQ(plain.at("destination_info").at("trackinfo").at(0).at("Date"),
            plain.at("lastUpdateTime"));
  const OrderedJson realtime = RenderTracking(record, later, {true, true});
  EXPECT_TRUE(realtime.at("destination_info").is_null());
  EXPECT_EQ(realtime.at("origin_info").at("trackinfo").size(),
            record.generated.checkpoints.size());
}

TEST(TrackingProgressionTest, ManualStatusOverridesAndReverts) {
  const TrackingGenerator generator(42);
  TrackingRecord record = MakeRecord(
      generator, NumberWithScenario(generator, Scenario::kNeverFound));
  record.manual_status = 4;
  EXPECT_EQ(EvaluateTracking(record, kCreated + kDay).status, "delivered");
  record.manual_status = 7;
  EXPECT_EQ(EvaluateTracking(record, kCreated + kDay).status, "exception");
  record.manual_status = 0;
  EXPECT_EQ(EvaluateTracking(record, kCreated + kDay).status, "notfound");
  EXPECT_EQ(EvaluateTracking(record, kCreated + kDay).substatus, "notfound002");
}

TEST(TrackingProgressionTest, FrozenTrackingStopsProgressing) {
  const TrackingGenerator generator(42);
  TrackingRecord record = MakeRecord(
      generator, NumberWithScenario(generator, Scenario::kDelivered));
  record.frozen_at = kCreated + 61;
  const size_t at_freeze =
      EvaluateTracking(record, kCreated + 61).visible.size();
  EXPECT_EQ(EvaluateTracking(record, kCreated + 60 * kDay).visible.size(),
            at_freeze);
}

TEST(TrackingRenderTest, QuirksChangeShapesOnlyWhenEnabled) {
  const TrackingGenerator generator(42);
  std::string number;
  for (int i = 0; i < 1000 && number.empty(); ++i) {
    const TrackingQuirks quirks = generator.QuirksFor("china-post", Number(i));
    if (quirks.email_as_array && quirks.destination_info_null)
      number = Number(i);
  }
  ASSERT_FALSE(number.empty());
  TrackingRecord record = MakeRecord(generator, number);
  record.customer_email = "a@example.com";
  const OrderedJson on = RenderTracking(record, kCreated + kDay, {true, false});
  EXPECT_EQ(on.at("customer_email"), OrderedJson::array({"a@example.com"}));
  EXPECT_TRUE(on.at("destination_info").is_null());
  const OrderedJson off =
      RenderTracking(record, kCreated + kDay, {false, false});
  EXPECT_EQ(off.at("customer_email"), "a@example.com");
  EXPECT_TRUE(off.at("destination_info").is_object());
}

TEST(TrackingRenderTest, CreateResultUsesNullStrings) {
  const TrackingGenerator generator(42);
  TrackingRecord record = MakeRecord(generator, Number(1));
  record.customer_name = "Ann";
  const OrderedJson json = RenderCreateResult(record);
  EXPECT_EQ(json.at("status"), "pending");
  EXPECT_EQ(json.at("customer_email"), "null");
  EXPECT_EQ(json.at("order_id"), "null");
  EXPECT_EQ(json.at("customer_name"), "Ann");
  EXPECT_TRUE(json.at("title").is_null());
  EXPECT_EQ(json.at("created_at"), "2023-11-14T22:13:20+00:00");
}

}  // namespace
}  // namespace tracktry::emulator
