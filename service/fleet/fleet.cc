// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/fleet.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tracktry::fleet {
namespace {

uint64_t RandomReplicaId() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace

Fleet::Fleet(FleetOptions options) : options_(std::move(options)) {
  loop_ = std::make_unique<EventLoop>();
  RedisConnectionOptions connection;
  connection.address = options_.address;
  connection.user = options_.user;
  connection.password = options_.password;
  connection.command_timeout = options_.timeout;
  connection.reconnect_min = options_.reconnect_min;
  connection.reconnect_max = options_.reconnect_max;
  // Connecting (and AUTH) may take a few round trips; a stalled Redis is
  // given up on after a few timeouts.
  connection.connect_timeout =
      std::max(absl::Milliseconds(500), 5 * options_.timeout);
  connection.stall_timeout =
      std::max(absl::Milliseconds(500), 5 * options_.timeout);
  commands_ = std::make_unique<RedisConnection>(
      loop_.get(), connection, [this](bool up) {
        // A follower whose leader's news would come back through Redis
        // stops waiting.
        if (!up) waits_->LoseAll();
        if (options_.on_state && !stopped_) options_.on_state("commands", up);
      });
  const uint64_t replica = RandomReplicaId();
  bus_ =
      std::make_unique<FleetBus>(commands_.get(), options_.key_prefix, replica);
  RedisConnectionOptions subscriber = connection;
  subscriber.channels = {bus_->channel(), bus_->ack_channel()};
  subscriber_ = std::make_unique<RedisConnection>(
      loop_.get(), subscriber,
      [this](bool up) {
        bus_->SetUp(up);
        if (!up) waits_->LoseAll();
        if (options_.on_state && !stopped_) {
          options_.on_state("subscriber", up);
        }
      },
      [this](const std::string& channel, std::string payload) {
        bus_->Deliver(channel, payload);
      });
  waits_ = std::make_unique<FleetWaitList>(loop_.get());
  cache_ = std::make_unique<SharedCache>(
      loop_.get(), commands_.get(), bus_.get(), waits_.get(),
      options_.key_prefix, options_.lease_time, options_.timeout);
  idempotency_ = std::make_unique<SharedIdempotency>(
      loop_.get(), commands_.get(), bus_.get(), waits_.get(),
      options_.key_prefix, options_.lease_time);
  leases_ = std::make_unique<FleetLeases>(commands_.get(), bus_.get(),
                                          options_.key_prefix);
}

Fleet::~Fleet() {
  Stop();
  // Runs what is still posted (failed operations' callbacks) and ends the
  // thread; pending timers are dropped.
  loop_.reset();
}

void Fleet::Start() {
  commands_->Start();
  subscriber_->Start();
}

void Fleet::Stop() {
  if (stopped_.exchange(true)) return;
  subscriber_->Stop();
  commands_->Stop();
  // Messages received before the stop were posted; let them run now, and
  // end every wait.
  loop_->Run([this] {
    bus_->SetUp(false);
    waits_->LoseAll();
  });
}

bool Fleet::healthy() const {
  return commands_->ready() && subscriber_->ready();
}

FleetStats Fleet::stats() const {
  FleetStats stats;
  stats.commands = commands_->stats();
  stats.subscriber = subscriber_->stats();
  stats.cache = cache_->stats();
  stats.idempotency = idempotency_->stats();
  stats.leases = leases_->stats();
  stats.bus_messages = bus_->delivered();
  return stats;
}

}  // namespace tracktry::fleet
