// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/tracking_translation.h"

#include <optional>
#include <string>
#include <vector>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "service/translation/envelope.h"
#include "service/translation/json_tape.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/testdata.h"

namespace tracktry {
namespace {

using testing::DataOf;

using ::google::protobuf::util::MessageDifferencer;
using ::google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::ReadTestdata;
using ::tracktry::testing::StatusIs;
using ::tracktry::v1::Tracking;
using json = nlohmann::json;

std::string Rfc3339(const google::protobuf::Timestamp& timestamp) {
  return TimeUtil::ToString(timestamp);
}

void ExpectMalformed(const absl::Status& status) {
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("upstream sent a malformed response")));
  const auto info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_MALFORMED_RESPONSE");
}

// The realtime sample: origin trackinfo only, destination_info null.
TEST(TrackingTranslationTest, RealtimeSampleFillsEveryField) {
  const json data = DataOf("realtime_cainiao.json");
  const auto trackings = TrackingsFromData(data);
  ASSERT_THAT(trackings, IsOk());
  ASSERT_EQ(trackings->size(), 1u);
  const Tracking& t = trackings->front();
  EXPECT_EQ(t.id(), "8f5c9a09b955a2eab184b1e4b47638b5");
  EXPECT_EQ(t.tracking_number(), "LB181539674SG");
  EXPECT_EQ(t.carrier_code(), "cainiao");
  EXPECT_EQ(t.status(), v1::TRACKING_STATUS_DELIVERED);
  EXPECT_EQ(t.raw_status(), "delivered");
  EXPECT_EQ(t.substatus(), "delivered001");
  EXPECT_FALSE(t.has_create_time());
  EXPECT_FALSE(t.has_update_time());
  EXPECT_EQ(t.order_create_time(), "");
  EXPECT_EQ(t.destination_code(), "");
  EXPECT_FALSE(t.track_update());
  EXPECT_EQ(t.original_country(), "China");
  EXPECT_EQ(t.destination_country(), "United States");
  ASSERT_TRUE(t.has_transit_days());
  EXPECT_EQ(t.transit_days(), 36);
  ASSERT_TRUE(t.has_stay_days());
  EXPECT_EQ(t.stay_days(), 292);
  EXPECT_EQ(t.service_code(), "");
  EXPECT_EQ(t.last_event(),
            "[SHREVEPORT,71118]Delivered, In/At Mailbox,SHREVEPORT,71118,"
            "2020-10-30 14:42:00");
  EXPECT_EQ(t.last_update_time(), "2020-10-30 14:42:00");

  ASSERT_TRUE(t.has_origin_info());
  const v1::CarrierInfo& origin = t.origin_info();
  EXPECT_EQ(origin.carrier_code(), "cainiao");
  EXPECT_EQ(origin.weblink(), "https://global.cainiao.com");
  EXPECT_EQ(origin.phone(), "");
  EXPECT_EQ(origin.item_received_time(), "2020-09-24 16:09:45");
  EXPECT_EQ(origin.item_dispatched_time(), "");
  EXPECT_EQ(origin.depart_from_airport_time(), "2020-10-01 03:29:08");
  EXPECT_EQ(origin.arrival_from_abroad_time(), "2020-10-28 04:45:00");
  EXPECT_EQ(origin.customs_clearance_time(), "");
  EXPECT_EQ(origin.destination_arrived_time(), "2020-10-27 10:17:00");
  ASSERT_EQ(origin.checkpoints_size(), 3);
  EXPECT_EQ(origin.checkpoints(0).time(), "2020-10-30 14:42:00");
  EXPECT_EQ(origin.checkpoints(0).status_description(),
            "[SHREVEPORT,71118]Delivered, In/At Mailbox");
  EXPECT_EQ(origin.checkpoints(0).details(), "SHREVEPORT,71118");
  EXPECT_EQ(origin.checkpoints(0).status(), v1::TRACKING_STATUS_DELIVERED);
  EXPECT_EQ(origin.checkpoints(1).details(), "");
  EXPECT_EQ(origin.checkpoints(1).substatus(), "transit007");
  EXPECT_EQ(origin.checkpoints(2).item_node(), "ItemReceived");
  EXPECT_FALSE(origin.checkpoints(2).has_substatus_num());

  EXPECT_FALSE(t.has_destination_info());
  ASSERT_TRUE(t.has_latest_checkpoint());
  EXPECT_EQ(t.latest_checkpoint().time(), "2020-10-30 14:42:00");

  // raw keeps keys the proto has no field for.
  const auto& raw = t.raw().fields();
  ASSERT_TRUE(raw.contains("last_mile_tracking_supported"));
  EXPECT_TRUE(raw.at("last_mile_tracking_supported").has_null_value());
  ASSERT_TRUE(raw.contains("packageStatus"));
  ASSERT_TRUE(raw.contains("destination_info"));
  EXPECT_TRUE(raw.at("destination_info").has_null_value());
  EXPECT_EQ(raw.at("itemTimeLength").number_value(), 36);
}

