// Copyright 2026 The tracktry-grpc Authors.
#include "service/validation/request_validator.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::tracktry::testing::IsOk;

// Asserts `status` is INVALID_ARGUMENT naming exactly `field` in the
// message, the BadRequest and the ErrorInfo metadata.
void ExpectInvalidField(const absl::Status& status, const std::string& field) {
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()),
              HasSubstr(absl::StrCat("invalid ", field, ": ")));
  const auto bad_request = GetBadRequest(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), field);
  const auto info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_ARGUMENT");
  EXPECT_EQ(info->domain(), "tracktry.v1");
  EXPECT_EQ(info->metadata().at("field"), field);
}

// A change that makes a valid request invalid, and the field the error
// must name.
template <typename Request>
struct Spoil {
  std::string field;
  std::function<void(Request*)> apply;
};

// `valid` passes `validate`; each spoil, applied to a copy of it, fails it
// naming the spoil's field.
template <typename Request>
void ExpectSpoilsRejected(absl::Status (*validate)(const Request&),
                          const Request& valid,
                          const std::vector<Spoil<Request>>& spoils) {
  EXPECT_THAT(validate(valid), IsOk());
  for (const Spoil<Request>& spoil : spoils) {
    SCOPED_TRACE(spoil.field);
    Request spoiled = valid;
    spoil.apply(&spoiled);
    ExpectInvalidField(validate(spoiled), spoil.field);
  }
}

v1::NewTracking ValidNewTracking() {
  v1::NewTracking t;
  t.set_tracking_number("RN123456789CN");
  t.set_carrier_code("china-post");
  return t;
}

v1::CreateTrackingRequest CreateWith(const v1::NewTracking& t) {
  v1::CreateTrackingRequest request;
  *request.mutable_tracking() = t;
  return request;
}

// ---------------- CreateTracking ----------------

TEST(ValidateCreateTrackingTest, MinimalAndFullRequestsAreValid) {
  EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(ValidNewTracking())),
              IsOk());
  v1::NewTracking t = ValidNewTracking();
  t.set_destination_code("US");
  t.set_title("Birthday present 🎁");
  t.set_logistics_channel("4PX挂号小包");
  t.set_customer_name("Ada Lovelace");
  t.set_customer_email("ada@example.com");
  t.set_customer_phone("+86123456789");
  t.set_order_id("#A-1");
  t.set_order_create_time("2017/8/27 16:51");
  t.set_tracking_ship_date("20181001");
  t.set_tracking_postal_code("1234 AB");
  t.set_tracking_account_number("acct-1");
  t.set_tracking_destination_country("NL");
  t.set_lang("en");
  t.set_auto_correct(true);
  t.set_comment(std::string(1024, 'c'));
  EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk());
}

TEST(ValidateCreateTrackingTest, MissingTrackingRejected) {
  ExpectInvalidField(ValidateCreateTrackingRequest(v1::CreateTrackingRequest()),
                     "tracking");
}

TEST(ValidateCreateTrackingTest, TrackingNumberRequired) {
  v1::NewTracking t = ValidNewTracking();
  t.clear_tracking_number();
  const absl::Status status = ValidateCreateTrackingRequest(CreateWith(t));
  ExpectInvalidField(status, "tracking.tracking_number");
  EXPECT_THAT(std::string(status.message()), HasSubstr("is required"));
}

TEST(ValidateCreateTrackingTest, TrackingNumberFormat) {
  for (const char* bad : {"1234", "RN 12345", "RN12345678.CN", "RN/123456",
                          "ÄBCDEF", "RN123\n456"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_tracking_number(bad);
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       "tracking.tracking_number");
  }
  v1::NewTracking t = ValidNewTracking();
  t.set_tracking_number(std::string(51, '1'));
  ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                     "tracking.tracking_number");
  for (const std::string& good :
       {std::string("12345"), std::string(50, 'A'), std::string("ab-c_D9")}) {
    t.set_tracking_number(good);
    EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk()) << good;
  }
}

TEST(ValidateCreateTrackingTest, CarrierCodeOptionalButWellFormed) {
  v1::NewTracking t = ValidNewTracking();
  t.clear_carrier_code();
  EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk());
  for (const std::string& bad : {std::string("DHL"), std::string("china post"),
                                 std::string("ups!"), std::string(51, 'a')}) {
    t.set_carrier_code(bad);
    const absl::Status status = ValidateCreateTrackingRequest(CreateWith(t));
    ExpectInvalidField(status, "tracking.carrier_code");
    EXPECT_THAT(std::string(status.message()), HasSubstr("lower-case"));
  }
  for (const std::string& good : {std::string("4px"), std::string("postnl-3s"),
                                  std::string("a_b"), std::string(50, 'z')}) {
    t.set_carrier_code(good);
    EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk()) << good;
  }
}

