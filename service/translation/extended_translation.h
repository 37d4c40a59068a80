// Copyright 2026 The tracktry-grpc Authors.
//
// JSON <-> proto translation for the extended Tracktry routes (TrackingMore
// v2 extras, reference section 2.9): /trackings/update, getuserinfo,
// getstatusnumber, notupdate, remote, costtime, delete, updatemore, plus the
// ExportTrackings cursor.
//
// The response shapes of these routes are only partly known. Every *FromData
// function types what is known, keeps the upstream `data` in a `raw` Struct
// and ignores unknown keys; it fails (INTERNAL UPSTREAM_MALFORMED_RESPONSE)
// only when the top-level type of `data` is not the documented one (JSON
// null is accepted as "nothing").
//
// Pure, never throw, thread-safe.
#ifndef TRACKTRY_SERVICE_TRANSLATION_EXTENDED_TRANSLATION_H_
#define TRACKTRY_SERVICE_TRANSLATION_EXTENDED_TRANSLATION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "service/translation/page_token.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// --- Request bodies / queries. ---

// Body of POST /trackings/update:
// {"tracking_number", "carrier_code", "update_carrier_code"}.
nlohmann::json ChangeCarrierBody(
    const v1::ChangeTrackingCarrierRequest& request);

// Query of GET /trackings/getstatusnumber: created_at_min, created_at_max,
// order_created_time_min, order_created_time_max in unix seconds (minimums
// round up, maximums round down); unset bounds are omitted.
std::vector<std::pair<std::string, std::string>> StatusNumberQuery(
    const v1::CountTrackingsByStatusRequest& request);

// [{"tracking_number", "carrier_code"}, ...] for the given pointers, in
// order (POST /trackings/notupdate and /trackings/delete).
nlohmann::json TrackingRefsBody(const std::vector<const v1::TrackingRef*>& refs);

// Body of POST /trackings/remote: [{"country", "postcode", "company"?}].
nlohmann::json RemoteAreasBody(const v1::CheckRemoteAreasRequest& request);

// Body of POST /trackings/costtime:
// [{"carrier_code", "original", "destination"}].
nlohmann::json TransitTimesBody(const v1::GetTransitTimesRequest& request);

// Body of POST /trackings/updatemore: one object per update with
// tracking_number, carrier_code and every non-empty field; status_change
// DELIVERED/EXCEPTION/REVERT adds "status": 4/7/8.
nlohmann::json UpdateMoreBody(
    const std::vector<const v1::TrackingUpdate*>& updates);

// --- Responses. ---

// /trackings/update: tracking_number and carrier_code from `data` (falling
// back to the request's number and new carrier code), raw = data.
absl::Status ChangeCarrierFromData(
    const nlohmann::json& data, const v1::ChangeTrackingCarrierRequest& request,
    v1::ChangeTrackingCarrierResponse* response);

// /trackings/getuserinfo: email, quota_total, quota_remaining when present;
// raw = data (data must be an object or null).
absl::Status AccountInfoFromData(const nlohmann::json& data,
                                 v1::GetAccountInfoResponse* response);

// /trackings/getstatusnumber: one StatusCount per key with an integer value
// (numbers or numeric strings), sorted by key; other keys stay only in raw.
absl::Status StatusCountsFromData(const nlohmann::json& data,
                                  v1::CountTrackingsByStatusResponse* response);

// /trackings/notupdate: `submitted`, `change`; raw = data.
absl::Status StopUpdatesFromData(const nlohmann::json& data,
                                 v1::StopTrackingUpdatesResponse* response);

// /trackings/remote: the `remote` entries (remote = true), then the `other`
// entries (remote = false); `submitted`; raw = data.
absl::Status RemoteAreasFromData(const nlohmann::json& data,
                                 v1::CheckRemoteAreasResponse* response);

// /trackings/costtime: data is an array of entries (an object is taken as
// one entry). `ranges` holds range1, range2, ... in numeric order.
absl::Status TransitTimesFromData(const nlohmann::json& data,
                                  v1::GetTransitTimesResponse* response);

// --- ExportTrackings cursor. ---

// Where an export resumes: the upstream page (with the page size and filter
// fingerprint of a page token) and how many items of it were already sent.
struct ExportCursor {
  PageTokenState page;
  int64_t skip = 0;
};

// "<page token>.<skip>" (URL-safe characters only).
std::string EncodeExportCursor(const ExportCursor& cursor);

// Decodes a cursor made by EncodeExportCursor.
// Errors: INVALID_ARGUMENT via InvalidFieldError("cursor", ...) when it is
// malformed or was issued for other filters (fingerprint mismatch).
absl::StatusOr<ExportCursor> DecodeExportCursor(absl::string_view cursor,
                                                uint64_t expected_fingerprint);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_EXTENDED_TRANSLATION_H_
