// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamReactor behind a real gRPC server on 127.0.0.1, with the fake
// UpstreamCaller in manual mode: the test completes calls from its own
// thread: deadlines handed upstream, cancellation in both directions,
// Complete() idempotence, late completions, and the observer record.
#include "service/rpc/upstream_reactor.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/ops/rpc_observer.h"
#include "service/rpc/async_methods.h"
#include "service/rpc/completion_queue_threads.h"
#include "tests/testing/fake_upstream_caller.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;

constexpr absl::Duration kWait = absl::Seconds(10);

class RecordingObserver final : public RpcObserver {
 public:
  void OnRpcStarted(const char* method) override {
    std::lock_guard<std::mutex> lock(mu_);
    started_.push_back(method);
  }
  void OnRpcFinished(const RpcRecord& record) override {
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof(name));
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(record);
    threads_.push_back(name);
    cv_.notify_all();
  }
  // The names of the threads the records were made on.
  std::vector<std::string> threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }
  bool WaitForRecords(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(kWait),
                        [&] { return records_.size() >= n; });
  }
  std::vector<RpcRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  std::vector<std::string> started() {
    std::lock_guard<std::mutex> lock(mu_);
    return started_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> started_;
  std::vector<RpcRecord> records_;
  std::vector<std::string> threads_;
};

// GetTracking driven by UpstreamReactor; the tracking number selects the
// scenario.
class ReactorService final {
 public:
  ReactorService(UpstreamCaller* upstream, RpcObserver* observer)
      : upstream_(upstream), observer_(observer) {}

  static constexpr absl::Duration kDefaultTimeout = absl::Seconds(7);

  void GetTracking(RpcContext* context, const v1::GetTrackingRequest* request,
                   v1::GetTrackingResponse* response) {
    auto* reactor = new UpstreamReactor(context, upstream_, observer_,
                                        "GetTracking", kDefaultTimeout);
    const std::string scenario = request->tracking_number();
    if (scenario == "no-upstream") {
      reactor->Complete(absl::NotFoundError("nothing here"));
      return;
    }
    if (scenario == "complete-then-call") {
      reactor->Complete(absl::OkStatus());
      Call(reactor, "/after-complete",
           [this](absl::StatusOr<Envelope>) { ++handler_runs_; });
      return;
    }
    Call(
        reactor, "/first",
        [this, reactor, scenario, response](absl::StatusOr<Envelope> envelope) {
          ++handler_runs_;
          if (!envelope.ok()) return reactor->Complete(envelope.status());
          response->mutable_tracking()->set_title(envelope->meta_message);
          if (scenario == "two-calls") {
            Call(
                reactor, "/second",
                [this, reactor, response](absl::StatusOr<Envelope> second) {
                  ++handler_runs_;
                  if (!second.ok()) return reactor->Complete(second.status());
                  response->mutable_tracking()->set_title(absl::StrCat(
                      response->tracking().title(), "+", second->meta_message));
                  reactor->Complete(absl::OkStatus());
                });
            return;
          }
          reactor->Complete(absl::OkStatus());
          if (scenario == "complete-twice") {
            reactor->Complete(absl::InternalError("second completion"));
          }
          // Still inside the completion, so still holding the RPC's lock.
          if (scenario == "complete-and-hold" && after_complete_) {
            after_complete_();
          }
        });
  }

  int handler_runs() const { return handler_runs_.load(); }
  // Runs inside the "complete-and-hold" completion, after Complete().
  void set_after_complete(std::function<void()> hook) {
    after_complete_ = std::move(hook);
  }

 private:
  // Starts one upstream call on the RPC's scope; `marker` identifies it
  // (the fake reports it as the call's "path").
  static void Call(UpstreamReactor* reactor, const std::string& marker,
                   EnvelopeCallback done) {
    UpstreamRequest request;
    request.lang = marker;
    reactor->upstream()->Send(std::move(request), reactor->deadline(),
                              std::move(done));
  }

  UpstreamCaller* const upstream_;
  RpcObserver* const observer_;
  std::atomic<int> handler_runs_{0};
  std::function<void()> after_complete_;
};

