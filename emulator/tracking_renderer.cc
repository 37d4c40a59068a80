// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/tracking_renderer.h"

#include <algorithm>
#include <utility>

#include "emulator/carrier_catalog.h"
#include "emulator/time_format.h"

namespace tracktry::emulator {
namespace {

constexpr int64_t kDay = 86400;

constexpr const char* kMilestones[] = {
    "ItemReceived",      "ItemDispatched",   "DepartfromAirport",
    "ArrivalfromAbroad", "CustomsClearance", "DestinationArrived"};

OrderedJson OptionalString(const std::optional<std::string>& value) {
  return value.has_value() ? OrderedJson(*value) : OrderedJson(nullptr);
}

// origin_info / destination_info for `events` (oldest first).
OrderedJson InfoBlock(const Carrier* carrier,
                      const std::vector<const Checkpoint*>& events) {
  OrderedJson info = OrderedJson::object();
  info["ReferenceNumber"] = nullptr;
  for (const char* milestone : kMilestones) {
    OrderedJson value = nullptr;
    for (const Checkpoint* event : events) {
      if (event->item_node == milestone) {
        value = FormatCheckpointTime(event->time_unix);
        break;
      }
    }
    info[milestone] = std::move(value);
  }
  info["weblink"] = carrier != nullptr ? OrderedJson(carrier->homepage)
                                       : OrderedJson(nullptr);
  info["phone"] =
      carrier != nullptr ? OrderedJson(carrier->phone) : OrderedJson(nullptr);
  info["carrier_code"] =
      carrier != nullptr ? OrderedJson(carrier->code) : OrderedJson(nullptr);
  if (events.empty()) {
    info["trackinfo"] = nullptr;
  } else {
    OrderedJson list = OrderedJson::array();
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      const Checkpoint& event = **it;
      OrderedJson item = OrderedJson::object();
      item["Date"] = FormatCheckpointTime(event.time_unix);
      item["StatusDescription"] = event.description;
      item["Details"] = event.details;
      item["checkpoint_status"] = event.status;
      item["substatus"] = event.substatus;
      if (!event.item_node.empty()) item["ItemNode"] = event.item_node;
      list.push_back(std::move(item));
    }
    info["trackinfo"] = std::move(list);
  }
  return info;
}

}  // namespace

bool IsKnownStatus(const std::string& status) {
  static const char* const kStatuses[] = {
      "pending",   "notfound",    "transit",   "pickup",
      "delivered", "undelivered", "exception", "expired"};
  for (const char* known : kStatuses) {
    if (status == known) return true;
  }
  return false;
}

TrackingState EvaluateTracking(const TrackingRecord& record, int64_t now_unix) {
  TrackingState state;
  const GeneratedTracking& generated = record.generated;
  const int64_t first_poll = record.created_at + kFirstPollDelaySeconds;
  const bool pending = !record.polled && now_unix < first_poll;
  int64_t cutoff = now_unix;
  if (record.frozen_at != 0) cutoff = std::min(cutoff, record.frozen_at);
  if (!pending) {
    for (const Checkpoint& checkpoint : generated.checkpoints) {
      if (checkpoint.time_unix <= cutoff) state.visible.push_back(&checkpoint);
    }
  }
  state.updated_at = std::max(record.created_at, record.modified_at);
  if (!pending && !record.polled) {
    state.updated_at = std::max(state.updated_at, first_poll);
  }
  if (!state.visible.empty()) {
    state.updated_at =
        std::max(state.updated_at, state.visible.back()->time_unix);
  }

  if (record.manual_status == 4) {
    state.status = "delivered";
    state.substatus = "delivered001";
  } else if (record.manual_status == 7) {
    state.status = "exception";
    state.substatus = "exception005";
  } else if (pending) {
    state.status = "pending";
  } else if (state.visible.empty()) {
    state.status = "notfound";
    state.substatus = generated.scenario == Scenario::kNeverFound
                          ? "notfound002"
                          : "notfound001";
  } else {
    const Checkpoint& last = *state.visible.back();
    const bool moving = last.status == "transit" || last.status == "pickup";
    if (moving &&
        now_unix - last.time_unix > generated.expire_after_days * kDay) {
      state.status = "expired";
    } else {
      state.status = last.status;
      state.substatus = last.substatus;
    }
  }
  return state;
}

