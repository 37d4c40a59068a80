// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/tracking_translation.h"

#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "service/translation/json_key_set.h"
#include "service/translation/json_members.h"
#include "service/translation/json_struct.h"
#include "service/translation/json_values.h"
#include "service/translation/time_formats.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;
using tracktry::v1::CarrierInfo;
using tracktry::v1::Checkpoint;
using tracktry::v1::Tracking;

// Every part of a comma/semicolon-separated list looks like an address.
bool LooksLikeAddressList(absl::string_view text) {
  if (!absl::StrContains(text, ',') && !absl::StrContains(text, ';')) {
    return false;
  }
  int parts = 0;
  for (absl::string_view part : absl::StrSplit(text, absl::ByAnyChar(",;"))) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    if (!absl::StrContains(part, '@')) return false;
    ++parts;
  }
  return parts >= 2;
}

void AddEmail(absl::string_view email, Tracking* tracking) {
  email = absl::StripAsciiWhitespace(email);
  if (email.empty() || absl::EqualsIgnoreCase(email, "null")) return;
  tracking->add_customer_emails(std::string(email));
}

template <typename Value>
void FillEmails(const Value* value, Tracking* tracking) {
  if (value == nullptr) return;
  if (value->is_array()) {
    ForEachJsonElement(*value, [tracking](const Value& element) {
      if (element.is_string()) AddEmail(JsonToString(element), tracking);
    });
    return;
  }
  if (!value->is_string()) return;
  const std::string text = JsonToString(*value);
  if (LooksLikeAddressList(text)) {
    for (absl::string_view part : absl::StrSplit(text, absl::ByAnyChar(",;"))) {
      AddEmail(part, tracking);
    }
  } else {
    AddEmail(text, tracking);
  }
}

// The members each kind of object is read for, in one pass (JsonMembers).
enum CheckpointKey : size_t {
  kDate,
  kStatusDescription,
  kDetails,
  kCheckpointStatus,
  kCheckpointSubstatus,
  kItemNode,
  kActType,
  kSubstatusNum,
  kCheckpointKeyCount,
};
constexpr absl::string_view kCheckpointKeyNames[] = {
    "Date",      "StatusDescription", "Details", "checkpoint_status",
    "substatus", "ItemNode",          "ActType", "substatus_num",
};
static_assert(std::size(kCheckpointKeyNames) == kCheckpointKeyCount,
              "one name per key");
const JsonKeySet& CheckpointKeys() {
  static const JsonKeySet* const keys = new JsonKeySet(kCheckpointKeyNames);
  return *keys;
}

enum CarrierInfoKey : size_t {
  kCarrierCode,
  kWeblink,
  kPhone,
  kReferenceNumber,
  kItemReceived,
  kItemDispatched,
  kDepartFromAirport,
  kArrivalFromAbroad,
  kCustomsClearance,
  kDestinationArrived,
  kTrackinfo,
  kCarrierInfoKeyCount,
};
constexpr absl::string_view kCarrierInfoKeyNames[] = {
    "carrier_code",       "weblink",           "phone",
    "ReferenceNumber",    "ItemReceived",      "ItemDispatched",
    "DepartfromAirport",  "ArrivalfromAbroad", "CustomsClearance",
    "DestinationArrived", "trackinfo",
};
static_assert(std::size(kCarrierInfoKeyNames) == kCarrierInfoKeyCount,
              "one name per key");
const JsonKeySet& CarrierInfoKeys() {
  static const JsonKeySet* const keys = new JsonKeySet(kCarrierInfoKeyNames);
  return *keys;
}

enum TrackingKey : size_t {
  kId,
  kTrackingCarrierCode,
  kStatus,
  kSubstatus,
  kCreatedAt,
  kUpdatedAt,
  kOrderCreateTime,
  kDestinationCode,
  kCustomerEmail,
  kCustomerName,
  kCustomerPhone,
  kTitle,
  kOrderId,
  kComment,
  kLogisticsChannel,
  kArchived,
  kOriginalCountry,
  kDestinationCountry,
  kItemTimeLength,
  kStayTimeLength,
  kServiceCode,
  kSingedBy,
  kSignedBy,
  kTrackUpdate,
  kOriginInfo,
  kDestinationInfo,
  kLastEvent,
  kLastUpdateTime,
  kTrackingKeyCount,
};
constexpr absl::string_view kTrackingKeyNames[] = {
    "id",
    "carrier_code",
    "status",
    "substatus",
    "created_at",
    "updated_at",
    "order_create_time",
    "destination_code",
    "customer_email",
    "customer_name",
    "customer_phone",
    "title",
    "order_id",
    "comment",
    "logistics_channel",
    "archived",
    "original_country",
    "destination_country",
    "itemTimeLength",
    "stayTimeLength",
    "service_code",
    "singed_by",  // sic: Tracktry's spelling, preferred when present
    "signed_by",
    "track_update",
    "origin_info",
    "destination_info",
    "lastEvent",
    "lastUpdateTime",
};
static_assert(std::size(kTrackingKeyNames) == kTrackingKeyCount,
              "one name per key");
