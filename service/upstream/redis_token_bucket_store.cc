// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/redis_token_bucket_store.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tracktry {
namespace {

// KEYS[1] = the bucket's TAT key, KEYS[2] = the pause key; ARGV[1] =
// interval, ARGV[2] = tolerance (microseconds). Returns {taken (0/1), wait
// (us), paused (0/1), TAT - now (us)}.
constexpr char kAcquireScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then
  return {0, pause - now, 1, tat - now}
end
local allowed_at = tat - tolerance
if allowed_at > now then
  return {0, allowed_at - now, 0, tat - now}
end
local new_tat = math.max(tat, now) + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
           math.ceil((new_tat - now) / 1000) + 1000)
return {1, 0, 0, new_tat - now}
)lua";

// KEYS[1] = the pause key; ARGV[1] = pause length (us). Keeps the later of
// the existing and the new pause. Returns the remaining pause (us).
constexpr char kPauseScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local new_until = now + tonumber(ARGV[1])
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
if new_until > pause then
  redis.call('SET', KEYS[1], string.format('%.0f', new_until), 'PX',
             math.ceil((new_until - now) / 1000) + 1000)
  pause = new_until
end
return pause - now
)lua";

// KEYS[1] = the bucket's TAT key; ARGV[1] = the earliest TAT relative to
// the caller's now (us, may be negative). Raises the TAT to it. Returns 1.
constexpr char kDeferScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local floor = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if floor > tat and floor > now then
  redis.call('SET', KEYS[1], string.format('%.0f', floor), 'PX',
             math.ceil((floor - now) / 1000) + 1000)
end
return 1
)lua";

timeval TimeoutTimeval(absl::Duration d) {
  const int64_t us = std::max<int64_t>(1, absl::ToInt64Microseconds(d));
  timeval tv;
  tv.tv_sec = static_cast<time_t>(us / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(us % 1000000);
  return tv;
}

// Runs EVAL `script` with `keys` and `args`; the reply or null on any
// error (the caller owns the reply).
redisReply* Eval(redisContext* context, const char* script,
                 const std::vector<std::string>& keys,
                 const std::vector<std::string>& args) {
  std::vector<std::string> words = {"EVAL", script, absl::StrCat(keys.size())};
  words.insert(words.end(), keys.begin(), keys.end());
  words.insert(words.end(), args.begin(), args.end());
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& word : words) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  auto* reply = static_cast<redisReply*>(redisCommandArgv(
      context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) return nullptr;
  if (reply->type == REDIS_REPLY_ERROR) {
    freeReplyObject(reply);
    return nullptr;
  }
  return reply;
}

// Sends AUTH [user] password on a new connection. True when Redis accepted
// it. The reply text is not kept: it could echo what was sent.
bool Authenticate(redisContext* context, const std::string& user,
                  const std::string& password) {
  std::vector<const char*> argv = {"AUTH"};
  std::vector<size_t> lengths = {4};
  if (!user.empty()) {
    argv.push_back(user.data());
    lengths.push_back(user.size());
  }
  argv.push_back(password.data());
  lengths.push_back(password.size());
  auto* reply = static_cast<redisReply*>(redisCommandArgv(
      context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) return false;
  const bool ok = reply->type == REDIS_REPLY_STATUS;
  freeReplyObject(reply);
  return ok;
}

}  // namespace

std::string AccountIdFromApiKey(absl::string_view api_key) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : api_key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return absl::StrFormat("key-%016x", hash);
}

absl::StatusOr<std::pair<std::string, int>> ParseHostPort(
    absl::string_view address) {
  std::string host;
  absl::string_view port_text;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return absl::InvalidArgumentError(
          absl::StrCat("expected [host]:port, got '", address, "'"));
    }
    host = std::string(address.substr(1, close - 1));
    port_text = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected host:port, got '", address, "'"));
    }
    host = std::string(address.substr(0, colon));
    port_text = address.substr(colon + 1);
  }
  int port = 0;
  if (host.empty() || !absl::SimpleAtoi(port_text, &port) || port <= 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected host:port, got '", address, "'"));
  }
  return std::make_pair(host, port);
}

RedisTokenBucketStore::RedisTokenBucketStore(
    RedisTokenBucketOptions options, std::unique_ptr<TokenBucketStore> fallback)
    : options_(std::move(options)), fallback_(std::move(fallback)) {
  for (const TokenBucketLimit& limit : options_.limits) {
    tat_keys_.push_back(absl::StrCat(options_.key_prefix, ":tat:", limit.name));
    intervals_.push_back(TokenInterval(limit));
    tolerances_.push_back(TokenTolerance(limit));
  }
  pause_key_ = absl::StrCat(options_.key_prefix, ":pause");
  tats_.assign(options_.limits.size(), absl::InfinitePast());
}

RedisTokenBucketStore::~RedisTokenBucketStore() {
  if (context_ != nullptr) redisFree(context_);
}

