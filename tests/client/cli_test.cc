// Copyright 2026 The tracktry-grpc Authors.
#include "client/cli.h"

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fake_tracking_service.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::tracktry::testing::FakeTrackingServer;
using ::tracktry::testing::RecordedCall;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;

  nlohmann::json OutJson() const {
    return nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  }
  nlohmann::json ErrJson() const {
    return nlohmann::json::parse(err, nullptr, /*allow_exceptions=*/false);
  }
};

v1::Tracking MakeTracking(const std::string& carrier, const std::string& number,
                          v1::TrackingStatus status) {
  v1::Tracking tracking;
  tracking.set_carrier_code(carrier);
  tracking.set_tracking_number(number);
  tracking.set_status(status);
  return tracking;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = FakeTrackingServer::Start();
    ASSERT_NE(server_, nullptr);
  }

  // Runs the CLI against the fake server (unless `args` names a target)
  // with an environment holding only `env_`.
  CliResult Run(std::vector<std::string> args, bool add_target = true) {
    if (add_target) args.insert(args.begin(), {"--target", server_->target()});
    CliEnvironment environment;
    environment.in = &stdin_;
    environment.get_env =
        [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    std::ostringstream out;
    std::ostringstream err;
    CliResult result;
    result.exit_code = RunCli(args, environment, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  testing::FakeTrackingService& service() { return server_->service(); }

  std::unique_ptr<FakeTrackingServer> server_;
  std::map<std::string, std::string> env_;
  std::istringstream stdin_;
};

TEST_F(CliTest, GetPrintsTrackingWithProtoFieldNames) {
  service().AddTracking(
      MakeTracking("dhl", "1234567890", v1::TRACKING_STATUS_DELIVERED));

  CliResult result = Run(
      {"get", "--carrier", "dhl", "--number", "1234567890", "--lang", "en"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = result.OutJson();
  ASSERT_TRUE(json.is_object()) << result.out;
  EXPECT_EQ(json["tracking"]["tracking_number"], "1234567890");
  EXPECT_EQ(json["tracking"]["carrier_code"], "dhl");
  EXPECT_EQ(json["tracking"]["status"], "TRACKING_STATUS_DELIVERED");
  EXPECT_THAT(result.out, HasSubstr("\n  "));  // pretty-printed
  EXPECT_EQ(service().LastRequest<v1::GetTrackingRequest>()->lang(), "en");
  EXPECT_EQ(service().LastRequest<v1::GetTrackingRequest>()->view(),
            v1::TRACKING_VIEW_UNSPECIFIED);
  EXPECT_TRUE(result.err.empty());
}

// --full asks the reads for TRACKING_VIEW_FULL (`raw` too); --full=false
// for BASIC, also over --json.
TEST_F(CliTest, FullFlagSetsTheView) {
  service().AddTracking(
      MakeTracking("dhl", "1234567890", v1::TRACKING_STATUS_DELIVERED));
  CliResult get =
      Run({"get", "--carrier", "dhl", "--number", "1234567890", "--full"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(service().LastRequest<v1::GetTrackingRequest>()->view(),
            v1::TRACKING_VIEW_FULL);
  CliResult list = Run({"list", "--full"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(service().LastRequest<v1::ListTrackingsRequest>()->view(),
            v1::TRACKING_VIEW_FULL);
  CliResult realtime =
      Run({"realtime", "--carrier", "dhl", "--number", "5555555555", "--full"});
  ASSERT_EQ(realtime.exit_code, 0) << realtime.err;
  EXPECT_EQ(service().LastRequest<v1::GetRealtimeTrackingRequest>()->view(),
            v1::TRACKING_VIEW_FULL);
  CliResult basic =
      Run({"get", "--json",
           R"({"carrier_code":"dhl","tracking_number":"1234567890",)"
           R"("view":"TRACKING_VIEW_FULL"})",
           "--full=false"});
  ASSERT_EQ(basic.exit_code, 0) << basic.err;
  EXPECT_EQ(service().LastRequest<v1::GetTrackingRequest>()->view(),
            v1::TRACKING_VIEW_BASIC);
  CliResult bad = Run({"get", "--carrier", "dhl", "--number", "1", "--full=x"});
  EXPECT_EQ(bad.exit_code, kCliUsageExitCode);
}

TEST_F(CliTest, CreateSendsConvenienceFlags) {
  CliResult result = Run({"create", "--carrier", "dhl", "--number",
                          "1234567890", "--title", "Shoes", "--order-id", "#42",
                          "--email", "a@example.com", "--auto-correct"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.OutJson()["tracking"]["title"], "Shoes");
  EXPECT_EQ(result.OutJson()["tracking"]["status"], "TRACKING_STATUS_PENDING");
  std::optional<v1::CreateTrackingRequest> sent =
      service().LastRequest<v1::CreateTrackingRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->tracking().order_id(), "#42");
  EXPECT_EQ(sent->tracking().customer_email(), "a@example.com");
  EXPECT_TRUE(sent->tracking().auto_correct());
}

TEST_F(CliTest, JsonInputIsSent) {
  CliResult result =
      Run({"create", "--json",
           R"({"tracking":{"tracking_number":"1Z999AA10123456784",)"
           R"("carrierCode":"ups","comment":"fragile"}})"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::optional<v1::CreateTrackingRequest> sent =
      service().LastRequest<v1::CreateTrackingRequest>();
  EXPECT_EQ(sent->tracking().carrier_code(), "ups");
  EXPECT_EQ(sent->tracking().comment(), "fragile");
}

TEST_F(CliTest, FlagsOverrideJsonFields) {
  CliResult result =
      Run({"get", "--json",
           R"({"carrier_code":"ups","tracking_number":"1Z1","lang":"fr"})",
           "--lang", "de"});

  EXPECT_EQ(result.exit_code, 5);  // NOT_FOUND: nothing stored
  std::optional<v1::GetTrackingRequest> sent =
      service().LastRequest<v1::GetTrackingRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->carrier_code(), "ups");
  EXPECT_EQ(sent->lang(), "de");
}

TEST_F(CliTest, JsonIsReadFromFile) {
  const std::string path = ::testing::TempDir() + "/cli_test_detect.json";
  {
    std::ofstream file(path);
    file << R"({"tracking_number": "RR123456789CN"})";
  }

  CliResult result = Run({"detect", "--json", "@" + path});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.OutJson()["carriers"][0]["code"], "china-post");
}

TEST_F(CliTest, JsonIsReadFromStdin) {
  stdin_.str(R"({"trackings":[{"tracking_number":"1111111111",)"
             R"("carrier_code":"dhl"}]})");

  CliResult result = Run({"batch-create", "--json", "-"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.OutJson()["created_count"], 1);
  EXPECT_TRUE(service().FindTracking("dhl", "1111111111").has_value());
}

TEST_F(CliTest, BatchCreateAppendsItemsToJson) {
  service().AddTracking(
      MakeTracking("dhl", "2222222222", v1::TRACKING_STATUS_TRANSIT));

  CliResult result = Run({"batch-create", "--json",
                          R"({"trackings":[{"tracking_number":"1111111111",)"
                          R"("carrier_code":"dhl"}]})",
                          "--item", "dhl:2222222222", "--item", "1Z12345"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = result.OutJson();
  ASSERT_EQ(json["results"].size(), 3u);
  EXPECT_EQ(json["created_count"], 2);
  EXPECT_EQ(json["failed_count"], 1);
  EXPECT_EQ(json["results"][1]["status"]["reason"], "TRACKING_ALREADY_EXISTS");
  EXPECT_EQ(json["results"][2]["carrier_code"], "ups");
}

TEST_F(CliTest, UpdateSendsFalseArchivedThroughMask) {
  v1::Tracking stored =
      MakeTracking("dhl", "1234567890", v1::TRACKING_STATUS_TRANSIT);
  stored.set_archived(true);
  service().AddTracking(stored);

  CliResult result =
      Run({"update", "--carrier", "dhl", "--number", "1234567890", "--title",
           "T", "--archived", "false", "--status-change", "delivered"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::optional<v1::UpdateTrackingRequest> sent =
      service().LastRequest<v1::UpdateTrackingRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_THAT(sent->update_mask().paths(), ElementsAre("title", "archived"));
  EXPECT_EQ(sent->status_change(), v1::STATUS_CHANGE_DELIVERED);
  EXPECT_FALSE(service().FindTracking("dhl", "1234567890")->archived());
  EXPECT_EQ(result.OutJson()["tracking"]["status"],
            "TRACKING_STATUS_DELIVERED");
}

TEST_F(CliTest, UpdateKeepsJsonFieldsWhenFlagsAddToMask) {
  service().AddTracking(
      MakeTracking("dhl", "1234567890", v1::TRACKING_STATUS_TRANSIT));

  CliResult result =
      Run({"update", "--json",
           R"({"carrier_code":"dhl","tracking_number":"1234567890",)"
           R"("tracking":{"order_id":"o-1"}})",
           "--title", "T"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(
      service().LastRequest<v1::UpdateTrackingRequest>()->update_mask().paths(),
      ElementsAre("order_id", "title"));
  EXPECT_EQ(result.OutJson()["tracking"]["order_id"], "o-1");
}

TEST_F(CliTest, DeletePrintsEmptyObject) {
  service().AddTracking(
      MakeTracking("dhl", "1234567890", v1::TRACKING_STATUS_TRANSIT));

  CliResult result =
      Run({"delete", "--carrier", "dhl", "--number", "1234567890"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.OutJson(), nlohmann::json::object());
  EXPECT_FALSE(service().FindTracking("dhl", "1234567890").has_value());
}

TEST_F(CliTest, ListSendsFiltersAndPrintsPage) {
  for (int i = 0; i < 3; ++i) {
    service().AddTracking(MakeTracking("dhl", "100000000" + std::to_string(i),
                                       v1::TRACKING_STATUS_DELIVERED));
  }

  CliResult result =
      Run({"list", "--status", "delivered", "--page-size", "2", "--archived",
           "false", "--created-after", "2024-05-01"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = result.OutJson();
  EXPECT_EQ(json["trackings"].size(), 2u);
  EXPECT_EQ(json["next_page_token"], "offset:2");
  EXPECT_EQ(json["total_size"], "3");  // int64 is a JSON string
  std::optional<v1::ListTrackingsRequest> sent =
      service().LastRequest<v1::ListTrackingsRequest>();
  EXPECT_EQ(sent->status(), v1::TRACKING_STATUS_DELIVERED);
  EXPECT_EQ(sent->page_size(), 2);
  ASSERT_TRUE(sent->has_archived());
  EXPECT_FALSE(sent->archived());
  EXPECT_EQ(sent->create_time_min().seconds(), 1714521600);
}

TEST_F(CliTest, ListAllFollowsPagesAndPrintsEveryTracking) {
  for (int i = 0; i < 5; ++i) {
    service().AddTracking(MakeTracking("dhl", "100000000" + std::to_string(i),
                                       v1::TRACKING_STATUS_TRANSIT));
  }

  CliResult result = Run({"list", "--page-size", "2", "--all"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = result.OutJson();
  ASSERT_EQ(json["trackings"].size(), 5u);
  EXPECT_EQ(json["trackings"][4]["tracking_number"], "1000000004");
  EXPECT_FALSE(json.contains("next_page_token"));
  EXPECT_EQ(service().CallCount("ListTrackings"), 3);
}

TEST_F(CliTest, RealtimePrintsTracking) {
  CliResult result = Run({"realtime", "--carrier", "dhl", "--number",
                          "5555555555", "--postal-code", "1234AB"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(
      result.OutJson()["tracking"]["latest_checkpoint"]["status_description"],
      "In transit");
  EXPECT_EQ(service()
                .LastRequest<v1::GetRealtimeTrackingRequest>()
                ->tracking_postal_code(),
            "1234AB");
}

TEST_F(CliTest, CarriersPrintsCarrierList) {
  CliResult result = Run({"carriers"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = result.OutJson();
  ASSERT_EQ(json["carriers"].size(), 4u);
  EXPECT_EQ(json["carriers"][3]["name_cn"], "中国邮政");
}

TEST_F(CliTest, DetectPutsPreferredCarrierFirst) {
  CliResult result =
      Run({"detect", "--number", "1234567890", "--carrier", "china-post"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.OutJson()["carriers"][0]["code"], "china-post");
}

TEST_F(CliTest, NotFoundPrintsErrorJsonAndExitsWithCode) {
  CliResult result = Run({"get", "--carrier", "dhl", "--number", "0000000000"});

  EXPECT_EQ(result.exit_code, 5);
  EXPECT_TRUE(result.out.empty());
  nlohmann::json error = result.ErrJson();
  ASSERT_TRUE(error.is_object()) << result.err;
  EXPECT_EQ(error["code"], "NOT_FOUND");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("0000000000"));
  EXPECT_EQ(error["reason"], "TRACKING_NOT_FOUND");
  EXPECT_EQ(error["domain"], "tracktry.v1");
  EXPECT_EQ(error["metadata"]["metaCode"], "4017");
  EXPECT_FALSE(error.contains("retryDelay"));
}

TEST_F(CliTest, RateLimitPrintsRetryDelay) {
  service().SetNextError(
      WithRetryDelay(MakeError(absl::StatusCode::kResourceExhausted,
                               "slow down", "RATE_LIMITED"),
                     absl::Milliseconds(1500)));

  CliResult result = Run({"carriers"});

  EXPECT_EQ(result.exit_code, 8);
  nlohmann::json error = result.ErrJson();
  EXPECT_EQ(error["code"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(error["retryDelay"], "1.500s");
}

TEST_F(CliTest, InvalidArgumentPrintsFieldViolations) {
  CliResult result = Run({"create", "--carrier", "dhl"});

  EXPECT_EQ(result.exit_code, 3);
  nlohmann::json error = result.ErrJson();
  EXPECT_EQ(error["code"], "INVALID_ARGUMENT");
  ASSERT_EQ(error["fieldViolations"].size(), 1u);
  EXPECT_EQ(error["fieldViolations"][0]["field"], "tracking.tracking_number");
  EXPECT_EQ(error["fieldViolations"][0]["description"], "is required");
}

TEST_F(CliTest, UnreachableServerExitsUnavailable) {
  std::string target = server_->target();
  server_.reset();

  CliResult result =
      Run({"--target", target, "--deadline", "5s", "carriers"}, false);

  EXPECT_EQ(result.exit_code, 14);
  EXPECT_EQ(result.ErrJson()["code"], "UNAVAILABLE");
}

TEST_F(CliTest, TlsAgainstPlaintextServerFails) {
  CliResult result = Run({"--tls", "--deadline", "2s", "carriers"});

  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(result.ErrJson().is_object()) << result.err;
  EXPECT_EQ(service().CallCount("ListCarriers"), 0);
}

TEST_F(CliTest, TokenFlagIsSentAsBearer) {
  CliResult result = Run({"--token", "abc", "carriers"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::optional<RecordedCall> call = service().LastCall();
  ASSERT_TRUE(call.has_value());
  ASSERT_EQ(call->metadata.count("authorization"), 1u);
  EXPECT_EQ(call->metadata.find("authorization")->second, "Bearer abc");
}

TEST_F(CliTest, TokenAndTargetComeFromEnvironment) {
  env_["TRACKTRY_TOKEN"] = "from-env";
  env_["TRACKTRY_TARGET"] = server_->target();

  CliResult result = Run({"carriers"}, /*add_target=*/false);

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(service().LastCall()->metadata.find("authorization")->second,
            "Bearer from-env");
}

TEST_F(CliTest, GlobalFlagsMayFollowTheCommand) {
  CliResult result =
      Run({"carriers", "--target", server_->target()}, /*add_target=*/false);

  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(service().CallCount("ListCarriers"), 1);
}

TEST_F(CliTest, DeadlineFlagSetsCallDeadline) {
  CliResult result = Run({"--deadline", "3s", "carriers"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::optional<RecordedCall> call = service().LastCall();
  const double seconds =
      std::chrono::duration<double>(call->deadline - call->received).count();
  EXPECT_GT(seconds, 1.5);
  EXPECT_LE(seconds, 3.5);
}

TEST_F(CliTest, HelpPrintsUsageAndExitsZero) {
  CliResult result = Run({"--help"});

  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, StartsWith("usage: tracktry"));
  EXPECT_THAT(result.out, HasSubstr("64"));
  EXPECT_THAT(result.out, HasSubstr("batch-create"));
  EXPECT_EQ(service().calls().size(), 0u);
}

TEST_F(CliTest, CommandHelpListsCommandFlags) {
  CliResult result = Run({"list", "--help"});

  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("--page-token"));
  EXPECT_THAT(result.out, HasSubstr("--json"));
  EXPECT_EQ(service().calls().size(), 0u);
}

TEST_F(CliTest, MissingCommandIsUsageError) {
  CliResult result = Run({});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
  EXPECT_THAT(result.err, HasSubstr("missing command"));
  EXPECT_THAT(result.err, HasSubstr("usage: tracktry"));
}

TEST_F(CliTest, UnknownCommandIsUsageError) {
  CliResult result = Run({"frobnicate"});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
  EXPECT_THAT(result.err, HasSubstr("unknown command \"frobnicate\""));
  EXPECT_THAT(result.err, HasSubstr("usage:"));
}

TEST_F(CliTest, UnknownFlagIsUsageError) {
  CliResult result = Run({"get", "--carier", "dhl"});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
  EXPECT_THAT(result.err, HasSubstr("unknown flag --carier for command get"));
  EXPECT_EQ(service().calls().size(), 0u);
}

TEST_F(CliTest, FlagOfAnotherCommandIsUsageError) {
  CliResult result = Run({"carriers", "--all"});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
}

TEST_F(CliTest, MissingFlagValueIsUsageError) {
  CliResult result = Run({"get", "--carrier"});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
  EXPECT_THAT(result.err, HasSubstr("--carrier needs a value"));
}

TEST_F(CliTest, BadFlagValuesAreUsageErrors) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"list", "--status", "lost"},
           {"list", "--page-size", "many"},
           {"list", "--created-after", "yesterday"},
           {"update", "--archived", "maybe"},
           {"update", "--status-change", "teleported"},
           {"--deadline", "soon", "carriers"},
           {"--deadline", "0s", "carriers"},
           {"get", "extra-positional"},
       }) {
    CliResult result = Run(args);
    EXPECT_EQ(result.exit_code, kCliUsageExitCode) << args[1];
    EXPECT_THAT(result.err, HasSubstr("usage:")) << args[1];
  }
  EXPECT_EQ(service().calls().size(), 0u);
}

TEST_F(CliTest, InvalidJsonIsUsageError) {
  CliResult result = Run({"get", "--json", R"({"carrier_code": )"});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
  EXPECT_THAT(result.err, HasSubstr("--json"));
  EXPECT_THAT(result.err, HasSubstr("tracktry.v1.GetTrackingRequest"));
}

TEST_F(CliTest, UnknownJsonFieldIsUsageError) {
  CliResult result = Run({"get", "--json", R"({"carrier": "dhl"})"});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
  EXPECT_EQ(service().calls().size(), 0u);
}

TEST_F(CliTest, UnreadableJsonFileIsUsageError) {
  CliResult result =
      Run({"get", "--json", "@/nonexistent/tracktry/request.json"});

  EXPECT_EQ(result.exit_code, kCliUsageExitCode);
  EXPECT_THAT(result.err, HasSubstr("cannot read file"));
}

}  // namespace
}  // namespace tracktry