TEST(ValidateCreateTrackingTest, AutoCorrectNeedsCarrierCode) {
  v1::NewTracking t = ValidNewTracking();
  t.clear_carrier_code();
  t.set_auto_correct(true);
  const absl::Status status = ValidateCreateTrackingRequest(CreateWith(t));
  ExpectInvalidField(status, "tracking.carrier_code");
  EXPECT_THAT(std::string(status.message()), HasSubstr("auto_correct"));
}

TEST(ValidateCreateTrackingTest, TwoLetterCodes) {
  for (const char* bad : {"U", "USA", "u1", "é"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_destination_code(bad);
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       "tracking.destination_code");
    t = ValidNewTracking();
    t.set_lang(bad);
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       "tracking.lang");
  }
}

TEST(ValidateCreateTrackingTest, ShipDateMustBeRealYyyymmdd) {
  for (const char* good : {"20181001", "20240229", "20000229", "19000101"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_tracking_ship_date(good);
    EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk()) << good;
  }
  for (const char* bad :
       {"2018101", "201810011", "2018-10-01", "20181301", "20181000",
        "20230229", "19000229", "20180431", "18991231", "2018100a"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_tracking_ship_date(bad);
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       "tracking.tracking_ship_date");
  }
}

TEST(ValidateCreateTrackingTest, OrderCreateTimeFormat) {
  for (const char* good : {"2017/8/27 16:51", "2017/08/07 06:05",
                           "2017/1/1 0:00", "2024/2/29 23:59"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_order_create_time(good);
    EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk()) << good;
  }
  for (const char* bad :
       {"2017-8-27 16:51", "2017/8/27", "2017/8/27 16:5", "2017/8/27 24:00",
        "2017/8/27 16:60", "2017/13/1 10:00", "2017/2/29 10:00",
        "2017/8/27 16:51:00", "17/8/27 16:51", "2017/8/27T16:51",
        "2017/008/27 16:51", " 2017/8/27 16:51"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_order_create_time(bad);
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       "tracking.order_create_time");
  }
}

TEST(ValidateCreateTrackingTest, CustomerEmailPlausible) {
  for (const char* bad : {"ada", "@example.com", "ada@", "a@b@c",
                          "ada @example.com", "ada@exa\tmple.com"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_customer_email(bad);
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       "tracking.customer_email");
  }
  v1::NewTracking t = ValidNewTracking();
  t.set_customer_email(std::string(189, 'a') + "@example.com");  // 201 bytes
  ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                     "tracking.customer_email");
  t.set_customer_email(std::string(188, 'a') + "@example.com");  // 200 bytes
  EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk());
}

TEST(ValidateCreateTrackingTest, ErrorMessageDoesNotEchoValue) {
  v1::NewTracking t = ValidNewTracking();
  t.set_customer_email("private person at example.com");
  const absl::Status status = ValidateCreateTrackingRequest(CreateWith(t));
  ExpectInvalidField(status, "tracking.customer_email");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("private")));
}

TEST(ValidateCreateTrackingTest, TextLengthLimitsCountCharacters) {
  v1::NewTracking t = ValidNewTracking();
  t.set_title(std::string(255, 'x'));
  EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk());
  // 255 three-byte characters (765 bytes) are still 255 characters.
  std::string cjk;
  for (int i = 0; i < 255; ++i) cjk += "包";
  t.set_title(cjk);
  EXPECT_THAT(ValidateCreateTrackingRequest(CreateWith(t)), IsOk());
  t.set_title(cjk + "包");
  ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                     "tracking.title");

  t = ValidNewTracking();
  t.set_comment(std::string(1025, 'c'));
  ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                     "tracking.comment");
}

