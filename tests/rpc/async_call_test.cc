// Copyright 2026 The tracktry-grpc Authors.
//
// AsyncCall and its reactors (RpcReactor, WriteReactor) behind a real gRPC
// server on 127.0.0.1, served from CompletionQueueThreads: finishing from
// another thread, answering without a reactor, cancellation and deadlines
// (OnCancel), server streams (one write at a time, a finish that waits for
// the write in flight), OnDone exactly once on the queue's thread, and a
// shutdown with calls in flight (Stop() waits for them).
#include "service/rpc/async_call.h"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/rpc/async_methods.h"
#include "service/rpc/completion_queue_threads.h"
#include "service/rpc/rpc_reactor.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;

constexpr absl::Duration kWait = absl::Seconds(10);

std::string ThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

// What the reactors saw, in order.
class Events {
 public:
  void Add(const std::string& event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(event);
    cv_.notify_all();
  }
  bool WaitFor(const std::string& event) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(kWait), [&] {
      for (const auto& seen : events_) {
        if (seen == event) return true;
      }
      return false;
    });
  }
  std::vector<std::string> all() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
};

// A unary reactor the test finishes. OnCancel finishes with CANCELLED when
// `finish_on_cancel`.
class TestUnaryReactor final : public RpcReactor {
 public:
  TestUnaryReactor(RpcContext* context, Events* events, bool finish_on_cancel)
      : RpcReactor(context),
        events_(events),
        finish_on_cancel_(finish_on_cancel) {}

  using RpcReactor::Finish;

  void OnCancel() override {
    events_->Add("cancel");
    if (finish_on_cancel_)
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, ""));
  }
  void OnDone() override {
    events_->Add("done on " + ThreadName());
    delete this;
  }

 private:
  Events* const events_;
  const bool finish_on_cancel_;
};

// Writes `count` messages, one per OnWriteDone, then finishes OK. With
// `finish_with_last`, Finish() follows the last StartWrite at once.
class TestWriteReactor final
    : public WriteReactor<v1::ExportTrackingsResponse> {
 public:
  TestWriteReactor(RpcContext* context, Events* events, int count,
                   bool finish_with_last)
      : WriteReactor(context),
        events_(events),
        count_(count),
        finish_with_last_(finish_with_last) {
    Next();
  }

  void OnWriteDone(bool ok) override {
    events_->Add(absl::StrCat("write done ", ok ? "ok" : "failed"));
    if (!finished_) Next();
  }
  void OnCancel() override {
    events_->Add("cancel");
    finished_ = true;
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, ""));
  }
  void OnDone() override {
    events_->Add("done");
    delete this;
  }

 private:
  // On the queue's thread only (constructor, OnWriteDone, OnCancel).
  void Next() {
    if (sent_ == count_) {
      finished_ = true;
      Finish(grpc::Status::OK);
      return;
    }
    message_.set_cursor(absl::StrCat("m", sent_++));
    StartWrite(&message_);
    if (sent_ == count_ && finish_with_last_) {
      finished_ = true;
      Finish(grpc::Status::OK);
      // Ignored: the RPC is finished.
      StartWrite(&message_);
    }
  }

  Events* const events_;
  const int count_;
  const bool finish_with_last_;
  int sent_ = 0;
  bool finished_ = false;
  v1::ExportTrackingsResponse message_;
};

class AsyncCallTest : public ::testing::Test {
 protected:
  using UnaryHandler = std::function<void(
      RpcContext*, const v1::GetTrackingRequest*, v1::GetTrackingResponse*)>;
  using StreamHandler =
      std::function<void(RpcContext*, const v1::ExportTrackingsRequest*)>;