Envelope OkEnvelope(const std::string& message) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.meta_message = message;
  return envelope;
}

class UpstreamReactorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_.set_complete_on_cancel(false);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    methods_.AddUnary<v1::GetTrackingRequest, v1::GetTrackingResponse>(
        {[this](
             grpc::ServerContext* context, v1::GetTrackingRequest* request,
             grpc::ServerAsyncResponseWriter<v1::GetTrackingResponse>* writer,
             grpc::ServerCompletionQueue* queue, void* tag) {
           async_service_.RequestGetTracking(context, request, writer, queue,
                                             queue, tag);
         },
         [this](RpcContext* context, const v1::GetTrackingRequest* request,
                v1::GetTrackingResponse* response) {
           service_.GetTracking(context, request, response);
         }});
    builder.RegisterService(&async_service_);
    queues_.AddTo(&builder);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    queues_.Start();
    methods_.Arm(&queues_);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::TrackingService::NewStub(channel_);
  }

  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    queues_.Stop();
    // Outstanding upstream calls finish after their RPCs: dropped safely.
    upstream_.CompleteAll(absl::CancelledError("teardown"));
  }

  // Starts GetTracking(scenario) asynchronously.
  std::future<grpc::Status> StartCall(grpc::ClientContext* context,
                                      const std::string& scenario,
                                      v1::GetTrackingResponse* response) {
    auto promise = std::make_shared<std::promise<grpc::Status>>();
    auto request = std::make_shared<v1::GetTrackingRequest>();
    request->set_carrier_code("dhl");
    request->set_tracking_number(scenario);
    stub_->async()->GetTracking(context, request.get(), response,
                                [promise, request](grpc::Status status) {
                                  promise->set_value(status);
                                });
    return promise->get_future();
  }

  static grpc::Status Await(std::future<grpc::Status>& future) {
    if (future.wait_for(std::chrono::seconds(10)) !=
        std::future_status::ready) {
      ADD_FAILURE() << "RPC did not finish";
      return grpc::Status(grpc::StatusCode::UNKNOWN, "hung");
    }
    return future.get();
  }

  // Every call is left to the test: no deadline end, and a cancel is only
  // recorded (the test completes the call, e.g. late).
  testing::FakeUpstreamCaller upstream_{testing::FakeUpstreamCaller::Manual()};
  RecordingObserver observer_;
  ReactorService service_{&upstream_, &observer_};
  v1::TrackingService::AsyncService async_service_;
  AsyncMethods methods_;
  // Declared before server_: goes after it.
  CompletionQueueThreads queues_{1};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TrackingService::Stub> stub_;
};

TEST_F(UpstreamReactorTest, CallerDeadlineIsPassedToSend) {
  grpc::ClientContext context;
  const absl::Time client_deadline = absl::Now() + absl::Seconds(5);
  context.set_deadline(absl::ToChronoTime(client_deadline));
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "normal", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  EXPECT_LT(
      absl::AbsDuration(upstream_.records()[0].deadline - client_deadline),
      absl::Milliseconds(500));
  EXPECT_EQ(upstream_.records()[0].request.lang, "/first");
  ASSERT_TRUE(upstream_.CompleteNth(0, OkEnvelope("hello")));
  grpc::Status status = Await(result);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.tracking().title(), "hello");
}

TEST_F(UpstreamReactorTest, NoCallerDeadlineUsesNowPlusDefault) {
  grpc::ClientContext context;  // no deadline
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "normal", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  const absl::Duration budget =
      upstream_.records()[0].deadline - upstream_.records()[0].sent;
  EXPECT_LE(budget, ReactorService::kDefaultTimeout);
  EXPECT_GT(budget, ReactorService::kDefaultTimeout - absl::Seconds(1));
  ASSERT_TRUE(upstream_.CompleteNth(0, OkEnvelope("x")));
  EXPECT_TRUE(Await(result).ok());
}

