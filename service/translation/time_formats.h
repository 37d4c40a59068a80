// Copyright 2026 The tracktry-grpc Authors.
//
// Parsers for the date/time formats Tracktry uses (reference section 3.4).
// Pure, never throw, thread-safe.
#ifndef TRACKTRY_SERVICE_TRANSLATION_TIME_FORMATS_H_
#define TRACKTRY_SERVICE_TRANSLATION_TIME_FORMATS_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"

namespace tracktry {

// Parses an ISO-8601 / RFC 3339 date-time that carries a zone, as in
// `created_at`: "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z", "+HH:MM",
// "+HHMM" or "+HH" (or '-'). A space is accepted instead of 'T'. Returns
// nullopt when there is no zone, a field is out of range, or the instant lies
// outside the Timestamp range (years 1-9999). A leap second (:60) is clamped
// to :59. Fractions beyond nanoseconds are truncated.
std::optional<google::protobuf::Timestamp> ParseZonedTimestamp(
    absl::string_view text);

// Parses a zone-less carrier-local date-time as in checkpoint `Date`:
// "YYYY-MM-DD[ HH:MM[:SS[.fraction]]]" with '-' or '/' between date parts,
// 1- or 2-digit month/day/hour and ' ' or 'T' before the time. When the text
// instead carries a zone (see ParseZonedTimestamp) the instant is returned as
// UTC civil time. nullopt when unparseable.
std::optional<absl::CivilSecond> ParseLocalDateTime(absl::string_view text);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_TIME_FORMATS_H_
