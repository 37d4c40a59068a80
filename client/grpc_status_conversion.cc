// Copyright 2026 The tracktry-grpc Authors.
#include "client/grpc_status_conversion.h"

#include <string>

#include "absl/strings/cord.h"
#include "google/rpc/status.pb.h"

namespace tracktry {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const int raw_code = static_cast<int>(status.error_code());
  // 0 (OK) with a non-OK grpc::Status cannot happen; anything outside the
  // known range is mapped to UNKNOWN as code.proto recommends.
  const absl::StatusCode code =
      raw_code > 0 &&
              raw_code <= static_cast<int>(absl::StatusCode::kUnauthenticated)
          ? static_cast<absl::StatusCode>(raw_code)
          : absl::StatusCode::kUnknown;
  absl::Status result(code, status.error_message());
  if (status.error_details().empty()) return result;
  google::rpc::Status rpc_status;
  if (!rpc_status.ParseFromString(status.error_details())) return result;
  for (const auto& detail : rpc_status.details()) {
    if (detail.type_url().empty()) continue;
    result.SetPayload(detail.type_url(), absl::Cord(detail.value()));
  }
  return result;
}

}  // namespace tracktry