// The real Tracktry list sample (MMM-Parcel).
TEST(TrackingTranslationTest, MmmParcelFirstItemNullsBecomeEmpty) {
  const json data = DataOf("list_mmm_parcel.json");
  const auto t = TrackingFromJson(data["items"][0]);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->id(), "xxxxxxxxxxxxxxxxx");
  EXPECT_EQ(t->status(), v1::TRACKING_STATUS_EXCEPTION);
  EXPECT_EQ(Rfc3339(t->create_time()), "2021-01-12T19:24:16Z");
  EXPECT_EQ(Rfc3339(t->update_time()), "2021-01-12T19:24:26Z");
  EXPECT_EQ(t->order_create_time(), "");
  EXPECT_THAT(t->customer_emails(), IsEmpty());
  EXPECT_EQ(t->title(), "");
  EXPECT_EQ(t->order_id(), "");
  EXPECT_EQ(t->comment(), "");
  EXPECT_EQ(t->customer_name(), "");
  EXPECT_FALSE(t->archived());
  EXPECT_FALSE(t->has_transit_days());
  EXPECT_FALSE(t->has_stay_days());
  EXPECT_EQ(t->origin_info().weblink(), "https://www.aramex.com.au");
  EXPECT_EQ(t->origin_info().reference_number(), "");
  EXPECT_EQ(t->origin_info().checkpoints_size(), 0);
  // All-null destination object is still set.
  EXPECT_TRUE(t->has_destination_info());
  EXPECT_EQ(t->destination_info().carrier_code(), "");
  EXPECT_EQ(t->destination_info().checkpoints_size(), 0);
  EXPECT_FALSE(t->has_latest_checkpoint());
  EXPECT_EQ(t->last_event(), "");
  EXPECT_TRUE(t->raw().fields().at("status_info").has_null_value());
}

TEST(TrackingTranslationTest, MmmParcelUpsItemKeepsUnknownCheckpointKeys) {
  const json data = DataOf("list_mmm_parcel.json");
  const auto t = TrackingFromJson(data["items"][1]);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->tracking_number(), "1Z111111111111");
  EXPECT_EQ(t->id(), "");
  EXPECT_FALSE(t->has_create_time());
  EXPECT_EQ(t->transit_days(), 4);
  EXPECT_EQ(t->stay_days(), 1);
  EXPECT_FALSE(t->has_destination_info());
  const auto& checkpoints = t->origin_info().checkpoints();
  ASSERT_EQ(checkpoints.size(), 3);
  EXPECT_EQ(checkpoints[0].act_type(), "D");
  EXPECT_EQ(checkpoints[0].status(), v1::TRACKING_STATUS_DELIVERED);
  EXPECT_EQ(checkpoints[0].raw_status(), "delivered");
  EXPECT_EQ(checkpoints[1].act_type(), "M");
  ASSERT_TRUE(checkpoints[1].has_substatus_num());
  EXPECT_EQ(checkpoints[1].substatus_num(), 11);
  EXPECT_EQ(checkpoints[1].substatus(), "notfound001");
  EXPECT_EQ(checkpoints[1].status(), v1::TRACKING_STATUS_TRANSIT);
  EXPECT_EQ(checkpoints[2].status(), v1::TRACKING_STATUS_PICKUP);
  EXPECT_EQ(checkpoints[2].item_node(), "ItemReceived");
  EXPECT_EQ(t->latest_checkpoint().status_description(), "DELIVERED");

  // raw: origin_info.trackinfo[1] still has ActType and substatus_num.
  const auto& trackinfo = t->raw()
                              .fields()
                              .at("origin_info")
                              .struct_value()
                              .fields()
                              .at("trackinfo")
                              .list_value();
  ASSERT_EQ(trackinfo.values_size(), 3);
  const auto& second = trackinfo.values(1).struct_value().fields();
  EXPECT_EQ(second.at("ActType").string_value(), "M");
  EXPECT_EQ(second.at("substatus_num").number_value(), 11);
  EXPECT_EQ(second.at("Details").string_value(), "DE");
}

TEST(TrackingTranslationTest, QuirkyItemIsNormalised) {
  const json data = DataOf("list_quirks.json");
  const auto t = TrackingFromJson(data["items"][0]);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->status(), v1::TRACKING_STATUS_TRANSIT);
  EXPECT_EQ(t->substatus(), "transit003");
  EXPECT_TRUE(t->track_update());
  // +0800 without colon.
  EXPECT_EQ(Rfc3339(t->create_time()), "2021-03-01T00:00:00Z");
  EXPECT_FALSE(t->has_update_time());
  EXPECT_EQ(t->order_create_time(), "2021/3/1 07:55");
  EXPECT_EQ(t->destination_code(), "NL");
  EXPECT_THAT(t->customer_emails(),
              ElementsAre("alice@example.com", "bob@example.org"));
  EXPECT_EQ(t->customer_name(), "Alice");
  EXPECT_EQ(t->customer_phone(), "");
  EXPECT_EQ(t->title(), "Books");
  EXPECT_EQ(t->order_id(), "#1001");
  EXPECT_EQ(t->comment(), "");
  EXPECT_EQ(t->logistics_channel(), "");
  EXPECT_TRUE(t->archived());
  ASSERT_TRUE(t->has_transit_days());
  EXPECT_EQ(t->transit_days(), 12);
  EXPECT_FALSE(t->has_stay_days());
  EXPECT_EQ(t->service_code(), "");
  EXPECT_EQ(t->signed_by(), "");
  EXPECT_EQ(t->origin_info().reference_number(), "REF-42");
  EXPECT_EQ(t->origin_info().phone(), "11183");
  ASSERT_EQ(t->origin_info().checkpoints_size(), 2);
  EXPECT_EQ(t->origin_info().checkpoints(0).substatus_num(), 21);
  EXPECT_FALSE(t->has_destination_info());
  EXPECT_EQ(t->latest_checkpoint().time(), "2021-03-05 21:00:00");

  const auto& raw = t->raw().fields();
  EXPECT_EQ(raw.at("CountryIso2").string_value(), "CN");
  EXPECT_EQ(raw.at("packageStatus")
                .struct_value()
                .fields()
                .at("label")
                .string_value(),
            "in transit");
  EXPECT_EQ(raw.at("itemTimeLength").string_value(), "12");
  EXPECT_EQ(raw.at("customer_phone").string_value(), "null");
  const auto& checkpoint = raw.at("origin_info")
                               .struct_value()
                               .fields()
                               .at("trackinfo")
                               .list_value()
                               .values(0)
                               .struct_value()
                               .fields();
  EXPECT_EQ(checkpoint.at("City").string_value(), "Shanghai");
}

