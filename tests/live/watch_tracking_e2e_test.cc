// Copyright 2026 The tracktry-grpc Authors.
//
// WatchTracking end to end: real stub -> real server (shared pollers on the
// scheduler, through the rate shaper) -> libcurl -> emulator.
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/live/watch_hub.h"
#include "service/rpc/watch_reactor.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_until.h"

namespace tracktry {
namespace {

using ::testing::Contains;
using testing::IsOk;
using testing::ServiceHarness;
using testing::WaitUntil;

// Threads of this process (/proc/self/status).
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

ServerOptions WatchOptions(absl::Duration interval) {
  ServerOptions options;
  options.watch.interval = interval;
  // Enough upstream rate for the short test interval; still shaped.
  options.rate_shaping.limits[0].rate = 200;
  options.rate_shaping.limits[0].burst = 20;
  options.max_concurrent_streams = 8192;
  return options;
}

class WatchTrackingE2eTest : public ::testing::Test {
 protected:
  explicit WatchTrackingE2eTest(
      absl::Duration interval = absl::Milliseconds(100))
      : harness_(WatchOptions(interval)) {}
  void SetUp() override { ASSERT_THAT(harness_.Start(), IsOk()); }
  void TearDown() override { harness_.Stop(); }

  v1::TrackingService::Stub& stub() { return harness_.stub(); }
  emulator::Emulator& emulator() { return harness_.emulator(); }

  // A tracking number whose emulated parcel is eventually delivered.
  std::string DeliveredNumber(const std::string& carrier, int salt) {
    for (int i = 0;; ++i) {
      std::string number = absl::StrCat("WATCH", salt, "X", 100000 + i);
      if (emulator().generator().ScenarioFor(carrier, number) ==
          emulator::Scenario::kDelivered) {
        return number;
      }
    }
  }

