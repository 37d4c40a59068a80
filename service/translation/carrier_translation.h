// Copyright 2026 The tracktry-grpc Authors.
//
// Translation of the `data` of GET /carriers and POST /carriers/detect.
#ifndef TRACKTRY_SERVICE_TRANSLATION_CARRIER_TRANSLATION_H_
#define TRACKTRY_SERVICE_TRANSLATION_CARRIER_TRANSLATION_H_

#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// Translates an array of carrier objects {name, code, phone, homepage, type,
// picture, name_cn} in upstream order. A protocol-relative picture
// ("//cdn...") gets an "https:" scheme. Elements that are not objects or have
// no code are skipped. null and {"items": null} give an empty vector;
// {"items": [...]} is accepted like the bare array.
// Errors: INTERNAL / UPSTREAM_MALFORMED_RESPONSE for any other shape.
// Pure, never throws, thread-safe.
absl::StatusOr<std::vector<tracktry::v1::Carrier>> CarriersFromData(
    const nlohmann::json& data);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_CARRIER_TRANSLATION_H_