bool RedisTokenBucketStore::EnsureConnectedLocked(absl::Time now) {
  if (context_ != nullptr) return true;
  if (now < next_connect_) return false;
  absl::StatusOr<std::pair<std::string, int>> host_port =
      ParseHostPort(options_.address);
  if (!host_port.ok()) {
    FailLocked(now);
    return false;
  }
  context_ =
      redisConnectWithTimeout(host_port->first.c_str(), host_port->second,
                              TimeoutTimeval(options_.timeout));
  if (context_ == nullptr || context_->err != 0 ||
      redisSetTimeout(context_, TimeoutTimeval(options_.timeout)) != REDIS_OK) {
    FailLocked(now);
    return false;
  }
  // Before anything else: a refused AUTH is a failure like a refused
  // connection (the fallback takes over until the retry).
  if ((!options_.user.empty() || !options_.password.empty()) &&
      !Authenticate(context_, options_.user, options_.password)) {
    FailLocked(now);
    return false;
  }
  bool rejoined;
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    stats_.shared = true;
    rejoined = falling_back_;
    falling_back_ = false;
    ++stats_.connects;
  }
  if (rejoined && options_.on_shared_change) options_.on_shared_change(true);
  return true;
}

void RedisTokenBucketStore::FailLocked(absl::Time now) {
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  next_connect_ = now + options_.retry_interval;
  bool switched = false;
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    ++stats_.redis_errors;
    if (!falling_back_) {
      falling_back_ = true;
      switched = true;
      ++stats_.fallbacks;
    }
    stats_.shared = false;
  }
  if (switched && options_.on_shared_change) options_.on_shared_change(false);
}

absl::Duration RedisTokenBucketStore::TryAcquire(int bucket, absl::Time now) {
  const size_t index = static_cast<size_t>(bucket);
  {
    std::lock_guard<std::mutex> io(io_mu_);
    if (EnsureConnectedLocked(now)) {
      redisReply* reply =
          Eval(context_, kAcquireScript, {tat_keys_.at(index), pause_key_},
               {absl::StrCat(absl::ToInt64Microseconds(intervals_[index])),
                absl::StrCat(absl::ToInt64Microseconds(tolerances_[index]))});
      // Local time of the answer: the Redis clock's "now" is mapped to the
      // time the reply arrived, which errs on the late (safe) side.
      const absl::Time local_now = absl::Now();
      if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY &&
          reply->elements == 4 &&
          std::all_of(reply->element, reply->element + 4, [](redisReply* e) {
            return e->type == REDIS_REPLY_INTEGER;
          })) {
        const bool taken = reply->element[0]->integer == 1;
        const absl::Duration wait =
            absl::Microseconds(reply->element[1]->integer);
        const bool paused = reply->element[2]->integer == 1;
        const absl::Duration tat_offset =
            absl::Microseconds(reply->element[3]->integer);
        freeReplyObject(reply);
        {
          std::lock_guard<std::mutex> lock(view_mu_);
          tats_[index] = local_now + tat_offset;
          if (paused) paused_until_ = std::max(paused_until_, local_now + wait);
        }
        if (paused) fallback_->Pause(local_now + wait, local_now);
        if (taken) return absl::ZeroDuration();
        return std::max(wait, absl::Microseconds(1));
      }
      if (reply != nullptr) freeReplyObject(reply);
      FailLocked(now);
    }
  }
  return fallback_->TryAcquire(bucket, now);
}

void RedisTokenBucketStore::Pause(absl::Time until, absl::Time now) {
  fallback_->Pause(until, now);
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    paused_until_ = std::max(paused_until_, until);
  }
  if (until <= now) return;
  std::lock_guard<std::mutex> io(io_mu_);
  if (!EnsureConnectedLocked(now)) return;
  redisReply* reply =
      Eval(context_, kPauseScript, {pause_key_},
           {absl::StrCat(absl::ToInt64Microseconds(until - now))});
  if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) {
    if (reply != nullptr) freeReplyObject(reply);
    FailLocked(now);
    return;
  }
  freeReplyObject(reply);
}

void RedisTokenBucketStore::Defer(int bucket, absl::Time taken_at,
                                  absl::Duration delay, absl::Time now) {
  fallback_->Defer(bucket, taken_at, delay, now);
  const size_t index = static_cast<size_t>(bucket);
  const absl::Time floor = taken_at + delay + intervals_.at(index);
  if (floor <= now) return;
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    tats_[index] = std::max(tats_[index], floor);
  }
  std::lock_guard<std::mutex> io(io_mu_);
  if (!EnsureConnectedLocked(now)) return;
  redisReply* reply =
      Eval(context_, kDeferScript, {tat_keys_[index]},
           {absl::StrCat(absl::ToInt64Microseconds(floor - now))});
  if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) {
    if (reply != nullptr) freeReplyObject(reply);
    FailLocked(now);
    return;
  }
  freeReplyObject(reply);
}

absl::Duration RedisTokenBucketStore::Interval(int bucket) const {
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    if (!stats_.shared) return fallback_->Interval(bucket);
  }
  return intervals_.at(static_cast<size_t>(bucket));
}

absl::Time RedisTokenBucketStore::EstimateStart(int bucket, absl::Time now,
                                                int64_t ahead) const {
  const size_t index = static_cast<size_t>(bucket);
  std::lock_guard<std::mutex> lock(view_mu_);
  if (!stats_.shared) return fallback_->EstimateStart(bucket, now, ahead);
  return GcraEstimateStart(tats_.at(index), intervals_[index],
                           tolerances_[index], paused_until_, now, ahead);
}

TokenBucketStoreStats RedisTokenBucketStore::stats() const {
  std::lock_guard<std::mutex> lock(view_mu_);
  return stats_;
}

}  // namespace tracktry
