// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/shared_idempotency.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "service/fleet/envelope_codec.h"
#include "service/fleet/redis_script.h"

namespace tracktry::fleet {
namespace {

using nlohmann::json;

// KEYS: record, lease. ARGV: fingerprint, part, token, lease ms, ttl ms.
// Returns {'reused'}, {'done', result}, {'running', lease ms left} or
// {'first'} (claimed).
const RedisScript& BeginScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
local fp = redis.call('HGET', KEYS[1], 'fp')
if fp and fp ~= ARGV[1] then return {'reused'} end
local done = redis.call('HGET', KEYS[1], 'p' .. ARGV[2])
if done then return {'done', done} end
local left = redis.call('PTTL', KEYS[2])
if left > 0 then return {'running', left} end
if not fp then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
redis.call('HSET', KEYS[1], 'r' .. ARGV[2], ARGV[3])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return {'first'}
)lua");
  return *script;
}

// KEYS: record, lease. ARGV: fingerprint, part, token, result, ttl ms,
// channel, message.
const RedisScript& FinishScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'p' .. ARGV[2], ARGV[4])
redis.call('HDEL', KEYS[1], 'r' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
)lua");
  return *script;
}

// KEYS: record, lease. ARGV: part, token, channel, message. A record left
// with its fingerprint only is forgotten (like the local store's).
const RedisScript& AbandonScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
if redis.call('HGET', KEYS[1], 'r' .. ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], 'r' .. ARGV[1])
end
if redis.call('HLEN', KEYS[1]) <= 1 then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
)lua");
  return *script;
}

std::string Millis(absl::Duration d) {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

bool IsString(const RedisReply& reply) {
  return reply.type == RedisReply::Type::kString ||
         reply.type == RedisReply::Type::kStatus;
}

}  // namespace

SharedIdempotency::SharedIdempotency(EventLoop* loop, RedisConnection* commands,
                                     FleetBus* bus, FleetWaitList* waits,
                                     std::string prefix,
                                     absl::Duration lease_time)
    : loop_(loop),
      commands_(commands),
      bus_(bus),
      waits_(waits),
      prefix_(std::move(prefix)),
      lease_time_(lease_time),
      renewer_(loop, commands, lease_time) {
  bus_->Subscribe('d', [this](const FleetBus::Message& message) {
    OnPartDone(message.payload);
  });
}

std::string SharedIdempotency::RecordKey(const Record& record) const {
  return absl::StrCat(prefix_, ":i:", record.key);
}
std::string SharedIdempotency::LeaseKey(const Record& record) const {
  return absl::StrCat(prefix_, ":il:", record.key, ":", record.part);
}
std::string SharedIdempotency::Token(uint64_t token) const {
  return absl::StrCat(bus_->replica(), ":", token);
}
std::string SharedIdempotency::WaitName(const std::string& key, int part) {
  return absl::StrCat("i", key, "\n", part);
}
std::string SharedIdempotency::DoneMessage(const Record& record) const {
  return bus_->Frame('d', json{{"k", record.key}, {"p", record.part}}.dump(
                              -1, ' ', false, json::error_handler_t::replace));
}

void SharedIdempotency::Count(int64_t SharedIdempotencyStats::*counter) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  ++(stats_.*counter);
}

