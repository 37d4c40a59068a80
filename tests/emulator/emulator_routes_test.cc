// Copyright 2026 The tracktry-grpc Authors.
//
// The Tracktry routes of the emulator over HTTP: success shapes, error
// codes, quirks, list paging/filters, batch, realtime, carriers, detect, the
// API key check and the extended TrackingMore-v2 routes.
#include <cctype>
#include <cstdio>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "emulator/emulator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/emulator_harness.h"

namespace tracktry {
namespace {

using testing::EmulatorHarness;
using ::testing::HasSubstr;
using testing::HttpResult;
using ::testing::Not;
using Json = nlohmann::json;

constexpr int64_t kDay = 86400;

std::string Number(int i) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "RN%09dCN", i);
  return buffer;
}

std::string CreateBody(const std::string& number,
                       const std::string& carrier = "china-post",
                       const std::string& extra = "") {
  return absl::StrCat(R"({"tracking_number":")", number,
                      R"(","carrier_code":")", carrier, "\"", extra, "}");
}

class EmulatorRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(harness_.Start().ok()); }

  HttpResult Create(const std::string& number,
                    const std::string& carrier = "china-post",
                    const std::string& extra = "") {
    return harness_.Api("POST", "/trackings/post",
                        CreateBody(number, carrier, extra));
  }

  // The single-GET tracking object, unwrapping the one-element-array quirk.
  Json GetTracking(const std::string& carrier, const std::string& number) {
    const HttpResult r =
        harness_.Api("GET", absl::StrCat("/trackings/", carrier, "/", number));
    EXPECT_EQ(r.MetaCode(), 200) << r.body;
    Json data = r.Json()["data"];
    if (data.is_array()) {
      EXPECT_EQ(data.size(), 1u);
      return data.empty() ? Json() : data[0];
    }
    return data;
  }

  std::string NumberWhere(bool (*predicate)(const emulator::TrackingQuirks&)) {
    for (int i = 0; i < 2000; ++i) {
      if (predicate(harness_.emulator().generator().QuirksFor("china-post",
                                                              Number(i)))) {
        return Number(i);
      }
    }
    return "";
  }

  EmulatorHarness harness_;
};

TEST_F(EmulatorRoutesTest, CreateReturnsShortResultWithNullStrings) {
  const HttpResult r = Create("RN123456789CN");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.Header("Content-Type"), HasSubstr("application/json"));
  const Json json = r.Json();
  EXPECT_EQ(
      json["meta"],
      Json::parse(R"({"code":200,"type":"Success","message":"Success"})"));
  const Json& data = json["data"];
  EXPECT_TRUE(std::regex_match(data["id"].get<std::string>(),
                               std::regex("[0-9a-f]{32}")));
  EXPECT_EQ(data["tracking_number"], "RN123456789CN");
  EXPECT_EQ(data["carrier_code"], "china-post");
  EXPECT_EQ(data["status"], "pending");
  EXPECT_TRUE(
      std::regex_match(data["created_at"].get<std::string>(),
                       std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)")));
  EXPECT_EQ(data["customer_email"], "null");
  EXPECT_EQ(data["customer_name"], "null");
  EXPECT_EQ(data["order_id"], "null");
  EXPECT_TRUE(data["title"].is_null());
}

