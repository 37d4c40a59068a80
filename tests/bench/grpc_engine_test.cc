// Copyright 2026 The tracktry-grpc Authors.
//
// GrpcEngine: Poll() ends at its deadline to the microsecond (see
// poll_deadline_check.h for why the load generator needs that); failures are
// reported with their ErrorInfo reason; --repeat-unknown repeats a create
// whose outcome the server could not know once, with the same request_id;
// UpdateTracking and WatchTracking calls (a held watch that got its first
// message is OK).
#include "bench/grpc_engine.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bench/key_space.h"
#include "bench/loadgen_options.h"
#include "common/error_details.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/bench/poll_deadline_check.h"
#include "tests/testing/fake_tracking_service.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry::bench {
namespace {

using testing::FakeTrackingServer;

TEST(GrpcEngineTest, PollWithNothingInFlightEndsAtItsDeadline) {
  LoadgenOptions options;
  options.target = "127.0.0.1:1";  // never called: no calls are started
  GrpcEngine engine(options);
  ExpectPollEndsAtDeadline(engine);
}

// Polls until `count` completions arrived (or 10 s passed).
std::vector<Completion> Collect(GrpcEngine& engine, size_t count) {
  std::vector<Completion> completions;
  const int64_t deadline = MonotonicNanos() + 10'000'000'000;
  while (completions.size() < count && MonotonicNanos() < deadline) {
    engine.Poll(deadline, [&](const Completion& completion) {
      completions.push_back(completion);
    });
  }
  return completions;
}

std::vector<v1::CreateTrackingRequest> CreateRequests(
    FakeTrackingServer& server) {
  std::vector<v1::CreateTrackingRequest> requests;
  for (const auto& call : server.service().calls()) {
    if (call.method != "CreateTracking") continue;
    requests.push_back(
        dynamic_cast<const v1::CreateTrackingRequest&>(*call.request));
  }
  return requests;
}

TEST(GrpcEngineTest, UnknownOutcomeCreateIsRepeatedOnceWithItsRequestId) {
  auto server = FakeTrackingServer::Start();
  ASSERT_NE(server, nullptr);
  LoadgenOptions options;
  options.target = server->target();
  options.request_ids = true;
  options.repeat_unknown = true;
  GrpcEngine engine(options);
  server->service().SetNextError(MakeError(absl::StatusCode::kUnavailable,
                                           "answer lost",
                                           "UPSTREAM_OUTCOME_UNKNOWN"));
  engine.Start(WorkItem{Op::kCreate, 7}, MonotonicNanos());
  const std::vector<Completion> completions = Collect(engine, 2);
  ASSERT_EQ(completions.size(), 2u);
  EXPECT_EQ(completions[0].op, Op::kCreate);
  EXPECT_EQ(completions[0].code, "UNAVAILABLE");
  EXPECT_EQ(completions[0].reason, "UPSTREAM_OUTCOME_UNKNOWN");
  EXPECT_FALSE(completions[0].repeat);
  EXPECT_GT(completions[0].deadline_ns, completions[0].start_ns);
  EXPECT_EQ(completions[1].op, Op::kCreate);
  EXPECT_EQ(completions[1].code, "OK");
  EXPECT_TRUE(completions[1].repeat);
  EXPECT_EQ(engine.outstanding(), 0);

  const std::vector<v1::CreateTrackingRequest> requests =
      CreateRequests(*server);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].request_id().empty());
  EXPECT_EQ(requests[1].request_id(), requests[0].request_id());
  EXPECT_EQ(requests[1].tracking().tracking_number(),
            requests[0].tracking().tracking_number());

  // Another reason is not repeated; neither is a repeat.
  server->service().SetNextError(
      MakeError(absl::StatusCode::kUnavailable, "502", "UPSTREAM_UNAVAILABLE"));
  engine.Start(WorkItem{Op::kCreate, 8}, MonotonicNanos());
  const std::vector<Completion> other = Collect(engine, 1);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].reason, "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(engine.outstanding(), 0);
  EXPECT_EQ(CreateRequests(*server).size(), 3u);
}

TEST(GrpcEngineTest, WithoutRepeatUnknownNothingIsRepeated) {
  auto server = FakeTrackingServer::Start();
  ASSERT_NE(server, nullptr);
  LoadgenOptions options;
  options.target = server->target();
  GrpcEngine engine(options);
  server->service().SetNextError(MakeError(absl::StatusCode::kUnavailable,
                                           "answer lost",
                                           "UPSTREAM_OUTCOME_UNKNOWN"));
  engine.Start(WorkItem{Op::kCreate, 1}, MonotonicNanos());
  ASSERT_EQ(Collect(engine, 1).size(), 1u);
  EXPECT_EQ(engine.outstanding(), 0);
  const std::vector<v1::CreateTrackingRequest> requests =
      CreateRequests(*server);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].request_id().empty());
}

