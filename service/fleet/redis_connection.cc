// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/redis_connection.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/upstream/redis_token_bucket_store.h"

namespace tracktry::fleet {
namespace {

RedisReply CopyReply(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) {
        out.elements.push_back(CopyReply(reply->element[i]));
      }
      break;
    default:
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

absl::Status Unavailable() {
  return absl::UnavailableError("Redis connection not ready");
}

void* IdToPrivdata(uint64_t id) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(id));
}
uint64_t PrivdataToId(void* privdata) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(privdata));
}

}  // namespace

RedisConnection::RedisConnection(EventLoop* loop,
                                 RedisConnectionOptions options,
                                 StateCallback on_state,
                                 MessageCallback on_message)
    : loop_(loop),
      options_(std::move(options)),
      on_state_(std::move(on_state)),
      on_message_(std::move(on_message)),
      backoff_(options_.reconnect_min) {}

RedisConnection::~RedisConnection() = default;

void RedisConnection::Start() {
  loop_->Post([this] {
    if (!stopped_ && context_ == nullptr && reconnect_timer_ == 0) Connect();
  });
}

void RedisConnection::Stop() {
  loop_->Run([this] {
    stopped_ = true;
    if (reconnect_timer_ != 0) loop_->Cancel(reconnect_timer_);
    if (connect_timer_ != 0) loop_->Cancel(connect_timer_);
    reconnect_timer_ = connect_timer_ = 0;
    if (context_ != nullptr) {
      redisAsyncContext* context = context_;
      const bool was_ready = ready();
      context_ = nullptr;
      ++generation_;
      // Runs every pending callback with a null reply (-> UNAVAILABLE).
      redisAsyncFree(context);
      Lost(was_ready);
    }
    // Commands that timed out but were never answered are forgotten.
    in_flight_.clear();
  });
  // What that posted (state and message callbacks, failed commands' and
  // their callers' follow-ups) runs before the connection may go.
  loop_->Run([] {});
}

void RedisConnection::Command(std::vector<std::string> args,
                              absl::Time deadline, ReplyCallback done) {
  if (!options_.channels.empty()) {
    // A subscriber connection takes no commands.
    loop_->Post([done = std::move(done)]() mutable {
      std::move(done)(absl::FailedPreconditionError(
          "a subscriber connection takes no commands"));
    });
    return;
  }
  if (!ready()) {
    // Fail fast: no queueing while Redis is away.
    Fail(std::move(done), Unavailable());
    return;
  }
  if (loop_->InLoopThread()) {
    SendOnLoop(std::move(args), deadline, std::move(done));
    return;
  }
  loop_->Post([this, args = std::move(args), deadline,
               done = std::move(done)]() mutable {
    SendOnLoop(std::move(args), deadline, std::move(done));
  });
}

void RedisConnection::Eval(const RedisScript& script,
                           std::vector<std::string> keys,
                           std::vector<std::string> args, absl::Time deadline,
                           ReplyCallback done) {
  std::vector<std::string> words;
  words.reserve(3 + keys.size() + args.size());
  words.push_back("EVALSHA");
  words.push_back(script.sha1());
  words.push_back(absl::StrCat(keys.size()));
  for (std::string& key : keys) words.push_back(std::move(key));
  for (std::string& arg : args) words.push_back(std::move(arg));
  std::vector<std::string> retry = words;
  retry[0] = "EVAL";
  retry[1] = script.text();
  Command(std::move(words), deadline,
          [this, retry = std::move(retry), deadline,
           done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
            if (reply.ok() && reply->type == RedisReply::Type::kError &&
                absl::StartsWith(reply->str, "NOSCRIPT")) {
              // First use on this Redis: EVAL caches the script.
              Command(std::move(retry), deadline, std::move(done));
              return;
            }
            std::move(done)(std::move(reply));
          });
}

RedisConnectionStats RedisConnection::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  RedisConnectionStats stats = stats_;
  stats.ready = ready();
  return stats;
}

void RedisConnection::Fail(ReplyCallback done, absl::Status status) {
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    if (absl::IsUnavailable(status)) ++stats_.unavailable;
  }
  loop_->Post([done = std::move(done), status = std::move(status)]() mutable {
    std::move(done)(std::move(status));
  });
}

