// Copyright 2026 The tracktry-grpc Authors.
//
// Translation of the `data` of GET /trackings/get.
#ifndef TRACKTRY_SERVICE_TRANSLATION_LIST_TRANSLATION_H_
#define TRACKTRY_SERVICE_TRANSLATION_LIST_TRANSLATION_H_

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "service/translation/list_page.h"

namespace tracktry {

// Translates {"page","limit","total","count","items":[...]}. The counters may
// be integers or numeric strings; items may be null. `data` null or [] (the
// empty-list answer, often with meta.code 4031) gives an empty page. A
// non-empty array is taken as the items themselves (total and count = its
// size).
// Errors: INTERNAL / UPSTREAM_MALFORMED_RESPONSE for any other shape or a
// malformed item. The trackings are in `view` (`raw` only for FULL). Pure,
// never throws, thread-safe.
absl::StatusOr<ListPage> ListPageFromData(
    const nlohmann::json& data,
    tracktry::v1::TrackingView view = tracktry::v1::TRACKING_VIEW_FULL);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_LIST_TRANSLATION_H_