const JsonKeySet& TrackingKeys() {
  static const JsonKeySet* const keys = new JsonKeySet(kTrackingKeyNames);
  return *keys;
}

// A string field of Message and the key whose text it takes.
template <typename Message>
struct TextField {
  size_t key;
  std::string* (Message::*field)();
};

// Sets each of `fields` from its key's text; see JsonMembers::SetString.
template <typename Value, typename Message, size_t N>
void SetTextFields(const JsonMembers<Value>& members,
                   const TextField<Message> (&fields)[N], Message* message) {
  for (const TextField<Message>& text : fields) {
    members.SetString(text.key, message, text.field);
  }
}

constexpr TextField<Checkpoint> kCheckpointTexts[] = {
    {kDate, &Checkpoint::mutable_time},
    {kStatusDescription, &Checkpoint::mutable_status_description},
    {kDetails, &Checkpoint::mutable_details},
    {kCheckpointStatus, &Checkpoint::mutable_raw_status},
    {kCheckpointSubstatus, &Checkpoint::mutable_substatus},
    {kItemNode, &Checkpoint::mutable_item_node},
    {kActType, &Checkpoint::mutable_act_type},
};

constexpr TextField<CarrierInfo> kCarrierInfoTexts[] = {
    {kCarrierCode, &CarrierInfo::mutable_carrier_code},
    {kWeblink, &CarrierInfo::mutable_weblink},
    {kPhone, &CarrierInfo::mutable_phone},
    {kReferenceNumber, &CarrierInfo::mutable_reference_number},
    {kItemReceived, &CarrierInfo::mutable_item_received_time},
    {kItemDispatched, &CarrierInfo::mutable_item_dispatched_time},
    {kDepartFromAirport, &CarrierInfo::mutable_depart_from_airport_time},
    {kArrivalFromAbroad, &CarrierInfo::mutable_arrival_from_abroad_time},
    {kCustomsClearance, &CarrierInfo::mutable_customs_clearance_time},
    {kDestinationArrived, &CarrierInfo::mutable_destination_arrived_time},
};

// The tracking's string fields that are its keys' texts as they are.
constexpr TextField<Tracking> kTrackingTexts[] = {
    {kId, &Tracking::mutable_id},
    {kTrackingCarrierCode, &Tracking::mutable_carrier_code},
    {kStatus, &Tracking::mutable_raw_status},
    {kSubstatus, &Tracking::mutable_substatus},
    {kOrderCreateTime, &Tracking::mutable_order_create_time},
    {kDestinationCode, &Tracking::mutable_destination_code},
    {kCustomerName, &Tracking::mutable_customer_name},
    {kCustomerPhone, &Tracking::mutable_customer_phone},
    {kTitle, &Tracking::mutable_title},
    {kOrderId, &Tracking::mutable_order_id},
    {kComment, &Tracking::mutable_comment},
    {kLogisticsChannel, &Tracking::mutable_logistics_channel},
    {kOriginalCountry, &Tracking::mutable_original_country},
    {kDestinationCountry, &Tracking::mutable_destination_country},
    {kServiceCode, &Tracking::mutable_service_code},
    {kLastEvent, &Tracking::mutable_last_event},
    {kLastUpdateTime, &Tracking::mutable_last_update_time},
};

// Fills `*checkpoint`, which is empty (on the tracking's arena: filled in
// place, not built apart and copied in).
template <typename Value>
void FillCheckpoint(const Value& object, Checkpoint* checkpoint) {
  const JsonMembers<Value> members(object, CheckpointKeys());
  SetTextFields(members, kCheckpointTexts, checkpoint);
  checkpoint->set_status(StatusFromString(checkpoint->raw_status()));
  if (const Value* number = members[kSubstatusNum]) {
    if (const std::optional<int32_t> value = JsonToInt32(*number)) {
      checkpoint->set_substatus_num(*value);
    }
  }
}

