// Copyright 2026 The tracktry-grpc Authors.
//
// Date formats used by Tracktry (all rendered in UTC):
//   created_at/updated_at  "2021-01-12T19:24:16+00:00"
//   checkpoint Date, lastUpdateTime, milestones  "2021-01-19 10:33:05"
// and parsing of the input order_create_time ("2017/8/27 16:51").
#ifndef TRACKTRY_EMULATOR_TIME_FORMAT_H_
#define TRACKTRY_EMULATOR_TIME_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tracktry::emulator {

// ISO-8601 with offset, e.g. "2021-01-12T19:24:16+00:00".
std::string FormatIsoTime(int64_t unix_seconds);

// "YYYY-MM-DD HH:MM:SS" without a zone.
std::string FormatCheckpointTime(int64_t unix_seconds);

// Parses "YYYY/M/D HH:MM[:SS]", "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DD"
// (UTC). Returns nullopt if `text` has none of these forms.
std::optional<int64_t> ParseLooseTime(absl::string_view text);

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_TIME_FORMAT_H_