TEST(ValidateCreateTrackingTest, EveryTextFieldHasALimit) {
  using Setter = void (v1::NewTracking::*)(const std::string&);
  const std::pair<const char*, Setter> fields[] = {
      {"title", &v1::NewTracking::set_title},
      {"logistics_channel", &v1::NewTracking::set_logistics_channel},
      {"customer_name", &v1::NewTracking::set_customer_name},
      {"customer_phone", &v1::NewTracking::set_customer_phone},
      {"order_id", &v1::NewTracking::set_order_id},
      {"tracking_postal_code", &v1::NewTracking::set_tracking_postal_code},
      {"tracking_account_number",
       &v1::NewTracking::set_tracking_account_number},
      {"tracking_destination_country",
       &v1::NewTracking::set_tracking_destination_country},
  };
  for (const auto& [name, setter] : fields) {
    v1::NewTracking t = ValidNewTracking();
    (t.*setter)(std::string(256, 'x'));
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       absl::StrCat("tracking.", name));
    t = ValidNewTracking();
    (t.*setter)("line\nbreak");
    const absl::Status status = ValidateCreateTrackingRequest(CreateWith(t));
    ExpectInvalidField(status, absl::StrCat("tracking.", name));
    EXPECT_THAT(std::string(status.message()), HasSubstr("control"));
  }
}

TEST(ValidateCreateTrackingTest, ControlCharactersRejectedEverywhere) {
  for (const char* bad : {"a\x01", "tab\there", "del\x7f"}) {
    v1::NewTracking t = ValidNewTracking();
    t.set_comment(bad);
    ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                       "tracking.comment");
  }
  v1::NewTracking t = ValidNewTracking();
  t.set_title(std::string("nul\0byte", 8));
  ExpectInvalidField(ValidateCreateTrackingRequest(CreateWith(t)),
                     "tracking.title");
}

// ---------------- Get / Delete / Realtime / Detect ----------------

TEST(ValidateGetTrackingTest, KeyRequiredAndLangChecked) {
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");
  EXPECT_THAT(ValidateGetTrackingRequest(request), IsOk());
  request.set_lang("de");
  EXPECT_THAT(ValidateGetTrackingRequest(request), IsOk());
  request.set_lang("deu");
  ExpectInvalidField(ValidateGetTrackingRequest(request), "lang");

  request.set_lang("");
  request.clear_carrier_code();
  ExpectInvalidField(ValidateGetTrackingRequest(request), "carrier_code");
  request.set_carrier_code("DHL");
  ExpectInvalidField(ValidateGetTrackingRequest(request), "carrier_code");
  request.set_carrier_code("dhl");
  request.clear_tracking_number();
  ExpectInvalidField(ValidateGetTrackingRequest(request), "tracking_number");
  request.set_tracking_number("12/45/78");
  ExpectInvalidField(ValidateGetTrackingRequest(request), "tracking_number");
}

TEST(ValidateDeleteTrackingTest, KeyRequired) {
  v1::DeleteTrackingRequest request;
  ExpectInvalidField(ValidateDeleteTrackingRequest(request), "carrier_code");
  request.set_carrier_code("ups");
  ExpectInvalidField(ValidateDeleteTrackingRequest(request), "tracking_number");
  request.set_tracking_number("1Z111111111111");
  EXPECT_THAT(ValidateDeleteTrackingRequest(request), IsOk());
}

TEST(ValidateGetRealtimeTrackingTest, KeyRequiredAndOptionalFieldsChecked) {
  v1::GetRealtimeTrackingRequest request;
  ExpectInvalidField(ValidateGetRealtimeTrackingRequest(request),
                     "carrier_code");
  request.set_carrier_code("cainiao");
  request.set_tracking_number("LB181539674SG");
  ExpectSpoilsRejected(
      ValidateGetRealtimeTrackingRequest, request,
      {
          {"destination_code", [](auto* r) { r->set_destination_code("USA"); }},
          {"tracking_ship_date",
           [](auto* r) { r->set_tracking_ship_date("20180231"); }},
          {"order_create_time",
           [](auto* r) { r->set_order_create_time("yesterday"); }},
          {"lang", [](auto* r) { r->set_lang("e"); }},
          {"tracking_postal_code",
           [](auto* r) { r->set_tracking_postal_code(std::string(256, '1')); }},
          {"tracking_account_number",
           [](auto* r) { r->set_tracking_account_number("a\rb"); }},
          {"tracking_destination_country",
           [](auto* r) {
             r->set_tracking_destination_country(std::string(300, 'x'));
           }},
      });

  request.set_destination_code("us");
  request.set_tracking_ship_date("20201001");
  request.set_order_create_time("2020/9/24 16:09");
  request.set_lang("en");
  request.set_tracking_postal_code("71118");
  EXPECT_THAT(ValidateGetRealtimeTrackingRequest(request), IsOk());
}

