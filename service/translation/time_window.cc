// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/time_window.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"

namespace tracktry {

std::string LowerBoundSeconds(const google::protobuf::Timestamp& timestamp) {
  int64_t seconds = timestamp.seconds();
  if (timestamp.nanos() > 0 && seconds < std::numeric_limits<int64_t>::max()) {
    ++seconds;
  }
  return absl::StrCat(seconds);
}

std::string UpperBoundSeconds(const google::protobuf::Timestamp& timestamp) {
  return absl::StrCat(timestamp.seconds());
}

void AddTimeWindow(QueryParams* query, absl::string_view min_name,
                   const google::protobuf::Timestamp* min,
                   absl::string_view max_name,
                   const google::protobuf::Timestamp* max) {
  if (min != nullptr) {
    query->emplace_back(std::string(min_name), LowerBoundSeconds(*min));
  }
  if (max != nullptr) {
    query->emplace_back(std::string(max_name), UpperBoundSeconds(*max));
  }
}

}  // namespace tracktry
