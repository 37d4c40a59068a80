// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/extended_translation.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/error_details.h"
#include "service/translation/json_struct.h"
#include "service/translation/json_values.h"
#include "service/translation/status_strings.h"
#include "service/translation/time_window.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

// OK when `data` is an object or null.
absl::Status RequireObject(const json& data, absl::string_view what) {
  if (data.is_null() || data.is_object()) return absl::OkStatus();
  return MalformedResponseError(absl::StrCat(what, " data is not an object"));
}

std::optional<int64_t> MemberInt(const json& object, absl::string_view key) {
  const json* member = JsonMember(object, key);
  if (member == nullptr) return std::nullopt;
  return JsonToInt64(*member);
}

int32_t ClampToInt32(int64_t value) {
  return static_cast<int32_t>(
      std::clamp<int64_t>(value, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()));
}

void AppendRemoteEntries(const json* entries, bool remote,
                         v1::CheckRemoteAreasResponse* response) {
  if (entries == nullptr || !entries->is_array()) return;
  for (const json& entry : entries->get_ref<const json::array_t&>()) {
    if (!entry.is_object()) continue;
    v1::RemoteAreaResult* result = response->add_results();
    result->set_carrier_code(JsonMemberString(entry, "far_express_company"));
    result->set_country_code(JsonMemberString(entry, "two_code"));
    result->set_country(JsonMemberString(entry, "far_country"));
    result->set_postcode(JsonMemberString(entry, "far_city_postcode"));
    result->set_remote(remote);
  }
}

// The N of a "rangeN" key, or nullopt.
std::optional<int> RangeIndex(const std::string& key) {
  absl::string_view rest = key;
  if (!absl::ConsumePrefix(&rest, "range")) return std::nullopt;
  int index = 0;
  if (rest.empty() || !absl::SimpleAtoi(rest, &index) || index < 0) {
    return std::nullopt;
  }
  return index;
}

void FillTransitStats(const json& entry, v1::TransitTimeStats* stats) {
  stats->set_carrier_code(JsonMemberString(entry, "carrier_code"));
  stats->set_origin(JsonMemberString(entry, "original"));
  stats->set_destination(JsonMemberString(entry, "destination"));
  stats->set_total_count(MemberInt(entry, "total").value_or(0));
  stats->set_delivered_count(MemberInt(entry, "delivered").value_or(0));
  std::vector<std::pair<int, std::string>> ranges;
  for (const auto& [key, value] : entry.items()) {
    if (std::optional<int> index = RangeIndex(key)) {
      ranges.emplace_back(*index, JsonToString(value));
    }
  }
  std::sort(ranges.begin(), ranges.end());
  for (auto& [index, value] : ranges) stats->add_ranges(std::move(value));
  *stats->mutable_raw() = JsonToProtoStruct(entry);
}

}  // namespace

json ChangeCarrierBody(const v1::ChangeTrackingCarrierRequest& request) {
  json body = json::object();
  body["tracking_number"] = request.tracking_number();
  body["carrier_code"] = request.carrier_code();
  body["update_carrier_code"] = request.new_carrier_code();
  return body;
}

std::vector<std::pair<std::string, std::string>> StatusNumberQuery(
    const v1::CountTrackingsByStatusRequest& request) {
  QueryParams query;
  AddCreatedAtWindow(request, &query);
  AddOrderCreatedWindow(request, &query);
  return query;
}

json TrackingRefsBody(const std::vector<const v1::TrackingRef*>& refs) {
  json body = json::array();
  for (const v1::TrackingRef* ref : refs) {
    json item = json::object();
    item["tracking_number"] = ref->tracking_number();
    item["carrier_code"] = ref->carrier_code();
    body.push_back(std::move(item));
  }
  return body;
}

json RemoteAreasBody(const v1::CheckRemoteAreasRequest& request) {
  json body = json::array();
  for (const v1::RemoteAreaQuery& query : request.queries()) {
    json item = json::object();
    item["country"] = query.country();
    item["postcode"] = query.postcode();
    if (!query.carrier_code().empty()) item["company"] = query.carrier_code();
    body.push_back(std::move(item));
  }
  return body;
}

json TransitTimesBody(const v1::GetTransitTimesRequest& request) {
  json body = json::array();
  for (const v1::TransitTimeQuery& query : request.queries()) {
    json item = json::object();
    item["carrier_code"] = query.carrier_code();
    item["original"] = query.origin();
    item["destination"] = query.destination();
    body.push_back(std::move(item));
  }
  return body;
}

json UpdateMoreBody(const std::vector<const v1::TrackingUpdate*>& updates) {
  json body = json::array();
  for (const v1::TrackingUpdate* update : updates) {
    json item = json::object();
    item["tracking_number"] = update->tracking_number();
    item["carrier_code"] = update->carrier_code();
    const std::pair<const char*, const std::string*> fields[] = {
        {"title", &update->title()},
        {"logistics_channel", &update->logistics_channel()},
        {"customer_name", &update->customer_name()},
        {"customer_email", &update->customer_email()},
        {"order_id", &update->order_id()},
        {"destination_code", &update->destination_code()},
    };
    for (const auto& [key, value] : fields) {
      if (!value->empty()) item[key] = *value;
    }
    switch (update->status_change()) {
      case v1::STATUS_CHANGE_DELIVERED:
        item["status"] = 4;
        break;
      case v1::STATUS_CHANGE_EXCEPTION:
        item["status"] = 7;
        break;
      case v1::STATUS_CHANGE_REVERT:
        item["status"] = 8;
        break;
      default:
        break;
    }
    body.push_back(std::move(item));
  }
  return body;
}