OrderedJson RenderTracking(const TrackingRecord& record, int64_t now_unix,
                           const RenderOptions& options) {
  const GeneratedTracking& generated = record.generated;
  const TrackingState state = EvaluateTracking(record, now_unix);
  const bool quirks = options.quirks;
  const bool merge_destination =
      options.realtime || (quirks && generated.quirks.destination_info_null);

  OrderedJson j = OrderedJson::object();
  j["id"] = generated.id;
  j["tracking_number"] = record.tracking_number;
  j["carrier_code"] = record.carrier_code;
  j["status"] = state.status;
  j["substatus"] = OptionalString(state.substatus);
  j["created_at"] = FormatIsoTime(record.created_at);
  j["updated_at"] = FormatIsoTime(state.updated_at);
  j["order_create_time"] = OptionalString(record.order_create_time);
  if (quirks && generated.quirks.email_as_array) {
    OrderedJson emails = OrderedJson::array();
    if (record.customer_email.has_value())
      emails.push_back(*record.customer_email);
    j["customer_email"] = std::move(emails);
  } else {
    j["customer_email"] = record.customer_email.value_or("");
  }
  j["customer_name"] = OptionalString(record.customer_name);
  j["customer_phone"] = OptionalString(record.customer_phone);
  j["title"] = record.title.value_or("");
  j["order_id"] = OptionalString(record.order_id);
  j["comment"] = OptionalString(record.comment);
  j["logistics_channel"] = OptionalString(record.logistics_channel);
  j["destination_code"] = record.destination_code.value_or("");
  j["archived"] = record.archived;
  if (options.realtime) j["track_update"] = record.frozen_at == 0;
  j["original_country"] = generated.original_country;
  j["destination_country"] = generated.destination_country;
  if (state.visible.empty()) {
    j["itemTimeLength"] = nullptr;
    j["stayTimeLength"] = nullptr;
  } else {
    const Checkpoint& first = *state.visible.front();
    const Checkpoint& last = *state.visible.back();
    const int64_t end = last.status == "delivered" ? last.time_unix : now_unix;
    j["itemTimeLength"] = std::max<int64_t>(0, (end - first.time_unix) / kDay);
    j["stayTimeLength"] =
        std::max<int64_t>(0, (now_unix - last.time_unix) / kDay);
  }
  j["service_code"] = nullptr;
  j["status_info"] = nullptr;
  if (options.realtime) {
    j["packageStatus"] = nullptr;
    j["last_mile_tracking_supported"] = nullptr;
  }

  const CarrierCatalog& catalog = CarrierCatalog::Default();
  std::vector<const Checkpoint*> origin_events;
  std::vector<const Checkpoint*> destination_events;
  for (const Checkpoint* event : state.visible) {
    if (event->destination_leg && !merge_destination) {
      destination_events.push_back(event);
    } else {
      origin_events.push_back(event);
    }
  }
  j["origin_info"] =
      InfoBlock(catalog.Find(record.carrier_code), origin_events);
  if (merge_destination) {
    j["destination_info"] = nullptr;
  } else {
    j["destination_info"] =
        InfoBlock(generated.destination_carrier.empty()
                      ? nullptr
                      : catalog.Find(generated.destination_carrier),
                  destination_events);
  }
  if (state.visible.empty()) {
    j["lastEvent"] = "";
    j["lastUpdateTime"] = "";
  } else {
    const Checkpoint& last = *state.visible.back();
    const std::string date = FormatCheckpointTime(last.time_unix);
    j["lastEvent"] = last.description + "," + last.details + "," + date;
    j["lastUpdateTime"] = date;
  }
  return j;
}

OrderedJson RenderCreateResult(const TrackingRecord& record) {
  OrderedJson j = OrderedJson::object();
  j["id"] = record.generated.id;
  j["tracking_number"] = record.tracking_number;
  j["carrier_code"] = record.carrier_code;
  j["status"] = "pending";
  j["created_at"] = FormatIsoTime(record.created_at);
  j["customer_email"] = record.customer_email.value_or("null");
  j["customer_name"] = record.customer_name.value_or("null");
  j["order_id"] = record.order_id.value_or("null");
  j["title"] = nullptr;
  return j;
}

}  // namespace tracktry::emulator