TEST(TrackingTranslationTest, SecondQuirkyItemParsesZonesAndEmailList) {
  const json data = DataOf("list_quirks.json");
  const auto t = TrackingFromJson(data["items"][1]);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->status(), v1::TRACKING_STATUS_PENDING);
  EXPECT_EQ(Rfc3339(t->create_time()), "2021-03-02T10:00:00Z");
  EXPECT_EQ(Rfc3339(t->update_time()), "2021-03-02T15:30:00.250Z");
  EXPECT_THAT(t->customer_emails(),
              ElementsAre("carol@example.com", "dave@example.net"));
  EXPECT_FALSE(t->archived());
  EXPECT_FALSE(t->has_transit_days());
  EXPECT_EQ(t->stay_days(), 3);
  EXPECT_TRUE(t->has_origin_info());
  EXPECT_EQ(t->origin_info().checkpoints_size(), 0);
  EXPECT_TRUE(t->has_destination_info());
  EXPECT_FALSE(t->has_latest_checkpoint());
}

TEST(TrackingTranslationTest, LatestCheckpointComesFromNewerDestinationHead) {
  const auto trackings = TrackingsFromData(DataOf("get_cross_border.json"));
  ASSERT_THAT(trackings, IsOk());
  ASSERT_EQ(trackings->size(), 1u);
  const Tracking& t = trackings->front();
  EXPECT_EQ(t.status(), v1::TRACKING_STATUS_PICKUP);
  EXPECT_EQ(t.origin_info().carrier_code(), "hong-kong-post");
  EXPECT_EQ(t.origin_info().item_dispatched_time(), "2021-02-05 22:15");
  EXPECT_EQ(t.destination_info().carrier_code(), "colombia-post");
  EXPECT_EQ(t.destination_info().reference_number(), "CO-778899");
  EXPECT_EQ(t.destination_info().destination_arrived_time(),
            "2021-02-09 14:30:00");
  ASSERT_TRUE(t.has_latest_checkpoint());
  const v1::Checkpoint& latest = t.latest_checkpoint();
  EXPECT_EQ(latest.time(), "2021-02-20 16:45:12");
  EXPECT_EQ(latest.status_description(), "Available for pickup");
  EXPECT_EQ(latest.details(), "Bogota Centro");
  EXPECT_EQ(latest.status(), v1::TRACKING_STATUS_PICKUP);
  EXPECT_EQ(latest.act_type(), "I");
  EXPECT_EQ(latest.substatus_num(), 31);
  EXPECT_EQ(Rfc3339(t.create_time()), "2021-02-01T01:00:00Z");
  EXPECT_EQ(t.transit_days(), 19);
  ASSERT_TRUE(t.has_stay_days());
  EXPECT_EQ(t.stay_days(), 0);
}

json TwoLegs(const char* origin_date, const char* destination_date) {
  json tracking = {{"tracking_number", "RA1"}};
  tracking["origin_info"]["trackinfo"] = {
      {{"Date", origin_date}, {"StatusDescription", "origin"}}};
  tracking["destination_info"]["trackinfo"] = {
      {{"Date", destination_date}, {"StatusDescription", "destination"}}};
  return tracking;
}

std::string LatestOf(const json& tracking) {
  const auto t = TrackingFromJson(tracking);
  EXPECT_THAT(t, IsOk());
  if (!t.ok()) return "";
  return t->latest_checkpoint().status_description();
}

TEST(TrackingTranslationTest, LatestCheckpointComparesTimesNotStrings) {
  // Newer origin head wins even though a destination exists.
  EXPECT_EQ(LatestOf(TwoLegs("2021-03-02 10:00", "2021-03-01 23:59:59")),
            "origin");
  // Mixed precision and one-digit fields are compared as times.
  EXPECT_EQ(LatestOf(TwoLegs("2021-3-2 9:00", "2021-03-02 08:59:59")),
            "origin");
  EXPECT_EQ(LatestOf(TwoLegs("2021/03/02 08:00", "2021-03-02 08:00:01")),
            "destination");
  // Ties go to the destination leg.
  EXPECT_EQ(LatestOf(TwoLegs("2021-03-02 08:00", "2021-03-02 08:00:00")),
            "destination");
  // A parseable time beats an unparseable one.
  EXPECT_EQ(LatestOf(TwoLegs("2021-03-02 08:00", "yesterday")), "origin");
  EXPECT_EQ(LatestOf(TwoLegs("", "2001-01-01 00:00")), "destination");
  // Both unparseable: destination.
  EXPECT_EQ(LatestOf(TwoLegs("soon", "later")), "destination");
}

