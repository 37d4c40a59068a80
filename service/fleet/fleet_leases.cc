// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/fleet_leases.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "service/fleet/redis_script.h"

namespace tracktry::fleet {
namespace {

using nlohmann::json;

// KEYS: lease. ARGV: holder, ms. 1 when `holder` now holds the lease
// (taken or renewed), 0 when another replica does.
const RedisScript& AcquireScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua");
  return *script;
}

// KEYS: lease. ARGV: holder. Deletes a lease still held by `holder`.
const RedisScript& ReleaseScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua");
  return *script;
}

}  // namespace

FleetLeases::FleetLeases(RedisConnection* commands, FleetBus* bus,
                         std::string prefix)
    : commands_(commands), bus_(bus), prefix_(std::move(prefix)) {
  bus_->Subscribe('w', [this](const FleetBus::Message& message) {
    OnPoll(message.payload, message.own);
  });
}

std::string FleetLeases::LeaseKey(const std::string& key) const {
  return absl::StrCat(prefix_, ":w:", key);
}

void FleetLeases::Count(int64_t FleetLeasesStats::*counter) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  ++(stats_.*counter);
}

FleetLeasesStats FleetLeases::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void FleetLeases::AcquirePoll(const std::string& key, absl::Duration ttl,
                              absl::Time deadline,
                              absl::AnyInvocable<void(bool poll) &&> done) {
  commands_->Eval(
      AcquireScript(), {LeaseKey(key)},
      {bus_->replica(),
       absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl)))},
      deadline,
      [this, done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
        if (!reply.ok() || reply->type != RedisReply::Type::kInteger) {
          // Cannot tell who polls: poll here rather than not at all.
          Count(&FleetLeasesStats::errors);
          std::move(done)(true);
          return;
        }
        const bool poll = reply->integer == 1;
        Count(poll ? &FleetLeasesStats::polls : &FleetLeasesStats::skipped);
        std::move(done)(poll);
      });
}

void FleetLeases::PublishPoll(const std::string& key,
                              const v1::Tracking& tracking) {
  Count(&FleetLeasesStats::published);
  bus_->Publish(
      'w',
      json{{"k", key}, {"t", absl::Base64Escape(tracking.SerializeAsString())}}
          .dump(-1, ' ', false, json::error_handler_t::replace),
      absl::InfiniteFuture());
}

void FleetLeases::ReleasePoll(const std::string& key) {
  commands_->Eval(ReleaseScript(), {LeaseKey(key)}, {bus_->replica()},
                  absl::InfiniteFuture(), [](absl::StatusOr<RedisReply>) {});
}

void FleetLeases::SetListener(Listener* listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_ = listener;
}

void FleetLeases::OnPoll(absl::string_view payload, bool own) {
  if (own) return;
  json message = json::parse(payload.begin(), payload.end(), nullptr, false);
  std::string bytes;
  v1::Tracking tracking;
  if (!message.is_object() || !message.contains("k") ||
      !message["k"].is_string() || !message.contains("t") ||
      !message["t"].is_string() ||
      !absl::Base64Unescape(message["t"].get<std::string>(), &bytes) ||
      !tracking.ParseFromString(bytes)) {
    return;
  }
  Count(&FleetLeasesStats::received);
  std::lock_guard<std::mutex> lock(listener_mu_);
  if (listener_ != nullptr) {
    listener_->OnRemotePoll(message["k"].get<std::string>(), tracking);
  }
}

}  // namespace tracktry::fleet
