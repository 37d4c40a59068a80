// Copyright 2026 The tracktry-grpc Authors.
//
// RedisConnection against a real redis-server on 127.0.0.1: commands,
// scripts, AUTH, pub/sub, and what happens when Redis is away, killed or
// frozen (fail fast or within the timeout, reconnect by itself).
#include "service/fleet/redis_connection.h"

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/fleet/event_loop.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_until.h"

namespace tracktry::fleet {
namespace {

using testing::IsOk;
using testing::RedisTestServer;
using testing::WaitUntil;

// Runs one command and waits for its callback.
absl::StatusOr<RedisReply> Send(RedisConnection& connection,
                                std::vector<std::string> args,
                                absl::Duration deadline = absl::Seconds(5)) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<RedisReply>>>();
  auto future = promise->get_future();
  connection.Command(std::move(args), absl::Now() + deadline,
                     [promise](absl::StatusOr<RedisReply> reply) {
                       promise->set_value(std::move(reply));
                     });
  return future.get();
}

RedisConnectionOptions Options(const std::string& address) {
  RedisConnectionOptions options;
  options.address = address;
  // Generous for a loaded CI machine; the tests that need short ones set
  // them.
  options.command_timeout = absl::Seconds(2);
  options.connect_timeout = absl::Seconds(5);
  options.stall_timeout = absl::Seconds(5);
  options.reconnect_min = absl::Milliseconds(20);
  options.reconnect_max = absl::Milliseconds(200);
  return options;
}

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(redis_.Start(), IsOk()); }
  void TearDown() override {
    for (auto& connection : connections_) connection->Stop();
    connections_.clear();
  }
  RedisConnection& Connect(
      RedisConnectionOptions options,
      RedisConnection::StateCallback on_state = nullptr,
      RedisConnection::MessageCallback on_message = nullptr) {
    connections_.push_back(std::make_unique<RedisConnection>(
        &loop_, std::move(options), std::move(on_state),
        std::move(on_message)));
    connections_.back()->Start();
    return *connections_.back();
  }

  RedisTestServer redis_;
  EventLoop loop_;
  // What the connections' callbacks record (they may run until TearDown
  // stopped the connections).
  std::atomic<int> ups_{0};
  std::atomic<int> downs_{0};
  std::mutex mu_;
  std::vector<std::string> messages_;
  std::vector<std::unique_ptr<RedisConnection>> connections_;
};

TEST_F(RedisConnectionTest, RunsCommandsBinarySafe) {
  RedisConnection& connection = Connect(Options(redis_.address()));
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  const std::string value("a\0b\r\nc", 6);
  absl::StatusOr<RedisReply> set = Send(connection, {"SET", "k", value});
  ASSERT_THAT(set, IsOk());
  EXPECT_EQ(set->type, RedisReply::Type::kStatus);
  absl::StatusOr<RedisReply> get = Send(connection, {"GET", "k"});
  ASSERT_THAT(get, IsOk());
  EXPECT_EQ(get->type, RedisReply::Type::kString);
  EXPECT_EQ(get->str, value);
  absl::StatusOr<RedisReply> missing = Send(connection, {"GET", "nope"});
  ASSERT_THAT(missing, IsOk());
  EXPECT_EQ(missing->type, RedisReply::Type::kNil);
  absl::StatusOr<RedisReply> error = Send(connection, {"INCR", "k"});
  ASSERT_THAT(error, IsOk());
  EXPECT_EQ(error->type, RedisReply::Type::kError);
  EXPECT_EQ(connection.stats().error_replies, 1);
}

TEST_F(RedisConnectionTest, EvalLoadsTheScriptOnceThenUsesItsSha) {
  RedisConnection& connection = Connect(Options(redis_.address()));
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  const RedisScript script(
      "redis.call('SET', KEYS[1], ARGV[1]) return {ARGV[1], 7}");
  for (int i = 0; i < 2; ++i) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<RedisReply>>>();
    auto future = promise->get_future();
    connection.Eval(script, {"key"}, {absl::StrCat("v", i)},
                    absl::Now() + absl::Seconds(5),
                    [promise](absl::StatusOr<RedisReply> reply) {
                      promise->set_value(std::move(reply));
                    });
    absl::StatusOr<RedisReply> reply = future.get();
    ASSERT_THAT(reply, IsOk());
    ASSERT_EQ(reply->type, RedisReply::Type::kArray);
    ASSERT_EQ(reply->elements.size(), 2u);
    EXPECT_EQ(reply->elements[0].str, absl::StrCat("v", i));
    EXPECT_EQ(reply->elements[1].integer, 7);
  }
  // EVALSHA (NOSCRIPT), EVAL, then EVALSHA alone.
  EXPECT_EQ(connection.stats().commands, 3);
  absl::StatusOr<RedisReply> exists =
      Send(connection, {"SCRIPT", "EXISTS", script.sha1()});
  ASSERT_THAT(exists, IsOk());
  ASSERT_EQ(exists->elements.size(), 1u);
  EXPECT_EQ(exists->elements[0].integer, 1);
}