TEST_F(UpstreamReactorTest, UpstreamErrorIsTheRpcStatus) {
  grpc::ClientContext context;
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "normal", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  ASSERT_TRUE(upstream_.CompleteNth(
      0, MakeError(absl::StatusCode::kNotFound, "no such parcel",
                   "TRACKING_NOT_FOUND")));
  grpc::Status status = Await(result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no such parcel");
  ASSERT_TRUE(observer_.WaitForRecords(1));
  EXPECT_EQ(observer_.records()[0].code, absl::StatusCode::kNotFound);
  EXPECT_EQ(observer_.records()[0].upstream_calls, 1);
}

TEST_F(UpstreamReactorTest, ClientCancelCancelsTheUpstreamCall) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "normal", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  context.TryCancel();
  EXPECT_TRUE(upstream_.WaitForCancel(upstream_.records()[0].id, kWait));
  EXPECT_EQ(Await(result).error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(observer_.WaitForRecords(1));
  EXPECT_EQ(observer_.records()[0].code, absl::StatusCode::kCancelled);
  EXPECT_EQ(observer_.records()[0].upstream_calls, 1);

  // The late completion is dropped: the handler never runs.
  ASSERT_TRUE(upstream_.CompleteNth(0, OkEnvelope("too late")));
  EXPECT_EQ(service_.handler_runs(), 0);
  EXPECT_EQ(observer_.records().size(), 1u);
}

TEST_F(UpstreamReactorTest, ServerSideDeadlineCancelsTheUpstreamCall) {
  grpc::ClientContext context;
  context.set_deadline(
      absl::ToChronoTime(absl::Now() + absl::Milliseconds(300)));
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "normal", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  EXPECT_TRUE(upstream_.WaitForCancel(upstream_.records()[0].id, kWait));
  EXPECT_EQ(Await(result).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_TRUE(upstream_.CompleteNth(0, OkEnvelope("too late")));
  EXPECT_EQ(service_.handler_runs(), 0);
}

TEST_F(UpstreamReactorTest, CompleteTwiceKeepsTheFirstStatus) {
  grpc::ClientContext context;
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "complete-twice", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  ASSERT_TRUE(upstream_.CompleteNth(0, OkEnvelope("once")));
  grpc::Status status = Await(result);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.tracking().title(), "once");
  ASSERT_TRUE(observer_.WaitForRecords(1));
  EXPECT_EQ(observer_.records()[0].code, absl::StatusCode::kOk);
  // Finished calls are not cancelled upstream.
  EXPECT_TRUE(upstream_.cancelled().empty());
}

TEST_F(UpstreamReactorTest, CallAfterCompleteDoesNothing) {
  grpc::ClientContext context;
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "complete-then-call", &response);
  EXPECT_TRUE(Await(result).ok());
  ASSERT_TRUE(observer_.WaitForRecords(1));
  EXPECT_EQ(upstream_.calls(), 0);
  EXPECT_EQ(observer_.records()[0].upstream_calls, 0);
}

TEST_F(UpstreamReactorTest, TwoSequentialCallsAreCounted) {
  grpc::ClientContext context;
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "two-calls", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  ASSERT_TRUE(upstream_.CompleteNth(0, OkEnvelope("a")));
  ASSERT_TRUE(upstream_.WaitForCalls(2, kWait));
  EXPECT_EQ(upstream_.records()[1].request.lang, "/second");
  // Both calls share the RPC's deadline.
  EXPECT_EQ(upstream_.records()[1].deadline, upstream_.records()[0].deadline);
  ASSERT_TRUE(upstream_.CompleteNth(1, OkEnvelope("b")));
  EXPECT_TRUE(Await(result).ok());
  EXPECT_EQ(response.tracking().title(), "a+b");
  ASSERT_TRUE(observer_.WaitForRecords(1));
  EXPECT_EQ(observer_.records()[0].upstream_calls, 2);
  EXPECT_EQ(observer_.records()[0].code, absl::StatusCode::kOk);
}