TEST(TrackingTranslationTest, LatestCheckpointWithOnlyDestinationEvents) {
  json tracking = {{"tracking_number", "RA1"}};
  tracking["origin_info"] = {{"trackinfo", json::array()}};
  tracking["destination_info"]["trackinfo"] = {
      {{"Date", "2021-01-01 00:00"}, {"StatusDescription", "dest"}}};
  EXPECT_EQ(LatestOf(tracking), "dest");
}

TEST(TrackingTranslationTest, SingleGetDataShapesAllGiveTheSameTracking) {
  const char* files[] = {"get_single_object.json", "get_single_array.json",
                         "get_single_items.json"};
  for (const char* file : files) {
    SCOPED_TRACE(file);
    const auto trackings = TrackingsFromData(DataOf(file));
    ASSERT_THAT(trackings, IsOk());
    ASSERT_EQ(trackings->size(), 1u);
    const Tracking& t = trackings->front();
    EXPECT_EQ(t.id(), "a543163dd2474af66f64c48e3085cdfa");
    EXPECT_EQ(t.tracking_number(), "300403513351");
    EXPECT_EQ(t.carrier_code(), "4px");
    EXPECT_EQ(t.status(), v1::TRACKING_STATUS_DELIVERED);
    EXPECT_EQ(Rfc3339(t.create_time()), "2018-04-16T06:30:02Z");
    EXPECT_EQ(t.order_create_time(), "2018-04-01 10:08");
    EXPECT_THAT(t.customer_emails(), ElementsAre("customer@example.com"));
    EXPECT_EQ(t.title(), "");
    EXPECT_FALSE(t.has_origin_info());
    EXPECT_FALSE(t.has_destination_info());
    EXPECT_FALSE(t.has_latest_checkpoint());
  }
}

TEST(TrackingTranslationTest, CreateResultNullStringsBecomeEmpty) {
  const auto trackings = TrackingsFromData(DataOf("create_null_strings.json"));
  ASSERT_THAT(trackings, IsOk());
  ASSERT_EQ(trackings->size(), 1u);
  const Tracking& t = trackings->front();
  EXPECT_EQ(t.tracking_number(), "1234567890");
  EXPECT_EQ(t.carrier_code(), "poste-italiane");
  EXPECT_EQ(t.status(), v1::TRACKING_STATUS_PENDING);
  EXPECT_EQ(Rfc3339(t.create_time()), "2017-05-20T09:39:21Z");
  EXPECT_THAT(t.customer_emails(), IsEmpty());
  EXPECT_EQ(t.customer_name(), "");
  EXPECT_EQ(t.order_id(), "");
  EXPECT_EQ(t.title(), "");
  // raw keeps the literal "null" string as sent.
  EXPECT_EQ(t.raw().fields().at("order_id").string_value(), "null");
  EXPECT_TRUE(t.raw().fields().at("title").has_null_value());
}

TEST(TrackingTranslationTest, UpdateResultHasStringEmailAndTimes) {
  const auto trackings = TrackingsFromData(DataOf("update_sto.json"));
  ASSERT_THAT(trackings, IsOk());
  ASSERT_EQ(trackings->size(), 1u);
  const Tracking& t = trackings->front();
  EXPECT_EQ(t.tracking_number(), "402934299065");
  EXPECT_EQ(t.carrier_code(), "sto");
  EXPECT_EQ(t.status(), v1::TRACKING_STATUS_UNSPECIFIED);
  EXPECT_EQ(t.raw_status(), "");
  EXPECT_EQ(Rfc3339(t.create_time()), "2018-04-18T06:34:30Z");
  EXPECT_EQ(Rfc3339(t.update_time()), "2018-04-18T06:32:27Z");
  EXPECT_THAT(t.customer_emails(), ElementsAre("customer@example.com"));
}

TEST(TrackingTranslationTest, DeleteAndEmptyDataGiveNoTrackings) {
  for (const char* file : {"delete_empty.json", "list_empty_4031.json"}) {
    const auto trackings = TrackingsFromData(DataOf(file));
    ASSERT_THAT(trackings, IsOk()) << file;
    EXPECT_THAT(*trackings, IsEmpty()) << file;
  }
  EXPECT_THAT(TrackingsFromData(json()), IsOk());
  EXPECT_THAT(*TrackingsFromData(json::object()), IsEmpty());
  EXPECT_THAT(*TrackingsFromData(json::parse(R"({"items":null})")), IsEmpty());
  EXPECT_THAT(*TrackingsFromData(json::parse(R"({"items":[]})")), IsEmpty());
}

TEST(TrackingTranslationTest, UnknownStatusKeepsRawString) {
  const auto t = TrackingFromJson(
      json::parse(R"({"tracking_number":"X1","status":"InfoReceived"})"));
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->status(), v1::TRACKING_STATUS_UNSPECIFIED);
  EXPECT_EQ(t->raw_status(), "InfoReceived");
}

