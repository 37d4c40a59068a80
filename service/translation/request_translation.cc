// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/request_translation.h"

#include <limits>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/error_details.h"
#include "service/translation/json_values.h"
#include "service/translation/status_strings.h"
#include "service/translation/time_window.h"

namespace tracktry {
namespace {

using json = nlohmann::json;
using tracktry::v1::Tracking;

// Longest mask path quoted back in an error message.
constexpr size_t kMaxQuotedPathBytes = 100;

// Sets body[key] = value when value is non-empty. Strings are sanitised so
// that json::dump() cannot throw on them.
void PutIfSet(json& body, const char* key, const std::string& value) {
  if (!value.empty()) body[key] = SanitizeUtf8(value);
}

// An updatable string field of Tracking and its upstream name.
struct StringField {
  const char* path;
  const char* upstream;
  const std::string& (Tracking::*getter)() const;
};

const StringField kStringFields[] = {
    {"title", "title", &Tracking::title},
    {"logistics_channel", "logistics_channel", &Tracking::logistics_channel},
    {"customer_name", "customer_name", &Tracking::customer_name},
    {"customer_phone", "customer_phone", &Tracking::customer_phone},
    {"order_id", "order_id", &Tracking::order_id},
    {"destination_code", "destination_code", &Tracking::destination_code},
};

absl::Status PutEmails(const Tracking& tracking, json& body) {
  if (tracking.customer_emails_size() > 1) {
    return InvalidFieldError("tracking.customer_emails",
                             "at most one e-mail address can be set");
  }
  body["customer_email"] = tracking.customer_emails_size() == 0
                               ? std::string()
                               : SanitizeUtf8(tracking.customer_emails(0));
  return absl::OkStatus();
}

// Adds the field named by mask path `path` to `body`.
absl::Status PutMaskedField(absl::string_view path, const Tracking& tracking,
                            json& body) {
  absl::ConsumePrefix(&path, "tracking.");
  for (const StringField& field : kStringFields) {
    if (path == field.path) {
      body[field.upstream] = SanitizeUtf8((tracking.*field.getter)());
      return absl::OkStatus();
    }
  }
  if (path == "customer_emails") return PutEmails(tracking, body);
  if (path == "archived") {
    body["archived"] = tracking.archived() ? "true" : "false";
    return absl::OkStatus();
  }
  const absl::string_view quoted = path.substr(0, kMaxQuotedPathBytes);
  return InvalidFieldError(
      "update_mask",
      absl::StrCat("unknown or read-only field: ", SanitizeUtf8(quoted)));
}

// Adds every updatable field of `tracking` with a non-default value.
absl::Status PutSetFields(const Tracking& tracking, json& body) {
  for (const StringField& field : kStringFields) {
    PutIfSet(body, field.upstream, (tracking.*field.getter)());
  }
  if (tracking.customer_emails_size() > 0) {
    if (absl::Status status = PutEmails(tracking, body); !status.ok()) {
      return status;
    }
  }
  if (tracking.archived()) body["archived"] = "true";
  return absl::OkStatus();
}

}  // namespace

json CreateTrackingBody(const tracktry::v1::NewTracking& tracking) {
  json body = json::object();
  PutIfSet(body, "tracking_number", tracking.tracking_number());
  PutIfSet(body, "carrier_code", tracking.carrier_code());
  PutIfSet(body, "destination_code", tracking.destination_code());
  PutIfSet(body, "title", tracking.title());
  PutIfSet(body, "logistics_channel", tracking.logistics_channel());
  PutIfSet(body, "customer_name", tracking.customer_name());
  PutIfSet(body, "customer_email", tracking.customer_email());
  PutIfSet(body, "customer_phone", tracking.customer_phone());
  PutIfSet(body, "order_id", tracking.order_id());
  PutIfSet(body, "order_create_time", tracking.order_create_time());
  PutIfSet(body, "tracking_ship_date", tracking.tracking_ship_date());
  PutIfSet(body, "tracking_postal_code", tracking.tracking_postal_code());
  PutIfSet(body, "tracking_account_number", tracking.tracking_account_number());
  PutIfSet(body, "tracking_destination_country",
           tracking.tracking_destination_country());
  PutIfSet(body, "lang", tracking.lang());
  if (tracking.auto_correct()) body["auto_correct"] = 1;
  PutIfSet(body, "comment", tracking.comment());
  return body;
}

json BatchCreateBody(
    const std::vector<const tracktry::v1::NewTracking*>& items) {
  json body = json::array();
  for (const tracktry::v1::NewTracking* item : items) {
    if (item == nullptr) continue;
    json element = CreateTrackingBody(*item);
    PutIfSet(element, "specialNumberDestination",
             item->tracking_destination_country());
    body.push_back(std::move(element));
  }
  return body;
}

absl::StatusOr<json> UpdateTrackingBody(
    const tracktry::v1::UpdateTrackingRequest& request) {
  json body = json::object();
  const Tracking& tracking = request.tracking();
  if (request.update_mask().paths_size() == 0) {
    if (absl::Status status = PutSetFields(tracking, body); !status.ok()) {
      return status;
    }
  } else {
    for (const std::string& path : request.update_mask().paths()) {
      if (absl::Status status = PutMaskedField(path, tracking, body);
          !status.ok()) {
        return status;
      }
    }
  }
  switch (request.status_change()) {
    case tracktry::v1::STATUS_CHANGE_UNSPECIFIED:
      break;
    case tracktry::v1::STATUS_CHANGE_DELIVERED:
      body["status"] = 4;
      break;
    case tracktry::v1::STATUS_CHANGE_EXCEPTION:
      body["status"] = 7;
      break;
    case tracktry::v1::STATUS_CHANGE_REVERT:
      body["status"] = 8;
      break;
    default:
      return InvalidFieldError("status_change", "unknown status change");
  }
  if (body.empty()) {
    return InvalidFieldError(
        "update_mask",
        "nothing to update: set an updatable field or status_change");
  }
  return body;
}

std::vector<std::pair<std::string, std::string>> ListTrackingsQuery(
    const tracktry::v1::ListTrackingsRequest& request, int64_t page,
    int64_t limit) {
  std::vector<std::pair<std::string, std::string>> query;
  if (page > 0) query.emplace_back("page", absl::StrCat(page));
  if (limit > 0) query.emplace_back("limit", absl::StrCat(limit));
  const absl::string_view status = StatusToString(request.status());
  if (!status.empty()) query.emplace_back("status", std::string(status));
  AddCreatedAtWindow(request, &query);
  AddTimeWindow(
      &query, "update_time_min",
      request.has_update_time_min() ? &request.update_time_min() : nullptr,
      "update_time_max",
      request.has_update_time_max() ? &request.update_time_max() : nullptr);
  AddOrderCreatedWindow(request, &query);
  if (request.tracking_numbers_size() > 0) {
    query.emplace_back("numbers",
                       absl::StrJoin(request.tracking_numbers(), ","));
  }
  if (request.order_ids_size() > 0) {
    query.emplace_back("orders", absl::StrJoin(request.order_ids(), ","));
  }
  if (request.has_archived()) {
    query.emplace_back("archived", request.archived() ? "true" : "false");
  }
  if (!request.lang().empty()) query.emplace_back("lang", request.lang());
  return query;
}

json RealtimeBody(const tracktry::v1::GetRealtimeTrackingRequest& request) {
  json body = json::object();
  PutIfSet(body, "tracking_number", request.tracking_number());
  PutIfSet(body, "carrier_code", request.carrier_code());
  PutIfSet(body, "destination_code", request.destination_code());
  PutIfSet(body, "tracking_ship_date", request.tracking_ship_date());
  PutIfSet(body, "tracking_postal_code", request.tracking_postal_code());
  PutIfSet(body, "tracking_account_number", request.tracking_account_number());
  PutIfSet(body, "specialNumberDestination",
           request.tracking_destination_country());
  PutIfSet(body, "order_create_time", request.order_create_time());
  PutIfSet(body, "lang", request.lang());
  return body;
}

json DetectCarrierBody(const tracktry::v1::DetectCarrierRequest& request) {
  json body = json::object();
  body["tracking_number"] = SanitizeUtf8(request.tracking_number());
  return body;
}

}  // namespace tracktry