TEST_F(EmulatorRoutesTest, CreateEchoesGivenFields) {
  const HttpResult r = Create(
      "RN123456789CN", "china-post",
      R"(,"customer_email":"a@b.c","customer_name":"Ann","order_id":"#7","title":"T")");
  const Json data = r.Json()["data"];
  EXPECT_EQ(data["customer_email"], "a@b.c");
  EXPECT_EQ(data["customer_name"], "Ann");
  EXPECT_EQ(data["order_id"], "#7");
  EXPECT_TRUE(data["title"].is_null());
  const Json tracking = GetTracking("china-post", "RN123456789CN");
  EXPECT_EQ(tracking["title"], "T");
  EXPECT_EQ(tracking["order_id"], "#7");
}

TEST_F(EmulatorRoutesTest, CreateValidationErrors) {
  EXPECT_EQ(harness_.Api("POST", "/trackings/post", R"({"carrier_code":"dhl"})")
                .MetaCode(),
            4013);
  EXPECT_EQ(Create("").MetaCode(), 4013);
  EXPECT_EQ(Create("ab12").MetaCode(), 4014);
  EXPECT_EQ(Create("bad number!").MetaCode(), 4014);
  EXPECT_EQ(Create(std::string(51, '1')).MetaCode(), 4014);
  EXPECT_EQ(Create("RN123456789CN", "no-such-carrier").MetaCode(), 4015);
  EXPECT_EQ(Create("ZZZZZZZZ", "").MetaCode(), 4032);
  EXPECT_EQ(
      harness_
          .Api("POST", "/trackings/post", R"({"tracking_number":"ZZZZZZZZ"})")
          .MetaCode(),
      4032);
  EXPECT_EQ(
      harness_.Api("POST", "/trackings/post", "tracking_number=RN1").MetaCode(),
      4015);
  const HttpResult error = Create("ab12");
  EXPECT_EQ(error.status, 200);
  EXPECT_EQ(error.Json()["meta"]["type"], "Bad Request");
  EXPECT_EQ(error.Json()["data"], Json::array());
  EXPECT_EQ(harness_.emulator().tracking_count(), 0u);
}

TEST_F(EmulatorRoutesTest, CreateAutoDetectsCarrierAndRejectsDuplicates) {
  const HttpResult r = harness_.Api(
      "POST", "/trackings/post", R"({"tracking_number":"1Z12345E0291980793"})");
  EXPECT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"]["carrier_code"], "ups");
  EXPECT_EQ(Create("1Z12345E0291980793", "ups").MetaCode(), 4016);
  // The same number with another carrier is another tracking.
  EXPECT_EQ(Create("1Z12345E0291980793", "dhl").MetaCode(), 200);
}

TEST_F(EmulatorRoutesTest, GetReturnsFullTrackingObject) {
  ASSERT_EQ(Create("RN123456789CN").MetaCode(), 200);
  const Json t = GetTracking("china-post", "RN123456789CN");
  for (const char* field : {"id",
                            "tracking_number",
                            "carrier_code",
                            "status",
                            "substatus",
                            "created_at",
                            "updated_at",
                            "order_create_time",
                            "customer_email",
                            "customer_name",
                            "customer_phone",
                            "title",
                            "order_id",
                            "comment",
                            "logistics_channel",
                            "archived",
                            "original_country",
                            "destination_country",
                            "itemTimeLength",
                            "stayTimeLength",
                            "service_code",
                            "status_info",
                            "origin_info",
                            "destination_info",
                            "lastEvent",
                            "lastUpdateTime"}) {
    EXPECT_TRUE(t.contains(field)) << field;
  }
  EXPECT_EQ(t["status"], "pending");
  EXPECT_TRUE(t["origin_info"]["trackinfo"].is_null());
  for (const char* field : {"ReferenceNumber", "ItemReceived", "ItemDispatched",
                            "DepartfromAirport", "ArrivalfromAbroad",
                            "CustomsClearance", "DestinationArrived", "weblink",
                            "phone", "carrier_code", "trackinfo"}) {
    EXPECT_TRUE(t["origin_info"].contains(field)) << field;
  }
  EXPECT_EQ(t["origin_info"]["carrier_code"], "china-post");
  EXPECT_FALSE(t["archived"].get<bool>());
}

TEST_F(EmulatorRoutesTest, GetUnknownIs4017AndLangAndV2PathsWork) {
  EXPECT_EQ(
      harness_.Api("GET", "/trackings/china-post/RN123456789CN").MetaCode(),
      4017);
  ASSERT_EQ(Create("RN123456789CN").MetaCode(), 200);
  EXPECT_EQ(
      harness_.Api("GET", "/trackings/china-post/RN123456789CN/en").MetaCode(),
      200);
  const HttpResult v2 =
      harness_.Request("GET", "/v2/trackings/china-post/RN123456789CN", "",
                       {{"Tracktry-Api-Key", EmulatorHarness::kApiKey}});
  EXPECT_EQ(v2.MetaCode(), 200);
  EXPECT_EQ(harness_.Api("GET", "/trackings/dhl/RN123456789CN").MetaCode(),
            4017);
}

TEST_F(EmulatorRoutesTest, GetDataIsArrayOnlyWithQuirks) {
  const std::string number = NumberWhere(
      [](const emulator::TrackingQuirks& q) { return q.data_as_array; });
  const std::string plain = NumberWhere(
      [](const emulator::TrackingQuirks& q) { return !q.data_as_array; });
  ASSERT_EQ(Create(number).MetaCode(), 200);
  ASSERT_EQ(Create(plain).MetaCode(), 200);
  const std::string path = "/trackings/china-post/" + number;
  const Json with_quirks = harness_.Api("GET", path).Json()["data"];
  ASSERT_TRUE(with_quirks.is_array());
  EXPECT_EQ(with_quirks.size(), 1u);
  EXPECT_EQ(with_quirks[0]["tracking_number"], number);
  EXPECT_TRUE(harness_.Api("GET", "/trackings/china-post/" + plain)
                  .Json()["data"]
                  .is_object());
  ASSERT_TRUE(harness_.emulator().SetQuirks(false).ok());
  EXPECT_TRUE(harness_.Api("GET", path).Json()["data"].is_object());
}

TEST_F(EmulatorRoutesTest, CustomerEmailIsArrayOnlyWithQuirks) {
  const std::string number = NumberWhere(
      [](const emulator::TrackingQuirks& q) { return q.email_as_array; });
  ASSERT_EQ(
      Create(number, "china-post", R"(,"customer_email":"x@y.z")").MetaCode(),
      200);
  EXPECT_EQ(GetTracking("china-post", number)["customer_email"],
            Json::array({"x@y.z"}));
  ASSERT_TRUE(harness_.emulator().SetQuirks(false).ok());
  EXPECT_EQ(GetTracking("china-post", number)["customer_email"], "x@y.z");
}

TEST_F(EmulatorRoutesTest, CheckpointsProgressWithTheClock) {
  ASSERT_EQ(Create("RN123456789CN").MetaCode(), 200);
  EXPECT_EQ(GetTracking("china-post", "RN123456789CN")["status"], "pending");
  const emulator::Scenario scenario =
      harness_.emulator().generator().ScenarioFor("china-post",
                                                  "RN123456789CN");
  size_t previous = 0;
  std::string last_status;
  for (int step = 0; step < 12; ++step) {
    harness_.emulator().AdvanceClock(kDay);
    const Json t = GetTracking("china-post", "RN123456789CN");
    EXPECT_NE(t["status"], "pending");
    const Json& info = t["origin_info"]["trackinfo"];
    const Json& dest = t["destination_info"].is_object()
                           ? t["destination_info"]["trackinfo"]
                           : Json();
    const size_t events = (info.is_array() ? info.size() : 0) +
                          (dest.is_array() ? dest.size() : 0);
    EXPECT_GE(events, previous);
    previous = events;
    last_status = t["status"].get<std::string>();
  }
  if (scenario != emulator::Scenario::kNeverFound) {
    EXPECT_GT(previous, 3u);
  }
  EXPECT_NE(last_status, "pending");
}

TEST_F(EmulatorRoutesTest, UpdateChangesFieldsAndStatus) {
  ASSERT_EQ(Create("RN123456789CN").MetaCode(), 200);
  const std::string path = "/trackings/china-post/RN123456789CN";
  HttpResult r = harness_.Api(
      "PUT", path,
      R"({"title":"New","customer_name":"Bob","customer_phone":"+1","order_id":"o-1","logistics_channel":"air","archived":"true","destination_code":"US"})");
  ASSERT_EQ(r.MetaCode(), 200) << r.body;
  Json data = r.Json()["data"];
  EXPECT_EQ(data["title"], "New");
  EXPECT_EQ(data["customer_name"], "Bob");
  EXPECT_EQ(data["customer_phone"], "+1");
  EXPECT_EQ(data["order_id"], "o-1");
  EXPECT_EQ(data["logistics_channel"], "air");
  EXPECT_EQ(data["archived"], true);
  EXPECT_EQ(data["destination_country"], "United States");

  r = harness_.Api("PUT", path, R"({"status":4})");
  EXPECT_EQ(r.Json()["data"]["status"], "delivered");
  r = harness_.Api("PUT", path, R"({"status":7,"archived":false})");
  EXPECT_EQ(r.Json()["data"]["status"], "exception");
  EXPECT_EQ(r.Json()["data"]["archived"], false);
  r = harness_.Api("PUT", path, R"({"status":"8"})");
  EXPECT_EQ(r.Json()["data"]["status"], "pending");
  EXPECT_EQ(harness_.Api("PUT", path, R"({"status":5})").MetaCode(), 4033);
  EXPECT_EQ(harness_.Api("PUT", path, R"({"status":"x"})").MetaCode(), 4033);
  EXPECT_EQ(harness_.Api("PUT", "/trackings/china-post/RN000000000CN", "{}")
                .MetaCode(),
            4017);
}

TEST_F(EmulatorRoutesTest, DeleteRemovesTracking) {
  ASSERT_EQ(Create("RN123456789CN").MetaCode(), 200);
  const std::string path = "/trackings/china-post/RN123456789CN";
  const HttpResult r = harness_.Api("DELETE", path);
  EXPECT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"], Json::array());
  EXPECT_EQ(harness_.Api("GET", path).MetaCode(), 4017);
  EXPECT_EQ(harness_.Api("DELETE", path).MetaCode(), 4017);
}

TEST_F(EmulatorRoutesTest, BatchReportsAddedAndErrors) {
  ASSERT_TRUE(harness_.emulator().SetQuirks(false).ok());
  ASSERT_EQ(Create("RN000000001CN").MetaCode(), 200);
  const HttpResult r = harness_.Api("POST", "/trackings/batch", R"([
    {"tracking_number":"RN000000002CN","carrier_code":"china-post"},
    {"tracking_number":"RN000000001CN","carrier_code":"china-post"},
    {"tracking_number":"x","carrier_code":"china-post"},
    {"tracking_number":"RN000000003CN","carrier_code":"nope"},
    {"carrier_code":"dhl"},
    {"tracking_number":"1234567890"}
  ])");
  ASSERT_EQ(r.MetaCode(), 200) << r.body;
  const Json data = r.Json()["data"];
  EXPECT_EQ(data["submitted"], 6);
  EXPECT_EQ(data["added"], 2);
  ASSERT_EQ(data["trackings"].size(), 2u);
  EXPECT_EQ(data["trackings"][0]["tracking_number"], "RN000000002CN");
  EXPECT_EQ(data["trackings"][1]["carrier_code"], "dhl");
  ASSERT_EQ(data["errors"].size(), 4u);
  std::vector<int> codes;
  for (const Json& error : data["errors"])
    codes.push_back(error["code"].get<int>());
  EXPECT_EQ(codes, (std::vector<int>{4016, 4014, 4015, 4013}));
  EXPECT_EQ(data["errors"][0]["tracking_number"], "RN000000001CN");
  EXPECT_EQ(data["errors"][0]["message"], "Tracking already exists.");
  EXPECT_EQ(harness_.emulator().tracking_count(), 3u);
}