  void Create(const std::string& carrier, const std::string& number) {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code(carrier);
    request.mutable_tracking()->set_tracking_number(number);
    v1::CreateTrackingResponse response;
    auto context = ServiceHarness::Context();
    grpc::Status status =
        stub().CreateTracking(context.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status MarkDelivered(const std::string& carrier,
                             const std::string& number) {
    v1::UpdateTrackingRequest request;
    request.set_carrier_code(carrier);
    request.set_tracking_number(number);
    request.set_status_change(v1::STATUS_CHANGE_DELIVERED);
    v1::UpdateTrackingResponse response;
    auto context = ServiceHarness::Context();
    return stub().UpdateTracking(context.get(), request, &response);
  }

  static v1::WatchTrackingRequest Request(const std::string& carrier,
                                          const std::string& number) {
    v1::WatchTrackingRequest request;
    request.set_carrier_code(carrier);
    request.set_tracking_number(number);
    return request;
  }

  ServiceHarness harness_;
};

TEST_F(WatchTrackingE2eTest, SendsInitialThenChangesAndEndsWhenDelivered) {
  const std::string number = DeliveredNumber("dhl", 1);
  Create("dhl", number);
  auto context = ServiceHarness::Context(absl::Seconds(20));
  auto reader = stub().WatchTracking(context.get(), Request("dhl", number));
  v1::WatchTrackingResponse message;
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_THAT(message.changes(), Contains(v1::CHANGE_KIND_INITIAL));
  EXPECT_EQ(message.source(), v1::CHANGE_SOURCE_POLL);
  EXPECT_EQ(message.tracking().tracking_number(), number);
  EXPECT_FALSE(message.final());

  // Time passes at the carrier: new checkpoints appear.
  emulator().AdvanceClock(36 * 3600);
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_THAT(message.changes(), Contains(v1::CHANGE_KIND_NEW_CHECKPOINT));
  EXPECT_EQ(message.source(), v1::CHANGE_SOURCE_POLL);

  // Delivered: a final message, then the stream ends with OK.
  if (!message.final()) {
    ASSERT_TRUE(MarkDelivered("dhl", number).ok());
    while (reader->Read(&message) && !message.final()) {
    }
  }
  EXPECT_TRUE(message.final());
  EXPECT_EQ(message.tracking().status(), v1::TRACKING_STATUS_DELIVERED);
  EXPECT_FALSE(reader->Read(&message));
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(WaitUntil(
      [&] { return harness_.server().watch_hub()->poller_count() == 0; },
      absl::Seconds(2)));
}

// One poller serves both watchers; only the one that asked for FULL gets
// `raw`.
TEST_F(WatchTrackingE2eTest, RawOnlyForWatchersThatAskForFull) {
  const std::string number = DeliveredNumber("dhl", 3);
  Create("dhl", number);
  auto basic_context = ServiceHarness::Context(absl::Seconds(20));
  auto basic =
      stub().WatchTracking(basic_context.get(), Request("dhl", number));
  v1::WatchTrackingRequest full_request = Request("dhl", number);
  full_request.set_view(v1::TRACKING_VIEW_FULL);
  auto full_context = ServiceHarness::Context(absl::Seconds(20));
  auto full = stub().WatchTracking(full_context.get(), full_request);
  v1::WatchTrackingResponse basic_message;
  v1::WatchTrackingResponse full_message;
  ASSERT_TRUE(basic->Read(&basic_message));
  ASSERT_TRUE(full->Read(&full_message));
  EXPECT_EQ(harness_.server().watch_hub()->poller_count(), 1u);
  EXPECT_FALSE(basic_message.tracking().has_raw());
  ASSERT_TRUE(full_message.tracking().has_raw());
  EXPECT_EQ(full_message.tracking()
                .raw()
                .fields()
                .at("tracking_number")
                .string_value(),
            number);
  // A change: both hear of it, in their own view.
  emulator().AdvanceClock(36 * 3600);
  ASSERT_TRUE(basic->Read(&basic_message));
  ASSERT_TRUE(full->Read(&full_message));
  EXPECT_FALSE(basic_message.tracking().has_raw());
  EXPECT_TRUE(full_message.tracking().has_raw());
  basic_context->TryCancel();
  full_context->TryCancel();
  basic->Finish();
  full->Finish();
}

TEST_F(WatchTrackingE2eTest, UnknownTrackingFinishesNotFound) {
  auto context = ServiceHarness::Context();
  auto reader =
      stub().WatchTracking(context.get(), Request("dhl", "NOPE123456"));
  v1::WatchTrackingResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(harness_.server().watch_hub()->poller_count(), 0u);
}

TEST_F(WatchTrackingE2eTest, MissingNumberIsInvalidArgument) {
  auto context = ServiceHarness::Context();
  auto reader = stub().WatchTracking(context.get(), Request("dhl", ""));
  v1::WatchTrackingResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(emulator().stats().requests_by_route["get"], 0);
}

TEST_F(WatchTrackingE2eTest, CancelledWatchStopsThePoller) {
  const std::string number = DeliveredNumber("dhl", 2);
  Create("dhl", number);
  auto context = ServiceHarness::Context(absl::Seconds(20));
  auto reader = stub().WatchTracking(context.get(), Request("dhl", number));
  v1::WatchTrackingResponse message;
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(harness_.server().watch_hub()->poller_count(), 1u);
  context->TryCancel();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(WaitUntil(
      [&] { return harness_.server().watch_hub()->poller_count() == 0; },
      absl::Seconds(5)));
  // No more polls once nobody watches.
  absl::SleepFor(absl::Milliseconds(300));
  const int64_t gets = emulator().stats().requests_by_route["get"];
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(emulator().stats().requests_by_route["get"], gets);
}

// One client stream driven by callbacks (no thread of its own).
class AsyncWatcher final
    : public grpc::ClientReadReactor<v1::WatchTrackingResponse> {
 public:
  AsyncWatcher(v1::TrackingService::Stub* stub,
               const v1::WatchTrackingRequest& request,
               std::atomic<int>* initial, std::atomic<int>* done)
      : request_(request), initial_(initial), done_(done) {
    stub->async()->WatchTracking(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }
  void Cancel() { context_.TryCancel(); }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (!got_initial_) {
      got_initial_ = true;
      initial_->fetch_add(1);
    }
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    code_ = status.error_code();
    done_->fetch_add(1);
  }
  grpc::StatusCode code() const { return code_; }

 private:
  grpc::ClientContext context_;
  v1::WatchTrackingRequest request_;
  v1::WatchTrackingResponse response_;
  bool got_initial_ = false;
  std::atomic<int>* initial_;
  std::atomic<int>* done_;
  grpc::StatusCode code_ = grpc::StatusCode::UNKNOWN;
};

class WatchTrackingScaleTest : public WatchTrackingE2eTest {
 protected:
  WatchTrackingScaleTest() : WatchTrackingE2eTest(absl::Milliseconds(200)) {}
};

TEST_F(WatchTrackingScaleTest, ThousandsOfWatchersShareOnePollerEach) {
  constexpr int kTrackings = 4;
  constexpr int kWatchers = 2000;
  std::vector<std::string> numbers;
  for (int i = 0; i < kTrackings; ++i) {
    numbers.push_back(DeliveredNumber("dhl", 10 + i));
    Create("dhl", numbers.back());
  }
  // Warm up the client and server thread pools with one watch.
  {
    std::atomic<int> initial{0}, done{0};
    AsyncWatcher warm(&stub(), Request("dhl", numbers[0]), &initial, &done);
    ASSERT_TRUE(
        WaitUntil([&] { return initial.load() == 1; }, absl::Seconds(5)));
    warm.Cancel();
    ASSERT_TRUE(WaitUntil([&] { return done.load() == 1; }, absl::Seconds(5)));
  }
  const int threads_before = ThreadCount();
  std::atomic<int> initial{0}, done{0};
  std::vector<std::unique_ptr<AsyncWatcher>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    watchers.push_back(std::make_unique<AsyncWatcher>(
        &stub(), Request("dhl", numbers[i % kTrackings]), &initial, &done));
  }
  ASSERT_TRUE(
      WaitUntil([&] { return initial.load() == kWatchers; }, absl::Seconds(20)))
      << initial.load();
  WatchHub* hub = harness_.server().watch_hub();
  EXPECT_EQ(hub->watcher_count(), static_cast<size_t>(kWatchers));
  EXPECT_EQ(hub->poller_count(), static_cast<size_t>(kTrackings));
  const int threads_during = ThreadCount();
  EXPECT_LT(threads_during - threads_before, 40)
      << threads_before << " -> " << threads_during;

  // One upstream get per tracking per interval, whatever the watchers.
  const int64_t gets_before = emulator().stats().requests_by_route["get"];
  absl::SleepFor(absl::Seconds(1));
  const int64_t gets =
      emulator().stats().requests_by_route["get"] - gets_before;
  EXPECT_GE(gets, kTrackings);
  EXPECT_LE(gets, kTrackings * (1000 / 200 + 2));

  for (auto& watcher : watchers) watcher->Cancel();
  ASSERT_TRUE(
      WaitUntil([&] { return done.load() == kWatchers; }, absl::Seconds(20)));
  EXPECT_TRUE(
      WaitUntil([&] { return hub->poller_count() == 0; }, absl::Seconds(5)));
  EXPECT_EQ(hub->watcher_count(), 0u);
}

TEST(MergePendingWatchMessageTest, UnionsChangesAndKeepsNewestTracking) {
  v1::WatchTrackingResponse pending;
  pending.add_changes(v1::CHANGE_KIND_NEW_CHECKPOINT);
  pending.mutable_tracking()->set_substatus("transit001");
  v1::WatchTrackingResponse next;
  next.add_changes(v1::CHANGE_KIND_STATUS);
  next.add_changes(v1::CHANGE_KIND_NEW_CHECKPOINT);
  next.mutable_tracking()->set_substatus("delivered001");
  next.set_final(true);
  MergePendingWatchMessage(&pending, next);
  EXPECT_THAT(pending.changes(),
              ::testing::ElementsAre(v1::CHANGE_KIND_NEW_CHECKPOINT,
                                     v1::CHANGE_KIND_STATUS));
  EXPECT_EQ(pending.tracking().substatus(), "delivered001");
  EXPECT_TRUE(pending.final());
}

TEST(MergePendingWatchMessageTest, UnsentInitialStaysInitial) {
  v1::WatchTrackingResponse pending;
  pending.add_changes(v1::CHANGE_KIND_INITIAL);
  v1::WatchTrackingResponse next;
  next.add_changes(v1::CHANGE_KIND_STATUS);
  MergePendingWatchMessage(&pending, next);
  EXPECT_THAT(pending.changes(),
              ::testing::ElementsAre(v1::CHANGE_KIND_INITIAL));
}

TEST(TrackingChangesTest, DetectsCheckpointStatusAndSubstatus) {
  v1::Tracking before;
  before.set_status(v1::TRACKING_STATUS_TRANSIT);
  before.set_substatus("transit001");
  before.mutable_origin_info()->add_checkpoints()->set_time("2026-01-01 10:00");
  EXPECT_TRUE(TrackingChanges(before, before).empty());
  v1::Tracking after = before;
  after.set_substatus("transit002");
  EXPECT_THAT(TrackingChanges(before, after),
              ::testing::ElementsAre(v1::CHANGE_KIND_SUBSTATUS));
  after = before;
  *after.mutable_origin_info()->add_checkpoints() =
      before.origin_info().checkpoints(0);
  after.mutable_origin_info()->mutable_checkpoints(0)->set_time(
      "2026-01-02 10:00");
  after.set_status(v1::TRACKING_STATUS_DELIVERED);
  EXPECT_THAT(TrackingChanges(before, after),
              ::testing::ElementsAre(v1::CHANGE_KIND_NEW_CHECKPOINT,
                                     v1::CHANGE_KIND_STATUS));
  EXPECT_TRUE(IsTerminalTracking(after));
}

}  // namespace
}  // namespace tracktry
