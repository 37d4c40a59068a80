// Copyright 2026 The tracktry-grpc Authors.
//
// CarrierCatalog: the carriers the emulator knows (GET /carriers) and the
// number-pattern detection behind POST /carriers/detect and create without a
// carrier_code. Immutable after construction, so thread-safe.
#ifndef TRACKTRY_EMULATOR_CARRIER_CATALOG_H_
#define TRACKTRY_EMULATOR_CARRIER_CATALOG_H_

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "emulator/envelope.h"

namespace tracktry::emulator {

struct Carrier {
  std::string name;
  std::string code;
  std::string phone;
  std::string homepage;
  // "express" or "globalpost".
  std::string type;
  // ISO 3166-1 alpha-2 code of the carrier's home country.
  std::string country_iso2;

  // True for postal operators (expire after 60 days instead of 30).
  bool postal() const { return type == "globalpost"; }
};

class CarrierCatalog {
 public:
  CarrierCatalog();

  CarrierCatalog(const CarrierCatalog&) = delete;
  CarrierCatalog& operator=(const CarrierCatalog&) = delete;

  // Process-wide shared instance.
  static const CarrierCatalog& Default();

  // The carrier with `code` (exact, lower-case), or nullptr.
  const Carrier* Find(absl::string_view code) const;

  // The postal carrier of a country (ISO alpha-2, upper-case), or nullptr.
  const Carrier* PostalCarrierOf(absl::string_view iso2) const;

  const std::vector<Carrier>& carriers() const { return carriers_; }

  // Candidate carriers for `tracking_number`, best first; empty if none
  // matches. Matching is case-insensitive.
  std::vector<const Carrier*> Detect(absl::string_view tracking_number) const;

  // data of GET /carriers: [{name, code, phone, homepage, type, picture}].
  OrderedJson ToJson() const;

 private:
  struct Rule {
    std::regex pattern;
    std::vector<std::string> codes;
  };

  std::vector<Carrier> carriers_;
  std::vector<Rule> rules_;
  std::regex s10_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_CARRIER_CATALOG_H_
