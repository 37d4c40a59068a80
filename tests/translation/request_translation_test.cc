// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/request_translation.h"

#include <string>
#include <utility>
#include <vector>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::StatusIs;
using json = nlohmann::json;

v1::NewTracking FullNewTracking() {
  v1::NewTracking t;
  t.set_tracking_number("RN123456789CN");
  t.set_carrier_code("china-post");
  t.set_destination_code("US");
  t.set_title("Books");
  t.set_logistics_channel("4PX挂号小包");
  t.set_customer_name("Alice");
  t.set_customer_email("alice@example.com");
  t.set_customer_phone("+86123456789");
  t.set_order_id("#1001");
  t.set_order_create_time("2017/8/27 16:51");
  t.set_tracking_ship_date("20181001");
  t.set_tracking_postal_code("1234AB");
  t.set_tracking_account_number("ACC-1");
  t.set_tracking_destination_country("NL");
  t.set_lang("en");
  t.set_auto_correct(true);
  t.set_comment("fragile");
  return t;
}

// Field name of the first BadRequest violation.
std::string ViolationField(const absl::Status& status) {
  const auto bad_request = GetBadRequest(status);
  if (!bad_request.has_value() || bad_request->field_violations_size() == 0) {
    return "<none>";
  }
  return bad_request->field_violations(0).field();
}

TEST(RequestTranslationTest, CreateBodyUsesUpstreamNames) {
  EXPECT_EQ(CreateTrackingBody(FullNewTracking()), json::parse(R"({
      "tracking_number": "RN123456789CN", "carrier_code": "china-post",
      "destination_code": "US", "title": "Books",
      "logistics_channel": "4PX挂号小包", "customer_name": "Alice",
      "customer_email": "alice@example.com", "customer_phone": "+86123456789",
      "order_id": "#1001", "order_create_time": "2017/8/27 16:51",
      "tracking_ship_date": "20181001", "tracking_postal_code": "1234AB",
      "tracking_account_number": "ACC-1", "tracking_destination_country": "NL",
      "lang": "en", "auto_correct": 1, "comment": "fragile"})"));
}

TEST(RequestTranslationTest, CreateBodyOmitsDefaults) {
  v1::NewTracking t;
  t.set_tracking_number("RN123456789CN");
  EXPECT_EQ(CreateTrackingBody(t).dump(),
            R"({"tracking_number":"RN123456789CN"})");
  EXPECT_EQ(CreateTrackingBody(v1::NewTracking()).dump(), "{}");
}

TEST(RequestTranslationTest, BatchBodyIsArrayWithBothDestinationNames) {
  v1::NewTracking first = FullNewTracking();
  v1::NewTracking second;
  second.set_tracking_number("LX123445678CN");
  second.set_carrier_code("china-post");
  const auto body = BatchCreateBody({&first, nullptr, &second});
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 2u);
  json expected_first = CreateTrackingBody(first);
  expected_first["specialNumberDestination"] = "NL";
  EXPECT_EQ(body[0], expected_first);
  EXPECT_EQ(body[0]["tracking_destination_country"], "NL");
  EXPECT_EQ(
      body[1].dump(),
      R"({"carrier_code":"china-post","tracking_number":"LX123445678CN"})");
  EXPECT_EQ(BatchCreateBody({}).dump(), "[]");
}

v1::UpdateTrackingRequest UpdateRequest() {
  v1::UpdateTrackingRequest r;
  r.set_carrier_code("dhl");
  r.set_tracking_number("1234567890");
  v1::Tracking* t = r.mutable_tracking();
  t->set_title("New title");
  t->set_logistics_channel("air");
  t->set_customer_name("Bob");
  t->add_customer_emails("bob@example.com");
  t->set_customer_phone("+31612345678");
  t->set_order_id("#2");
  t->set_destination_code("NL");
  t->set_archived(true);
  t->set_comment("not updatable");
  return r;
}

TEST(RequestTranslationTest, UpdateWithEmptyMaskSendsEverySetField) {
  const auto body = UpdateTrackingBody(UpdateRequest());
  ASSERT_THAT(body, IsOk());
  EXPECT_EQ(*body, json::parse(R"({
      "title": "New title", "logistics_channel": "air", "customer_name": "Bob",
      "customer_email": "bob@example.com", "customer_phone": "+31612345678",
      "order_id": "#2", "destination_code": "NL", "archived": "true"})"));
}

TEST(RequestTranslationTest, UpdateWithEmptyMaskSkipsDefaults) {
  v1::UpdateTrackingRequest r;
  r.mutable_tracking()->set_title("Only title");
  r.mutable_tracking()->set_archived(false);
  const auto body = UpdateTrackingBody(r);
  ASSERT_THAT(body, IsOk());
  EXPECT_EQ(body->dump(), R"({"title":"Only title"})");
}

