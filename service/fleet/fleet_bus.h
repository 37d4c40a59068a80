// Copyright 2026 The tracktry-grpc Authors.
//
// FleetBus: the one pub/sub channel every replica listens to
// ("<prefix>:bus"). A message is "<kind><replica id, 16 hex digits>:<payload>";
// the kind (one character) picks the handler, and the handler learns
// whether the message came from this replica. Components also PUBLISH
// framed messages from inside their Lua scripts (Frame()), so a change and
// its announcement are one atomic step in Redis.
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

// Handlers and state handlers are registered before the subscriber starts
// (not thread-safe); Deliver and SetUp run on the loop thread; Publish,
// Frame and up() are thread-safe.
class FleetBus {
 public:
  // `payload` of a message of the handler's kind; `own` when this replica
  // sent it.
  using Handler = std::function<void(absl::string_view payload, bool own)>;
  // The subscriber connection came up (`up`) or went down.
  using StateHandler = std::function<void(bool up)>;

  // `commands` (not owned) publishes.
  FleetBus(RedisConnection* commands, std::string channel, uint64_t replica_id);

  void Subscribe(char kind, Handler handler);
  void OnState(StateHandler handler);

  // A message received on the channel (malformed ones are counted, not
  // delivered).
  void Deliver(const std::string& message);
  void SetUp(bool up);
  bool up() const { return up_.load(std::memory_order_acquire); }

  // PUBLISHes a message (fire and forget).
  void Publish(char kind, absl::string_view payload, absl::Time deadline);
  // The framed message of `kind` and `payload` from this replica.
  std::string Frame(char kind, absl::string_view payload) const;
  const std::string& channel() const { return channel_; }
  // 16 lower-case hex digits.
  const std::string& replica() const { return replica_; }

  int64_t delivered() const { return delivered_.load(); }
  int64_t malformed() const { return malformed_.load(); }

 private:
  RedisConnection* const commands_;
  const std::string channel_;
  const std::string replica_;
  std::array<Handler, 128> handlers_;
  std::vector<StateHandler> state_handlers_;
  std::atomic<bool> up_{false};
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> malformed_{0};
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_FLEET_BUS_H_