TEST(TrackingTranslationTest, EmailStringsAreKeptWholeUnlessClearlyAList) {
  const auto emails = [](const json& value) {
    json tracking = {{"tracking_number", "X1"}, {"customer_email", value}};
    const auto t = TrackingFromJson(tracking);
    EXPECT_THAT(t, IsOk());
    return std::vector<std::string>(t->customer_emails().begin(),
                                    t->customer_emails().end());
  };
  EXPECT_THAT(emails("a@example.com"), ElementsAre("a@example.com"));
  EXPECT_THAT(emails(" a@example.com "), ElementsAre("a@example.com"));
  EXPECT_THAT(emails("a@example.com;b@example.com"),
              ElementsAre("a@example.com", "b@example.com"));
  // A comma inside a display name is not a list.
  EXPECT_THAT(emails("Doe, John <john@example.com>"),
              ElementsAre("Doe, John <john@example.com>"));
  EXPECT_THAT(emails(""), IsEmpty());
  EXPECT_THAT(emails("null"), IsEmpty());
  EXPECT_THAT(emails("NULL"), IsEmpty());
  EXPECT_THAT(emails(nullptr), IsEmpty());
  EXPECT_THAT(emails(json::array()), IsEmpty());
  EXPECT_THAT(emails(json::parse(R"(["x@example.com", 5, null, {}])")),
              ElementsAre("x@example.com"));
  EXPECT_THAT(emails(42), IsEmpty());
}

TEST(TrackingTranslationTest, TimestampsWithBadValuesStayUnset) {
  const auto created = [](const json& value) {
    json tracking = {{"tracking_number", "X1"}, {"created_at", value}};
    const auto t = TrackingFromJson(tracking);
    EXPECT_THAT(t, IsOk());
    return t->has_create_time() ? Rfc3339(t->create_time()) : "unset";
  };
  EXPECT_EQ(created("2018-04-18T14:34:30+08:00"), "2018-04-18T06:34:30Z");
  EXPECT_EQ(created("2018-04-18T14:34:30Z"), "2018-04-18T14:34:30Z");
  EXPECT_EQ(created("2018-04-18T14:34:30-0130"), "2018-04-18T16:04:30Z");
  EXPECT_EQ(created("2018-04-18 14:34:30+08:00"), "2018-04-18T06:34:30Z");
  EXPECT_EQ(created("2018-04-18 14:34:30"), "unset");  // no zone
  EXPECT_EQ(created("2018-02-30T00:00:00Z"), "unset");
  EXPECT_EQ(created("2018-04-18T25:00:00Z"), "unset");
  EXPECT_EQ(created("0000-01-01T00:00:00Z"), "unset");
  EXPECT_EQ(created("0001-01-01T00:30:00+01:00"), "unset");
  EXPECT_EQ(created("garbage"), "unset");
  EXPECT_EQ(created(""), "unset");
  EXPECT_EQ(created("null"), "unset");
  EXPECT_EQ(created(nullptr), "unset");
  EXPECT_EQ(created(1524033270), "unset");
}

TEST(TrackingTranslationTest, LooseNumbersAndBooleans) {
  const auto t = TrackingFromJson(json::parse(R"({
      "tracking_number": 123456789012,
      "itemTimeLength": 4.0, "stayTimeLength": "x",
      "archived": 1, "track_update": "TRUE", "customer_phone": 31612345678,
      "singed_by": "J. Doe"})"));
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->tracking_number(), "123456789012");
  EXPECT_EQ(t->transit_days(), 4);
  EXPECT_FALSE(t->has_stay_days());
  EXPECT_TRUE(t->archived());
  EXPECT_TRUE(t->track_update());
  EXPECT_EQ(t->customer_phone(), "31612345678");
  EXPECT_EQ(t->signed_by(), "J. Doe");

  const auto out_of_range = TrackingFromJson(json::parse(
      R"({"tracking_number":"X","itemTimeLength":4294967296,"archived":"maybe"})"));
  ASSERT_THAT(out_of_range, IsOk());
  EXPECT_FALSE(out_of_range->has_transit_days());
  EXPECT_FALSE(out_of_range->archived());
}

TEST(TrackingTranslationTest, WrongTypesEverywhereDoNotFail) {
  const auto t = TrackingFromJson(json::parse(R"({
      "tracking_number": "X1", "id": [], "carrier_code": {}, "status": 5,
      "created_at": {}, "customer_email": {"a": 1}, "archived": [],
      "origin_info": "none", "destination_info": [1, 2],
      "itemTimeLength": [], "lastEvent": null,
      "trackinfo": 3})"));
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->id(), "");
  EXPECT_EQ(t->carrier_code(), "");
  EXPECT_EQ(t->raw_status(), "5");
  EXPECT_EQ(t->status(), v1::TRACKING_STATUS_UNSPECIFIED);
  EXPECT_FALSE(t->has_origin_info());
  EXPECT_FALSE(t->has_destination_info());

  const auto bad_checkpoints = TrackingFromJson(json::parse(R"({
      "tracking_number": "X1",
      "origin_info": {"trackinfo": [1, "x", null, {"Date": 5,
                      "substatus_num": "eleven"}]}})"));
  ASSERT_THAT(bad_checkpoints, IsOk());
  ASSERT_EQ(bad_checkpoints->origin_info().checkpoints_size(), 1);
  EXPECT_EQ(bad_checkpoints->origin_info().checkpoints(0).time(), "5");
  EXPECT_FALSE(
      bad_checkpoints->origin_info().checkpoints(0).has_substatus_num());
}