TEST(RequestTranslationTest, UpdateMaskSendsOnlyNamedFieldsEvenWhenEmpty) {
  v1::UpdateTrackingRequest r = UpdateRequest();
  r.mutable_tracking()->clear_title();
  r.mutable_tracking()->set_archived(false);
  r.mutable_tracking()->clear_customer_emails();
  r.mutable_update_mask()->add_paths("title");
  r.mutable_update_mask()->add_paths("archived");
  r.mutable_update_mask()->add_paths("customer_emails");
  r.mutable_update_mask()->add_paths("tracking.order_id");
  const auto body = UpdateTrackingBody(r);
  ASSERT_THAT(body, IsOk());
  EXPECT_EQ(*body, json::parse(R"({"title": "", "archived": "false",
                                   "customer_email": "", "order_id": "#2"})"));
}

TEST(RequestTranslationTest, UpdateStatusChangeMapsToUpstreamNumbers) {
  const std::pair<v1::StatusChange, int> cases[] = {
      {v1::STATUS_CHANGE_DELIVERED, 4},
      {v1::STATUS_CHANGE_EXCEPTION, 7},
      {v1::STATUS_CHANGE_REVERT, 8},
  };
  for (const auto& [change, number] : cases) {
    v1::UpdateTrackingRequest r;
    r.set_status_change(change);
    const auto body = UpdateTrackingBody(r);
    ASSERT_THAT(body, IsOk());
    EXPECT_EQ(*body, json({{"status", number}}));
  }
  v1::UpdateTrackingRequest with_field = UpdateRequest();
  with_field.mutable_update_mask()->add_paths("title");
  with_field.set_status_change(v1::STATUS_CHANGE_DELIVERED);
  const auto both = UpdateTrackingBody(with_field);
  ASSERT_THAT(both, IsOk());
  EXPECT_EQ(both->dump(), R"({"status":4,"title":"New title"})");
}

TEST(RequestTranslationTest, UpdateUnknownPathIsInvalid) {
  for (const char* path : {"comment", "status", "tracking_number", "raw",
                           "origin_info.weblink", "Title", ""}) {
    v1::UpdateTrackingRequest r = UpdateRequest();
    r.mutable_update_mask()->add_paths("title");
    r.mutable_update_mask()->add_paths(path);
    const auto body = UpdateTrackingBody(r);
    EXPECT_THAT(body, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("unknown or read-only field")))
        << path;
    EXPECT_EQ(ViolationField(body.status()), "update_mask");
  }
}

TEST(RequestTranslationTest, UpdateWithTwoEmailsIsInvalid) {
  v1::UpdateTrackingRequest r = UpdateRequest();
  r.mutable_tracking()->add_customer_emails("second@example.com");
  const auto implicit = UpdateTrackingBody(r);
  EXPECT_THAT(implicit, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ViolationField(implicit.status()), "tracking.customer_emails");

  r.mutable_update_mask()->add_paths("customer_emails");
  const auto masked = UpdateTrackingBody(r);
  EXPECT_THAT(masked, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ViolationField(masked.status()), "tracking.customer_emails");

  // Not named in the mask: the second address does not matter.
  v1::UpdateTrackingRequest title_only = r;
  title_only.mutable_update_mask()->clear_paths();
  title_only.mutable_update_mask()->add_paths("title");
  EXPECT_THAT(UpdateTrackingBody(title_only), IsOk());
}

