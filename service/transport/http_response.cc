// Copyright 2026 The tracktry-grpc Authors.
#include "service/transport/http_transport.h"

#include "absl/strings/match.h"

namespace tracktry {

absl::string_view HttpResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

}  // namespace tracktry
