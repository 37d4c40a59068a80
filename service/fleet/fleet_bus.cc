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

FleetBus::FleetBus(RedisConnection* commands, std::string channel,
                   uint64_t replica_id)
    : commands_(commands),
      channel_(std::move(channel)),
      replica_(absl::StrFormat("%016x", replica_id)) {}

void FleetBus::Subscribe(char kind, Handler handler) {
  handlers_[static_cast<unsigned char>(kind) & 127] = std::move(handler);
}

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

void FleetBus::Deliver(const std::string& message) {
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
  const bool own = absl::string_view(message).substr(1, 16) == replica_;
  handler(absl::string_view(message).substr(kHeader), own);
}

void FleetBus::SetUp(bool up) {
  up_.store(up, std::memory_order_release);
  for (const StateHandler& handler : state_handlers_) handler(up);
}

}  // namespace tracktry::fleet