TEST(ValidateDetectCarrierTest, TrackingNumberRequiredCarrierOptional) {
  v1::DetectCarrierRequest request;
  ExpectInvalidField(ValidateDetectCarrierRequest(request), "tracking_number");
  request.set_tracking_number("RN123456789CN");
  EXPECT_THAT(ValidateDetectCarrierRequest(request), IsOk());
  request.set_carrier_code("china-post");
  EXPECT_THAT(ValidateDetectCarrierRequest(request), IsOk());
  request.set_carrier_code("China Post");
  ExpectInvalidField(ValidateDetectCarrierRequest(request), "carrier_code");
}

TEST(ValidateListCarriersTest, AlwaysValid) {
  EXPECT_THAT(ValidateListCarriersRequest(v1::ListCarriersRequest()), IsOk());
}

// ---------------- BatchCreateTrackings ----------------

TEST(ValidateBatchCreateTrackingsTest, ItemCountLimits) {
  v1::BatchCreateTrackingsRequest request;
  ExpectInvalidField(ValidateBatchCreateTrackingsRequest(request), "trackings");
  for (int i = 0; i < kMaxBatchSize; ++i) {
    v1::NewTracking* t = request.add_trackings();
    t->set_tracking_number(absl::StrCat("RN", 100000000 + i, "CN"));
  }
  EXPECT_THAT(ValidateBatchCreateTrackingsRequest(request), IsOk());
  request.add_trackings()->set_tracking_number("RN999999999CN");
  const absl::Status status = ValidateBatchCreateTrackingsRequest(request);
  ExpectInvalidField(status, "trackings");
  EXPECT_THAT(std::string(status.message()), HasSubstr("10000"));
}

TEST(ValidateBatchCreateTrackingsTest, ItemErrorsNameTheirIndex) {
  v1::BatchCreateTrackingsRequest request;
  for (int i = 0; i < 5; ++i) *request.add_trackings() = ValidNewTracking();
  ExpectSpoilsRejected(
      ValidateBatchCreateTrackingsRequest, request,
      {
          {"trackings[3].carrier_code",
           [](auto* r) { r->mutable_trackings(3)->set_carrier_code("DHL"); }},
          {"trackings[0].tracking_number",
           [](auto* r) { r->mutable_trackings(0)->clear_tracking_number(); }},
          {"trackings[4].tracking_ship_date",
           [](auto* r) {
             r->mutable_trackings(4)->set_tracking_ship_date("20181");
           }},
      });
}

// ---------------- ListTrackings ----------------

TEST(ValidateListTrackingsTest, EmptyRequestIsValid) {
  EXPECT_THAT(ValidateListTrackingsRequest(v1::ListTrackingsRequest()), IsOk());
}

TEST(ValidateListTrackingsTest, PageSize) {
  v1::ListTrackingsRequest request;
  request.set_page_size(-1);
  ExpectInvalidField(ValidateListTrackingsRequest(request), "page_size");
  request.set_page_size(5000);  // coerced later, not an error
  EXPECT_THAT(ValidateListTrackingsRequest(request), IsOk());
}

TEST(ValidateListTrackingsTest, PageTokenLength) {
  v1::ListTrackingsRequest request;
  request.set_page_token(std::string(kMaxPageTokenLength + 1, 'a'));
  ExpectInvalidField(ValidateListTrackingsRequest(request), "page_token");
}

TEST(ValidateListTrackingsTest, StatusMustBeDefined) {
  v1::ListTrackingsRequest request;
  request.set_status(v1::TRACKING_STATUS_EXPIRED);
  EXPECT_THAT(ValidateListTrackingsRequest(request), IsOk());
  request.set_status(static_cast<v1::TrackingStatus>(99));
  ExpectInvalidField(ValidateListTrackingsRequest(request), "status");
}