TEST(RequestTranslationTest, UpdateWithNothingToDoIsInvalid) {
  v1::UpdateTrackingRequest empty;
  const auto body = UpdateTrackingBody(empty);
  EXPECT_THAT(body, StatusIs(absl::StatusCode::kInvalidArgument,
                             HasSubstr("nothing to update")));
  EXPECT_EQ(ViolationField(body.status()), "update_mask");

  // Only non-updatable fields set.
  v1::UpdateTrackingRequest read_only;
  read_only.mutable_tracking()->set_comment("x");
  read_only.mutable_tracking()->set_tracking_number("y");
  EXPECT_THAT(UpdateTrackingBody(read_only),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestTranslationTest, UpdateUnknownStatusChangeIsInvalid) {
  v1::UpdateTrackingRequest r = UpdateRequest();
  r.set_status_change(static_cast<v1::StatusChange>(42));
  const auto body = UpdateTrackingBody(r);
  EXPECT_THAT(body, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ViolationField(body.status()), "status_change");
}

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

TEST(RequestTranslationTest, ListQueryHasEveryFilterInOrder) {
  v1::ListTrackingsRequest r;
  r.set_page_size(50);
  r.set_page_token("ignored");
  r.set_status(v1::TRACKING_STATUS_NOT_FOUND);
  *r.mutable_create_time_min() = At(1441314361);
  *r.mutable_create_time_max() = At(1441314999, 999);
  *r.mutable_update_time_min() = At(1500000000, 1);
  *r.mutable_update_time_max() = At(1500000100);
  *r.mutable_order_create_time_min() = At(1400000000);
  *r.mutable_order_create_time_max() = At(1400000001);
  r.add_tracking_numbers("LX123445678CN");
  r.add_tracking_numbers("LX456789123CN");
  r.add_order_ids("#1");
  r.set_archived(false);
  r.set_lang("de");
  EXPECT_THAT(ListTrackingsQuery(r, 3, 50),
              ElementsAre(Pair("page", "3"), Pair("limit", "50"),
                          Pair("status", "notfound"),
                          Pair("created_at_min", "1441314361"),
                          Pair("created_at_max", "1441314999"),
                          Pair("update_time_min", "1500000001"),
                          Pair("update_time_max", "1500000100"),
                          Pair("order_created_time_min", "1400000000"),
                          Pair("order_created_time_max", "1400000001"),
                          Pair("numbers", "LX123445678CN,LX456789123CN"),
                          Pair("orders", "#1"), Pair("archived", "false"),
                          Pair("lang", "de")));
}

TEST(RequestTranslationTest, ListQueryOmitsUnsetFilters) {
  v1::ListTrackingsRequest r;
  EXPECT_THAT(ListTrackingsQuery(r, 1, 100),
              ElementsAre(Pair("page", "1"), Pair("limit", "100")));
  EXPECT_THAT(ListTrackingsQuery(r, 0, 0), IsEmpty());
  r.set_archived(true);
  r.set_status(static_cast<v1::TrackingStatus>(77));
  EXPECT_THAT(ListTrackingsQuery(r, 2, 10),
              ElementsAre(Pair("page", "2"), Pair("limit", "10"),
                          Pair("archived", "true")));
  // A zero timestamp is still a set filter.
  v1::ListTrackingsRequest epoch;
  *epoch.mutable_create_time_min() = At(0);
  EXPECT_THAT(ListTrackingsQuery(epoch, 1, 1),
              ElementsAre(Pair("page", "1"), Pair("limit", "1"),
                          Pair("created_at_min", "0")));
}

TEST(RequestTranslationTest, RealtimeBodyRenamesDestinationCountry) {
  v1::GetRealtimeTrackingRequest r;
  r.set_carrier_code("postnl-3s");
  r.set_tracking_number("3SABCD1234567");
  r.set_destination_code("NL");
  r.set_tracking_ship_date("20210101");
  r.set_tracking_postal_code("1234AB");
  r.set_tracking_account_number("ACC");
  r.set_tracking_destination_country("Netherlands");
  r.set_order_create_time("2021/1/1 10:00");
  r.set_lang("en");
  EXPECT_EQ(RealtimeBody(r), json::parse(R"({
      "carrier_code": "postnl-3s", "tracking_number": "3SABCD1234567",
      "destination_code": "NL", "tracking_ship_date": "20210101",
      "tracking_postal_code": "1234AB", "tracking_account_number": "ACC",
      "specialNumberDestination": "Netherlands",
      "order_create_time": "2021/1/1 10:00", "lang": "en"})"));

  v1::GetRealtimeTrackingRequest minimal;
  minimal.set_carrier_code("dhl");
  minimal.set_tracking_number("1234567890");
  EXPECT_EQ(RealtimeBody(minimal).dump(),
            R"({"carrier_code":"dhl","tracking_number":"1234567890"})");
}

TEST(RequestTranslationTest, DetectBodyHasOnlyTheNumber) {
  v1::DetectCarrierRequest r;
  r.set_tracking_number("RN123456789CN");
  r.set_carrier_code("china-post");
  EXPECT_EQ(DetectCarrierBody(r).dump(),
            R"({"tracking_number":"RN123456789CN"})");
}

TEST(RequestTranslationTest, InvalidUtf8NeverMakesDumpThrow) {
  v1::NewTracking t;
  t.set_tracking_number(
      "AB\xFF\xFE"
      "CD");
  const json body = CreateTrackingBody(t);
  EXPECT_NO_THROW(body.dump());
  EXPECT_EQ(body["tracking_number"],
            "AB\xEF\xBF\xBD\xEF\xBF\xBD"
            "CD");
}

}  // namespace
}  // namespace tracktry
