// Copyright 2026 The tracktry-grpc Authors.
//
// RedisConnection: one asynchronous connection to Redis (hiredis async API on
// an EventLoop through hiredis' libevent adapter). No thread ever blocks on
// it:
//   * every command has a deadline (capped at `command_timeout`) and a
//     callback that runs exactly once, on the loop thread, never inside
//     Command(): with the reply, DEADLINE_EXCEEDED when Redis did not answer
//     in time, or UNAVAILABLE at once while the connection is not ready;
//   * it connects in the background, authenticates first (AUTH [user]
//     password; the password is never logged or put in an error), and
//     reconnects with exponential backoff (`reconnect_min` doubling up to
//     `reconnect_max`) after any failure: refused or timed-out connect,
//     failed AUTH, I/O error, or a stall (the oldest unanswered command is
//     older than `stall_timeout`);
//   * a subscriber connection (`channels` set) SUBSCRIBEs to its channels
//     after every (re)connect and hands each message to `on_message`; it
//     takes no commands (RESP2 pub/sub needs a connection of its own).
// `on_state` hears when the connection becomes ready (connected,
// authenticated, subscribed) and when it stops being ready.
#ifndef TRACKTRY_SERVICE_FLEET_REDIS_CONNECTION_H_
#define TRACKTRY_SERVICE_FLEET_REDIS_CONNECTION_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/fleet/event_loop.h"
#include "service/fleet/redis_script.h"

struct redisAsyncContext;

namespace tracktry::fleet {

// A Redis reply, copied out of hiredis.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  // kString, kStatus, kError.
  std::string str;
  std::vector<RedisReply> elements;

  // A bulk string or a status reply.
  bool IsString() const {
    return type == Type::kString || type == Type::kStatus;
  }
};

struct RedisConnectionOptions {
  // "host:port" ("[v6]:port" for IPv6 literals).
  std::string address;
  // AUTH [user] password right after connecting; both empty = no AUTH.
  std::string user;
  std::string password;
  // Longest wait for any one command.
  absl::Duration command_timeout = absl::Milliseconds(100);
  // Connect + AUTH (+ SUBSCRIBE) must be done within this.
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration reconnect_min = absl::Milliseconds(100);
  absl::Duration reconnect_max = absl::Seconds(2);
  // A connection whose oldest unanswered command is this old is dropped.
  absl::Duration stall_timeout = absl::Seconds(1);
  // Non-empty: a subscriber connection for these channels.
  std::vector<std::string> channels;
};

struct RedisConnectionStats {
  bool ready = false;
  // Times the connection became ready; connect attempts that failed
  // (refused, timed out, AUTH refused); ready connections lost.
  int64_t connects = 0;
  int64_t connect_failures = 0;
  int64_t auth_failures = 0;
  int64_t disconnects = 0;
  // Commands sent; answered with an error reply; timed out; refused at
  // once because the connection was not ready.
  int64_t commands = 0;
  int64_t error_replies = 0;
  int64_t timeouts = 0;
  int64_t unavailable = 0;
  // Pub/sub messages received.
  int64_t messages = 0;
};

// Thread-safe (Command, Eval, Start, Stop, ready, stats). `loop` is not
// owned and must outlive the connection. Call Stop() before destroying it.
class RedisConnection {
 public:
  using ReplyCallback = absl::AnyInvocable<void(absl::StatusOr<RedisReply>) &&>;
  using StateCallback = std::function<void(bool ready)>;
  using MessageCallback =
      std::function<void(const std::string& channel, std::string payload)>;

  RedisConnection(EventLoop* loop, RedisConnectionOptions options,
                  StateCallback on_state = nullptr,
                  MessageCallback on_message = nullptr);
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;
  ~RedisConnection();

  // Starts connecting (in the background).
  void Start();
  // Not from the loop thread. Closes the connection for good: commands
  // still waiting get UNAVAILABLE (their callbacks are posted to the loop),
  // later ones too; no reconnect.
  void Stop();

  // Sends `args` (binary-safe words). `done` gets the reply (an error reply
  // is a reply of type kError, not an error status), DEADLINE_EXCEEDED at
  // min(deadline, now + command_timeout), or UNAVAILABLE.
  void Command(std::vector<std::string> args, absl::Time deadline,
               ReplyCallback done);
  // EVALSHA `script` with `keys` and `args` (EVAL once if Redis does not
  // have it). Same completion rules as Command().
  void Eval(const RedisScript& script, std::vector<std::string> keys,
            std::vector<std::string> args, absl::Time deadline,
            ReplyCallback done);

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  RedisConnectionStats stats() const;

 private:
  struct Pending {
    ReplyCallback done;
    EventLoop::TimerId timer = 0;
  };

  static void OnConnect(const redisAsyncContext* context, int status);
  static void OnDisconnect(const redisAsyncContext* context, int status);
  static void OnReply(redisAsyncContext* context, void* reply, void* privdata);
  static void OnAuthReply(redisAsyncContext* context, void* reply,
                          void* privdata);
  static void OnPingReply(redisAsyncContext* context, void* reply,
                          void* privdata);
  static void OnSubscribeReply(redisAsyncContext* context, void* reply,
                               void* privdata);

  // Loop thread only, from here on.
  void Connect();
  void SendOnLoop(std::vector<std::string> args, absl::Time deadline,
                  ReplyCallback done);
  void Complete(uint64_t id, absl::StatusOr<RedisReply> result);
  void OnCommandTimeout(uint64_t id);
  void SetReady();
  // Drops the current connection (if it is still generation `generation`)
  // and schedules a reconnect; counts a connect failure when it never was
  // ready.
  void Drop(uint64_t generation);
  // The connection went away (hiredis freed it): forget it.
  void Lost(bool was_ready);
  void ScheduleReconnect();
  void Fail(ReplyCallback done, absl::Status status);

  EventLoop* const loop_;
  const RedisConnectionOptions options_;
  const StateCallback on_state_;
  const MessageCallback on_message_;

  std::atomic<bool> ready_{false};

  // Loop thread only.
  redisAsyncContext* context_ = nullptr;
  uint64_t generation_ = 0;
  bool stopped_ = false;
  int subscribed_ = 0;
  absl::Duration backoff_;
  EventLoop::TimerId reconnect_timer_ = 0;
  EventLoop::TimerId connect_timer_ = 0;
  uint64_t next_id_ = 1;
  absl::flat_hash_map<uint64_t, Pending> pending_;
  // Commands written to the current connection, oldest first (Redis
  // answers in order): id and time sent.
  std::deque<std::pair<uint64_t, absl::Time>> in_flight_;

  mutable std::mutex stats_mu_;
  RedisConnectionStats stats_;  // Guarded by stats_mu_.
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_REDIS_CONNECTION_H_
