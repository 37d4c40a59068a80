// Copyright 2026 The tracktry-grpc Authors.
#include "service/transport/request_sent.h"

#include <utility>

#include "absl/strings/cord.h"

namespace tracktry {

absl::Status WithRequestSent(absl::Status status) {
  if (!status.ok()) status.SetPayload(kRequestSentPayloadUrl, absl::Cord());
  return status;
}

bool RequestMaybeSent(const absl::Status& status) {
  return !status.ok() && status.GetPayload(kRequestSentPayloadUrl).has_value();
}

}  // namespace tracktry