// Fills `*info`, which is empty.
template <typename Value>
void FillCarrierInfo(const Value& object, CarrierInfo* info) {
  const JsonMembers<Value> members(object, CarrierInfoKeys());
  SetTextFields(members, kCarrierInfoTexts, info);
  const Value* trackinfo = members[kTrackinfo];
  if (trackinfo == nullptr) return;
  ForEachJsonElement(*trackinfo, [info](const Value& element) {
    if (element.is_object()) FillCheckpoint(element, info->add_checkpoints());
  });
}

// Head of the checkpoint list of `info`, or nullptr.
const Checkpoint* Head(bool present, const CarrierInfo& info) {
  if (!present || info.checkpoints_size() == 0) return nullptr;
  return &info.checkpoints(0);
}

// The newer of two list heads; either may be nullptr. Unparseable times lose
// against parseable ones; otherwise ties go to `destination`.
const Checkpoint* Newer(const Checkpoint* origin,
                        const Checkpoint* destination) {
  if (origin == nullptr) return destination;
  if (destination == nullptr) return origin;
  const std::optional<absl::CivilSecond> origin_time =
      ParseLocalDateTime(origin->time());
  const std::optional<absl::CivilSecond> destination_time =
      ParseLocalDateTime(destination->time());
  if (origin_time.has_value() && destination_time.has_value()) {
    return *origin_time > *destination_time ? origin : destination;
  }
  if (origin_time.has_value()) return origin;
  return destination;
}

template <typename Value>
void SetOptionalInt32(const Value* value, Tracking* tracking,
                      void (Tracking::*setter)(int32_t)) {
  if (value == nullptr) return;
  if (const std::optional<int32_t> number = JsonToInt32(*value)) {
    (tracking->*setter)(*number);
  }
}

template <typename Value>
void SetOptionalBool(const Value* value, Tracking* tracking,
                     void (Tracking::*setter)(bool)) {
  if (value == nullptr) return;
  if (const std::optional<bool> flag = JsonToBool(*value)) {
    (tracking->*setter)(*flag);
  }
}

// The tracking_number of `object`, or the malformed-response error when
// `object` is not an object or has no usable number (a non-blank string or
// an integer).
template <typename Value>
absl::StatusOr<std::string> CheckedTrackingNumber(const Value& object) {
  if (!object.is_object()) {
    return MalformedResponseError("tracking is not an object");
  }
  const Value* value = JsonMember(object, "tracking_number");
  if (value != nullptr && (value->is_string() || value->is_number_integer())) {
    std::string number = JsonToString(*value);
    if (!absl::StripAsciiWhitespace(number).empty()) return number;
  }
  return MalformedResponseError("tracking has no tracking_number");
}

// The tracking objects in a `data` of any of the shapes TrackingsFromData
// accepts, in order (not yet checked to be trackings).
template <typename Value>
absl::StatusOr<std::vector<const Value*>> TrackingObjects(const Value& data) {
  std::vector<const Value*> objects;
  const Value* array = &data;
  if (data.is_null()) return objects;
  if (!data.is_array()) {
    if (!data.is_object()) {
      return MalformedResponseError("data is not an object or array");
    }
    if (data.empty()) return objects;
    const Value* items = JsonMember(data, "items");
    if (items == nullptr || JsonMember(data, "tracking_number") != nullptr) {
      objects.push_back(&data);  // one tracking object
      return objects;
    }
    if (items->is_null()) return objects;
    if (!items->is_array()) {
      return MalformedResponseError("data.items is not an array");
    }
    array = items;
  }
  ForEachJsonElement(*array, [&objects](const Value& element) {
    objects.push_back(&element);
  });
  return objects;
}

