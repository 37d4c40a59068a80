// Copyright 2026 The tracktry-grpc Authors.
//
// CompletionQueueThreads on a real gRPC server on 127.0.0.1 (the calls on
// its queues are tested in async_call_test.cc).
#include "service/rpc/completion_queue_threads.h"

#include <pthread.h>

#include <memory>
#include <string>
#include <thread>

#include "grpcpp/alarm.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

TEST(CompletionQueueThreadsTest, StopWithoutStartDrainsTheQueues) {
  CompletionQueueThreads queues(2);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  queues.AddTo(&builder);
  ASSERT_EQ(queues.queues().size(), 2u);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  server->Shutdown();
  queues.Stop();
  queues.Stop();  // Idempotent.
}

TEST(CompletionQueueThreadsTest, EventsRunTheirTagOnTheQueueThread) {
  CompletionQueueThreads queues(1);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  queues.AddTo(&builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  queues.Start();

  // An alarm's event carries a CompletionTag like every call's.
  struct Target {
    void OnAlarm(bool ok) {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof(name));
      thread = name;
      fired = ok;
      queues->CallEnded();
    }
    CompletionQueueThreads* queues;
    std::string thread;
    bool fired = false;
  } target{&queues};
  CompletionTag tag = CompletionTag::For<Target, &Target::OnAlarm>(&target);
  queues.CallStarted();
  grpc::Alarm alarm;
  alarm.Set(queues.queues()[0].get(), gpr_now(GPR_CLOCK_MONOTONIC), &tag);

  server->Shutdown();
  // Waits for the alarm's "call" to end before the queues go.
  queues.Stop();
  EXPECT_TRUE(target.fired);
  EXPECT_EQ(target.thread, "rpc-cq-0");
}

}  // namespace
}  // namespace tracktry
