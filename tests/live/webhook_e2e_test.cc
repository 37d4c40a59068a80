// Copyright 2026 The tracktry-grpc Authors.
//
// Webhook receiver end to end: the emulator pushes (signed, unsigned,
// stale, repeated) to the real server's receiver; WatchTracking streams
// with a long poll interval get webhook changes at once.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "emulator/webhook_pusher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::Contains;
using testing::IsOk;
using testing::ServiceHarness;

constexpr char kEmail[] = "ops@example.com";

ServerOptions WebhookOptions() {
  ServerOptions options;
  options.watch.interval = absl::Hours(1);  // only webhooks bring news
  options.webhook_listen_address = "127.0.0.1:0";
  options.webhook_email = kEmail;
  options.rate_shaping.limits[0].rate = 100;
  options.rate_shaping.limits[0].burst = 10;
  return options;
}

// A WatchTracking stream collecting its messages (callback API).
class Collector final
    : public grpc::ClientReadReactor<v1::WatchTrackingResponse> {
 public:
  Collector(v1::TrackingService::Stub* stub, const std::string& carrier,
            const std::string& number) {
    request_.set_carrier_code(carrier);
    request_.set_tracking_number(number);
    stub->async()->WatchTracking(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }
  ~Collector() override {
    context_.TryCancel();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      messages_.push_back(response_);
    }
    cv_.notify_all();
    StartRead(&response_);
  }
  void OnDone(const grpc::Status&) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
  }
  // Waits until there are at least `n` messages.
  bool WaitFor(size_t n, absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return messages_.size() >= n; });
  }
  std::vector<v1::WatchTrackingResponse> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 private:
  grpc::ClientContext context_;
  v1::WatchTrackingRequest request_;
  v1::WatchTrackingResponse response_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::WatchTrackingResponse> messages_;
  bool done_ = false;
};

class WebhookE2eTest : public ::testing::Test {
 protected:
  WebhookE2eTest() : harness_(WebhookOptions()) {}
  void SetUp() override {
    ASSERT_THAT(harness_.Start(), IsOk());
    ASSERT_GT(harness_.server().webhook_port(), 0);
    for (int i = 0;; ++i) {
      number_ = absl::StrCat("WEBHOOK", 1000000 + i);
      if (harness_.emulator().generator().ScenarioFor("dhl", number_) ==
          emulator::Scenario::kDelivered) {
        break;
      }
    }
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code("dhl");
    request.mutable_tracking()->set_tracking_number(number_);
    v1::CreateTrackingResponse response;
    auto context = ServiceHarness::Context();
    ASSERT_TRUE(
        harness_.stub().CreateTracking(context.get(), request, &response).ok());
    collector_ = std::make_unique<Collector>(&harness_.stub(), "dhl", number_);
    ASSERT_TRUE(collector_->WaitFor(1, absl::Seconds(5)));
  }
  void TearDown() override {
    collector_.reset();
    harness_.Stop();
  }

  std::string Url() const {
    return absl::StrCat(
        "http://127.0.0.1:",
        const_cast<ServiceHarness&>(harness_).server().webhook_port(),
        "/webhooks/tracktry");
  }

  absl::StatusOr<int> Push(bool sign, const std::string& email = kEmail,
                           int64_t offset = 0) {
    emulator::WebhookPushRequest push;
    push.url = Url();
    push.carrier_code = "dhl";
    push.tracking_number = number_;
    push.sign = sign;
    push.email = email;
    push.time_offset_s = offset;
    return harness_.emulator().PushWebhook(push);
  }

  ServiceHarness harness_;
  std::string number_;
  std::unique_ptr<Collector> collector_;
};

TEST_F(WebhookE2eTest, SignedPushReachesWatcherAtOnce) {
  harness_.emulator().AdvanceClock(36 * 3600);  // news the poller won't see
  const absl::Time start = absl::Now();
  absl::StatusOr<int> code = Push(true);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 200);
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(1)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  v1::WatchTrackingResponse message = collector_->messages()[1];
  EXPECT_EQ(message.source(), v1::CHANGE_SOURCE_WEBHOOK);
  EXPECT_THAT(message.changes(), Contains(v1::CHANGE_KIND_NEW_CHECKPOINT));
  EXPECT_EQ(harness_.server().webhook()->stats().accepted, 1);
}