absl::Status ChangeCarrierFromData(
    const json& data, const v1::ChangeTrackingCarrierRequest& request,
    v1::ChangeTrackingCarrierResponse* response) {
  // Some variants answer with a one-element array.
  static const json kNull;
  const json* object = &data;
  if (data.is_array()) object = data.empty() ? &kNull : &data.front();
  if (absl::Status status = RequireObject(*object, "update carrier");
      !status.ok()) {
    return status;
  }
  std::string number = JsonMemberString(*object, "tracking_number");
  std::string carrier = JsonMemberString(*object, "update_carrier_code");
  if (carrier.empty()) carrier = JsonMemberString(*object, "carrier_code");
  response->set_tracking_number(number.empty() ? request.tracking_number()
                                               : std::move(number));
  response->set_carrier_code(carrier.empty() ? request.new_carrier_code()
                                             : std::move(carrier));
  *response->mutable_raw() = JsonToProtoStruct(*object);
  return absl::OkStatus();
}

absl::Status AccountInfoFromData(const json& data,
                                 v1::GetAccountInfoResponse* response) {
  if (absl::Status status = RequireObject(data, "account info"); !status.ok()) {
    return status;
  }
  response->set_email(JsonMemberString(data, "email"));
  if (std::optional<int64_t> total = MemberInt(data, "quota_total")) {
    response->set_quota_total(*total);
  }
  if (std::optional<int64_t> left = MemberInt(data, "quota_remaining")) {
    response->set_quota_remaining(*left);
  }
  *response->mutable_raw() = JsonToProtoStruct(data);
  return absl::OkStatus();
}

absl::Status StatusCountsFromData(
    const json& data, v1::CountTrackingsByStatusResponse* response) {
  if (absl::Status status = RequireObject(data, "status number");
      !status.ok()) {
    return status;
  }
  if (data.is_null()) return absl::OkStatus();
  int64_t total = 0;
  for (const auto& [key, value] : data.items()) {
    if (!value.is_number() && !value.is_string()) continue;
    std::optional<int64_t> count = JsonToInt64(value);
    if (!count.has_value()) continue;
    v1::StatusCount* entry = response->add_counts();
    entry->set_raw_status(SanitizeUtf8(key));
    entry->set_status(StatusFromString(key));
    entry->set_count(*count);
    total += *count;
  }
  response->set_total_count(total);
  *response->mutable_raw() = JsonToProtoStruct(data);
  return absl::OkStatus();
}

absl::Status StopUpdatesFromData(const json& data,
                                 v1::StopTrackingUpdatesResponse* response) {
  if (absl::Status status = RequireObject(data, "not update"); !status.ok()) {
    return status;
  }
  response->set_submitted_count(
      ClampToInt32(MemberInt(data, "submitted").value_or(0)));
  response->set_changed_count(
      ClampToInt32(MemberInt(data, "change").value_or(0)));
  *response->mutable_raw() = JsonToProtoStruct(data);
  return absl::OkStatus();
}

absl::Status RemoteAreasFromData(const json& data,
                                 v1::CheckRemoteAreasResponse* response) {
  if (absl::Status status = RequireObject(data, "remote"); !status.ok()) {
    return status;
  }
  AppendRemoteEntries(JsonMember(data, "remote"), true, response);
  AppendRemoteEntries(JsonMember(data, "other"), false, response);
  response->set_submitted_count(
      ClampToInt32(MemberInt(data, "submitted").value_or(0)));
  *response->mutable_raw() = JsonToProtoStruct(data);
  return absl::OkStatus();
}

absl::Status TransitTimesFromData(const json& data,
                                  v1::GetTransitTimesResponse* response) {
  if (data.is_null()) return absl::OkStatus();
  if (data.is_object()) {
    FillTransitStats(data, response->add_stats());
    return absl::OkStatus();
  }
  if (!data.is_array()) {
    return MalformedResponseError("cost time data is not an array");
  }
  for (const json& entry : data.get_ref<const json::array_t&>()) {
    if (entry.is_object()) FillTransitStats(entry, response->add_stats());
  }
  return absl::OkStatus();
}

std::string EncodeExportCursor(const ExportCursor& cursor) {
  return absl::StrCat(EncodePageToken(cursor.page), ".", cursor.skip);
}

absl::StatusOr<ExportCursor> DecodeExportCursor(absl::string_view cursor,
                                                uint64_t expected_fingerprint) {
  const size_t dot = cursor.rfind('.');
  if (dot == absl::string_view::npos) {
    return InvalidFieldError("cursor", "not a cursor issued by this server");
  }
  ExportCursor result;
  if (!absl::SimpleAtoi(cursor.substr(dot + 1), &result.skip) ||
      result.skip < 0) {
    return InvalidFieldError("cursor", "not a cursor issued by this server");
  }
  absl::StatusOr<PageTokenState> page =
      DecodePageToken(cursor.substr(0, dot), expected_fingerprint);
  if (!page.ok()) {
    return InvalidFieldError(
        "cursor", "not a cursor issued by this server for these filters");
  }
  result.page = *page;
  if (result.page.page_size <= 0) {
    return InvalidFieldError("cursor", "not a cursor issued by this server");
  }
  return result;
}

}  // namespace tracktry