  void SetUp() override {
    methods_.AddUnary<v1::GetTrackingRequest, v1::GetTrackingResponse>(
        {[this](
             grpc::ServerContext* context, v1::GetTrackingRequest* request,
             grpc::ServerAsyncResponseWriter<v1::GetTrackingResponse>* writer,
             grpc::ServerCompletionQueue* queue, void* tag) {
           service_.RequestGetTracking(context, request, writer, queue, queue,
                                       tag);
         },
         [this](RpcContext* context, const v1::GetTrackingRequest* request,
                v1::GetTrackingResponse* response) {
           unary_(context, request, response);
         }});
    methods_.AddServerStream<v1::ExportTrackingsRequest,
                             v1::ExportTrackingsResponse>(
        {[this](grpc::ServerContext* context,
                v1::ExportTrackingsRequest* request,
                grpc::ServerAsyncWriter<v1::ExportTrackingsResponse>* writer,
                grpc::ServerCompletionQueue* queue, void* tag) {
           service_.RequestExportTrackings(context, request, writer, queue,
                                           queue, tag);
         },
         [this](RpcContext* context,
                const v1::ExportTrackingsRequest* request) {
           stream_(context, request);
         }});
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    queues_.AddTo(&builder);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    queues_.Start();
    methods_.Arm(&queues_);
    stub_ = v1::TrackingService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override { StopServer(); }

  void StopServer() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    queues_.Stop();
    server_.reset();
  }

  // The reactor the unary handler made last (the test finishes it).
  TestUnaryReactor* WaitForReactor() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoNanoseconds(kWait),
                 [this] { return reactor_ != nullptr; });
    return reactor_;
  }

  // A unary handler that leaves the RPC to the test (WaitForReactor).
  void KeepRpcs(bool finish_on_cancel) {
    unary_ = [this, finish_on_cancel](RpcContext* context,
                                      const v1::GetTrackingRequest*,
                                      v1::GetTrackingResponse* response) {
      auto* reactor = new TestUnaryReactor(context, &events_, finish_on_cancel);
      std::lock_guard<std::mutex> lock(mu_);
      reactor_ = reactor;
      response_ = response;
      cv_.notify_all();
    };
  }

  Events events_;
  UnaryHandler unary_;
  StreamHandler stream_;
  std::mutex mu_;
  std::condition_variable cv_;
  TestUnaryReactor* reactor_ = nullptr;
  v1::GetTrackingResponse* response_ = nullptr;

  v1::TrackingService::AsyncService service_;
  AsyncMethods methods_;
  CompletionQueueThreads queues_{1};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::TrackingService::Stub> stub_;
};

TEST_F(AsyncCallTest, FinishedFromAnotherThreadSendsTheResponse) {
  KeepRpcs(/*finish_on_cancel=*/true);
  grpc::Status status;
  v1::GetTrackingResponse response;
  std::thread caller([&] {
    grpc::ClientContext context;
    status = stub_->GetTracking(&context, v1::GetTrackingRequest(), &response);
  });
  TestUnaryReactor* reactor = WaitForReactor();
  ASSERT_NE(reactor, nullptr);
  std::thread finisher([&] {
    response_->mutable_tracking()->set_title("from another thread");
    reactor->Finish(grpc::Status::OK);
  });
  finisher.join();
  caller.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.tracking().title(), "from another thread");
  ASSERT_TRUE(events_.WaitFor("done on rpc-cq-0"));
  EXPECT_THAT(events_.all(), ElementsAre("done on rpc-cq-0"));
}

TEST_F(AsyncCallTest, SecondFinishIsIgnored) {
  unary_ = [this](RpcContext* context, const v1::GetTrackingRequest*,
                  v1::GetTrackingResponse*) {
    auto* reactor = new TestUnaryReactor(context, &events_, true);
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "first"));
    reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL, "second"));
  };
  grpc::ClientContext context;
  v1::GetTrackingResponse response;
  const grpc::Status status =
      stub_->GetTracking(&context, v1::GetTrackingRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "first");
  ASSERT_TRUE(events_.WaitFor("done on rpc-cq-0"));
  EXPECT_THAT(events_.all(), ElementsAre("done on rpc-cq-0"));
}

TEST_F(AsyncCallTest, FinishNowAnswersWithoutAReactor) {
  unary_ = [](RpcContext* context, const v1::GetTrackingRequest* request,
              v1::GetTrackingResponse* response) {
    if (request->tracking_number() == "refuse") {
      return context->FinishNow(
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "who are you"));
    }
    response->mutable_tracking()->set_tracking_number(
        request->tracking_number());
    context->FinishNow(grpc::Status::OK);
  };
  for (const std::string number : {"refuse", "AB1", "refuse", "AB2"}) {
    grpc::ClientContext context;
    v1::GetTrackingRequest request;
    request.set_tracking_number(number);
    v1::GetTrackingResponse response;
    const grpc::Status status =
        stub_->GetTracking(&context, request, &response);
    if (number == "refuse") {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(status.error_message(), "who are you");
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(response.tracking().tracking_number(), number);
    }
  }
}