TEST_F(RedisConnectionTest, UnreachableRedisFailsFastThenConnectsWhenItComes) {
  RedisTestServer later;
  const int port = testing::PickFreePort();
  RedisConnection& connection =
      Connect(Options(absl::StrCat("127.0.0.1:", port)), [this](bool up) {
        if (up) ups_.fetch_add(1);
      });
  const absl::Time start = absl::Now();
  absl::StatusOr<RedisReply> reply = Send(connection, {"PING"});
  EXPECT_TRUE(absl::IsUnavailable(reply.status())) << reply.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_TRUE(
      WaitUntil([&] { return connection.stats().connect_failures >= 2; }));
  EXPECT_FALSE(connection.ready());
  ASSERT_THAT(later.Start(port), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  EXPECT_THAT(Send(connection, {"PING"}), IsOk());
  EXPECT_TRUE(WaitUntil([&] { return ups_.load() == 1; }));
}

TEST_F(RedisConnectionTest, KilledRedisFailsPendingCommandsAndReconnects) {
  RedisConnection& connection =
      Connect(Options(redis_.address()), [this](bool up) {
        if (!up) downs_.fetch_add(1);
      });
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  // A command Redis holds (a blocking pop) is pending when Redis dies.
  auto promise = std::make_shared<std::promise<absl::StatusOr<RedisReply>>>();
  auto future = promise->get_future();
  connection.Command({"BLPOP", "nothing", "0"}, absl::Now() + absl::Seconds(30),
                     [promise](absl::StatusOr<RedisReply> reply) {
                       promise->set_value(std::move(reply));
                     });
  absl::SleepFor(absl::Milliseconds(100));
  const int port = redis_.port();
  redis_.Stop();
  const absl::StatusOr<RedisReply> pending = future.get();
  EXPECT_TRUE(absl::IsUnavailable(pending.status())) << pending.status();
  ASSERT_TRUE(WaitUntil([&] { return !connection.ready(); }));
  EXPECT_TRUE(absl::IsUnavailable(Send(connection, {"PING"}).status()));
  ASSERT_THAT(redis_.Start(port), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  EXPECT_THAT(Send(connection, {"PING"}), IsOk());
  EXPECT_EQ(connection.stats().disconnects, 1);
  EXPECT_TRUE(WaitUntil([&] { return downs_.load() == 1; }));
}

TEST_F(RedisConnectionTest, FrozenRedisTimesOutThenIsDroppedAndRejoined) {
  RedisConnectionOptions options = Options(redis_.address());
  options.command_timeout = absl::Milliseconds(100);
  options.stall_timeout = absl::Milliseconds(400);
  options.connect_timeout = absl::Milliseconds(400);
  RedisConnection& connection = Connect(options);
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  redis_.Pause();
  const absl::Time start = absl::Now();
  const absl::StatusOr<RedisReply> reply =
      Send(connection, {"PING"}, absl::Seconds(30));
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(absl::IsDeadlineExceeded(reply.status())) << reply.status();
  EXPECT_GE(took, absl::Milliseconds(90));
  EXPECT_LT(took, absl::Seconds(2));
  // More commands time out until the stall limit drops the connection.
  ASSERT_TRUE(WaitUntil([&] {
    Send(connection, {"PING"}).IgnoreError();
    return !connection.ready();
  }));
  EXPECT_GE(connection.stats().timeouts, 2);
  // Reconnecting to a frozen Redis does not make the connection ready.
  absl::SleepFor(absl::Milliseconds(600));
  EXPECT_FALSE(connection.ready());
  EXPECT_TRUE(absl::IsUnavailable(Send(connection, {"PING"}).status()));
  redis_.Resume();
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  EXPECT_THAT(Send(connection, {"PING"}), IsOk());
}

TEST_F(RedisConnectionTest, AuthenticatesWithPasswordAndUser) {
  RedisTestServer secured;
  secured.set_password("fleet-test-password-1");
  ASSERT_THAT(secured.Start(), IsOk());
  RedisConnectionOptions options = Options(secured.address());
  options.password = "fleet-test-password-1";
  RedisConnection& connection = Connect(options);
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  EXPECT_THAT(Send(connection, {"PING"}), IsOk());
  // An ACL user.
  ASSERT_THAT(Send(connection, {"ACL", "SETUSER", "fleet", "on", ">user-pass-2",
                                "~*", "&*", "+@all"}),
              IsOk());
  RedisConnectionOptions as_user = Options(secured.address());
  as_user.user = "fleet";
  as_user.password = "user-pass-2";
  RedisConnection& user_connection = Connect(as_user);
  ASSERT_TRUE(WaitUntil([&] { return user_connection.ready(); }));
  absl::StatusOr<RedisReply> whoami = Send(user_connection, {"ACL", "WHOAMI"});
  ASSERT_THAT(whoami, IsOk());
  EXPECT_EQ(whoami->str, "fleet");
}

TEST_F(RedisConnectionTest, WrongPasswordIsNeverReady) {
  RedisTestServer secured;
  secured.set_password("fleet-test-password-1");
  ASSERT_THAT(secured.Start(), IsOk());
  RedisConnectionOptions options = Options(secured.address());
  options.password = "wrong-password";
  RedisConnection& connection = Connect(options);
  ASSERT_TRUE(WaitUntil([&] { return connection.stats().auth_failures >= 2; }));
  EXPECT_FALSE(connection.ready());
  EXPECT_TRUE(absl::IsUnavailable(Send(connection, {"PING"}).status()));
}

TEST_F(RedisConnectionTest, SubscriberGetsMessagesAndResubscribesAfterRestart) {
  RedisConnectionOptions sub_options = Options(redis_.address());
  sub_options.channels = {"fleet:test"};
  RedisConnection& subscriber =
      Connect(sub_options, nullptr,
              [this](const std::string& channel, std::string payload) {
                std::lock_guard<std::mutex> lock(mu_);
                messages_.push_back(channel + "=" + payload);
              });
  RedisConnection& publisher = Connect(Options(redis_.address()));
  ASSERT_TRUE(
      WaitUntil([&] { return subscriber.ready() && publisher.ready(); }));
  // A subscriber takes no commands.
  EXPECT_FALSE(Send(subscriber, {"PING"}).ok());
  ASSERT_THAT(Send(publisher, {"PUBLISH", "fleet:test", "one"}), IsOk());
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size() == 1;
  }));
  const int port = redis_.port();
  redis_.Stop();
  ASSERT_TRUE(WaitUntil([&] { return !subscriber.ready(); }));
  ASSERT_THAT(redis_.Start(port), IsOk());
  ASSERT_TRUE(
      WaitUntil([&] { return subscriber.ready() && publisher.ready(); }));
  ASSERT_THAT(Send(publisher, {"PUBLISH", "fleet:test", "two"}), IsOk());
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size() == 2;
  }));
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_THAT(messages_,
              ::testing::ElementsAre("fleet:test=one", "fleet:test=two"));
}

TEST_F(RedisConnectionTest, StopFailsWaitingCommandsAndEveryLaterOne) {
  auto connection =
      std::make_unique<RedisConnection>(&loop_, Options(redis_.address()));
  connection->Start();
  ASSERT_TRUE(WaitUntil([&] { return connection->ready(); }));
  auto promise = std::make_shared<std::promise<absl::StatusOr<RedisReply>>>();
  auto future = promise->get_future();
  connection->Command({"BLPOP", "nothing", "0"},
                      absl::Now() + absl::Seconds(30),
                      [promise](absl::StatusOr<RedisReply> reply) {
                        promise->set_value(std::move(reply));
                      });
  absl::SleepFor(absl::Milliseconds(50));
  connection->Stop();
  EXPECT_TRUE(absl::IsUnavailable(future.get().status()));
  EXPECT_TRUE(absl::IsUnavailable(Send(*connection, {"PING"}).status()));
  // Destroyed while the loop still runs: nothing of it is left on the loop.
  connection.reset();
  loop_.Run([] {});
}

}  // namespace
}  // namespace tracktry::fleet