TEST_F(EmulatorRoutesTest, BatchLimitsAndBodyErrors) {
  std::string body = "[";
  for (int i = 0; i < 41; ++i) {
    absl::StrAppend(&body, i ? "," : "", CreateBody(Number(i)));
  }
  body += "]";
  EXPECT_EQ(harness_.Api("POST", "/trackings/batch", body).MetaCode(), 4020);
  EXPECT_EQ(harness_.emulator().tracking_count(), 0u);
  EXPECT_EQ(harness_.Api("POST", "/trackings/batch", "[]").MetaCode(), 4012);
  EXPECT_EQ(harness_.Api("POST", "/trackings/batch", "{}").MetaCode(), 4012);
  EXPECT_EQ(harness_.Api("POST", "/trackings/batch", "not json").MetaCode(),
            4015);
  body = "[";
  for (int i = 0; i < 40; ++i) {
    absl::StrAppend(&body, i ? "," : "", CreateBody(Number(i)));
  }
  body += "]";
  const HttpResult r = harness_.Api("POST", "/trackings/batch", body);
  EXPECT_EQ(r.Json()["data"]["added"], 40);
}

TEST_F(EmulatorRoutesTest, BatchErrorsAreStringifiedOnlyWithQuirks) {
  std::string body = "[";
  for (int i = 0; i < 30; ++i) {
    absl::StrAppend(&body, i ? "," : "", CreateBody(Number(i)));
  }
  body += "]";
  ASSERT_EQ(
      harness_.Api("POST", "/trackings/batch", body).Json()["data"]["added"],
      30);
  // Every entry is now a duplicate.
  Json errors =
      harness_.Api("POST", "/trackings/batch", body).Json()["data"]["errors"];
  ASSERT_EQ(errors.size(), 30u);
  int strings = 0;
  for (const Json& error : errors) {
    if (!error.is_string()) {
      EXPECT_EQ(error["code"], 4016);
      continue;
    }
    ++strings;
    const Json nested = Json::parse(error.get<std::string>());
    EXPECT_EQ(nested["meta"]["code"], 4016);
    EXPECT_EQ(nested["data"]["carrier_code"], "china-post");
    EXPECT_TRUE(nested["data"]["tracking_number"].is_string());
  }
  EXPECT_GT(strings, 0);
  EXPECT_LT(strings, 30);

  ASSERT_TRUE(harness_.emulator().SetQuirks(false).ok());
  errors =
      harness_.Api("POST", "/trackings/batch", body).Json()["data"]["errors"];
  ASSERT_EQ(errors.size(), 30u);
  for (const Json& error : errors) {
    ASSERT_TRUE(error.is_object());
    EXPECT_EQ(error["code"], 4016);
  }
}

