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

ServerOptions WebhookOptions(bool trust_push_body) {
  ServerOptions options;
  options.webhook_trust_push_body = trust_push_body;
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

// Pushes are hints by default: re-read upstream before caches and watchers
// see them.
class WebhookE2eTest : public ::testing::Test {
 protected:
  explicit WebhookE2eTest(bool trust_push_body = false)
      : harness_(WebhookOptions(trust_push_body)) {}
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

  bool Get(v1::Tracking* tracking) {
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number(number_);
    v1::GetTrackingResponse response;
    auto context = ServiceHarness::Context();
    grpc::Status status =
        harness_.stub().GetTracking(context.get(), request, &response);
    *tracking = response.tracking();
    return status.ok();
  }

  // A signed push whose body says the tracking is picked up (not what the
  // upstream says: the scenario is a delivered parcel).
  std::string ForgedPickupPush() {
    nlohmann::json tracking = {{"tracking_number", number_},
                               {"carrier_code", "dhl"},
                               {"status", "pickup"},
                               {"substatus", "pickup001"}};
    return emulator::BuildWebhookPushBody(tracking, true, kEmail,
                                          absl::ToUnixSeconds(absl::Now()));
  }

  int64_t UpstreamCalls() { return harness_.emulator().stats().requests_total; }

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

TEST_F(WebhookE2eTest, SignedPushIsReReadUpstreamAndRefreshesTheCache) {
  v1::Tracking before;
  ASSERT_TRUE(Get(&before));  // now cached (60 s TTL)
  harness_.emulator().AdvanceClock(36 * 3600);
  const int64_t upstream_calls = UpstreamCalls();
  v1::Tracking cached;
  ASSERT_TRUE(Get(&cached));
  EXPECT_EQ(cached.origin_info().checkpoints_size(),
            before.origin_info().checkpoints_size());

  absl::StatusOr<int> code = Push(true);
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 200);
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(5)));
  const v1::Tracking reread = collector_->messages()[1].tracking();
  // Exactly one upstream read for the push.
  EXPECT_EQ(UpstreamCalls(), upstream_calls + 1);
  v1::Tracking after;
  ASSERT_TRUE(Get(&after));
  // The read is answered with the re-read state, from the cache.
  EXPECT_GT(after.origin_info().checkpoints_size(),
            before.origin_info().checkpoints_size());
  EXPECT_EQ(after.origin_info().checkpoints_size(),
            reread.origin_info().checkpoints_size());
  EXPECT_EQ(UpstreamCalls(), upstream_calls + 1);
  EXPECT_THAT(harness_.server().metrics().Scrape(),
              ::testing::HasSubstr(
                  "tracktry_webhook_applied_total{outcome=\"reread\"} 1"));
}

TEST_F(WebhookE2eTest, ForgedBodyReachesNeitherWatchersNorTheCache) {
  const int64_t upstream_calls = UpstreamCalls();
  absl::StatusOr<int> code = emulator::PostWebhook(Url(), ForgedPickupPush());
  ASSERT_TRUE(code.ok());
  ASSERT_EQ(*code, 200);
  // The re-read finds the upstream's (unchanged) state: no message.
  EXPECT_FALSE(collector_->WaitFor(2, absl::Milliseconds(500)));
  EXPECT_EQ(UpstreamCalls(), upstream_calls + 1);
  v1::Tracking tracking;
  ASSERT_TRUE(Get(&tracking));
  EXPECT_NE(tracking.status(), v1::TRACKING_STATUS_PICKUP);
}

// With --webhook-trust-push-body the pushed body is applied as sent.
class TrustedWebhookE2eTest : public WebhookE2eTest {
 protected:
  TrustedWebhookE2eTest() : WebhookE2eTest(/*trust_push_body=*/true) {}
};

TEST_F(TrustedWebhookE2eTest, SignedPushRefreshesTheCacheWithoutUpstream) {
  v1::Tracking before;
  ASSERT_TRUE(Get(&before));  // now cached (60 s TTL)
  harness_.emulator().AdvanceClock(36 * 3600);
  const int64_t upstream_calls = UpstreamCalls();
  absl::StatusOr<int> code = Push(true);
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 200);
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(1)));
  const v1::Tracking pushed = collector_->messages()[1].tracking();
  v1::Tracking after;
  ASSERT_TRUE(Get(&after));
  // The read is answered with the pushed state, from the cache.
  EXPECT_GT(after.origin_info().checkpoints_size(),
            before.origin_info().checkpoints_size());
  EXPECT_EQ(after.origin_info().checkpoints_size(),
            pushed.origin_info().checkpoints_size());
  EXPECT_EQ(after.status(), pushed.status());
  EXPECT_EQ(UpstreamCalls(), upstream_calls);
}

TEST_F(TrustedWebhookE2eTest, ForgedBodyIsBelievedThatIsTheTradeOff) {
  absl::StatusOr<int> code = emulator::PostWebhook(Url(), ForgedPickupPush());
  ASSERT_TRUE(code.ok());
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(1)));
  EXPECT_EQ(collector_->messages()[1].tracking().status(),
            v1::TRACKING_STATUS_PICKUP);
  v1::Tracking tracking;
  ASSERT_TRUE(Get(&tracking));
  EXPECT_EQ(tracking.status(), v1::TRACKING_STATUS_PICKUP);
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

TEST_F(WebhookE2eTest, RepeatedPushIsReReadOnce) {
  harness_.emulator().AdvanceClock(36 * 3600);  // news the poller won't see
  const int64_t upstream_calls = UpstreamCalls();
  const std::string body = ForgedPickupPush();
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<int> code = emulator::PostWebhook(Url(), body);
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 200);
  }
  ASSERT_TRUE(collector_->WaitFor(2, absl::Seconds(5)));
  EXPECT_FALSE(collector_->WaitFor(3, absl::Milliseconds(300)));
  // The upstream's news, not the body's.
  EXPECT_NE(collector_->messages()[1].tracking().status(),
            v1::TRACKING_STATUS_PICKUP);
  EXPECT_EQ(UpstreamCalls(), upstream_calls + 1);
  EXPECT_EQ(harness_.server().webhook()->stats().accepted, 1);
  EXPECT_EQ(harness_.server().webhook()->stats().duplicates, 2);
}

TEST_F(TrustedWebhookE2eTest, RepeatedPushIsDeduplicated) {
  const std::string body = ForgedPickupPush();
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
