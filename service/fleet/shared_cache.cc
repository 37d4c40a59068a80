// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/shared_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "service/fleet/envelope_codec.h"
#include "service/fleet/redis_script.h"

namespace tracktry::fleet {
namespace {

using nlohmann::json;

// How long a tag's version outlives its last invalidation: longer than any
// read that could have looked it up before.
constexpr absl::Duration kVersionTtl = absl::Hours(1);

// Signals of a read's wait.
constexpr int kFilled = 0;
constexpr int kReleased = 1;

// KEYS: hash, version, lease. ARGV: field, mode ('l' lead, 'b' bypass),
// token, lease ms. Returns {'h', version, envelope, ms left} (hit), {'l',
// version} (lease taken), {'f', version, lease ms left} (held elsewhere) or
// {'b', version} (bypass).
const RedisScript& LookupScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
local version = redis.call('GET', KEYS[2]) or '0'
if ARGV[2] == 'b' then return {'b', version} end
local hit = redis.call('HGET', KEYS[1], ARGV[1])
if hit then
  local sep = string.find(hit, '|', 1, true)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local left = tonumber(string.sub(hit, 1, sep - 1)) - now
  if left > 0 then return {'h', version, string.sub(hit, sep + 1), left} end
  redis.call('HDEL', KEYS[1], ARGV[1])
end
if redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then
  return {'l', version}
end
return {'f', version, redis.call('PTTL', KEYS[3])}
)lua");
  return *script;
}

// KEYS: hash, version, lease. ARGV: field, envelope, ttl ms, version seen
// ('' = store nothing), token ('' = no lease), channel, message. Stores the
// answer when the version is unchanged, releases the lease when still held
// by `token`, publishes `message`. Returns 1 when stored.
const RedisScript& FillScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
local stored = 0
if ARGV[4] ~= '' and (redis.call('GET', KEYS[2]) or '0') == ARGV[4] then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local ttl = tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], ARGV[1],
             string.format('%.0f', now + ttl) .. '|' .. ARGV[2])
  if redis.call('PTTL', KEYS[1]) < ttl then
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
  stored = 1
end
if ARGV[5] ~= '' and redis.call('GET', KEYS[3]) == ARGV[5] then
  redis.call('DEL', KEYS[3])
end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return stored
)lua");
  return *script;
}

// KEYS: (hash, version) per tag. ARGV: channel, message, version ttl ms.
const RedisScript& InvalidateScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
for i = 1, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[i + 1])
  redis.call('PEXPIRE', KEYS[i + 1], ARGV[3])
end
return redis.call('PUBLISH', ARGV[1], ARGV[2])
)lua");
  return *script;
}

// KEYS: hash, version. ARGV: field, envelope, ttl ms, version ttl ms.
// Drops every answer of the tag and stores this one (a newer state).
const RedisScript& ReplaceScript() {
  static const RedisScript* const script = new RedisScript(R"lua(
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1],
           string.format('%.0f', now + ttl) .. '|' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl)
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

SharedCache::SharedCache(EventLoop* loop, RedisConnection* commands,
                         FleetBus* bus, FleetWaitList* waits,
                         std::string prefix, absl::Duration lease_time,
                         absl::Duration timeout)
    : loop_(loop),
      commands_(commands),
      bus_(bus),
      waits_(waits),
      prefix_(std::move(prefix)),
      lease_time_(lease_time),
      timeout_(timeout),
      renewer_(loop, commands, lease_time) {
  bus_->Subscribe('i', [this](const FleetBus::Message& message) {
    OnInvalidation(message);
  });
  bus_->Subscribe(
      'f', [this](const FleetBus::Message& message) { OnFlightDone(message); });
  bus_->OnAck([this](absl::string_view payload) { OnAck(payload); });
  bus_->OnState([this](bool up) { OnBusState(up); });
}

std::string SharedCache::HashKey(absl::string_view tag) const {
  return absl::StrCat(prefix_, ":c:", tag);
}
std::string SharedCache::VersionKey(absl::string_view tag) const {
  return absl::StrCat(prefix_, ":v:", tag);
}
std::string SharedCache::LeaseKey(const Read& read) const {
  return absl::StrCat(prefix_, ":l:", read.tag, ":", read.key);
}
std::string SharedCache::Token(uint64_t lease) const {
  return absl::StrCat(bus_->replica(), ":", lease);
}
std::string SharedCache::WaitName(const Read& read) {
  return absl::StrCat("c", read.tag, "\n", read.key);
}

void SharedCache::Count(int64_t SharedCacheStats::*counter) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  ++(stats_.*counter);
}

