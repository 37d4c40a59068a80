// Copyright 2026 The tracktry-grpc Authors.
//
// The per-item edge of batch RPCs: an absl::Status becomes the
// tracktry.v1.ItemStatus of one item, as ToGrpcStatus turns it into the
// status of a whole RPC. Also the typed readers of what the upstream status
// table records about an upstream answer in ErrorInfo metadata.
#ifndef TRACKTRY_SERVICE_ERRORS_ITEM_STATUS_H_
#define TRACKTRY_SERVICE_ERRORS_ITEM_STATUS_H_

#include <optional>

#include "absl/status/status.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// The upstream's meta.code / HTTP status behind `status` (ErrorInfo
// metadata "metaCode" / "httpStatus", written by the upstream status
// table); nullopt when there is none.
std::optional<int> UpstreamMetaCodeOf(const absl::Status& status);
std::optional<int> UpstreamHttpStatusOf(const absl::Status& status);

// The ItemStatus of `status`: code, message (secrets redacted like
// ToGrpcStatus), ErrorInfo reason and the upstream meta.code if any.
v1::ItemStatus ToItemStatus(const absl::Status& status);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_ERRORS_ITEM_STATUS_H_