TEST_F(AsyncCallTest, ClientCancelRunsOnCancelThenOnDone) {
  KeepRpcs(/*finish_on_cancel=*/true);
  grpc::ClientContext context;
  grpc::Status status;
  std::thread caller([&] {
    v1::GetTrackingResponse response;
    status = stub_->GetTracking(&context, v1::GetTrackingRequest(), &response);
  });
  ASSERT_NE(WaitForReactor(), nullptr);
  context.TryCancel();
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(events_.WaitFor("done on rpc-cq-0"));
  EXPECT_THAT(events_.all(), ElementsAre("cancel", "done on rpc-cq-0"));
}

TEST_F(AsyncCallTest, DeadlineRunsOnCancel) {
  KeepRpcs(/*finish_on_cancel=*/true);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(200));
  v1::GetTrackingResponse response;
  const grpc::Status status =
      stub_->GetTracking(&context, v1::GetTrackingRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_TRUE(events_.WaitFor("done on rpc-cq-0"));
  EXPECT_THAT(events_.all(), ElementsAre("cancel", "done on rpc-cq-0"));
}

TEST_F(AsyncCallTest, StreamWritesOneAtATimeThenFinishes) {
  stream_ = [this](RpcContext* context, const v1::ExportTrackingsRequest*) {
    new TestWriteReactor(context, &events_, 3, /*finish_with_last=*/false);
  };
  grpc::ClientContext context;
  auto reader = stub_->ExportTrackings(&context, v1::ExportTrackingsRequest());
  std::vector<std::string> cursors;
  v1::ExportTrackingsResponse message;
  while (reader->Read(&message)) cursors.push_back(message.cursor());
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_THAT(cursors, ElementsAre("m0", "m1", "m2"));
  ASSERT_TRUE(events_.WaitFor("done"));
  EXPECT_THAT(events_.all(), ElementsAre("write done ok", "write done ok",
                                         "write done ok", "done"));
}

TEST_F(AsyncCallTest, FinishWaitsForTheWriteInFlight) {
  // The handler runs on the queue's thread, so its write is still in
  // flight when Finish() follows it: the message must still arrive, before
  // the status, and OnWriteDone must come before OnDone. (AsyncCall holds
  // such a finish back until the write completes; gRPC 1.51 also accepts
  // the two at once, so this checks what the caller sees, not the wait.)
  stream_ = [this](RpcContext* context, const v1::ExportTrackingsRequest*) {
    new TestWriteReactor(context, &events_, 1, /*finish_with_last=*/true);
  };
  grpc::ClientContext context;
  auto reader = stub_->ExportTrackings(&context, v1::ExportTrackingsRequest());
  std::vector<std::string> cursors;
  v1::ExportTrackingsResponse message;
  while (reader->Read(&message)) cursors.push_back(message.cursor());
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_THAT(cursors, ElementsAre("m0"));
  ASSERT_TRUE(events_.WaitFor("done"));
  EXPECT_THAT(events_.all(), ElementsAre("write done ok", "done"));
}

TEST_F(AsyncCallTest, ShutdownCancelsCallsInFlightAndStopWaitsForThem) {
  KeepRpcs(/*finish_on_cancel=*/true);
  grpc::Status status;
  std::thread caller([&] {
    grpc::ClientContext context;
    v1::GetTrackingResponse response;
    status = stub_->GetTracking(&context, v1::GetTrackingRequest(), &response);
  });
  ASSERT_NE(WaitForReactor(), nullptr);
  StopServer();
  // Stop() returned: the call is gone, its OnDone ran.
  EXPECT_THAT(events_.all(), ElementsAre("cancel", "done on rpc-cq-0"));
  caller.join();
  EXPECT_FALSE(status.ok());
}

}  // namespace
}  // namespace tracktry