TEST(ValidateListTrackingsTest, TimeWindows) {
  v1::ListTrackingsRequest request;
  request.mutable_create_time_min()->set_seconds(1441314361);
  request.mutable_create_time_max()->set_seconds(1441314361);
  EXPECT_THAT(ValidateListTrackingsRequest(request), IsOk());
  request.mutable_create_time_max()->set_seconds(1441314360);
  ExpectInvalidField(ValidateListTrackingsRequest(request), "create_time_min");

  request = v1::ListTrackingsRequest();
  request.mutable_update_time_min()->set_seconds(100);
  request.mutable_update_time_min()->set_nanos(2);
  request.mutable_update_time_max()->set_seconds(100);
  request.mutable_update_time_max()->set_nanos(1);
  ExpectInvalidField(ValidateListTrackingsRequest(request), "update_time_min");

  request = v1::ListTrackingsRequest();
  request.mutable_order_create_time_max()->set_nanos(-1);
  ExpectInvalidField(ValidateListTrackingsRequest(request),
                     "order_create_time_max");
  request = v1::ListTrackingsRequest();
  request.mutable_order_create_time_min()->set_nanos(1000000000);
  ExpectInvalidField(ValidateListTrackingsRequest(request),
                     "order_create_time_min");
  request = v1::ListTrackingsRequest();
  request.mutable_create_time_max()->set_seconds(253402300800);  // year 10000
  ExpectInvalidField(ValidateListTrackingsRequest(request), "create_time_max");
  request = v1::ListTrackingsRequest();
  request.mutable_update_time_max()->set_seconds(-62135596801);
  ExpectInvalidField(ValidateListTrackingsRequest(request), "update_time_max");
  // Only one side set: no ordering check.
  request = v1::ListTrackingsRequest();
  request.mutable_create_time_max()->set_seconds(0);
  EXPECT_THAT(ValidateListTrackingsRequest(request), IsOk());
}

TEST(ValidateListTrackingsTest, TrackingNumbersFilter) {
  v1::ListTrackingsRequest request;
  for (int i = 0; i < kMaxListFilterValues; ++i) {
    request.add_tracking_numbers(absl::StrCat("LX", 123445678 + i, "CN"));
  }
  EXPECT_THAT(ValidateListTrackingsRequest(request), IsOk());
  request.set_tracking_numbers(2, "LX1,LX2");
  ExpectInvalidField(ValidateListTrackingsRequest(request),
                     "tracking_numbers[2]");
  request.set_tracking_numbers(2, "");
  ExpectInvalidField(ValidateListTrackingsRequest(request),
                     "tracking_numbers[2]");
  request.set_tracking_numbers(2, "LX123445678CN");
  request.add_tracking_numbers("LX999999999CN");
  ExpectInvalidField(ValidateListTrackingsRequest(request), "tracking_numbers");
}

TEST(ValidateListTrackingsTest, OrderIdsFilter) {
  v1::ListTrackingsRequest request;
  for (int i = 0; i < kMaxListFilterValues; ++i) {
    request.add_order_ids(absl::StrCat("order #", i));
  }
  EXPECT_THAT(ValidateListTrackingsRequest(request), IsOk());
  request.set_order_ids(7, "a,b");
  ExpectInvalidField(ValidateListTrackingsRequest(request), "order_ids[7]");
  request.set_order_ids(7, "");
  ExpectInvalidField(ValidateListTrackingsRequest(request), "order_ids[7]");
  request.set_order_ids(7, "x\ny");
  ExpectInvalidField(ValidateListTrackingsRequest(request), "order_ids[7]");
  request.set_order_ids(7, std::string(256, 'o'));
  ExpectInvalidField(ValidateListTrackingsRequest(request), "order_ids[7]");
  request.set_order_ids(7, "fine");
  request.add_order_ids("one too many");
  ExpectInvalidField(ValidateListTrackingsRequest(request), "order_ids");
}

TEST(ValidateListTrackingsTest, Lang) {
  v1::ListTrackingsRequest request;
  request.set_lang("english");
  ExpectInvalidField(ValidateListTrackingsRequest(request), "lang");
}

// ---------------- UpdateTracking ----------------

v1::UpdateTrackingRequest ValidUpdate() {
  v1::UpdateTrackingRequest request;
  request.set_carrier_code("sto");
  request.set_tracking_number("402934299065");
  request.mutable_tracking()->set_title("New title");
  return request;
}

TEST(ValidateUpdateTrackingTest, KeyRequired) {
  v1::UpdateTrackingRequest request = ValidUpdate();
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());
  request.clear_carrier_code();
  ExpectInvalidField(ValidateUpdateTrackingRequest(request), "carrier_code");
  request = ValidUpdate();
  request.set_tracking_number("1");
  ExpectInvalidField(ValidateUpdateTrackingRequest(request), "tracking_number");
}

