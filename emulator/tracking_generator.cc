// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/tracking_generator.h"

#include <cstdio>
#include <utility>

namespace tracktry::emulator {
namespace {

constexpr int64_t kHour = 3600;

struct Country {
  const char* iso2;
  const char* name;
  const char* cities[3];
};

// Small geography table used for checkpoint locations.
constexpr Country kCountries[] = {
    {"CN", "China", {"Shenzhen", "Guangzhou", "Shanghai"}},
    {"US", "United States", {"Los Angeles", "Chicago", "New York"}},
    {"DE", "Germany", {"Leipzig", "Frankfurt", "Berlin"}},
    {"GB", "United Kingdom", {"London", "Birmingham", "Manchester"}},
    {"FR", "France", {"Paris", "Lyon", "Marseille"}},
    {"NL", "Netherlands", {"Amsterdam", "Leiden", "Utrecht"}},
    {"AU", "Australia", {"Sydney", "Melbourne", "Brisbane"}},
    {"CA", "Canada", {"Toronto", "Vancouver", "Montreal"}},
    {"JP", "Japan", {"Tokyo", "Osaka", "Nagoya"}},
    {"IT", "Italy", {"Milan", "Rome", "Bologna"}},
    {"SG", "Singapore", {"Singapore", "Changi", "Jurong"}},
    {"HK", "Hong Kong", {"Hong Kong", "Kowloon", "Tsuen Wan"}},
};
constexpr size_t kCountryCount = sizeof(kCountries) / sizeof(kCountries[0]);

const Country* FindCountry(absl::string_view iso2) {
  for (const Country& country : kCountries) {
    if (iso2.size() == 2 && (country.iso2[0] == (iso2[0] & ~0x20)) &&
        (country.iso2[1] == (iso2[1] & ~0x20))) {
      return &country;
    }
  }
  return nullptr;
}

uint64_t Fnv1a(absl::string_view text, uint64_t hash) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// SplitMix64: a tiny generator whose output is identical on every platform
// (unlike std:: distributions).
class Rng {
 public:
  explicit Rng(uint64_t state) : state_(state) {}
  uint64_t Next() { return Mix(state_++); }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) {
    return lo +
           static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // Hours in [lo_h, hi_h] expressed in seconds, with minute/second jitter.
  int64_t Hours(int64_t lo_h, int64_t hi_h) {
    return Range(lo_h * kHour, hi_h * kHour);
  }

 private:
  uint64_t state_;
};

std::string Hex64(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx",
                static_cast<unsigned long long>(value));
  return buffer;
}

std::string Place(const Country& country, int city) {
  return std::string(country.cities[city]) + ", " + country.iso2;
}

}  // namespace

const char* ScenarioName(Scenario scenario) {
  switch (scenario) {
    case Scenario::kDelivered:
      return "delivered";
    case Scenario::kDeliveredWithCustoms:
      return "delivered_with_customs";
    case Scenario::kFailedAttemptThenDelivered:
      return "failed_attempt_then_delivered";
    case Scenario::kExceptionReturned:
      return "exception_returned";
    case Scenario::kStuckThenExpired:
      return "stuck_then_expired";
    case Scenario::kNeverFound:
      return "never_found";
  }
  return "unknown";
}

TrackingGenerator::TrackingGenerator(uint64_t seed)
    : seed_(seed), catalog_(CarrierCatalog::Default()) {}

uint64_t TrackingGenerator::Hash(absl::string_view salt,
                                 absl::string_view carrier_code,
                                 absl::string_view tracking_number) const {
  uint64_t hash = Fnv1a(salt, 1469598103934665603ULL ^ Mix(seed_));
  hash = Fnv1a("|", hash);
  hash = Fnv1a(carrier_code, hash);
  hash = Fnv1a("|", hash);
  hash = Fnv1a(tracking_number, hash);
  return Mix(hash);
}

Scenario TrackingGenerator::ScenarioFor(
    absl::string_view carrier_code, absl::string_view tracking_number) const {
  const uint64_t roll = Hash("scenario", carrier_code, tracking_number) % 100;
  if (roll < 35) return Scenario::kDelivered;
  if (roll < 60) return Scenario::kDeliveredWithCustoms;
  if (roll < 72) return Scenario::kFailedAttemptThenDelivered;
  if (roll < 82) return Scenario::kExceptionReturned;
  if (roll < 90) return Scenario::kStuckThenExpired;
  return Scenario::kNeverFound;
}

TrackingQuirks TrackingGenerator::QuirksFor(
    absl::string_view carrier_code, absl::string_view tracking_number) const {
  TrackingQuirks quirks;
  quirks.data_as_array =
      Hash("q-array", carrier_code, tracking_number) % 4 == 0;
  quirks.email_as_array =
      Hash("q-email", carrier_code, tracking_number) % 4 == 0;
  quirks.destination_info_null =
      Hash("q-dest", carrier_code, tracking_number) % 5 == 0;
  quirks.stringified_batch_error =
      Hash("q-batch", carrier_code, tracking_number) % 3 == 0;
  return quirks;
}

std::string TrackingGenerator::IdFor(absl::string_view carrier_code,
                                     absl::string_view tracking_number) const {
  return Hex64(Hash("id-1", carrier_code, tracking_number)) +
         Hex64(Hash("id-2", carrier_code, tracking_number));
}

