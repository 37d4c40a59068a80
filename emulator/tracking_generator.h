// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingGenerator: deterministic synthetic tracking data. Everything it
// returns is a pure function of (seed, carrier_code, tracking_number, and
// the inputs passed in), so the same seed always yields the same scenario,
// id, quirks and checkpoint schedule. Immutable, thread-safe.
#ifndef TRACKTRY_EMULATOR_TRACKING_GENERATOR_H_
#define TRACKTRY_EMULATOR_TRACKING_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "emulator/carrier_catalog.h"

namespace tracktry::emulator {

// The life story of a parcel.
enum class Scenario {
  // Picked up, moved, out for delivery, delivered.
  kDelivered,
  // International: departs origin airport, arrives abroad, clears customs
  // (the destination carrier's leg goes to destination_info), delivered.
  kDeliveredWithCustoms,
  // A failed delivery attempt (undelivered), then delivered the next day.
  kFailedAttemptThenDelivered,
  // Refused by the addressee, then returned to the sender (exception).
  kExceptionReturned,
  // A few transit events, then nothing: turns "expired" after 30 days
  // (express) or 60 days (postal) without news.
  kStuckThenExpired,
  // The carrier never has any event: "notfound" forever.
  kNeverFound,
};

// Stable lower_snake name, e.g. "delivered_with_customs".
const char* ScenarioName(Scenario scenario);

// One carrier event. `time_unix` is absolute (emulated) time.
struct Checkpoint {
  int64_t time_unix = 0;
  // checkpoint_status: transit, pickup, delivered, undelivered, exception.
  std::string status;
  std::string substatus;
  std::string description;
  std::string details;
  // Milestone fed by this event ("ItemReceived", "DepartfromAirport", ...)
  // or "".
  std::string item_node;
  // True if the event belongs to the destination carrier's leg.
  bool destination_leg = false;
};

// Shape quirks of one tracking; all false when quirks are disabled.
struct TrackingQuirks {
  // Single GET returns data as a one-element array.
  bool data_as_array = false;
  // customer_email rendered as an array of strings.
  bool email_as_array = false;
  // destination_info rendered as null (events merged into origin_info).
  bool destination_info_null = false;
  // Batch error entries for this number are JSON-encoded strings.
  bool stringified_batch_error = false;
};

struct GeneratedTracking {
  // 32 lower-case hex digits.
  std::string id;
  Scenario scenario = Scenario::kDelivered;
  std::string origin_iso2;
  std::string original_country;
  std::string destination_iso2;
  std::string destination_country;
  // Carrier of the destination leg ("" when the origin carrier delivers).
  std::string destination_carrier;
  // Oldest first. Times lie around created_at: some may precede it (the
  // parcel was shipped before it was registered), most follow it.
  std::vector<Checkpoint> checkpoints;
  // Days without news after which a parcel in transit becomes "expired".
  int expire_after_days = 30;
  TrackingQuirks quirks;
};

class TrackingGenerator {
 public:
  explicit TrackingGenerator(uint64_t seed);

  // Generates the tracking registered at `created_at_unix`.
  // `destination_code` (2-letter country, any case, may be empty) picks the
  // destination country when known.
  GeneratedTracking Generate(absl::string_view carrier_code,
                             absl::string_view tracking_number,
                             absl::string_view destination_code,
                             int64_t created_at_unix) const;

  Scenario ScenarioFor(absl::string_view carrier_code,
                       absl::string_view tracking_number) const;
  TrackingQuirks QuirksFor(absl::string_view carrier_code,
                           absl::string_view tracking_number) const;
  std::string IdFor(absl::string_view carrier_code,
                    absl::string_view tracking_number) const;

  // 64-bit hash of (seed, salt, carrier, number); the basis of every choice.
  uint64_t Hash(absl::string_view salt, absl::string_view carrier_code,
                absl::string_view tracking_number) const;

  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  const CarrierCatalog& catalog_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_TRACKING_GENERATOR_H_
