// Copyright 2026 The tracktry-grpc Authors.
//
// Query parameters of time windows (created_at_min/max and friends), shared
// by the list and status-count queries. Tracktry takes Unix seconds; a lower
// bound rounds up and an upper bound rounds down, so a window never widens.
#ifndef TRACKTRY_SERVICE_TRANSLATION_TIME_WINDOW_H_
#define TRACKTRY_SERVICE_TRANSLATION_TIME_WINDOW_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"

namespace tracktry {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Unix seconds of a lower bound (rounded up) / an upper bound (rounded
// down).
std::string LowerBoundSeconds(const google::protobuf::Timestamp& timestamp);
std::string UpperBoundSeconds(const google::protobuf::Timestamp& timestamp);

// Appends `min_name` / `max_name` for the set ends of a window.
void AddTimeWindow(QueryParams* query, absl::string_view min_name,
                   const google::protobuf::Timestamp* min,
                   absl::string_view max_name,
                   const google::protobuf::Timestamp* max);

// The created_at window of `request` (a message with create_time_min/max).
template <typename Request>
void AddCreatedAtWindow(const Request& request, QueryParams* query) {
  AddTimeWindow(
      query, "created_at_min",
      request.has_create_time_min() ? &request.create_time_min() : nullptr,
      "created_at_max",
      request.has_create_time_max() ? &request.create_time_max() : nullptr);
}

// The order_created_time window of `request` (order_create_time_min/max).
template <typename Request>
void AddOrderCreatedWindow(const Request& request, QueryParams* query) {
  AddTimeWindow(
      query, "order_created_time_min",
      request.has_order_create_time_min() ? &request.order_create_time_min()
                                          : nullptr,
      "order_created_time_max",
      request.has_order_create_time_max() ? &request.order_create_time_max()
                                          : nullptr);
}

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_TIME_WINDOW_H_