TEST(ValidateUpdateTrackingTest, MaskPathsMustBeUpdatable) {
  v1::UpdateTrackingRequest request = ValidUpdate();
  for (const char* path : kUpdatableTrackingFields) {
    request.mutable_update_mask()->add_paths(path);
  }
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());
  for (const char* bad : {"status", "tracking_number", "raw", "*", "Title",
                          "origin_info.phone"}) {
    request = ValidUpdate();
    request.mutable_update_mask()->add_paths("title");
    request.mutable_update_mask()->add_paths(bad);
    const absl::Status status = ValidateUpdateTrackingRequest(request);
    ExpectInvalidField(status, "update_mask");
    EXPECT_THAT(std::string(status.message()), HasSubstr("not updatable"));
  }
}

TEST(ValidateUpdateTrackingTest, NothingToUpdateRejected) {
  v1::UpdateTrackingRequest request = ValidUpdate();
  request.clear_tracking();
  const absl::Status status = ValidateUpdateTrackingRequest(request);
  ExpectInvalidField(status, "update_mask");
  EXPECT_THAT(std::string(status.message()), HasSubstr("nothing to update"));

  // Non-updatable fields do not count.
  request.mutable_tracking()->set_status(v1::TRACKING_STATUS_DELIVERED);
  request.mutable_tracking()->set_comment("ignored");
  ExpectInvalidField(ValidateUpdateTrackingRequest(request), "update_mask");
}

TEST(ValidateUpdateTrackingTest, EachWayOfUpdatingIsEnough) {
  v1::UpdateTrackingRequest base = ValidUpdate();
  base.clear_tracking();

  v1::UpdateTrackingRequest request = base;
  request.set_status_change(v1::STATUS_CHANGE_DELIVERED);
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());

  request = base;
  request.mutable_update_mask()->add_paths("customer_name");  // clears it
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());

  request = base;
  request.mutable_tracking()->set_archived(true);
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());

  request = base;
  request.mutable_tracking()->add_customer_emails("ada@example.com");
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());
}

TEST(ValidateUpdateTrackingTest, StatusChangeMustBeDefined) {
  v1::UpdateTrackingRequest request = ValidUpdate();
  request.set_status_change(static_cast<v1::StatusChange>(99));
  ExpectInvalidField(ValidateUpdateTrackingRequest(request), "status_change");
  request.set_status_change(v1::STATUS_CHANGE_REVERT);
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());
}

TEST(ValidateUpdateTrackingTest, CustomerEmailsAtMostOneAndValid) {
  v1::UpdateTrackingRequest request = ValidUpdate();
  request.mutable_tracking()->add_customer_emails("a@example.com");
  request.mutable_tracking()->add_customer_emails("b@example.com");
  ExpectInvalidField(ValidateUpdateTrackingRequest(request),
                     "tracking.customer_emails");

  request = ValidUpdate();
  request.mutable_tracking()->add_customer_emails("not-an-address");
  ExpectInvalidField(ValidateUpdateTrackingRequest(request),
                     "tracking.customer_emails[0]");
  request.mutable_tracking()->set_customer_emails(0, "");
  ExpectInvalidField(ValidateUpdateTrackingRequest(request),
                     "tracking.customer_emails[0]");
}

TEST(ValidateUpdateTrackingTest, FieldsValidatedWhenSent) {
  v1::UpdateTrackingRequest request = ValidUpdate();
  request.mutable_tracking()->set_destination_code("USA");
  ExpectInvalidField(ValidateUpdateTrackingRequest(request),
                     "tracking.destination_code");

  // With a mask, only masked fields are sent and validated.
  request.mutable_update_mask()->add_paths("title");
  EXPECT_THAT(ValidateUpdateTrackingRequest(request), IsOk());
  request.mutable_update_mask()->add_paths("destination_code");
  ExpectInvalidField(ValidateUpdateTrackingRequest(request),
                     "tracking.destination_code");

  for (const char* field : {"title", "logistics_channel", "customer_name",
                            "customer_phone", "order_id"}) {
    v1::UpdateTrackingRequest r = ValidUpdate();
    r.clear_tracking();
    v1::Tracking* t = r.mutable_tracking();
    const std::string too_long(256, 'x');
    if (std::string(field) == "title") t->set_title(too_long);
    if (std::string(field) == "logistics_channel") {
      t->set_logistics_channel(too_long);
    }
    if (std::string(field) == "customer_name") t->set_customer_name(too_long);
    if (std::string(field) == "customer_phone") t->set_customer_phone(too_long);
    if (std::string(field) == "order_id") t->set_order_id(too_long);
    ExpectInvalidField(ValidateUpdateTrackingRequest(r),
                       absl::StrCat("tracking.", field));
  }
}

