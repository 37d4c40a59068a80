// Copyright 2026 The tracktry-grpc Authors.
//
// WatchHub with a scripted upstream: the pollers, and in fleet mode their
// poll lease and the polls other replicas send.
#include "service/live/watch_hub.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_upstream_caller.h"
#include "tests/testing/fake_watch_fleet_link.h"
#include "tests/testing/fleet_harness.h"

namespace tracktry {
namespace {

using ::testing::Contains;
using testing::FakeUpstreamCaller;
using testing::FakeWatchFleetLink;
using testing::OkEnvelope;
using testing::WaitUntil;
using Reply = FakeUpstreamCaller::Reply;

constexpr absl::Duration kInterval = absl::Milliseconds(50);

nlohmann::json TrackingData(const std::string& status) {
  return {
      {"tracking_number", "RN1"}, {"carrier_code", "dhl"}, {"status", status}};
}

// Records what one watch receives.
class RecordingSink : public WatchSink {
 public:
  void OnWatchMessage(const v1::WatchTrackingResponse& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back(message);
  }
  void OnWatchEnd(const absl::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
  }
  std::vector<v1::WatchTrackingResponse> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 private:
  std::mutex mu_;
  std::vector<v1::WatchTrackingResponse> messages_;
  bool ended_ = false;
};

class WatchHubTest : public ::testing::Test {
 protected:
  WatchHubTest() {
    upstream_.SetResponder([this](const UpstreamRequest&, int) {
      std::lock_guard<std::mutex> lock(mu_);
      return Reply{absl::StatusOr<Envelope>(OkEnvelope(TrackingData(status_)))};
    });
    WatchHubOptions options;
    options.interval = kInterval;
    hub_ = std::make_unique<WatchHub>(&upstream_, &scheduler_, options);
  }
  void SetStatus(const std::string& status) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
  }

  std::mutex mu_;
  std::string status_ = "pending";
  FakeUpstreamCaller upstream_;
  Scheduler scheduler_;
  FakeWatchFleetLink link_;
  std::unique_ptr<WatchHub> hub_;
};

TEST_F(WatchHubTest, AloneItPollsEveryInterval) {
  RecordingSink sink;
  const WatchHub::WatchId id = hub_->Watch("dhl", "RN1", "", &sink);
  ASSERT_TRUE(WaitUntil([&] { return upstream_.calls() >= 4; }));
  EXPECT_GE(hub_->polls(), 4);
  ASSERT_FALSE(sink.messages().empty());
  EXPECT_THAT(sink.messages()[0].changes(), Contains(v1::CHANGE_KIND_INITIAL));
  hub_->Unwatch(id);
}

TEST_F(WatchHubTest, FleetModePollsOnlyWithTheLease) {
  hub_->SetFleetLink(&link_);
  link_.SetPolls(false);  // Another replica holds the lease.
  RecordingSink sink;
  const WatchHub::WatchId id = hub_->Watch("dhl", "RN1", "", &sink);
  // The first read decides what there is to watch (it may be a cache hit).
  ASSERT_TRUE(WaitUntil([&] { return sink.messages().size() == 1; }));
  ASSERT_TRUE(WaitUntil([&] { return link_.acquired().size() >= 4; }));
  EXPECT_EQ(upstream_.calls(), 1);
  EXPECT_EQ(link_.acquired()[0].first, "dhl\nRN1\n");
  EXPECT_EQ(link_.acquired()[0].second, 2 * kInterval);
  // What the holder polled reaches this replica's watchers.
  v1::Tracking moved;
  moved.set_carrier_code("dhl");
  moved.set_tracking_number("RN1");
  moved.set_status(v1::TRACKING_STATUS_TRANSIT);
  ASSERT_NE(link_.listener(), nullptr);
  link_.listener()->OnRemotePoll("dhl\nRN1\n", moved);
  ASSERT_TRUE(WaitUntil([&] { return sink.messages().size() == 2; }));
  EXPECT_THAT(sink.messages()[1].changes(), Contains(v1::CHANGE_KIND_STATUS));
  EXPECT_EQ(sink.messages()[1].tracking().status(),
            v1::TRACKING_STATUS_TRANSIT);
  // Another replica's poll of another tracking changes nothing here.
  link_.listener()->OnRemotePoll("dhl\nOTHER\n", moved);
  // Now this replica holds the lease: it polls, and publishes what it reads.
  SetStatus("transit");
  link_.SetPolls(true);
  ASSERT_TRUE(WaitUntil([&] { return !link_.published().empty(); }));
  EXPECT_EQ(link_.published()[0].first, "dhl\nRN1\n");
  EXPECT_GE(upstream_.calls(), 2);
  hub_->Unwatch(id);
  // The last watcher left: the lease is given up.
  EXPECT_THAT(link_.released(), Contains("dhl\nRN1\n"));
}

TEST_F(WatchHubTest, DestructionStopsListeningToTheLink) {
  hub_->SetFleetLink(&link_);
  ASSERT_NE(link_.listener(), nullptr);
  hub_.reset();
  EXPECT_EQ(link_.listener(), nullptr);
}

}  // namespace
}  // namespace tracktry