void RedisConnection::Connect() {
  reconnect_timer_ = 0;
  if (stopped_) return;
  absl::StatusOr<std::pair<std::string, int>> host_port =
      ParseHostPort(options_.address);
  redisAsyncContext* context =
      host_port.ok()
          ? redisAsyncConnect(host_port->first.c_str(), host_port->second)
          : nullptr;
  if (context == nullptr || context->err != 0) {
    if (context != nullptr) redisAsyncFree(context);
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.connect_failures;
    }
    ScheduleReconnect();
    return;
  }
  context->data = this;
  context_ = context;
  const uint64_t generation = ++generation_;
  redisLibeventAttach(context, loop_->base());
  redisAsyncSetConnectCallback(context, &RedisConnection::OnConnect);
  redisAsyncSetDisconnectCallback(context, &RedisConnection::OnDisconnect);
  connect_timer_ =
      loop_->RunAt(absl::Now() + options_.connect_timeout, [this, generation] {
        connect_timer_ = 0;
        Drop(generation);
      });
  subscribed_ = 0;
  // Written first, so nothing else reaches Redis before it.
  if (!options_.user.empty() || !options_.password.empty()) {
    std::vector<const char*> argv = {"AUTH"};
    std::vector<size_t> lengths = {4};
    if (!options_.user.empty()) {
      argv.push_back(options_.user.data());
      lengths.push_back(options_.user.size());
    }
    argv.push_back(options_.password.data());
    lengths.push_back(options_.password.size());
    redisAsyncCommandArgv(
        context, &RedisConnection::OnAuthReply, IdToPrivdata(generation),
        static_cast<int>(argv.size()), argv.data(), lengths.data());
  }
  if (options_.channels.empty()) {
    // Ready once Redis answers (a Redis that accepts connections but is
    // frozen never becomes ready).
    redisAsyncCommand(context, &RedisConnection::OnPingReply,
                      IdToPrivdata(generation), "PING");
  } else {
    std::vector<const char*> argv = {"SUBSCRIBE"};
    std::vector<size_t> lengths = {9};
    for (const std::string& channel : options_.channels) {
      argv.push_back(channel.data());
      lengths.push_back(channel.size());
    }
    redisAsyncCommandArgv(
        context, &RedisConnection::OnSubscribeReply, IdToPrivdata(generation),
        static_cast<int>(argv.size()), argv.data(), lengths.data());
  }
}

void RedisConnection::OnConnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback (no disconnect
    // callback follows: it never was connected).
    if (self->context_ == context) {
      self->context_ = nullptr;
      ++self->generation_;
      if (self->connect_timer_ != 0) self->loop_->Cancel(self->connect_timer_);
      self->connect_timer_ = 0;
      {
        std::lock_guard<std::mutex> lock(self->stats_mu_);
        ++self->stats_.connect_failures;
      }
      self->ScheduleReconnect();
    }
    return;
  }
  // Ready after the PING or SUBSCRIBE answer.
}

void RedisConnection::OnDisconnect(const redisAsyncContext* context,
                                   int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  // When we freed the context ourselves, context_ was reset first.
  if (self->context_ != context) return;
  self->context_ = nullptr;
  ++self->generation_;
  if (self->connect_timer_ != 0) self->loop_->Cancel(self->connect_timer_);
  self->connect_timer_ = 0;
  self->Lost(self->ready());
  self->ScheduleReconnect();
}

void RedisConnection::OnAuthReply(redisAsyncContext* context, void* reply,
                                  void* privdata) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (reply == nullptr || self->generation_ != PrivdataToId(privdata)) return;
  const auto* r = static_cast<const redisReply*>(reply);
  if (r->type != REDIS_REPLY_STATUS) {
    // The reply text is not kept: it could echo what was sent.
    {
      std::lock_guard<std::mutex> lock(self->stats_mu_);
      ++self->stats_.auth_failures;
    }
    const uint64_t generation = self->generation_;
    self->loop_->Post([self, generation] { self->Drop(generation); });
  }
}

void RedisConnection::OnPingReply(redisAsyncContext* context, void* reply,
                                  void* privdata) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (reply == nullptr || self->generation_ != PrivdataToId(privdata)) return;
  const auto* r = static_cast<const redisReply*>(reply);
  if (r->type == REDIS_REPLY_STATUS) self->SetReady();
}

void RedisConnection::OnSubscribeReply(redisAsyncContext* context, void* reply,
                                       void* privdata) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (reply == nullptr || self->generation_ != PrivdataToId(privdata)) return;
  const auto* r = static_cast<const redisReply*>(reply);
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
      r->element[0]->type != REDIS_REPLY_STRING) {
    return;
  }
  const std::string kind(r->element[0]->str, r->element[0]->len);
  if (kind == "subscribe") {
    if (++self->subscribed_ ==
        static_cast<int>(self->options_.channels.size())) {
      self->SetReady();
    }
    return;
  }
  if (kind != "message" || r->element[1]->type != REDIS_REPLY_STRING ||
      r->element[2]->type != REDIS_REPLY_STRING) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(self->stats_mu_);
    ++self->stats_.messages;
  }
  if (!self->on_message_) return;
  std::string channel(r->element[1]->str, r->element[1]->len);
  std::string payload(r->element[2]->str, r->element[2]->len);
  // Outside hiredis' callback: the handler may do anything.
  self->loop_->Post([self, channel = std::move(channel),
                     payload = std::move(payload)]() mutable {
    self->on_message_(channel, std::move(payload));
  });
}

