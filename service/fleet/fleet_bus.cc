// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/fleet_bus.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tracktry::fleet {
namespace {

// "<kind><16 hex digits>:" before the payload.
constexpr size_t kHeader = 18;

}  // namespace

FleetBus::FleetBus(RedisConnection* commands, const std::string& prefix,
                   uint64_t replica_id)
    : commands_(commands),
      prefix_(prefix),
      replica_(absl::StrFormat("%016x", replica_id)),
      channel_(absl::StrCat(prefix, ":bus")),
      ack_channel_(absl::StrCat(prefix, ":ack:", replica_)) {}

void FleetBus::Subscribe(char kind, Handler handler) {
  handlers_[static_cast<unsigned char>(kind) & 127] = std::move(handler);
}

void FleetBus::OnAck(AckHandler handler) { ack_handler_ = std::move(handler); }

void FleetBus::OnState(StateHandler handler) {
  state_handlers_.push_back(std::move(handler));
}

std::string FleetBus::Frame(char kind, absl::string_view payload) const {
  std::string message;
  message.reserve(kHeader + payload.size());
  message.push_back(kind);
  absl::StrAppend(&message, replica_, ":", payload);
  return message;
}

void FleetBus::Publish(char kind, absl::string_view payload,
                       absl::Time deadline) {
  commands_->Command({"PUBLISH", channel_, Frame(kind, payload)}, deadline,
                     [](absl::StatusOr<RedisReply>) {});
}

void FleetBus::Ack(absl::string_view replica, absl::string_view payload) {
  commands_->Command({"PUBLISH", absl::StrCat(prefix_, ":ack:", replica),
                      std::string(payload)},
                     absl::InfiniteFuture(), [](absl::StatusOr<RedisReply>) {});
}

void FleetBus::Deliver(const std::string& channel, const std::string& message) {
  if (channel == ack_channel_) {
    if (ack_handler_) ack_handler_(message);
    return;
  }
  if (message.size() < kHeader || message[kHeader - 1] != ':') {
    malformed_.fetch_add(1);
    return;
  }
  const unsigned char kind = static_cast<unsigned char>(message[0]);
  const Handler& handler = handlers_[kind & 127];
  if (kind > 127 || !handler) {
    malformed_.fetch_add(1);
    return;
  }
  delivered_.fetch_add(1);
  Message delivered;
  delivered.kind = static_cast<char>(kind);
  delivered.sender = absl::string_view(message).substr(1, 16);
  delivered.own = delivered.sender == replica_;
  delivered.payload = absl::string_view(message).substr(kHeader);
  handler(delivered);
}

void FleetBus::SetUp(bool up) {
  up_.store(up, std::memory_order_release);
  for (const StateHandler& handler : state_handlers_) handler(up);
}

}  // namespace tracktry::fleet