TEST(TrackingTranslationTest, MissingTrackingNumberIsMalformed) {
  ExpectMalformed(TrackingFromJson(json::parse(R"({"id":"a"})")).status());
  ExpectMalformed(
      TrackingFromJson(json::parse(R"({"tracking_number":""})")).status());
  ExpectMalformed(
      TrackingFromJson(json::parse(R"({"tracking_number":"null"})")).status());
  ExpectMalformed(
      TrackingFromJson(json::parse(R"({"tracking_number":null})")).status());
  ExpectMalformed(
      TrackingFromJson(json::parse(R"({"tracking_number":true})")).status());
  ExpectMalformed(
      TrackingFromJson(json::parse(R"({"tracking_number":["X"]})")).status());
  ExpectMalformed(TrackingFromJson(json::parse(R"(["X"])")).status());
  ExpectMalformed(TrackingFromJson(json("X")).status());
  ExpectMalformed(TrackingFromJson(json()).status());
}

TEST(TrackingTranslationTest, BadDataShapesAreMalformed) {
  ExpectMalformed(TrackingsFromData(json("text")).status());
  ExpectMalformed(TrackingsFromData(json(5)).status());
  ExpectMalformed(TrackingsFromData(json::parse(R"([{"id":"a"}])")).status());
  ExpectMalformed(TrackingsFromData(json::parse(R"([1])")).status());
  ExpectMalformed(TrackingsFromData(json::parse(R"({"items":{}})")).status());
  ExpectMalformed(TrackingsFromData(json::parse(R"({"id":"a"})")).status());
}

// FirstTrackingFromData (GetTracking's in-place path) must agree with
// TrackingsFromData(data).front() on every data shape and every failure.
TEST(TrackingTranslationTest, FirstTrackingAgreesWithTrackingsFromData) {
  std::vector<json> shapes = {
      json(),
      json::array(),
      json::object(),
      json::parse(R"({"items":null})"),
      json::parse(R"({"items":[]})"),
      json::parse(R"({"items":{}})"),
      json("text"),
      json(5),
      json::parse(R"([1])"),
      json::parse(R"([{"id":"a"}])"),
      json::parse(R"({"id":"a"})"),
      json::parse(R"([{"tracking_number":"A1"},{"id":"no number"}])"),
      json::parse(R"([{"tracking_number":"A1"},7])"),
      json::parse(R"([{"tracking_number":"A1","status":"transit"},)"
                  R"({"tracking_number":"B2"}])"),
      json::parse(R"({"items":[{"tracking_number":"C3","title":"t"}]})"),
      json::parse(R"({"tracking_number":"D4","items":["not a list of"]})"),
  };
  for (const char* file :
       {"get_single_object.json", "get_single_array.json",
        "get_single_items.json", "list_quirks.json", "realtime_cainiao.json",
        "create_null_strings.json", "delete_empty.json"}) {
    shapes.push_back(DataOf(file));
  }
  for (const json& data : shapes) {
    SCOPED_TRACE(data.dump().substr(0, 200));
    const auto all = TrackingsFromData(data);
    Tracking first;
    const absl::StatusOr<bool> found = FirstTrackingFromData(data, &first);
    ASSERT_EQ(found.ok(), all.ok()) << found.status() << " vs " << all.status();
    if (!all.ok()) {
      ExpectMalformed(found.status());
      // The same element fails, with the same message.
      EXPECT_EQ(found.status().message(), all.status().message());
      continue;
    }
    ASSERT_EQ(*found, !all->empty());
    if (all->empty()) {
      EXPECT_EQ(first.ByteSizeLong(), 0u) << "untouched when nothing found";
      continue;
    }
    EXPECT_TRUE(MessageDifferencer::Equals(first, all->front()))
        << first.DebugString();
  }
}

// The in-place fill writes into a message owned by an arena (GetTracking's
// response) and gives the same message as the heap path.
TEST(TrackingTranslationTest, FillOnArenaEqualsTrackingFromJson) {
  const json data = DataOf("realtime_cainiao.json");
  const json& object = data.is_array()          ? data.front()
                       : data.contains("items") ? data["items"].front()
                                                : data;
  const auto heap = TrackingFromJson(object);
  ASSERT_THAT(heap, IsOk());
  google::protobuf::Arena arena;
  auto* response =
      google::protobuf::Arena::CreateMessage<v1::GetTrackingResponse>(&arena);
  ASSERT_THAT(FillTrackingFromJson(object, response->mutable_tracking()),
              IsOk());
  EXPECT_EQ(response->tracking().GetArena(), &arena);
  EXPECT_EQ(response->tracking().raw().GetArena(), &arena);
  EXPECT_TRUE(MessageDifferencer::Equals(response->tracking(), *heap));
  EXPECT_GT(response->tracking().raw().fields_size(), 0);
}