TEST_F(EmulatorRoutesTest, ListOfEmptyAccountIs4031) {
  const HttpResult r = harness_.Api("GET", "/trackings/get");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.MetaCode(), 4031);
  EXPECT_EQ(r.Json()["meta"]["message"],
            "The request was successful but the response is empty");
  EXPECT_EQ(r.Json()["data"], Json::array());
}

TEST_F(EmulatorRoutesTest, ListPagesNewestFirstWithStringTotal) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Create(Number(i)).MetaCode(), 200);
    harness_.emulator().AdvanceClock(10);
  }
  std::vector<std::string> seen;
  for (int page = 1; page <= 3; ++page) {
    const HttpResult r = harness_.Api(
        "GET", absl::StrCat("/trackings/get?page=", page, "&limit=2"));
    ASSERT_EQ(r.MetaCode(), 200) << r.body;
    const Json data = r.Json()["data"];
    EXPECT_EQ(data["page"], page);
    EXPECT_EQ(data["limit"], 2);
    EXPECT_EQ(data["total"], "5");
    EXPECT_EQ(data["count"], page < 3 ? 2 : 1);
    for (const Json& item : data["items"]) {
      seen.push_back(item["tracking_number"].get<std::string>());
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{Number(4), Number(3), Number(2),
                                            Number(1), Number(0)}));
  EXPECT_EQ(harness_.Api("GET", "/trackings/get?page=4&limit=2").MetaCode(),
            4031);
  const Json all = harness_.Api("GET", "/trackings/get").Json()["data"];
  EXPECT_EQ(all["limit"], 100);
  EXPECT_EQ(all["count"], 5);
  EXPECT_EQ(
      harness_.Api("GET", "/trackings/get?limit=5000").Json()["data"]["limit"],
      2000);
  EXPECT_EQ(harness_.Api("GET", "/trackings/get?page=abc").MetaCode(), 4012);
}