TEST(GrpcEngineTest, UpdateSetsTheTitleUnderAMask) {
  auto server = FakeTrackingServer::Start();
  ASSERT_NE(server, nullptr);
  LoadgenOptions options;
  options.target = server->target();
  GrpcEngine engine(options);
  engine.Start(WorkItem{Op::kUpdate, 42}, MonotonicNanos());
  const std::vector<Completion> completions = Collect(engine, 1);
  ASSERT_EQ(completions.size(), 1u);
  // The fake has no such tracking: the reason comes from the details.
  EXPECT_EQ(completions[0].code, "NOT_FOUND");
  EXPECT_EQ(completions[0].reason, "TRACKING_NOT_FOUND");
  const auto request =
      server->service().LastRequest<v1::UpdateTrackingRequest>();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->tracking_number(), TrackingNumber("BN", 42));
  EXPECT_EQ(request->carrier_code(), "dhl");
  EXPECT_FALSE(request->tracking().title().empty());
  ASSERT_EQ(request->update_mask().paths_size(), 1);
  EXPECT_EQ(request->update_mask().paths(0), "title");
}

TEST(GrpcEngineTest, BatchItemsComeFromTheKeySpaceOrAreFresh) {
  auto server = FakeTrackingServer::Start();
  ASSERT_NE(server, nullptr);
  LoadgenOptions options;
  options.target = server->target();
  options.batch_items = 3;
  options.numbers = 4;
  options.request_ids = true;
  {
    GrpcEngine engine(options);
    engine.Start(WorkItem{Op::kBatch, 1}, MonotonicNanos());
    ASSERT_EQ(Collect(engine, 1).size(), 1u);
  }
  auto request =
      server->service().LastRequest<v1::BatchCreateTrackingsRequest>();
  ASSERT_TRUE(request.has_value());
  ASSERT_EQ(request->trackings_size(), 3);
  // Items 3, 4, 5 of the 4-number key space.
  EXPECT_EQ(request->trackings(0).tracking_number(), TrackingNumber("BN", 3));
  EXPECT_EQ(request->trackings(1).tracking_number(), TrackingNumber("BN", 0));
  EXPECT_EQ(request->trackings(2).tracking_number(), TrackingNumber("BN", 1));
  EXPECT_FALSE(request->request_id().empty());

  options.fresh_batches = true;
  GrpcEngine engine(options);
  engine.Start(WorkItem{Op::kBatch, 1}, MonotonicNanos());
  engine.Start(WorkItem{Op::kBatch, 2}, MonotonicNanos());
  ASSERT_EQ(Collect(engine, 2).size(), 2u);
  std::set<std::string> numbers;
  for (const auto& call : server->service().calls()) {
    if (call.method != "BatchCreateTrackings") continue;
    for (const auto& item :
         dynamic_cast<const v1::BatchCreateTrackingsRequest&>(*call.request)
             .trackings()) {
      numbers.insert(item.tracking_number());
    }
  }
  // 3 key-space numbers from the first batch, 6 new ones.
  EXPECT_EQ(numbers.size(), 9u);
}

TEST(GrpcEngineTest, HeldWatchIsOkAndAnUnknownTrackingIsNotFound) {
  ServerOptions server_options;
  for (auto& limit : server_options.rate_shaping.limits) {
    limit.rate = 1000;  // no waiting for tokens
    limit.burst = 100;
  }
  testing::ServiceHarness harness(server_options);
  ASSERT_THAT(harness.Start(), testing::IsOk());
  v1::CreateTrackingRequest create;
  create.mutable_tracking()->set_carrier_code("dhl");
  create.mutable_tracking()->set_tracking_number(TrackingNumber("WT", 1));
  v1::CreateTrackingResponse created;
  auto context = testing::ServiceHarness::Context();
  ASSERT_TRUE(
      harness.stub().CreateTracking(context.get(), create, &created).ok());

  LoadgenOptions options;
  options.target = harness.target();
  options.number_prefix = "WT";
  options.watch_hold = absl::Seconds(2);
  GrpcEngine engine(options);
  const int64_t start = MonotonicNanos();
  engine.Start(WorkItem{Op::kWatch, 1}, start);
  engine.Start(WorkItem{Op::kWatch, 2}, start);  // never created
  std::vector<Completion> completions = Collect(engine, 2);
  ASSERT_EQ(completions.size(), 2u);
  // The unknown one ends first, at its first poll.
  EXPECT_EQ(completions[0].code, "NOT_FOUND");
  EXPECT_EQ(completions[0].reason, "TRACKING_NOT_FOUND");
  EXPECT_EQ(completions[1].code, "OK");
  EXPECT_TRUE(completions[1].stream);
  EXPECT_EQ(completions[1].op, Op::kWatch);
  EXPECT_GE(completions[1].end_ns - start, 1'900'000'000);
  harness.Stop();
}

}  // namespace
}  // namespace tracktry::bench
