// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/lease_renewer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/fleet/redis_script.h"

namespace tracktry::fleet {
namespace {

// KEYS: lease. ARGV: token, ms. Extends a lease still held by `token`.
const RedisScript& RenewScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
)lua");
  return *script;
}

}  // namespace

LeaseRenewer::LeaseRenewer(EventLoop* loop, RedisConnection* commands,
                           absl::Duration lease_time)
    : loop_(loop), commands_(commands), lease_time_(lease_time) {}

void LeaseRenewer::Start(uint64_t id, std::string key, std::string token) {
  loop_->Post([this, id, key = std::move(key), token = std::move(token)]() {
    Lease& lease = leases_[id];
    if (lease.timer != 0) loop_->Cancel(lease.timer);
    lease.key = key;
    lease.token = token;
    Schedule(id);
  });
}

void LeaseRenewer::Stop(uint64_t id) {
  loop_->Post([this, id] {
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    loop_->Cancel(it->second.timer);
    leases_.erase(it);
  });
}

void LeaseRenewer::Schedule(uint64_t id) {
  Lease& lease = leases_[id];
  lease.timer = loop_->RunAt(absl::Now() + lease_time_ / 3, [this, id] {
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    commands_->Eval(
        RenewScript(), {it->second.key},
        {it->second.token, absl::StrCat(std::max<int64_t>(
                               1, absl::ToInt64Milliseconds(lease_time_)))},
        absl::InfiniteFuture(), [](absl::StatusOr<RedisReply>) {});
    Schedule(id);
  });
}

}  // namespace tracktry::fleet