void RedisConnection::SetReady() {
  if (connect_timer_ != 0) loop_->Cancel(connect_timer_);
  connect_timer_ = 0;
  backoff_ = options_.reconnect_min;
  ready_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.connects;
  }
  if (on_state_) {
    loop_->Post([this] {
      if (ready()) on_state_(true);
    });
  }
}

void RedisConnection::Lost(bool was_ready) {
  ready_.store(false, std::memory_order_release);
  // Replies that will never come.
  in_flight_.clear();
  if (was_ready) {
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.disconnects;
    }
    if (on_state_) loop_->Post([this] { on_state_(false); });
  }
}

void RedisConnection::Drop(uint64_t generation) {
  if (generation != generation_ || context_ == nullptr) return;
  redisAsyncContext* context = context_;
  const bool was_ready = ready();
  context_ = nullptr;
  ++generation_;
  if (connect_timer_ != 0) loop_->Cancel(connect_timer_);
  connect_timer_ = 0;
  if (!was_ready) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.connect_failures;
  }
  redisAsyncFree(context);
  Lost(was_ready);
  ScheduleReconnect();
}

void RedisConnection::ScheduleReconnect() {
  if (stopped_ || reconnect_timer_ != 0) return;
  const absl::Duration delay = backoff_;
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  reconnect_timer_ = loop_->RunAt(absl::Now() + delay, [this] { Connect(); });
}

void RedisConnection::SendOnLoop(std::vector<std::string> args,
                                 absl::Time deadline, ReplyCallback done) {
  if (context_ == nullptr || !ready()) {
    Fail(std::move(done), Unavailable());
    return;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& word : args) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  const uint64_t id = next_id_++;
  if (redisAsyncCommandArgv(context_, &RedisConnection::OnReply,
                            IdToPrivdata(id), static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    Fail(std::move(done), Unavailable());
    return;
  }
  const absl::Time now = absl::Now();
  const absl::Time until = std::min(deadline, now + options_.command_timeout);
  Pending pending;
  pending.done = std::move(done);
  pending.timer = loop_->RunAt(until, [this, id] { OnCommandTimeout(id); });
  pending_.emplace(id, std::move(pending));
  in_flight_.emplace_back(id, now);
  std::lock_guard<std::mutex> lock(stats_mu_);
  ++stats_.commands;
}

void RedisConnection::OnReply(redisAsyncContext* context, void* reply,
                              void* privdata) {
  auto* self = static_cast<RedisConnection*>(context->data);
  const uint64_t id = PrivdataToId(privdata);
  auto& in_flight = self->in_flight_;
  if (!in_flight.empty() && in_flight.front().first == id) {
    in_flight.pop_front();
  } else {
    for (auto it = in_flight.begin(); it != in_flight.end(); ++it) {
      if (it->first == id) {
        in_flight.erase(it);
        break;
      }
    }
  }
  if (reply == nullptr) {
    // The connection is going away.
    self->Complete(id, Unavailable());
    return;
  }
  RedisReply copy = CopyReply(static_cast<const redisReply*>(reply));
  if (copy.type == RedisReply::Type::kError) {
    std::lock_guard<std::mutex> lock(self->stats_mu_);
    ++self->stats_.error_replies;
  }
  self->Complete(id, std::move(copy));
}

void RedisConnection::Complete(uint64_t id, absl::StatusOr<RedisReply> result) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // Timed out earlier.
  Pending pending = std::move(it->second);
  pending_.erase(it);
  if (pending.timer != 0) loop_->Cancel(pending.timer);
  // Outside hiredis' callback: the caller may send more commands.
  loop_->Post(
      [done = std::move(pending.done), result = std::move(result)]() mutable {
        std::move(done)(std::move(result));
      });
}

void RedisConnection::OnCommandTimeout(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  it->second.timer = 0;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.timeouts;
  }
  Complete(id, absl::DeadlineExceededError("Redis did not answer in time"));
  // Redis stopped answering: drop the connection rather than queue more.
  if (!in_flight_.empty() &&
      absl::Now() - in_flight_.front().second >= options_.stall_timeout) {
    const uint64_t generation = generation_;
    loop_->Post([this, generation] { Drop(generation); });
  }
}

}  // namespace tracktry::fleet