SharedCacheStats SharedCache::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void SharedCache::Lookup(const Read& read, bool lead, absl::Time deadline,
                         LookupCallback done) {
  const uint64_t lease = lead ? next_lease_.fetch_add(1) : 0;
  std::string lease_key = LeaseKey(read);
  commands_->Eval(
      LookupScript(), {HashKey(read.tag), VersionKey(read.tag), lease_key},
      {read.key, lead ? "l" : "b", lead ? Token(lease) : "",
       Millis(lease_time_)},
      deadline,
      [this, lease, lease_key,
       done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
        SharedReadTier::LookupResult result;
        int64_t version = 0;
        if (!reply.ok() || reply->type != RedisReply::Type::kArray ||
            reply->elements.size() < 2 || !IsString(reply->elements[0]) ||
            !IsString(reply->elements[1]) ||
            !absl::SimpleAtoi(reply->elements[1].str, &version)) {
          Count(&SharedCacheStats::errors);
          std::move(done)(std::move(result));
          return;
        }
        const std::vector<RedisReply>& e = reply->elements;
        const std::string& kind = e[0].str;
        result.version = version;
        if (kind == "h" && e.size() == 4 && IsString(e[2]) &&
            e[3].type == RedisReply::Type::kInteger) {
          absl::StatusOr<Envelope> answer = DecodeEnvelope(e[2].str);
          if (answer.ok()) {
            result.outcome = Outcome::kHit;
            result.answer = *std::move(answer);
            result.answer_ttl = absl::Milliseconds(e[3].integer);
            Count(&SharedCacheStats::hits);
          } else {
            // Unreadable entry: read upstream, no lease (nothing to wake).
            result.version.reset();
            Count(&SharedCacheStats::errors);
          }
        } else if (kind == "l") {
          result.outcome = Outcome::kLead;
          result.lease = lease;
          renewer_.Start(lease, lease_key, Token(lease));
          Count(&SharedCacheStats::leads);
        } else if (kind == "f" && e.size() == 3 &&
                   e[2].type == RedisReply::Type::kInteger) {
          result.outcome = Outcome::kFollow;
          result.lease_left =
              absl::Milliseconds(std::max<int64_t>(0, e[2].integer));
          Count(&SharedCacheStats::follows);
        } else {
          Count(&SharedCacheStats::misses);
        }
        std::move(done)(std::move(result));
      });
}

void SharedCache::FinishLease(const Read& read,
                              const SharedReadTier::LookupResult& lookup,
                              const Envelope* answer, absl::Duration ttl) {
  if (lookup.lease != 0) renewer_.Stop(lookup.lease);
  const bool store = answer != nullptr && lookup.version.has_value() &&
                     ttl > absl::ZeroDuration();
  if (!store && lookup.lease == 0) return;  // Nothing held, nothing stored.
  const bool bypass = lookup.lease == 0;
  const json message = {{"t", read.tag},
                        {"k", read.key},
                        {"o", answer != nullptr ? kFilled : kReleased},
                        {"r", bypass}};
  if (store) Count(&SharedCacheStats::fills);
  commands_->Eval(
      FillScript(), {HashKey(read.tag), VersionKey(read.tag), LeaseKey(read)},
      {read.key, store ? EncodeEnvelope(*answer) : "", Millis(ttl),
       store ? absl::StrCat(*lookup.version) : "",
       lookup.lease != 0 ? Token(lookup.lease) : "", bus_->channel(),
       bus_->Frame(
           'f', message.dump(-1, ' ', false, json::error_handler_t::replace))},
      absl::InfiniteFuture(), [](absl::StatusOr<RedisReply>) {});
}

void SharedCache::Fill(const Read& read, const LookupResult& lookup,
                       const Envelope& answer, absl::Duration ttl) {
  FinishLease(read, lookup, &answer, ttl);
}

void SharedCache::Release(const Read& read, const LookupResult& lookup) {
  FinishLease(read, lookup, nullptr, absl::ZeroDuration());
}