TEST_F(EmulatorRoutesTest, ListFiltersNumbersOrdersArchivedAndTimes) {
  const int64_t t0 = harness_.emulator().NowUnix();
  ASSERT_EQ(Create(Number(0), "china-post",
                   R"(,"order_id":"A","order_create_time":"2023/11/1 10:00")")
                .MetaCode(),
            200);
  harness_.emulator().AdvanceClock(100);
  ASSERT_EQ(Create(Number(1), "china-post", R"(,"order_id":"B")").MetaCode(),
            200);
  harness_.emulator().AdvanceClock(100);
  ASSERT_EQ(Create(Number(2)).MetaCode(), 200);
  ASSERT_EQ(harness_
                .Api("PUT", "/trackings/china-post/" + Number(2),
                     R"({"archived":"true"})")
                .MetaCode(),
            200);

  auto numbers_of = [&](const std::string& query) {
    std::vector<std::string> out;
    const HttpResult r = harness_.Api("GET", "/trackings/get?" + query);
    if (r.MetaCode() != 200) return out;
    const Json items = r.Json()["data"]["items"];
    for (const Json& item : items) {
      out.push_back(item["tracking_number"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(numbers_of("numbers=" + Number(0) + "," + Number(2)),
            (std::vector<std::string>{Number(2), Number(0)}));
  EXPECT_EQ(numbers_of("orders=B"), (std::vector<std::string>{Number(1)}));
  EXPECT_EQ(numbers_of("archived=true"), (std::vector<std::string>{Number(2)}));
  EXPECT_EQ(numbers_of("archived=false").size(), 2u);
  EXPECT_EQ(numbers_of(absl::StrCat("created_at_min=", t0 + 50)).size(), 2u);
  EXPECT_EQ(numbers_of(absl::StrCat("created_at_max=", t0 + 50)),
            (std::vector<std::string>{Number(0)}));
  EXPECT_EQ(numbers_of("order_created_time_min=1698000000&order_created_time_"
                       "max=1699000000"),
            (std::vector<std::string>{Number(0)}));
  // Only the newest is still within the first-poll delay.
  EXPECT_EQ(numbers_of("status=pending"),
            (std::vector<std::string>{Number(2)}));
  EXPECT_EQ(numbers_of("status=delivered").size(), 0u);
  EXPECT_EQ(harness_.Api("GET", "/trackings/get?status=flying").MetaCode(),
            4033);
  std::string many = "numbers=";
  for (int i = 0; i < 41; ++i) absl::StrAppend(&many, i ? "," : "", Number(i));
  EXPECT_EQ(harness_.Api("GET", "/trackings/get?" + many).MetaCode(), 4020);
  // The TrackingMore SDK's POST-with-JSON form of the same call.
  const HttpResult post =
      harness_.Api("POST", "/trackings/get", R"({"orders":"A","limit":10})");
  ASSERT_EQ(post.MetaCode(), 200);
  EXPECT_EQ(post.Json()["data"]["items"][0]["tracking_number"], Number(0));
}

// What read batching (service/tracktry_api/tracking_read_combiner.h)
// relies on: `numbers` is a comma-separated list (blanks and repeats
// allowed) matched exactly against tracking numbers at every carrier; the
// items are the single GET's tracking objects; `total` is a string, `count`
// an integer; nothing found is 4031 with data [].
TEST_F(EmulatorRoutesTest, ListNumbersFilterAnswersLikeTracktry) {
  ASSERT_EQ(Create(Number(0)).MetaCode(), 200);
  ASSERT_EQ(Create(Number(0), "dhl").MetaCode(), 200);
  ASSERT_EQ(Create(Number(1)).MetaCode(), 200);
  ASSERT_EQ(Create(Number(2)).MetaCode(), 200);
  const HttpResult r = harness_.Api(
      "GET",
      absl::StrCat("/trackings/get?numbers=", Number(0), ",%20", Number(1), ",",
                   Number(0), ",RN999999999CN", "&page=1&limit=2000&lang=de"));
  ASSERT_EQ(r.MetaCode(), 200) << r.body;
  const Json data = r.Json()["data"];
  EXPECT_EQ(data["total"], "3");
  EXPECT_EQ(data["count"], 3);
  EXPECT_EQ(data["page"], 1);
  std::set<std::pair<std::string, std::string>> found;
  for (const Json& item : data["items"]) {
    const std::string number = item["tracking_number"];
    const std::string carrier = item["carrier_code"];
    found.emplace(carrier, number);
    const Json single = GetTracking(carrier, number);
    EXPECT_EQ(item["id"], single["id"]);
    EXPECT_EQ(item["status"], single["status"]);
  }
  EXPECT_EQ(found, (std::set<std::pair<std::string, std::string>>{
                       {"china-post", Number(0)},
                       {"dhl", Number(0)},
                       {"china-post", Number(1)}}));
  // Exact match: another case is another number.
  std::string lower = Number(1);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  const HttpResult none =
      harness_.Api("GET", absl::StrCat("/trackings/get?numbers=", lower));
  EXPECT_EQ(none.MetaCode(), 4031);
  EXPECT_EQ(none.Json()["data"], Json::array());
}

TEST_F(EmulatorRoutesTest, ListStatusFilterFollowsProgression) {
  for (int i = 0; i < 30; ++i) ASSERT_EQ(Create(Number(i)).MetaCode(), 200);
  harness_.emulator().AdvanceClock(120 * kDay);
  int delivered = 0;
  for (int i = 0; i < 30; ++i) {
    const emulator::Scenario s =
        harness_.emulator().generator().ScenarioFor("china-post", Number(i));
    delivered += s == emulator::Scenario::kDelivered ||
                 s == emulator::Scenario::kDeliveredWithCustoms ||
                 s == emulator::Scenario::kFailedAttemptThenDelivered;
  }
  ASSERT_GT(delivered, 0);
  const HttpResult r = harness_.Api("GET", "/trackings/get?status=delivered");
  ASSERT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"]["total"], std::to_string(delivered));
  const Json items = r.Json()["data"]["items"];
  for (const Json& item : items) {
    EXPECT_EQ(item["status"], "delivered");
  }
}

TEST_F(EmulatorRoutesTest, RealtimeSynthesizesAndStoresUnknownNumbers) {
  const HttpResult r = harness_.Api(
      "POST", "/trackings/realtime",
      R"({"tracking_number":"LB181539674SG","carrier_code":"cainiao"})");
  ASSERT_EQ(r.MetaCode(), 200) << r.body;
  const Json items = r.Json()["data"]["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["tracking_number"], "LB181539674SG");
  EXPECT_NE(items[0]["status"], "pending");
  EXPECT_TRUE(items[0]["destination_info"].is_null());
  EXPECT_EQ(harness_.emulator().tracking_count(), 1u);
  EXPECT_EQ(harness_.Api("GET", "/trackings/cainiao/LB181539674SG").MetaCode(),
            200);
  // Same answer on repeat; still one stored tracking.
  const HttpResult again = harness_.Api(
      "POST", "/trackings/realtime",
      R"({"tracking_number":"LB181539674SG","carrier_code":"cainiao"})");
  EXPECT_EQ(again.Json()["data"]["items"][0]["id"], items[0]["id"]);
  EXPECT_EQ(harness_.emulator().tracking_count(), 1u);
  EXPECT_EQ(
      harness_.Api("POST", "/trackings/realtime", R"({"carrier_code":"dhl"})")
          .MetaCode(),
      4013);
}

TEST_F(EmulatorRoutesTest, CarriersListsCarriers) {
  const HttpResult r = harness_.Api("GET", "/carriers");
  ASSERT_EQ(r.MetaCode(), 200);
  const Json data = r.Json()["data"];
  ASSERT_TRUE(data.is_array());
  EXPECT_GE(data.size(), 20u);
  for (const Json& carrier : data) {
    for (const char* field :
         {"name", "code", "phone", "homepage", "type", "picture"}) {
      EXPECT_TRUE(carrier[field].is_string()) << field;
    }
    EXPECT_EQ(carrier["picture"].get<std::string>().rfind("//", 0), 0u);
  }
}

TEST_F(EmulatorRoutesTest, DetectFindsCandidates) {
  HttpResult r = harness_.Api("POST", "/carriers/detect",
                              R"({"tracking_number":"RN123456789CN"})");
  ASSERT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"][0],
            Json::parse(R"({"name":"China Post","code":"china-post"})"));
  r = harness_.Api("POST", "/carriers/detect",
                   R"({"tracking_number":"1Z12345E0291980793"})");
  EXPECT_EQ(r.Json()["data"][0]["code"], "ups");
  EXPECT_EQ(
      harness_
          .Api("POST", "/carriers/detect", R"({"tracking_number":"ZZZZZZZZ"})")
          .MetaCode(),
      4032);
  EXPECT_EQ(harness_.Api("POST", "/carriers/detect", "{}").MetaCode(), 4013);
}

TEST_F(EmulatorRoutesTest, UnknownRouteIs404AndWrongMethodIs405) {
  HttpResult r = harness_.Api("GET", "/nothing/here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.MetaCode(), 404);
  r = harness_.Request("GET", "/v3/carriers", "", {{"Tracktry-Api-Key", "k"}});
  EXPECT_EQ(r.status, 404);
  r = harness_.Api("DELETE", "/trackings/post");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.MetaCode(), 405);
  EXPECT_EQ(r.Header("Allow"), "POST");
}

TEST_F(EmulatorRoutesTest, MissingOrWrongKeyIs4001AndKeyIsNeverEchoed) {
  HttpResult r = harness_.Request("GET", "/v1/carriers", "", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.MetaCode(), 4001);
  EXPECT_EQ(r.Json()["meta"]["message"], "Invalid API key.");
  r = harness_.Request("GET", "/v1/carriers", "",
                       {{"Tracktry-Api-Key", "wrong"}});
  EXPECT_EQ(r.MetaCode(), 4001);
  EXPECT_THAT(r.body, Not(HasSubstr("wrong")));
  r = harness_.Request("GET", "/v1/carriers", "",
                       {{"tracktry-api-key", EmulatorHarness::kApiKey}});
  EXPECT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(harness_.emulator().tracking_count(), 0u);

  std::vector<HttpResult> results = {
      Create("RN123456789CN"),
      Create("ab"),
      harness_.Api("GET", "/trackings/get"),
      harness_.Api("GET", "/trackings/china-post/RN123456789CN"),
      harness_.Admin("GET", "/config"),
      harness_.Admin("GET", "/stats"),
      harness_.Admin("GET", "/faults")};
  for (const HttpResult& result : results) {
    EXPECT_THAT(result.body, Not(HasSubstr(EmulatorHarness::kApiKey)));
    for (const auto& header : result.headers) {
      EXPECT_THAT(header.second, Not(HasSubstr(EmulatorHarness::kApiKey)));
    }
  }
}

TEST_F(EmulatorRoutesTest, AnyNonEmptyKeyWorksWhenNoKeyConfigured) {
  ASSERT_TRUE(harness_.emulator().SetApiKey("", "Tracktry-Api-Key").ok());
  EXPECT_EQ(harness_
                .Request("GET", "/v1/carriers", "",
                         {{"Tracktry-Api-Key", "anything"}})
                .MetaCode(),
            200);
  EXPECT_EQ(
      harness_.Request("GET", "/v1/carriers", "", {{"Tracktry-Api-Key", ""}})
          .MetaCode(),
      4001);
  ASSERT_TRUE(harness_.emulator().SetApiKey("s3cret", "Api-Key").ok());
  EXPECT_EQ(harness_.Request("GET", "/v1/carriers", "", {{"Api-Key", "s3cret"}})
                .MetaCode(),
            200);
  EXPECT_EQ(
      harness_
          .Request("GET", "/v1/carriers", "", {{"Tracktry-Api-Key", "s3cret"}})
          .MetaCode(),
      4001);
}

TEST_F(EmulatorRoutesTest, ExtendedRoutesWork) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Create(Number(i)).MetaCode(), 200);
  HttpResult r = harness_.Api("GET", "/trackings/getstatusnumber");
  ASSERT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"]["pending"], 3);
  EXPECT_EQ(r.Json()["data"]["delivered"], 0);

  r = harness_.Api(
      "POST", "/trackings/update",
      absl::StrCat(
          R"({"tracking_number":")", Number(0),
          R"(","carrier_code":"china-post","update_carrier_code":"china-ems"})"));
  ASSERT_EQ(r.MetaCode(), 200) << r.body;
  EXPECT_EQ(harness_.Api("GET", "/trackings/china-ems/" + Number(0)).MetaCode(),
            200);
  EXPECT_EQ(
      harness_.Api("GET", "/trackings/china-post/" + Number(0)).MetaCode(),
      4017);

  r = harness_.Api(
      "POST", "/trackings/notupdate",
      absl::StrCat(
          R"([{"tracking_number":")", Number(1),
          R"(","carrier_code":"china-post"},{"tracking_number":"RN999999999CN","carrier_code":"china-post"}])"));
  ASSERT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"]["change"], 1);
  EXPECT_EQ(r.Json()["data"]["errors"][0]["code"], 4017);

  r = harness_.Api(
      "POST", "/trackings/updatemore",
      absl::StrCat(R"([{"tracking_number":")", Number(2),
                   R"(","carrier_code":"china-post","title":"X"}])"));
  EXPECT_EQ(r.Json()["data"]["updated"], 1);
  EXPECT_EQ(GetTracking("china-post", Number(2))["title"], "X");

  r = harness_.Api(
      "POST", "/trackings/remote",
      R"([{"country":"JP","postcode":"7621094"},{"country":"US","postcode":"10001"}])");
  ASSERT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"]["submitted"], 2);
  EXPECT_EQ(
      r.Json()["data"]["remote"].size() + r.Json()["data"]["other"].size(), 2u);

  r = harness_.Api(
      "POST", "/trackings/costtime",
      R"([{"carrier_code":"dhl","original":"CN","destination":"US"}])");
  ASSERT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"][0]["carrier_code"], "dhl");
  EXPECT_TRUE(r.Json()["data"][0]["total"].is_number());

  r = harness_.Api("POST", "/trackings/delete",
                   absl::StrCat(R"([{"tracking_number":")", Number(1),
                                R"(","carrier_code":"china-post"}])"));
  EXPECT_EQ(r.Json()["data"]["deleted"], 1);
  EXPECT_EQ(harness_.emulator().tracking_count(), 2u);

  r = harness_.Api("GET", "/trackings/getuserinfo");
  EXPECT_EQ(r.MetaCode(), 200);
  EXPECT_EQ(r.Json()["data"]["trackings"], 2);
}

}  // namespace
}  // namespace tracktry
