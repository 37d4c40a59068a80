// Copyright 2026 The tracktry-grpc Authors.
//
// FleetBus: the pub/sub channel every replica listens to ("<prefix>:bus"),
// plus one acknowledgement channel per replica ("<prefix>:ack:<replica>").
// A bus message is "<kind><replica id, 16 hex digits>:<payload>"; the kind
// (one character) picks the handler, which learns which replica sent it.
// Components also PUBLISH framed messages from inside their Lua scripts
// (Frame()), so a change and its announcement are one atomic step in Redis.
// A receiver that must confirm it applied a message (an invalidation)
// answers on the sender's acknowledgement channel (Ack()).
//
// The bus also tracks the subscriber connection: while it is down no
// message arrives (waiters must not wait for one), and when it comes back
// messages may have been missed (state handlers hear both).
#ifndef TRACKTRY_SERVICE_FLEET_FLEET_BUS_H_
#define TRACKTRY_SERVICE_FLEET_FLEET_BUS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/fleet/redis_connection.h"

namespace tracktry::fleet {

// Handlers are registered before the subscriber starts (not thread-safe);
// Deliver and SetUp run on the loop thread; Publish, Ack, Frame and up()
// are thread-safe.
class FleetBus {
 public:
  struct Message {
    char kind = 0;
    // The sender's replica id and whether that is this replica.
    absl::string_view sender;
    bool own = false;
    absl::string_view payload;
  };
  using Handler = std::function<void(const Message& message)>;
  // A payload received on this replica's acknowledgement channel.
  using AckHandler = std::function<void(absl::string_view payload)>;
  // The subscriber connection came up (`up`) or went down.
  using StateHandler = std::function<void(bool up)>;

  // `commands` (not owned) publishes; channels are under `prefix`.
  FleetBus(RedisConnection* commands, const std::string& prefix,
           uint64_t replica_id);

  void Subscribe(char kind, Handler handler);
  void OnAck(AckHandler handler);
  void OnState(StateHandler handler);

  // A message received on `channel` (malformed ones are counted, not
  // delivered).
  void Deliver(const std::string& channel, const std::string& message);
  void SetUp(bool up);
  bool up() const { return up_.load(std::memory_order_acquire); }

  // PUBLISHes a bus message (fire and forget).
  void Publish(char kind, absl::string_view payload, absl::Time deadline);
  // PUBLISHes `payload` on `replica`'s acknowledgement channel.
  void Ack(absl::string_view replica, absl::string_view payload);
  // The framed message of `kind` and `payload` from this replica.
  std::string Frame(char kind, absl::string_view payload) const;
  const std::string& channel() const { return channel_; }
  // This replica's acknowledgement channel.
  const std::string& ack_channel() const { return ack_channel_; }
  // 16 lower-case hex digits.
  const std::string& replica() const { return replica_; }

  int64_t delivered() const { return delivered_.load(); }
  int64_t malformed() const { return malformed_.load(); }

 private:
  RedisConnection* const commands_;
  const std::string prefix_;
  const std::string replica_;
  const std::string channel_;
  const std::string ack_channel_;
  std::array<Handler, 128> handlers_;
  AckHandler ack_handler_;
  std::vector<StateHandler> state_handlers_;
  std::atomic<bool> up_{false};
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> malformed_{0};
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_FLEET_BUS_H_