TEST_F(WebhookE2eTest, SignedPushRefreshesTheCachedTracking) {
  auto get = [this](v1::Tracking* tracking) {
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number(number_);
    v1::GetTrackingResponse response;
    auto context = ServiceHarness::Context();
    grpc::Status status =
        harness_.stub().GetTracking(context.get(), request, &response);
    *tracking = response.tracking();
    return status.ok();
  };
  v1::Tracking before;
  ASSERT_TRUE(get(&before));  // now cached (60 s TTL)
  harness_.emulator().AdvanceClock(36 * 3600);
  const int64_t upstream_calls = harness_.emulator().stats().requests_total;
  v1::Tracking cached;
  ASSERT_TRUE(get(&cached));
  EXPECT_EQ(cached.origin_info().checkpoints_size(),
            before.origin_info().checkpoints_size());

  absl::StatusOr<int> code = Push(true);
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 200);
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(1)));
  const v1::Tracking pushed = collector_->messages()[1].tracking();
  v1::Tracking after;
  ASSERT_TRUE(get(&after));
  // The read is answered with the pushed state, from the cache.
  EXPECT_GT(after.origin_info().checkpoints_size(),
            before.origin_info().checkpoints_size());
  EXPECT_EQ(after.origin_info().checkpoints_size(),
            pushed.origin_info().checkpoints_size());
  EXPECT_EQ(after.status(), pushed.status());
  EXPECT_EQ(harness_.emulator().stats().requests_total, upstream_calls);
}

TEST_F(WebhookE2eTest, UnsignedOrWronglySignedPushIs401AndSendsNothing) {
  harness_.emulator().AdvanceClock(36 * 3600);
  absl::StatusOr<int> unsigned_code = Push(false);
  ASSERT_TRUE(unsigned_code.ok());
  EXPECT_EQ(*unsigned_code, 401);
  absl::StatusOr<int> wrong_key = Push(true, "someone@else.com");
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_EQ(*wrong_key, 401);
  EXPECT_FALSE(collector_->WaitFor(2, absl::Milliseconds(500)));
  EXPECT_EQ(harness_.server().webhook()->stats().unauthorized, 2);
  EXPECT_THAT(harness_.ReadLog(), ::testing::Not(::testing::HasSubstr(kEmail)));
  const std::string metrics = harness_.server().metrics().Scrape();
  EXPECT_THAT(metrics,
              ::testing::HasSubstr(
                  "tracktry_webhook_pushes_total{outcome=\"unauthorized\"} 2"));
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr(kEmail)));
}

TEST_F(WebhookE2eTest, StaleTimestampIs401) {
  harness_.emulator().AdvanceClock(36 * 3600);
  absl::StatusOr<int> code = Push(true, kEmail, -3600);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 401);
  EXPECT_FALSE(collector_->WaitFor(2, absl::Milliseconds(300)));
}

TEST_F(WebhookE2eTest, RepeatedPushIsDeduplicated) {
  nlohmann::json tracking = {{"tracking_number", number_},
                             {"carrier_code", "dhl"},
                             {"status", "pickup"},
                             {"substatus", "pickup001"}};
  const std::string body = emulator::BuildWebhookPushBody(
      tracking, true, kEmail, absl::ToUnixSeconds(absl::Now()));
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<int> code = emulator::PostWebhook(Url(), body);
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 200);
  }
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(1)));
  EXPECT_FALSE(collector_->WaitFor(3, absl::Milliseconds(300)));
  EXPECT_THAT(collector_->messages()[1].changes(),
              Contains(v1::CHANGE_KIND_STATUS));
  EXPECT_EQ(collector_->messages()[1].tracking().status(),
            v1::TRACKING_STATUS_PICKUP);
  EXPECT_EQ(harness_.server().webhook()->stats().accepted, 1);
  EXPECT_EQ(harness_.server().webhook()->stats().duplicates, 2);
  const std::string metrics = harness_.server().metrics().Scrape();
  EXPECT_THAT(metrics,
              ::testing::HasSubstr(
                  "tracktry_webhook_pushes_total{outcome=\"accepted\"} 1"));
  EXPECT_THAT(metrics,
              ::testing::HasSubstr(
                  "tracktry_webhook_pushes_total{outcome=\"duplicate\"} 2"));
}

TEST_F(WebhookE2eTest, MalformedBodyIs400) {
  absl::StatusOr<int> code = emulator::PostWebhook(Url(), "not json");
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 400);
  EXPECT_THAT(harness_.server().metrics().Scrape(),
              ::testing::HasSubstr(
                  "tracktry_webhook_pushes_total{outcome=\"malformed\"} 1"));
}

TEST_F(WebhookE2eTest, AdminEndpointPushesToo) {
  harness_.emulator().AdvanceClock(36 * 3600);
  nlohmann::json admin = {{"url", Url()},
                          {"carrier_code", "dhl"},
                          {"tracking_number", number_},
                          {"signed", true},
                          {"email", kEmail}};
  absl::StatusOr<int> code = emulator::PostWebhook(
      absl::StrCat(harness_.emulator().admin_url(), "/webhook/push"),
      admin.dump());
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 200);
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(1)));
  EXPECT_EQ(collector_->messages()[1].source(), v1::CHANGE_SOURCE_WEBHOOK);
}

}  // namespace
}  // namespace tracktry
