// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/lease_renewer.h"

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "service/fleet/event_loop.h"
#include "service/fleet/redis_connection.h"
#include "tests/testing/fleet_harness.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/status_matchers.h"

namespace tracktry::fleet {
namespace {

using testing::IsOk;
using testing::RedisTestServer;
using testing::WaitUntil;

class LeaseRenewerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(redis_.Start(), IsOk());
    RedisConnectionOptions options;
    options.address = redis_.address();
    options.command_timeout = absl::Seconds(2);
    connection_ = std::make_unique<RedisConnection>(&loop_, options);
    connection_->Start();
    ASSERT_TRUE(WaitUntil([&] { return connection_->ready(); }));
  }
  void TearDown() override { connection_->Stop(); }

  absl::StatusOr<RedisReply> Send(std::vector<std::string> args) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<RedisReply>>>();
    auto future = promise->get_future();
    connection_->Command(std::move(args), absl::Now() + absl::Seconds(5),
                         [promise](absl::StatusOr<RedisReply> reply) {
                           promise->set_value(std::move(reply));
                         });
    return future.get();
  }
  bool Exists(const std::string& key) {
    absl::StatusOr<RedisReply> reply = Send({"EXISTS", key});
    return reply.ok() && reply->integer == 1;
  }

  RedisTestServer redis_;
  EventLoop loop_;
  std::unique_ptr<RedisConnection> connection_;
};

TEST_F(LeaseRenewerTest, KeepsItsLeasesAliveUntilStopped) {
  LeaseRenewer renewer(&loop_, connection_.get(), absl::Milliseconds(300));
  ASSERT_THAT(Send({"SET", "mine", "token-1", "PX", "300"}), IsOk());
  ASSERT_THAT(Send({"SET", "theirs", "token-2", "PX", "300"}), IsOk());
  renewer.Start(1, "mine", "token-1");
  // Held by another token: not extended.
  renewer.Start(2, "theirs", "token-1");
  absl::SleepFor(absl::Milliseconds(900));
  EXPECT_TRUE(Exists("mine"));
  EXPECT_FALSE(Exists("theirs"));
  renewer.Stop(1);
  renewer.Stop(2);
  EXPECT_TRUE(WaitUntil([&] { return !Exists("mine"); }, absl::Seconds(3)));
  size_t left = 1;
  loop_.Run([&] { left = renewer.size(); });
  EXPECT_EQ(left, 0u);
}

}  // namespace
}  // namespace tracktry::fleet
