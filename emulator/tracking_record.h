// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingRecord: one stored tracking (what the user registered plus the
// generated carrier data). Plain data; guarded by its owner.
#ifndef TRACKTRY_EMULATOR_TRACKING_RECORD_H_
#define TRACKTRY_EMULATOR_TRACKING_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "emulator/tracking_generator.h"

namespace tracktry::emulator {

struct TrackingRecord {
  std::string carrier_code;
  std::string tracking_number;
  // Emulated unix seconds.
  int64_t created_at = 0;
  // Time of the last PUT/update (emulated); 0 = never modified.
  int64_t modified_at = 0;

  // User-supplied fields; nullopt when never given.
  std::optional<std::string> title;
  std::optional<std::string> logistics_channel;
  std::optional<std::string> customer_name;
  std::optional<std::string> customer_email;
  std::optional<std::string> customer_phone;
  std::optional<std::string> order_id;
  std::optional<std::string> comment;
  std::optional<std::string> order_create_time;
  std::optional<std::string> destination_code;
  std::optional<std::string> lang;
  bool archived = false;

  // Manual status from PUT: 0 = computed, 4 = delivered, 7 = exception.
  int manual_status = 0;
  // True once a realtime query forced the first carrier poll (no "pending").
  bool polled = false;
  // POST /trackings/notupdate: events after this time never appear; 0 = live.
  int64_t frozen_at = 0;

  GeneratedTracking generated;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_TRACKING_RECORD_H_