// AIP-157 views: BASIC and unset are FULL without `raw`, for every
// recorded shape and through every entry point.
TEST(TrackingTranslationTest, BasicViewIsFullWithoutRaw) {
  for (const char* file :
       {"get_single_object.json", "get_single_array.json",
        "get_single_items.json", "get_cross_border.json", "list_quirks.json",
        "realtime_cainiao.json", "create_null_strings.json"}) {
    SCOPED_TRACE(file);
    const json data = DataOf(file);
    const auto full = TrackingsFromData(data, v1::TRACKING_VIEW_FULL);
    ASSERT_THAT(full, IsOk());
    ASSERT_FALSE(full->empty());
    for (const v1::TrackingView view :
         {v1::TRACKING_VIEW_BASIC, v1::TRACKING_VIEW_UNSPECIFIED}) {
      const auto basic = TrackingsFromData(data, view);
      ASSERT_THAT(basic, IsOk());
      ASSERT_EQ(basic->size(), full->size());
      for (size_t i = 0; i < full->size(); ++i) {
        EXPECT_TRUE(full->at(i).has_raw());
        EXPECT_FALSE(basic->at(i).has_raw());
        Tracking without_raw = full->at(i);
        without_raw.clear_raw();
        EXPECT_TRUE(MessageDifferencer::Equals(basic->at(i), without_raw))
            << basic->at(i).DebugString();
      }
      Tracking first;
      ASSERT_THAT(FirstTrackingFromData(data, &first, view), IsOk());
      EXPECT_TRUE(MessageDifferencer::Equals(first, basic->front()));
      const json& object = data.is_array()          ? data.front()
                           : data.contains("items") ? data["items"].front()
                                                    : data;
      const auto one = TrackingFromJson(object, view);
      ASSERT_THAT(one, IsOk());
      EXPECT_TRUE(MessageDifferencer::Equals(*one, basic->front()));
    }
  }
  // The default view of the functions is FULL (writes' answers, pushes).
  const auto fallback = TrackingsFromData(DataOf("get_single_object.json"));
  ASSERT_THAT(fallback, IsOk());
  EXPECT_TRUE(fallback->front().has_raw());
  EXPECT_FALSE(ViewIncludesRaw(v1::TRACKING_VIEW_UNSPECIFIED));
  EXPECT_FALSE(ViewIncludesRaw(v1::TRACKING_VIEW_BASIC));
  EXPECT_TRUE(ViewIncludesRaw(v1::TRACKING_VIEW_FULL));
}

// A GetTracking answer is translated straight from the tape of its body
// (Envelope::data_tape): it must give what the document gives, errors
// included, for every recording and for the quirks below.
void ExpectTapeTranslatesAsDocument(const std::string& data_text) {
  SCOPED_TRACE(data_text.substr(0, 160));
  const std::optional<JsonTape> tape = JsonTape::Parse(data_text);
  ASSERT_TRUE(tape.has_value());
  const json document = json::parse(data_text);
  for (const v1::TrackingView view :
       {v1::TRACKING_VIEW_BASIC, v1::TRACKING_VIEW_FULL}) {
    Tracking from_tape;
    Tracking from_document;
    const absl::StatusOr<bool> tape_found =
        FirstTrackingFromData(tape->root(), &from_tape, view);
    const absl::StatusOr<bool> document_found =
        FirstTrackingFromData(document, &from_document, view);
    ASSERT_EQ(tape_found.status(), document_found.status());
    if (tape_found.ok()) {
      EXPECT_EQ(*tape_found, *document_found);
    }
    EXPECT_TRUE(MessageDifferencer::Equals(from_tape, from_document))
        << from_tape.DebugString() << " vs " << from_document.DebugString();
  }
}

TEST(TrackingTranslationTest, TapeTranslatesAsTheDocument) {
  for (const char* file :
       {"get_single_object.json", "get_single_array.json",
        "get_single_items.json", "get_cross_border.json", "list_quirks.json",
        "list_mmm_parcel.json", "realtime_cainiao.json",
        "create_null_strings.json", "update_carrier_usertag.json",
        "carriers.json", "delete_empty.json", "list_empty_4031.json"}) {
    SCOPED_TRACE(file);
    ExpectTapeTranslatesAsDocument(
        json::parse(ReadTestdata(file))["data"].dump());
  }
  for (const std::string data : {
           // Loose types, emails in every shape, repeated keys (the last
           // one counts, objects included), checkpoints to order.
           R"({"tracking_number": 123, "archived": "true", "track_update": 1,
               "itemTimeLength": "12", "stayTimeLength": 2.0,
               "customer_email": "a@x.io; b@x.io", "title": "null",
               "status": "transit", "status": "delivered",
               "origin_info": {"trackinfo": [{"Date": "2024-01-02 10:00",
                   "checkpoint_status": "transit", "substatus_num": "3"}]},
               "destination_info": {"trackinfo": [{"Date": "2024-01-03",
                   "checkpoint_status": "delivered"}, "x", 7]},
               "origin_info": {"weblink": "w", "trackinfo": []},
               "created_at": "2024-01-01T00:00:00+08:00", "x": {"y": [1e2,
               -0, 18446744073709551615, "é", null, true]}})",
           R"({"tracking_number": "RR1", "customer_email": ["a@x.io", 5, " "],
               "destination_info": null, "origin_info": [],
               "itemTimeLength": 99999999999, "archived": 2,
               "singed_by": "", "signed_by": "Bob"})",
           // Repeated keys inside a carrier's info and a checkpoint.
           R"({"tracking_number": "RR2", "status": "pending",
               "destination_info": {"weblink": "a", "phone": 1,
                   "trackinfo": [{"Date": "2024-01-01", "Details": "x",
                       "Date": "2024-01-05", "ItemNode": null,
                       "ItemNode": "n", "substatus_num": 1,
                       "substatus_num": "x"}],
                   "weblink": "b", "trackinfo": [{"Date": "2024-02-01"},
                       {"Date": "2024-01-01"}, {"Date": 5}]}})",
           R"([{"tracking_number": "A"}, {"tracking_number": "B"}])",
           R"([{"tracking_number": "A"}, {"id": "no number"}])",
           R"({"items": [{"tracking_number": " "}]})",
           R"({"items": null})",
           R"({"items": 5})",
           R"({})",
           R"([])",
           R"(null)",
           R"("text")",
           R"({"tracking_number": "A", "items": []})",
           R"({"tracking_number": null, "items": [{"tracking_number": "I"}]})",
       }) {
    ExpectTapeTranslatesAsDocument(data);
  }
}

