// Copyright 2026 The tracktry-grpc Authors.
//
// FleetBus over real Redis connections: two buses (two replicas), each with
// its own command and subscriber connection.
#include "service/fleet/fleet_bus.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/fleet/event_loop.h"
#include "tests/testing/fleet_harness.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/status_matchers.h"

namespace tracktry::fleet {
namespace {

using ::testing::ElementsAre;
using testing::IsOk;
using testing::RedisTestServer;
using testing::WaitUntil;

// One replica's bus and what it received.
struct Node {
  Node(EventLoop* loop, const std::string& address, uint64_t id) {
    RedisConnectionOptions options;
    options.address = address;
    options.command_timeout = absl::Seconds(2);
    commands = std::make_unique<RedisConnection>(loop, options);
    bus = std::make_unique<FleetBus>(commands.get(), "t:acct", id);
    bus->Subscribe('x', [this](const FleetBus::Message& message) {
      std::lock_guard<std::mutex> lock(mu);
      received.push_back(absl::StrCat(message.own ? "own:" : "other:",
                                      message.sender, ":", message.payload));
    });
    bus->OnAck([this](absl::string_view payload) {
      std::lock_guard<std::mutex> lock(mu);
      acks.emplace_back(payload);
    });
    bus->OnState([this](bool up) {
      std::lock_guard<std::mutex> lock(mu);
      states.push_back(up);
    });
    options.channels = {bus->channel(), bus->ack_channel()};
    subscriber = std::make_unique<RedisConnection>(
        loop, options, [this](bool up) { bus->SetUp(up); },
        [this](const std::string& channel, std::string payload) {
          bus->Deliver(channel, payload);
        });
    commands->Start();
    subscriber->Start();
  }
  ~Node() {
    subscriber->Stop();
    commands->Stop();
  }
  std::vector<std::string> Received() {
    std::lock_guard<std::mutex> lock(mu);
    return received;
  }
  std::vector<std::string> Acks() {
    std::lock_guard<std::mutex> lock(mu);
    return acks;
  }

  std::unique_ptr<RedisConnection> commands;
  std::unique_ptr<RedisConnection> subscriber;
  std::unique_ptr<FleetBus> bus;
  std::mutex mu;
  std::vector<std::string> received;
  std::vector<std::string> acks;
  std::vector<bool> states;
};

TEST(FleetBusTest, EveryReplicaGetsEveryMessageAndKnowsItsOwn) {
  RedisTestServer redis;
  ASSERT_THAT(redis.Start(), IsOk());
  EventLoop loop;
  Node a(&loop, redis.address(), 0xa);
  Node b(&loop, redis.address(), 0xb);
  ASSERT_TRUE(WaitUntil([&] {
    return a.bus->up() && b.bus->up() && a.commands->ready() &&
           b.commands->ready();
  }));
  EXPECT_EQ(a.bus->replica(), "000000000000000a");
  EXPECT_EQ(a.bus->channel(), "t:acct:bus");
  EXPECT_EQ(a.bus->ack_channel(), "t:acct:ack:000000000000000a");
  a.bus->Publish('x', "hello", absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(WaitUntil(
      [&] { return a.Received().size() == 1 && b.Received().size() == 1; }));
  EXPECT_THAT(a.Received(), ElementsAre("own:000000000000000a:hello"));
  EXPECT_THAT(b.Received(), ElementsAre("other:000000000000000a:hello"));
  // An acknowledgement reaches its addressee only.
  b.bus->Ack(a.bus->replica(), "17");
  ASSERT_TRUE(WaitUntil([&] { return a.Acks().size() == 1; }));
  EXPECT_THAT(a.Acks(), ElementsAre("17"));
  EXPECT_TRUE(b.Acks().empty());
  // Unknown kinds and garbage are counted, not delivered.
  a.commands->Command({"PUBLISH", "t:acct:bus", "garbage"},
                      absl::Now() + absl::Seconds(5),
                      [](absl::StatusOr<RedisReply>) {});
  a.bus->Publish('?', "unknown kind", absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(WaitUntil([&] { return b.bus->malformed() == 2; }));
  EXPECT_EQ(b.bus->delivered(), 1);
  // The subscriber's state reaches the state handlers.
  redis.Stop();
  ASSERT_TRUE(WaitUntil([&] { return !a.bus->up(); }));
  std::lock_guard<std::mutex> lock(a.mu);
  EXPECT_THAT(a.states, ElementsAre(true, false));
}

}  // namespace
}  // namespace tracktry::fleet