SharedIdempotencyStats SharedIdempotency::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void SharedIdempotency::Begin(const Record& record, absl::Duration ttl,
                              absl::Time deadline, BeginCallback done) {
  const uint64_t token = next_token_.fetch_add(1);
  std::string lease_key = LeaseKey(record);
  commands_->Eval(
      BeginScript(), {RecordKey(record), lease_key},
      {absl::StrCat(record.fingerprint), absl::StrCat(record.part),
       Token(token), Millis(lease_time_), Millis(ttl)},
      deadline,
      [this, token, lease_key,
       done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
        SharedRequestRecords::BeginResult result;
        if (!reply.ok() || reply->type != RedisReply::Type::kArray ||
            reply->elements.empty() || !IsString(reply->elements[0])) {
          Count(&SharedIdempotencyStats::errors);
          std::move(done)(std::move(result));
          return;
        }
        const std::vector<RedisReply>& e = reply->elements;
        const std::string& kind = e[0].str;
        if (kind == "first") {
          result.state = State::kFirst;
          result.token = token;
          renewer_.Start(token, lease_key, Token(token));
          Count(&SharedIdempotencyStats::first);
        } else if (kind == "reused") {
          result.state = State::kReused;
          Count(&SharedIdempotencyStats::reused);
        } else if (kind == "running" && e.size() == 2 &&
                   e[1].type == RedisReply::Type::kInteger) {
          result.state = State::kRunning;
          result.lease_left = absl::Milliseconds(e[1].integer);
          Count(&SharedIdempotencyStats::running);
        } else if (kind == "done" && e.size() == 2 && IsString(e[1])) {
          absl::StatusOr<absl::StatusOr<Envelope>> stored =
              DecodeResult(e[1].str);
          if (stored.ok()) {
            result.state = State::kDone;
            result.result = *std::move(stored);
            Count(&SharedIdempotencyStats::done);
          } else {
            Count(&SharedIdempotencyStats::errors);
          }
        } else {
          Count(&SharedIdempotencyStats::errors);
        }
        std::move(done)(std::move(result));
      });
}

void SharedIdempotency::Finish(const Record& record, uint64_t token,
                               const absl::StatusOr<Envelope>& result,
                               absl::Duration ttl, absl::Time deadline,
                               DoneCallback done) {
  renewer_.Stop(token);
  Count(&SharedIdempotencyStats::finished);
  commands_->Eval(
      FinishScript(), {RecordKey(record), LeaseKey(record)},
      {absl::StrCat(record.fingerprint), absl::StrCat(record.part),
       Token(token), EncodeResult(result), Millis(ttl), bus_->channel(),
       DoneMessage(record)},
      deadline,
      [this, done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
        if (!reply.ok() || reply->type == RedisReply::Type::kError) {
          Count(&SharedIdempotencyStats::errors);
        }
        std::move(done)();
      });
}

void SharedIdempotency::Abandon(const Record& record, uint64_t token) {
  renewer_.Stop(token);
  Count(&SharedIdempotencyStats::abandoned);
  commands_->Eval(AbandonScript(), {RecordKey(record), LeaseKey(record)},
                  {absl::StrCat(record.part), Token(token), bus_->channel(),
                   DoneMessage(record)},
                  absl::InfiniteFuture(), [](absl::StatusOr<RedisReply>) {});
}

SharedRequestRecords::WaitId SharedIdempotency::AwaitFinish(
    const Record& record, absl::Time until, WakeCallback done) {
  if (!bus_->up()) {
    loop_->Post(
        [done = std::move(done)]() mutable { std::move(done)(Wake::kLost); });
    return 0;
  }
  return waits_->Add(
      WaitName(record.key, record.part), until,
      [done = std::move(done)](FleetWaitList::Wake wake) mutable {
        switch (wake.reason) {
          case FleetWaitList::Reason::kSignalled:
            std::move(done)(Wake::kFinished);
            return;
          case FleetWaitList::Reason::kExpired:
            std::move(done)(Wake::kExpired);
            return;
          case FleetWaitList::Reason::kLost:
            std::move(done)(Wake::kLost);
            return;
        }
      });
}

bool SharedIdempotency::CancelWait(WaitId id) {
  return id != 0 && waits_->Cancel(id);
}

void SharedIdempotency::OnPartDone(absl::string_view payload) {
  json message = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (!message.is_object() || !message.contains("k") ||
      !message["k"].is_string() || !message.contains("p") ||
      !message["p"].is_number_integer()) {
    return;
  }
  waits_->Signal(
      WaitName(message["k"].get<std::string>(), message["p"].get<int>()), 0);
}

}  // namespace tracktry::fleet