TEST_F(UpstreamReactorTest, ObserverGetsOneRecordPerRpc) {
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    v1::GetTrackingResponse response;
    auto result = StartCall(&context, "no-upstream", &response);
    EXPECT_EQ(Await(result).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  ASSERT_TRUE(observer_.WaitForRecords(3));
  absl::SleepFor(absl::Milliseconds(50));  // no stray extra records
  const auto records = observer_.records();
  ASSERT_EQ(records.size(), 3u);
  for (const RpcRecord& record : records) {
    EXPECT_STREQ(record.method, "GetTracking");
    EXPECT_EQ(record.code, absl::StatusCode::kNotFound);
    EXPECT_EQ(record.upstream_calls, 0);
    EXPECT_GE(record.latency, absl::ZeroDuration());
    EXPECT_LT(record.latency, absl::Seconds(5));
  }
  EXPECT_THAT(observer_.started(),
              ElementsAre("GetTracking", "GetTracking", "GetTracking"));
}

TEST_F(UpstreamReactorTest, RequestIdMetadataReachesTheRecord) {
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "req-123");
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "no-upstream", &response);
  Await(result);
  ASSERT_TRUE(observer_.WaitForRecords(1));
  grpc::ClientContext long_context;
  long_context.AddMetadata("x-request-id", std::string(300, 'r'));
  auto long_result = StartCall(&long_context, "no-upstream", &response);
  Await(long_result);
  ASSERT_TRUE(observer_.WaitForRecords(2));
  const auto records = observer_.records();
  EXPECT_EQ(records[0].request_id, "req-123");
  EXPECT_EQ(records[1].request_id, std::string(128, 'r'));
}

TEST_F(UpstreamReactorTest, RecordIsMadeWhileTheCompletingThreadHoldsTheLock) {
  // The thread that finishes an RPC (the transport thread in the server)
  // holds the RPC's lock until its completion returns. OnDone, which makes
  // the record, must not wait for that lock: it did, at the price of a
  // futex wait and wake-up per RPC.
  bool recorded_while_held = false;
  service_.set_after_complete([this, &recorded_while_held] {
    recorded_while_held = observer_.WaitForRecords(1);
  });
  grpc::ClientContext context;
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "complete-and-hold", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  ASSERT_TRUE(upstream_.CompleteNth(0, OkEnvelope("held")));
  EXPECT_TRUE(Await(result).ok());
  EXPECT_TRUE(recorded_while_held);
  const auto records = observer_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].code, absl::StatusCode::kOk);
  EXPECT_EQ(records[0].upstream_calls, 1);
}

TEST_F(UpstreamReactorTest, OnDoneRunsOnTheCompletionQueueThread) {
  // An RPC finished from another thread: OnDone runs on the queue's thread,
  // once the finish completed, never on a gRPC thread of its own.
  grpc::ClientContext context;
  v1::GetTrackingResponse response;
  auto result = StartCall(&context, "normal", &response);
  ASSERT_TRUE(upstream_.WaitForCalls(1, kWait));
  std::thread completer(
      [this] { upstream_.CompleteNth(0, OkEnvelope("elsewhere")); });
  EXPECT_TRUE(Await(result).ok());
  completer.join();
  ASSERT_TRUE(observer_.WaitForRecords(1));
  const auto threads = observer_.threads();
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0], "rpc-cq-0");
}

TEST_F(UpstreamReactorTest, ManyConcurrentRpcsCompletedFromAnotherThread) {
  constexpr int kRpcs = 40;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<v1::GetTrackingResponse> responses(kRpcs);
  std::vector<std::future<grpc::Status>> results;
  for (int i = 0; i < kRpcs; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    results.push_back(
        StartCall(contexts.back().get(), "normal", &responses[i]));
  }
  ASSERT_TRUE(upstream_.WaitForCalls(kRpcs, kWait));
  std::thread completer([this] {
    for (int i = kRpcs - 1; i >= 0; --i) {
      upstream_.CompleteNth(i, OkEnvelope(absl::StrCat("r", i)));
    }
  });
  for (auto& result : results) EXPECT_TRUE(Await(result).ok());
  completer.join();
  ASSERT_TRUE(observer_.WaitForRecords(kRpcs));
  EXPECT_EQ(service_.handler_runs(), kRpcs);
}

}  // namespace
}  // namespace tracktry