template <typename Value>
absl::Status FillTracking(const Value& object, Tracking* out,
                          v1::TrackingView view) {
  absl::StatusOr<std::string> tracking_number = CheckedTrackingNumber(object);
  if (!tracking_number.ok()) return tracking_number.status();

  const JsonMembers<Value> members(object, TrackingKeys());
  Tracking& tracking = *out;
  SetTextFields(members, kTrackingTexts, &tracking);
  tracking.set_tracking_number(std::move(*tracking_number));
  tracking.set_status(StatusFromString(tracking.raw_status()));
  const auto parse_time = [](absl::string_view text) {
    return ParseZonedTimestamp(text);
  };
  if (auto created = members.WithString(kCreatedAt, parse_time)) {
    *tracking.mutable_create_time() = *created;
  }
  if (auto updated = members.WithString(kUpdatedAt, parse_time)) {
    *tracking.mutable_update_time() = *updated;
  }
  FillEmails(members[kCustomerEmail], &tracking);
  SetOptionalBool(members[kArchived], &tracking, &Tracking::set_archived);
  SetOptionalInt32(members[kItemTimeLength], &tracking,
                   &Tracking::set_transit_days);
  SetOptionalInt32(members[kStayTimeLength], &tracking,
                   &Tracking::set_stay_days);
  members.SetString(kSingedBy, &tracking, &Tracking::mutable_signed_by);
  if (tracking.signed_by().empty()) {
    members.SetString(kSignedBy, &tracking, &Tracking::mutable_signed_by);
  }
  SetOptionalBool(members[kTrackUpdate], &tracking,
                  &Tracking::set_track_update);

  const Value* origin = members[kOriginInfo];
  const bool has_origin = origin != nullptr && origin->is_object();
  if (has_origin) FillCarrierInfo(*origin, tracking.mutable_origin_info());
  const Value* destination = members[kDestinationInfo];
  const bool has_destination =
      destination != nullptr && destination->is_object();
  if (has_destination) {
    FillCarrierInfo(*destination, tracking.mutable_destination_info());
  }

  if (const Checkpoint* latest =
          Newer(Head(has_origin, tracking.origin_info()),
                Head(has_destination, tracking.destination_info()))) {
    *tracking.mutable_latest_checkpoint() = *latest;
  }
  // `raw` repeats the typed fields: most of the answer's bytes and a third
  // of the translation (bench/RESULTS.md), so only for callers who ask.
  if (ViewIncludesRaw(view)) FillProtoStruct(object, tracking.mutable_raw());
  return absl::OkStatus();
}

template <typename Value>
absl::StatusOr<bool> FirstTracking(const Value& data, Tracking* out,
                                   v1::TrackingView view) {
  absl::StatusOr<std::vector<const Value*>> objects = TrackingObjects(data);
  if (!objects.ok()) return objects.status();
  if (objects->empty()) return false;
  // Only the first is built, but all must be trackings, as TrackingsFromData
  // requires (and fails on the same one).
  for (const Value* object : *objects) {
    if (absl::StatusOr<std::string> number = CheckedTrackingNumber(*object);
        !number.ok()) {
      return number.status();
    }
  }
  if (absl::Status status = FillTracking(*objects->front(), out, view);
      !status.ok()) {
    return status;
  }
  return true;
}

}  // namespace

bool ViewIncludesRaw(v1::TrackingView view) {
  return view == v1::TRACKING_VIEW_FULL;
}

absl::StatusOr<Tracking> TrackingFromJson(const json& object,
                                          v1::TrackingView view) {
  Tracking tracking;
  if (absl::Status status = FillTrackingFromJson(object, &tracking, view);
      !status.ok()) {
    return status;
  }
  return tracking;
}

absl::Status FillTrackingFromJson(const json& object, Tracking* out,
                                  v1::TrackingView view) {
  return FillTracking(object, out, view);
}

absl::Status FillTrackingFromJson(const JsonNode& object, Tracking* out,
                                  v1::TrackingView view) {
  return FillTracking(object, out, view);
}

absl::StatusOr<std::vector<Tracking>> TrackingsFromData(const json& data,
                                                        v1::TrackingView view) {
  absl::StatusOr<std::vector<const json*>> objects = TrackingObjects(data);
  if (!objects.ok()) return objects.status();
  std::vector<Tracking> trackings(objects->size());
  for (size_t i = 0; i < objects->size(); ++i) {
    if (absl::Status status =
            FillTrackingFromJson(*(*objects)[i], &trackings[i], view);
        !status.ok()) {
      return status;
    }
  }
  return trackings;
}

absl::StatusOr<bool> FirstTrackingFromData(const json& data, Tracking* out,
                                           v1::TrackingView view) {
  return FirstTracking(data, out, view);
}

absl::StatusOr<bool> FirstTrackingFromData(const JsonNode& data, Tracking* out,
                                           v1::TrackingView view) {
  return FirstTracking(data, out, view);
}

}  // namespace tracktry