GeneratedTracking TrackingGenerator::Generate(
    absl::string_view carrier_code, absl::string_view tracking_number,
    absl::string_view destination_code, int64_t created_at_unix) const {
  GeneratedTracking out;
  out.id = IdFor(carrier_code, tracking_number);
  out.scenario = ScenarioFor(carrier_code, tracking_number);
  out.quirks = QuirksFor(carrier_code, tracking_number);

  const Carrier* carrier = catalog_.Find(carrier_code);
  out.expire_after_days = (carrier != nullptr && carrier->postal()) ? 60 : 30;
  const Country* origin =
      carrier != nullptr ? FindCountry(carrier->country_iso2) : nullptr;
  if (origin == nullptr) origin = &kCountries[0];

  Rng rng(Hash("events", carrier_code, tracking_number));
  const bool international = out.scenario == Scenario::kDeliveredWithCustoms;
  const Country* destination = FindCountry(destination_code);
  if (destination == nullptr) {
    if (international) {
      destination = &kCountries[rng.Next() % kCountryCount];
      if (destination == origin) {
        destination =
            &kCountries[(destination - kCountries + 1) % kCountryCount];
      }
    } else {
      destination = origin;
    }
  }
  out.origin_iso2 = origin->iso2;
  out.original_country = origin->name;
  out.destination_iso2 = destination->iso2;
  out.destination_country = destination->name;
  if (international && destination != origin) {
    const Carrier* local = catalog_.PostalCarrierOf(destination->iso2);
    if (local != nullptr && local->code != carrier_code) {
      out.destination_carrier = local->code;
    }
  }
  if (out.scenario == Scenario::kNeverFound) return out;

  // A third of the parcels are registered before they ship; the others were
  // shipped up to two days before registration.
  const int64_t ship_time =
      rng.Next() % 3 == 0 ? created_at_unix + rng.Range(10 * 60, 6 * kHour)
                          : created_at_unix - rng.Range(2 * kHour, 48 * kHour);
  int64_t t = ship_time;
  bool dest_leg = false;
  const auto add = [&](const char* status, const char* substatus,
                       std::string description, std::string details,
                       const char* item_node) {
    Checkpoint checkpoint;
    checkpoint.time_unix = t;
    checkpoint.status = status;
    checkpoint.substatus = substatus;
    checkpoint.description = std::move(description);
    checkpoint.details = std::move(details);
    checkpoint.item_node = item_node;
    checkpoint.destination_leg = dest_leg && !out.destination_carrier.empty();
    out.checkpoints.push_back(std::move(checkpoint));
  };

  add("transit", "transit001", "Accepted by carrier", Place(*origin, 0),
      "ItemReceived");
  t += rng.Hours(3, 10);
  add("transit", "transit002", "Arrived at sorting center", Place(*origin, 1),
      "");
  t += rng.Hours(6, 20);
  add("transit", "transit006", "Item dispatched from sorting center",
      Place(*origin, 1), "ItemDispatched");
  if (out.scenario == Scenario::kStuckThenExpired) {
    t += rng.Hours(10, 40);
    add("transit", "transit001", "In transit to next facility",
        Place(*origin, 2), "");
    return out;
  }
  if (international) {
    t += rng.Hours(10, 30);
    add("transit", "transit007",
        std::string("Departed from airport of origin (From ") + origin->iso2 +
            " to " + destination->iso2 + ")",
        Place(*origin, 2), "DepartfromAirport");
    dest_leg = true;
    t += rng.Hours(24, 72);
    add("transit", "transit004", "Arrived at destination country",
        Place(*destination, 0), "ArrivalfromAbroad");
    t += rng.Hours(12, 48);
    add("transit", "transit005", "Customs clearance completed",
        Place(*destination, 0), "CustomsClearance");
  } else {
    t += rng.Hours(10, 30);
    add("transit", "transit001", "In transit to next facility",
        Place(*origin, 2), "");
  }
  dest_leg = true;
  t += rng.Hours(8, 24);
  add("transit", "transit003", "Arrived at delivery facility",
      Place(*destination, 1), "DestinationArrived");
  t += rng.Hours(6, 14);
  add("pickup", "pickup001", "Out for delivery", Place(*destination, 1), "");
  static const char* const kDelivered[] = {"delivered001", "delivered003",
                                           "delivered004"};
  const char* delivered_sub = kDelivered[rng.Next() % 3];
  switch (out.scenario) {
    case Scenario::kFailedAttemptThenDelivered:
      t += rng.Hours(1, 8);
      add("undelivered", "undelivered002",
          "Delivery attempted - recipient not at home", Place(*destination, 1),
          "");
      t += rng.Hours(16, 30);
      add("pickup", "pickup001", "Out for delivery", Place(*destination, 1),
          "");
      t += rng.Hours(1, 8);
      add("delivered", delivered_sub, "Delivered", Place(*destination, 1), "");
      break;
    case Scenario::kExceptionReturned:
      t += rng.Hours(1, 8);
      add("exception", "exception009", "Delivery refused by addressee",
          Place(*destination, 1), "");
      t += rng.Hours(24, 72);
      add("exception", "exception011", "Returning to sender",
          Place(*destination, 0), "");
      t += rng.Hours(72, 240);
      add("exception", "exception010", "Returned to sender", Place(*origin, 0),
          "");
      break;
    default:
      t += rng.Hours(1, 8);
      add("delivered", delivered_sub, "Delivered", Place(*destination, 1), "");
      break;
  }
  return out;
}

}  // namespace tracktry::emulator