// Every empty string field of `message`, and of the messages in it, is
// unwritten: still the default instance's own string.
void ExpectEmptyStringsUnwritten(const google::protobuf::Message& message,
                                 int* checked) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  const google::protobuf::Message& defaults =
      *google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          descriptor);
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated()) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        ExpectEmptyStringsUnwritten(
            reflection->GetRepeatedMessage(message, field, j), checked);
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      std::string scratch;
      const std::string& value =
          reflection->GetStringReference(message, field, &scratch);
      if (!value.empty()) continue;
      EXPECT_EQ(&value, &defaults.GetReflection()->GetStringReference(
                            defaults, field, &scratch))
          << field->full_name();
      ++*checked;
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
               reflection->HasField(message, field)) {
      ExpectEmptyStringsUnwritten(reflection->GetMessage(message, field),
                                  checked);
    }
  }
}

// A text that is "" (null, "null", absent, ...) costs the message nothing:
// the field is not written, which reads and serializes the same.
TEST(TrackingTranslationTest, EmptyTextsAreNotWritten) {
  for (const char* file : {"create_null_strings.json", "list_mmm_parcel.json",
                           "get_cross_border.json"}) {
    SCOPED_TRACE(file);
    const std::string text = ReadTestdata(file);
    const std::optional<JsonTape> tape = JsonTape::Parse(text);
    ASSERT_TRUE(tape.has_value());
    const JsonNode* data = tape->root().Find("data");
    ASSERT_NE(data, nullptr);
    google::protobuf::Arena arena;
    auto* tracking = google::protobuf::Arena::CreateMessage<Tracking>(&arena);
    const absl::StatusOr<bool> found =
        FirstTrackingFromData(*data, tracking, v1::TRACKING_VIEW_BASIC);
    ASSERT_THAT(found, IsOk());
    ASSERT_TRUE(*found);
    Tracking from_document;
    ASSERT_THAT(FirstTrackingFromData(json::parse(text)["data"], &from_document,
                                      v1::TRACKING_VIEW_BASIC),
                IsOk());
    int checked = 0;
    ExpectEmptyStringsUnwritten(*tracking, &checked);
    ExpectEmptyStringsUnwritten(from_document, &checked);
    EXPECT_GT(checked, 10);
  }
}

TEST(TrackingTranslationTest, FillLeavesTheMessageUnchangedOnError) {
  Tracking tracking;
  tracking.set_title("kept");
  ExpectMalformed(
      FillTrackingFromJson(json::parse(R"({"id":"a"})"), &tracking));
  EXPECT_EQ(tracking.title(), "kept");
  EXPECT_EQ(tracking.tracking_number(), "");
}

TEST(TrackingTranslationTest, RawOfDeepInputIsCappedAndSerialisable) {
  json tracking = {{"tracking_number", "X1"}};
  json* cursor = &tracking["deep"];
  for (int i = 0; i < 200; ++i) cursor = &(*cursor)["k"];
  *cursor = "bottom";
  const auto t = TrackingFromJson(tracking);
  ASSERT_THAT(t, IsOk());
  v1::GetTrackingResponse response;
  *response.mutable_tracking() = *t;
  std::string bytes;
  ASSERT_TRUE(response.SerializeToString(&bytes));
  v1::GetTrackingResponse parsed;
  EXPECT_TRUE(parsed.ParseFromString(bytes));
}

TEST(TrackingTranslationTest, StatusStringsRoundTrip) {
  const std::pair<const char*, v1::TrackingStatus> cases[] = {
      {"pending", v1::TRACKING_STATUS_PENDING},
      {"notfound", v1::TRACKING_STATUS_NOT_FOUND},
      {"transit", v1::TRACKING_STATUS_TRANSIT},
      {"pickup", v1::TRACKING_STATUS_PICKUP},
      {"delivered", v1::TRACKING_STATUS_DELIVERED},
      {"undelivered", v1::TRACKING_STATUS_UNDELIVERED},
      {"exception", v1::TRACKING_STATUS_EXCEPTION},
      {"expired", v1::TRACKING_STATUS_EXPIRED},
  };
  for (const auto& [text, status] : cases) {
    EXPECT_EQ(StatusFromString(text), status) << text;
    EXPECT_EQ(StatusToString(status), text);
  }
  EXPECT_EQ(StatusFromString(" Delivered "), v1::TRACKING_STATUS_DELIVERED);
  EXPECT_EQ(StatusFromString("not found"), v1::TRACKING_STATUS_NOT_FOUND);
  EXPECT_EQ(StatusFromString(""), v1::TRACKING_STATUS_UNSPECIFIED);
  EXPECT_EQ(StatusFromString("inforeceived"), v1::TRACKING_STATUS_UNSPECIFIED);
  EXPECT_EQ(StatusToString(v1::TRACKING_STATUS_UNSPECIFIED), "");
  EXPECT_EQ(StatusToString(static_cast<v1::TrackingStatus>(99)), "");
}

}  // namespace
}  // namespace tracktry