// ---------------- Extended RPCs ----------------

v1::TrackingRef Ref(const std::string& carrier, const std::string& number) {
  v1::TrackingRef ref;
  ref.set_carrier_code(carrier);
  ref.set_tracking_number(number);
  return ref;
}

TEST(ValidateChangeTrackingCarrierTest, AllThreeCodesRequiredAndWellFormed) {
  v1::ChangeTrackingCarrierRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("RN123456789CN");
  request.set_new_carrier_code("china-post");
  EXPECT_THAT(ValidateChangeTrackingCarrierRequest(request), IsOk());
  for (const char* field :
       {"carrier_code", "tracking_number", "new_carrier_code"}) {
    SCOPED_TRACE(field);
    v1::ChangeTrackingCarrierRequest missing = request;
    missing.GetReflection()->SetString(
        &missing, missing.GetDescriptor()->FindFieldByName(field), "");
    ExpectInvalidField(ValidateChangeTrackingCarrierRequest(missing), field);
  }
  request.set_new_carrier_code("China Post");
  ExpectInvalidField(ValidateChangeTrackingCarrierRequest(request),
                     "new_carrier_code");
}

TEST(ValidateCountTrackingsByStatusTest, TimeWindowsChecked) {
  v1::CountTrackingsByStatusRequest request;
  EXPECT_THAT(ValidateCountTrackingsByStatusRequest(request), IsOk());
  request.mutable_create_time_min()->set_seconds(1'700'000'000);
  request.mutable_create_time_max()->set_seconds(1'800'000'000);
  EXPECT_THAT(ValidateCountTrackingsByStatusRequest(request), IsOk());
  request.mutable_create_time_max()->set_seconds(1'600'000'000);
  ExpectInvalidField(ValidateCountTrackingsByStatusRequest(request),
                     "create_time_min");
  request.clear_create_time_max();
  request.mutable_order_create_time_max()->set_nanos(-1);
  ExpectInvalidField(ValidateCountTrackingsByStatusRequest(request),
                     "order_create_time_max");
}

TEST(ValidateStopTrackingUpdatesTest, OneToFortyWellFormedRefs) {
  v1::StopTrackingUpdatesRequest request;
  ExpectInvalidField(ValidateStopTrackingUpdatesRequest(request), "trackings");
  for (int i = 0; i < kMaxItemsPerExtendedCall; ++i) {
    *request.add_trackings() = Ref("dhl", absl::StrCat("RN12345", i));
  }
  EXPECT_THAT(ValidateStopTrackingUpdatesRequest(request), IsOk());
  *request.add_trackings() = Ref("dhl", "RN99999");
  const absl::Status too_many = ValidateStopTrackingUpdatesRequest(request);
  ExpectInvalidField(too_many, "trackings");
  EXPECT_THAT(std::string(too_many.message()), HasSubstr("at most 40"));
  request.mutable_trackings()->RemoveLast();
  ExpectSpoilsRejected(
      ValidateStopTrackingUpdatesRequest, request,
      {
          {"trackings[3].tracking_number",
           [](auto* r) { r->mutable_trackings(3)->set_tracking_number(""); }},
          {"trackings[7].carrier_code",
           [](auto* r) { r->mutable_trackings(7)->set_carrier_code("DHL"); }},
      });
}

TEST(ValidateCheckRemoteAreasTest, CountryRequired) {
  v1::CheckRemoteAreasRequest request;
  ExpectInvalidField(ValidateCheckRemoteAreasRequest(request), "queries");
  v1::RemoteAreaQuery* query = request.add_queries();
  query->set_country("US");
  query->set_postcode("99501");
  EXPECT_THAT(ValidateCheckRemoteAreasRequest(request), IsOk());
  request.add_queries()->set_postcode("10001");
  ExpectInvalidField(ValidateCheckRemoteAreasRequest(request),
                     "queries[1].country");
  request.mutable_queries(1)->set_country("US");
  ExpectSpoilsRejected(
      ValidateCheckRemoteAreasRequest, request,
      {
          {"queries[1].postcode",
           [](auto* r) { r->mutable_queries(1)->set_postcode("100\n01"); }},
          {"queries[1].carrier_code",
           [](auto* r) { r->mutable_queries(1)->set_carrier_code("Fed Ex"); }},
      });
}

TEST(ValidateGetTransitTimesTest, CarrierOriginDestinationRequired) {
  v1::GetTransitTimesRequest request;
  ExpectInvalidField(ValidateGetTransitTimesRequest(request), "queries");
  v1::TransitTimeQuery* query = request.add_queries();
  query->set_carrier_code("usps");
  query->set_origin("US");
  query->set_destination("CA");
  EXPECT_THAT(ValidateGetTransitTimesRequest(request), IsOk());
  for (const char* field : {"carrier_code", "origin", "destination"}) {
    SCOPED_TRACE(field);
    v1::GetTransitTimesRequest missing = request;
    v1::TransitTimeQuery* q = missing.mutable_queries(0);
    q->GetReflection()->SetString(q, q->GetDescriptor()->FindFieldByName(field),
                                  "");
    ExpectInvalidField(ValidateGetTransitTimesRequest(missing),
                       absl::StrCat("queries[0].", field));
  }
  for (int i = 1; i <= kMaxItemsPerExtendedCall; ++i) {
    *request.add_queries() = request.queries(0);
  }
  ExpectInvalidField(ValidateGetTransitTimesRequest(request), "queries");
}

TEST(ValidateBatchDeleteTrackingsTest, RefsRequiredUpToTheBatchSize) {
  v1::BatchDeleteTrackingsRequest request;
  ExpectInvalidField(ValidateBatchDeleteTrackingsRequest(request), "trackings");
  for (int i = 0; i < 100; ++i) {
    *request.add_trackings() = Ref("dhl", absl::StrCat("RN12345", i));
  }
  EXPECT_THAT(ValidateBatchDeleteTrackingsRequest(request), IsOk());
  request.mutable_trackings(99)->set_carrier_code("");
  ExpectInvalidField(ValidateBatchDeleteTrackingsRequest(request),
                     "trackings[99].carrier_code");
  request.mutable_trackings(99)->set_carrier_code("dhl");
  while (request.trackings_size() <= kMaxBatchSize) {
    *request.add_trackings() = Ref("dhl", "RN12345");
  }
  ExpectInvalidField(ValidateBatchDeleteTrackingsRequest(request), "trackings");
}

TEST(ValidateBatchUpdateTrackingsTest, EveryFieldOfEveryUpdateChecked) {
  v1::BatchUpdateTrackingsRequest request;
  ExpectInvalidField(ValidateBatchUpdateTrackingsRequest(request), "updates");
  v1::TrackingUpdate* update = request.add_updates();
  update->set_carrier_code("dhl");
  update->set_tracking_number("RN123456789CN");
  update->set_title("Order 1");
  update->set_customer_email("a@example.com");
  update->set_destination_code("US");
  update->set_status_change(v1::STATUS_CHANGE_DELIVERED);
  *request.add_updates() = *update;
  EXPECT_THAT(ValidateBatchUpdateTrackingsRequest(request), IsOk());

  struct Case {
    const char* field;
    std::function<void(v1::TrackingUpdate*)> spoil;
  };
  const std::vector<Case> cases = {
      {"carrier_code", [](auto* u) { u->set_carrier_code(""); }},
      {"tracking_number", [](auto* u) { u->set_tracking_number("x"); }},
      {"title", [](auto* u) { u->set_title("bad\ttitle"); }},
      {"logistics_channel",
       [](auto* u) { u->set_logistics_channel(std::string(300, 'x')); }},
      {"customer_name", [](auto* u) { u->set_customer_name("a\nb"); }},
      {"customer_email", [](auto* u) { u->set_customer_email("nobody"); }},
      {"order_id", [](auto* u) { u->set_order_id("id\x01"); }},
      {"destination_code", [](auto* u) { u->set_destination_code("USA"); }},
      {"status_change",
       [](auto* u) {
         u->set_status_change(static_cast<v1::StatusChange>(99));
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    v1::BatchUpdateTrackingsRequest spoiled = request;
    c.spoil(spoiled.mutable_updates(1));
    ExpectInvalidField(ValidateBatchUpdateTrackingsRequest(spoiled),
                       absl::StrCat("updates[1].", c.field));
  }
}

}  // namespace
}  // namespace tracktry