SharedReadTier::WaitId SharedCache::AwaitLeader(const Read& read,
                                                absl::Time until,
                                                WakeCallback done) {
  if (!bus_->up()) {
    // No message can come: do not wait.
    loop_->Post(
        [done = std::move(done)]() mutable { std::move(done)(Wake::kLost); });
    return 0;
  }
  return waits_->Add(
      WaitName(read), until,
      [done = std::move(done)](FleetWaitList::Wake wake) mutable {
        switch (wake.reason) {
          case FleetWaitList::Reason::kSignalled:
            std::move(done)(wake.signal == kFilled ? Wake::kFilled
                                                   : Wake::kReleased);
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

bool SharedCache::CancelWait(WaitId id) {
  return id != 0 && waits_->Cancel(id);
}

void SharedCache::Invalidate(std::vector<std::string> tags, absl::Time deadline,
                             DoneCallback done) {
  std::vector<std::string> keys;
  keys.reserve(2 * tags.size());
  for (const std::string& tag : tags) {
    keys.push_back(HashKey(tag));
    keys.push_back(VersionKey(tag));
  }
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(acks_mu_);
    id = next_invalidation_++;
    pending_[id].done = std::move(done);
  }
  std::string message =
      bus_->Frame('i', json{{"id", id}, {"tags", tags}}.dump(
                           -1, ' ', false, json::error_handler_t::replace));
  Count(&SharedCacheStats::invalidations_sent);
  // Every replica (this one too) acknowledges once it dropped the tags;
  // a slow one is not waited for past the timeout.
  const absl::Time until = std::min(deadline, absl::Now() + timeout_);
  loop_->Post([this, id, until] {
    loop_->RunAt(until, [this, id] { FinishInvalidation(id, true); });
  });
  commands_->Eval(
      InvalidateScript(), std::move(keys),
      {bus_->channel(), std::move(message), Millis(kVersionTtl)}, until,
      [this, id](absl::StatusOr<RedisReply> reply) mutable {
        if (!reply.ok() || reply->type != RedisReply::Type::kInteger) {
          // Not done in Redis: nobody will acknowledge.
          Count(&SharedCacheStats::errors);
          FinishInvalidation(id, false);
          return;
        }
        bool complete;
        {
          std::lock_guard<std::mutex> lock(acks_mu_);
          auto it = pending_.find(id);
          if (it == pending_.end()) return;
          it->second.expected = reply->integer;
          complete = it->second.acked >= it->second.expected;
        }
        if (complete) FinishInvalidation(id, false);
      });
}

void SharedCache::OnAck(absl::string_view payload) {
  uint64_t id = 0;
  if (!absl::SimpleAtoi(payload, &id)) return;
  bool complete;
  {
    std::lock_guard<std::mutex> lock(acks_mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    ++it->second.acked;
    complete =
        it->second.expected >= 0 && it->second.acked >= it->second.expected;
  }
  if (complete) FinishInvalidation(id, false);
}

void SharedCache::FinishInvalidation(uint64_t id, bool timed_out) {
  DoneCallback done;
  {
    std::lock_guard<std::mutex> lock(acks_mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    done = std::move(it->second.done);
    pending_.erase(it);
  }
  if (timed_out) Count(&SharedCacheStats::ack_timeouts);
  std::move(done)();
}

void SharedCache::Replace(const Read& read, const Envelope& answer,
                          absl::Duration ttl) {
  if (ttl <= absl::ZeroDuration()) return;
  commands_->Eval(
      ReplaceScript(), {HashKey(read.tag), VersionKey(read.tag)},
      {read.key, EncodeEnvelope(answer), Millis(ttl), Millis(kVersionTtl)},
      absl::InfiniteFuture(), [](absl::StatusOr<RedisReply>) {});
}

void SharedCache::SetListener(Listener* listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_ = listener;
}

void SharedCache::OnInvalidation(const FleetBus::Message& message) {
  json body = json::parse(message.payload.begin(), message.payload.end(),
                          nullptr, false);
  if (!body.is_object() || !body.contains("id") ||
      !body["id"].is_number_unsigned() || !body.contains("tags") ||
      !body["tags"].is_array()) {
    return;
  }
  if (!message.own) {  // The sender applied it before sending.
    std::vector<std::string> list;
    for (const json& tag : body["tags"]) {
      if (tag.is_string()) list.push_back(tag.get<std::string>());
    }
    Count(&SharedCacheStats::invalidations_received);
    std::lock_guard<std::mutex> lock(listener_mu_);
    if (listener_ != nullptr) listener_->OnSharedInvalidation(list);
  }
  // Dropped here: the writer may answer once everyone said so.
  bus_->Ack(message.sender, absl::StrCat(body["id"].get<uint64_t>()));
}

void SharedCache::OnFlightDone(const FleetBus::Message& bus_message) {
  const absl::string_view payload = bus_message.payload;
  const bool own = bus_message.own;
  json message = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (!message.is_object() || !message.contains("t") ||
      !message["t"].is_string() || !message.contains("k") ||
      !message["k"].is_string()) {
    return;
  }
  Read read;
  read.tag = message["t"].get<std::string>();
  read.key = message["k"].get<std::string>();
  const int outcome = message.value("o", kReleased);
  waits_->Signal(WaitName(read), outcome);
  if (!own && message.value("r", false) && !read.tag.empty()) {
    // A bypass read found the newest state: other copies may be older.
    std::lock_guard<std::mutex> lock(listener_mu_);
    if (listener_ != nullptr) listener_->OnSharedInvalidation({read.tag});
  }
}

void SharedCache::OnBusState(bool up) {
  if (!up) return;
  // Invalidations sent while this replica was not subscribed are lost.
  std::lock_guard<std::mutex> lock(listener_mu_);
  if (listener_ != nullptr) listener_->OnSharedResync();
}

}  // namespace tracktry::fleet
