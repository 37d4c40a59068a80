// Copyright 2026 The tracktry-grpc Authors.
#include "service/validation/request_validator.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/error_details.h"
#include "common/status_macros.h"
#include "service/errors/safe_text.h"

namespace tracktry {
namespace {

// Where a field lives: "" (request root), "tracking", or an element of a
// repeated field such as "trackings" index 3. The full path string is only
// built when an error is returned.
struct Scope {
  absl::string_view base;
  int index = -1;
};

std::string Path(const Scope& scope, absl::string_view leaf) {
  std::string path(scope.base);
  if (scope.index >= 0) absl::StrAppend(&path, "[", scope.index, "]");
  if (!leaf.empty()) {
    if (!path.empty()) path.push_back('.');
    absl::StrAppend(&path, leaf);
  }
  return path;
}

absl::Status Invalid(const Scope& scope, absl::string_view leaf,
                     absl::string_view description) {
  return InvalidFieldError(Path(scope, leaf), description);
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

bool HasControl(absl::string_view value) {
  for (char c : value) {
    if (IsControl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// Code points in valid UTF-8 (protobuf guarantees proto3 strings parsed off
// the wire are valid); counts leading bytes.
size_t CodePoints(absl::string_view value) {
  size_t n = 0;
  for (char c : value) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Free text: no control characters, at most `max_chars` code points.
absl::Status CheckText(const Scope& scope, absl::string_view leaf,
                       absl::string_view value, size_t max_chars) {
  if (value.empty()) return absl::OkStatus();
  if (HasControl(value)) {
    return Invalid(scope, leaf, "must not contain control characters");
  }
  if (value.size() > max_chars && CodePoints(value) > max_chars) {
    return Invalid(scope, leaf,
                   absl::StrCat("must be at most ", max_chars, " characters"));
  }
  if (ValidUtf8PrefixLength(value) != value.size()) {
    return Invalid(scope, leaf, "must be valid UTF-8");
  }
  return absl::OkStatus();
}

bool IsTrackingNumberChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '_';
}

bool IsCarrierCodeChar(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
         (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

absl::Status CheckTrackingNumber(const Scope& scope, absl::string_view leaf,
                                 absl::string_view value, bool required) {
  if (value.empty() && required) return Invalid(scope, leaf, "is required");
  bool ok = value.size() >= kMinTrackingNumberLength &&
            value.size() <= kMaxTrackingNumberLength;
  for (size_t i = 0; ok && i < value.size(); ++i) {
    ok = IsTrackingNumberChar(value[i]);
  }
  if (!ok) {
    return Invalid(
        scope, leaf,
        absl::StrCat("must be ", kMinTrackingNumberLength, "-",
                     kMaxTrackingNumberLength, " characters of [0-9A-Za-z_-]"));
  }
  return absl::OkStatus();
}

absl::Status CheckCarrierCode(const Scope& scope, absl::string_view leaf,
                              absl::string_view value, bool required) {
  if (value.empty()) {
    return required ? Invalid(scope, leaf, "is required") : absl::OkStatus();
  }
  bool ok = value.size() <= kMaxCarrierCodeLength;
  for (size_t i = 0; ok && i < value.size(); ++i) {
    ok = IsCarrierCodeChar(value[i]);
  }
  if (!ok) {
    return Invalid(scope, leaf,
                   absl::StrCat("must be 1-", kMaxCarrierCodeLength,
                                " characters of [0-9a-z_-] (lower-case)"));
  }
  return absl::OkStatus();
}

// destination_code and lang.
absl::Status CheckTwoLetters(const Scope& scope, absl::string_view leaf,
                             absl::string_view value) {
  if (value.empty()) return absl::OkStatus();
  if (value.size() != 2 ||
      !absl::ascii_isalpha(static_cast<unsigned char>(value[0])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(value[1]))) {
    return Invalid(scope, leaf, "must be a 2-letter code");
  }
  return absl::OkStatus();
}

// Reads `min_digits`..`max_digits` decimal digits at value[*pos].
bool ReadNumber(absl::string_view value, size_t* pos, size_t min_digits,
                size_t max_digits, int* out) {
  int n = 0;
  size_t digits = 0;
  while (*pos < value.size() && digits < max_digits &&
         absl::ascii_isdigit(static_cast<unsigned char>(value[*pos]))) {
    n = n * 10 + (value[*pos] - '0');
    ++*pos;
    ++digits;
  }
  *out = n;
  return digits >= min_digits;
}

bool ReadChar(absl::string_view value, size_t* pos, char expected) {
  if (*pos >= value.size() || value[*pos] != expected) return false;
  ++*pos;
  return true;
}

bool IsRealDate(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

absl::Status CheckShipDate(const Scope& scope, absl::string_view leaf,
                           absl::string_view value) {
  if (value.empty()) return absl::OkStatus();
  size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (value.size() != 8 || !ReadNumber(value, &pos, 4, 4, &year) ||
      !ReadNumber(value, &pos, 2, 2, &month) ||
      !ReadNumber(value, &pos, 2, 2, &day) || !IsRealDate(year, month, day)) {
    return Invalid(scope, leaf, "must be a real date as YYYYMMDD");
  }
  return absl::OkStatus();
}

absl::Status CheckOrderCreateTime(const Scope& scope, absl::string_view leaf,
                                  absl::string_view value) {
  if (value.empty()) return absl::OkStatus();
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  const bool ok =
      ReadNumber(value, &pos, 4, 4, &year) && ReadChar(value, &pos, '/') &&
      ReadNumber(value, &pos, 1, 2, &month) && ReadChar(value, &pos, '/') &&
      ReadNumber(value, &pos, 1, 2, &day) && ReadChar(value, &pos, ' ') &&
      ReadNumber(value, &pos, 1, 2, &hour) && ReadChar(value, &pos, ':') &&
      ReadNumber(value, &pos, 2, 2, &minute) && pos == value.size() &&
      IsRealDate(year, month, day) && hour <= 23 && minute <= 59;
  if (!ok) {
    return Invalid(scope, leaf,
                   "must be a real date and time as YYYY/M/D H:MM");
  }
  return absl::OkStatus();
}

absl::Status CheckEmail(const Scope& scope, absl::string_view leaf,
                        absl::string_view value) {
  if (value.empty()) return absl::OkStatus();
  if (value.size() > kMaxEmailLength) {
    return Invalid(scope, leaf,
                   absl::StrCat("must be at most ", kMaxEmailLength, " bytes"));
  }
  size_t at_count = 0;
  size_t at = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (IsControl(c) || absl::ascii_isspace(c)) {
      return Invalid(scope, leaf,
                     "must be an e-mail address without spaces or control "
                     "characters");
    }
    if (c == '@') {
      ++at_count;
      at = i;
    }
  }
  if (at_count != 1 || at == 0 || at + 1 == value.size()) {
    return Invalid(scope, leaf, "must be an e-mail address (name@domain)");
  }
  return absl::OkStatus();
}

// google.protobuf.Timestamp range: 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::Status CheckTimestamp(absl::string_view field,
                            const google::protobuf::Timestamp& t) {
  if (t.seconds() < kMinTimestampSeconds ||
      t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return InvalidFieldError(
        field,
        "must be a valid Timestamp (0001-01-01..9999-12-31, nanos "
        "0..999999999)");
  }
  return absl::OkStatus();
}

bool Before(const google::protobuf::Timestamp& a,
            const google::protobuf::Timestamp& b) {
  return a.seconds() < b.seconds() ||
         (a.seconds() == b.seconds() && a.nanos() < b.nanos());
}

// A [min, max] pair of optional Timestamps.
absl::Status CheckTimeWindow(bool has_min,
                             const google::protobuf::Timestamp& min,
                             absl::string_view min_name, bool has_max,
                             const google::protobuf::Timestamp& max,
                             absl::string_view max_name) {
  if (has_min) RETURN_IF_ERROR(CheckTimestamp(min_name, min));
  if (has_max) RETURN_IF_ERROR(CheckTimestamp(max_name, max));
  if (has_min && has_max && Before(max, min)) {
    return InvalidFieldError(min_name,
                             absl::StrCat("must not be after ", max_name));
  }
  return absl::OkStatus();
}

absl::Status CheckNewTracking(const Scope& scope, const v1::NewTracking& t) {
  RETURN_IF_ERROR(CheckTrackingNumber(scope, "tracking_number",
                                      t.tracking_number(), /*required=*/true));
  if (t.auto_correct() && t.carrier_code().empty()) {
    return Invalid(scope, "carrier_code",
                   "is required when auto_correct is true");
  }
  RETURN_IF_ERROR(CheckCarrierCode(scope, "carrier_code", t.carrier_code(),
                                   /*required=*/false));
  RETURN_IF_ERROR(
      CheckTwoLetters(scope, "destination_code", t.destination_code()));
  RETURN_IF_ERROR(CheckText(scope, "title", t.title(), kMaxTextLength));
  RETURN_IF_ERROR(CheckText(scope, "logistics_channel", t.logistics_channel(),
                            kMaxTextLength));
  RETURN_IF_ERROR(
      CheckText(scope, "customer_name", t.customer_name(), kMaxTextLength));
  RETURN_IF_ERROR(CheckEmail(scope, "customer_email", t.customer_email()));
  RETURN_IF_ERROR(
      CheckText(scope, "customer_phone", t.customer_phone(), kMaxTextLength));
  RETURN_IF_ERROR(CheckText(scope, "order_id", t.order_id(), kMaxTextLength));
  RETURN_IF_ERROR(
      CheckOrderCreateTime(scope, "order_create_time", t.order_create_time()));
  RETURN_IF_ERROR(
      CheckShipDate(scope, "tracking_ship_date", t.tracking_ship_date()));
  RETURN_IF_ERROR(CheckText(scope, "tracking_postal_code",
                            t.tracking_postal_code(), kMaxTextLength));
  RETURN_IF_ERROR(CheckText(scope, "tracking_account_number",
                            t.tracking_account_number(), kMaxTextLength));
  RETURN_IF_ERROR(CheckText(scope, "tracking_destination_country",
                            t.tracking_destination_country(), kMaxTextLength));
  RETURN_IF_ERROR(CheckTwoLetters(scope, "lang", t.lang()));
  RETURN_IF_ERROR(CheckText(scope, "comment", t.comment(), kMaxCommentLength));
  return absl::OkStatus();
}

// carrier_code + tracking_number at the request root, both required.
template <typename Request>
absl::Status CheckKey(const Request& request) {
  const Scope root;
  RETURN_IF_ERROR(CheckCarrierCode(root, "carrier_code", request.carrier_code(),
                                   /*required=*/true));
  return CheckTrackingNumber(root, "tracking_number", request.tracking_number(),
                             /*required=*/true);
}

bool IsUpdatable(absl::string_view path) {
  for (const char* field : kUpdatableTrackingFields) {
    if (path == field) return true;
  }
  return false;
}

// Whether `field` (an updatable field name) is set to a non-default value.
bool IsSet(const v1::Tracking& t, absl::string_view field) {
  if (field == "title") return !t.title().empty();
  if (field == "logistics_channel") return !t.logistics_channel().empty();
  if (field == "customer_name") return !t.customer_name().empty();
  if (field == "customer_emails") return t.customer_emails_size() > 0;
  if (field == "customer_phone") return !t.customer_phone().empty();
  if (field == "order_id") return !t.order_id().empty();
  if (field == "destination_code") return !t.destination_code().empty();
  if (field == "archived") return t.archived();
  return false;
}

// Validates the value of one updatable field of `t` (under "tracking.").
absl::Status CheckUpdatableField(const v1::Tracking& t,
                                 absl::string_view field) {
  const Scope scope{"tracking"};
  if (field == "title") {
    return CheckText(scope, field, t.title(), kMaxTextLength);
  }
  if (field == "logistics_channel") {
    return CheckText(scope, field, t.logistics_channel(), kMaxTextLength);
  }
  if (field == "customer_name") {
    return CheckText(scope, field, t.customer_name(), kMaxTextLength);
  }
  if (field == "customer_phone") {
    return CheckText(scope, field, t.customer_phone(), kMaxTextLength);
  }
  if (field == "order_id") {
    return CheckText(scope, field, t.order_id(), kMaxTextLength);
  }
  if (field == "destination_code") {
    return CheckTwoLetters(scope, field, t.destination_code());
  }
  if (field == "customer_emails") {
    if (t.customer_emails_size() > 1) {
      return Invalid(scope, field,
                     "must hold at most one address (Tracktry stores one)");
    }
    for (int i = 0; i < t.customer_emails_size(); ++i) {
      if (t.customer_emails(i).empty()) {
        return Invalid(Scope{"tracking.customer_emails", i}, "",
                       "must not be empty");
      }
      RETURN_IF_ERROR(CheckEmail(Scope{"tracking.customer_emails", i}, "",
                                 t.customer_emails(i)));
    }
  }
  return absl::OkStatus();  // archived: any bool is fine.
}

// AIP-155 idempotency key: optional, printable ASCII, bounded.
absl::Status CheckRequestId(const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdLength) {
    return InvalidFieldError(
        "request_id",
        absl::StrCat("must be at most ", kMaxRequestIdLength, " characters"));
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7E) {
      return InvalidFieldError(
          "request_id", "must be printable ASCII without spaces (e.g. a UUID)");
    }
  }
  return absl::OkStatus();
}

// A list of 1..max items (max 0 = no upper bound).
absl::Status CheckCount(absl::string_view field, int count, int max) {
  if (count == 0) return InvalidFieldError(field, "at least one item required");
  if (max > 0 && count > max) {
    return InvalidFieldError(field, absl::StrCat("at most ", max, " items"));
  }
  return absl::OkStatus();
}

// Free text that must be present.
absl::Status CheckRequiredText(const Scope& scope, absl::string_view leaf,
                               absl::string_view value) {
  if (value.empty()) return Invalid(scope, leaf, "is required");
  return CheckText(scope, leaf, value, kMaxTextLength);
}

// carrier_code + tracking_number of one element, both required.
template <typename Item>
absl::Status CheckItemKey(const Scope& scope, const Item& item) {
  RETURN_IF_ERROR(CheckCarrierCode(scope, "carrier_code", item.carrier_code(),
                                   /*required=*/true));
  return CheckTrackingNumber(scope, "tracking_number", item.tracking_number(),
                             /*required=*/true);
}

absl::Status CheckRefs(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::TrackingRef>& refs, int max) {
  RETURN_IF_ERROR(CheckCount(field, refs.size(), max));
  for (int i = 0; i < refs.size(); ++i) {
    RETURN_IF_ERROR(CheckItemKey(Scope{field, i}, refs[i]));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateCreateTrackingRequest(
    const v1::CreateTrackingRequest& request) {
  if (!request.has_tracking()) {
    return InvalidFieldError("tracking", "is required");
  }
  RETURN_IF_ERROR(CheckNewTracking(Scope{"tracking"}, request.tracking()));
  return CheckRequestId(request.request_id());
}

absl::Status ValidateGetTrackingRequest(const v1::GetTrackingRequest& request) {
  RETURN_IF_ERROR(CheckKey(request));
  return CheckTwoLetters(Scope{}, "lang", request.lang());
}

absl::Status ValidateUpdateTrackingRequest(
    const v1::UpdateTrackingRequest& request) {
  RETURN_IF_ERROR(CheckKey(request));
  if (!v1::StatusChange_IsValid(request.status_change())) {
    return InvalidFieldError("status_change",
                             "must be UNSPECIFIED, DELIVERED, EXCEPTION or "
                             "REVERT");
  }
  const v1::Tracking& tracking = request.tracking();
  const auto& paths = request.update_mask().paths();
  for (const std::string& path : paths) {
    if (!IsUpdatable(path)) {
      return InvalidFieldError(
          "update_mask",
          absl::StrCat("path \"", SafeText(path, 64),
                       "\" is not updatable; updatable: ",
                       absl::StrJoin(kUpdatableTrackingFields, ", ")));
    }
  }
  bool anything = !paths.empty() ||
                  request.status_change() != v1::STATUS_CHANGE_UNSPECIFIED;
  if (!paths.empty()) {
    for (const std::string& path : paths) {
      RETURN_IF_ERROR(CheckUpdatableField(tracking, path));
    }
  } else {
    for (const char* field : kUpdatableTrackingFields) {
      if (!IsSet(tracking, field)) continue;
      anything = true;
      RETURN_IF_ERROR(CheckUpdatableField(tracking, field));
    }
  }
  if (!anything) {
    return InvalidFieldError(
        "update_mask",
        "nothing to update: name fields in update_mask, set an updatable "
        "field of tracking, or set status_change");
  }
  return absl::OkStatus();
}

absl::Status ValidateDeleteTrackingRequest(
    const v1::DeleteTrackingRequest& request) {
  return CheckKey(request);
}

absl::Status ValidateBatchCreateTrackingsRequest(
    const v1::BatchCreateTrackingsRequest& request) {
  if (request.trackings_size() == 0) {
    return InvalidFieldError("trackings", "must hold at least one tracking");
  }
  if (request.trackings_size() > kMaxBatchSize) {
    return InvalidFieldError(
        "trackings",
        absl::StrCat("must hold at most ", kMaxBatchSize, " trackings"));
  }
  for (int i = 0; i < request.trackings_size(); ++i) {
    RETURN_IF_ERROR(
        CheckNewTracking(Scope{"trackings", i}, request.trackings(i)));
  }
  return CheckRequestId(request.request_id());
}

absl::Status ValidateListTrackingsRequest(
    const v1::ListTrackingsRequest& request) {
  if (request.page_size() < 0) {
    return InvalidFieldError("page_size", "must not be negative");
  }
  if (request.page_token().size() > kMaxPageTokenLength) {
    return InvalidFieldError(
        "page_token",
        absl::StrCat("must be at most ", kMaxPageTokenLength, " bytes"));
  }
  if (!v1::TrackingStatus_IsValid(request.status())) {
    return InvalidFieldError("status",
                             "must be TRACKING_STATUS_UNSPECIFIED or a "
                             "defined TrackingStatus");
  }
  RETURN_IF_ERROR(
      CheckTimeWindow(request.has_create_time_min(), request.create_time_min(),
                      "create_time_min", request.has_create_time_max(),
                      request.create_time_max(), "create_time_max"));
  RETURN_IF_ERROR(
      CheckTimeWindow(request.has_update_time_min(), request.update_time_min(),
                      "update_time_min", request.has_update_time_max(),
                      request.update_time_max(), "update_time_max"));
  RETURN_IF_ERROR(CheckTimeWindow(
      request.has_order_create_time_min(), request.order_create_time_min(),
      "order_create_time_min", request.has_order_create_time_max(),
      request.order_create_time_max(), "order_create_time_max"));
  if (request.tracking_numbers_size() > kMaxListFilterValues) {
    return InvalidFieldError(
        "tracking_numbers",
        absl::StrCat("must hold at most ", kMaxListFilterValues, " values"));
  }
  for (int i = 0; i < request.tracking_numbers_size(); ++i) {
    RETURN_IF_ERROR(CheckTrackingNumber(Scope{"tracking_numbers", i}, "",
                                        request.tracking_numbers(i),
                                        /*required=*/false));
  }
  if (request.order_ids_size() > kMaxListFilterValues) {
    return InvalidFieldError(
        "order_ids",
        absl::StrCat("must hold at most ", kMaxListFilterValues, " values"));
  }
  for (int i = 0; i < request.order_ids_size(); ++i) {
    const Scope scope{"order_ids", i};
    const std::string& order_id = request.order_ids(i);
    if (order_id.empty()) return Invalid(scope, "", "must not be empty");
    if (order_id.find(',') != std::string::npos) {
      return Invalid(scope, "", "must not contain ','");
    }
    RETURN_IF_ERROR(CheckText(scope, "", order_id, kMaxTextLength));
  }
  return CheckTwoLetters(Scope{}, "lang", request.lang());
}

absl::Status ValidateGetRealtimeTrackingRequest(
    const v1::GetRealtimeTrackingRequest& request) {
  RETURN_IF_ERROR(CheckKey(request));
  const Scope root;
  RETURN_IF_ERROR(
      CheckTwoLetters(root, "destination_code", request.destination_code()));
  RETURN_IF_ERROR(
      CheckShipDate(root, "tracking_ship_date", request.tracking_ship_date()));
  RETURN_IF_ERROR(CheckText(root, "tracking_postal_code",
                            request.tracking_postal_code(), kMaxTextLength));
  RETURN_IF_ERROR(CheckText(root, "tracking_account_number",
                            request.tracking_account_number(), kMaxTextLength));
  RETURN_IF_ERROR(CheckText(root, "tracking_destination_country",
                            request.tracking_destination_country(),
                            kMaxTextLength));
  RETURN_IF_ERROR(CheckOrderCreateTime(root, "order_create_time",
                                       request.order_create_time()));
  return CheckTwoLetters(root, "lang", request.lang());
}

absl::Status ValidateListCarriersRequest(
    const v1::ListCarriersRequest& /*request*/) {
  return absl::OkStatus();
}

absl::Status ValidateDetectCarrierRequest(
    const v1::DetectCarrierRequest& request) {
  const Scope root;
  RETURN_IF_ERROR(CheckTrackingNumber(root, "tracking_number",
                                      request.tracking_number(),
                                      /*required=*/true));
  return CheckCarrierCode(root, "carrier_code", request.carrier_code(),
                          /*required=*/false);
}

absl::Status ValidateChangeTrackingCarrierRequest(
    const v1::ChangeTrackingCarrierRequest& request) {
  RETURN_IF_ERROR(CheckKey(request));
  return CheckCarrierCode(Scope{}, "new_carrier_code",
                          request.new_carrier_code(), /*required=*/true);
}

absl::Status ValidateCountTrackingsByStatusRequest(
    const v1::CountTrackingsByStatusRequest& request) {
  RETURN_IF_ERROR(
      CheckTimeWindow(request.has_create_time_min(), request.create_time_min(),
                      "create_time_min", request.has_create_time_max(),
                      request.create_time_max(), "create_time_max"));
  return CheckTimeWindow(
      request.has_order_create_time_min(), request.order_create_time_min(),
      "order_create_time_min", request.has_order_create_time_max(),
      request.order_create_time_max(), "order_create_time_max");
}

absl::Status ValidateStopTrackingUpdatesRequest(
    const v1::StopTrackingUpdatesRequest& request) {
  return CheckRefs("trackings", request.trackings(), kMaxItemsPerExtendedCall);
}

absl::Status ValidateCheckRemoteAreasRequest(
    const v1::CheckRemoteAreasRequest& request) {
  RETURN_IF_ERROR(
      CheckCount("queries", request.queries_size(), kMaxItemsPerExtendedCall));
  for (int i = 0; i < request.queries_size(); ++i) {
    const v1::RemoteAreaQuery& query = request.queries(i);
    const Scope scope{"queries", i};
    RETURN_IF_ERROR(CheckRequiredText(scope, "country", query.country()));
    RETURN_IF_ERROR(
        CheckText(scope, "postcode", query.postcode(), kMaxTextLength));
    RETURN_IF_ERROR(CheckCarrierCode(scope, "carrier_code",
                                     query.carrier_code(),
                                     /*required=*/false));
  }
  return absl::OkStatus();
}

absl::Status ValidateGetTransitTimesRequest(
    const v1::GetTransitTimesRequest& request) {
  RETURN_IF_ERROR(
      CheckCount("queries", request.queries_size(), kMaxItemsPerExtendedCall));
  for (int i = 0; i < request.queries_size(); ++i) {
    const v1::TransitTimeQuery& query = request.queries(i);
    const Scope scope{"queries", i};
    RETURN_IF_ERROR(CheckCarrierCode(scope, "carrier_code",
                                     query.carrier_code(),
                                     /*required=*/true));
    RETURN_IF_ERROR(CheckRequiredText(scope, "origin", query.origin()));
    RETURN_IF_ERROR(
        CheckRequiredText(scope, "destination", query.destination()));
  }
  return absl::OkStatus();
}

absl::Status ValidateBatchDeleteTrackingsRequest(
    const v1::BatchDeleteTrackingsRequest& request) {
  return CheckRefs("trackings", request.trackings(), kMaxBatchSize);
}

absl::Status ValidateBatchUpdateTrackingsRequest(
    const v1::BatchUpdateTrackingsRequest& request) {
  RETURN_IF_ERROR(CheckCount("updates", request.updates_size(), kMaxBatchSize));
  for (int i = 0; i < request.updates_size(); ++i) {
    const v1::TrackingUpdate& update = request.updates(i);
    const Scope scope{"updates", i};
    RETURN_IF_ERROR(CheckItemKey(scope, update));
    RETURN_IF_ERROR(CheckText(scope, "title", update.title(), kMaxTextLength));
    RETURN_IF_ERROR(CheckText(scope, "logistics_channel",
                              update.logistics_channel(), kMaxTextLength));
    RETURN_IF_ERROR(CheckText(scope, "customer_name", update.customer_name(),
                              kMaxTextLength));
    RETURN_IF_ERROR(
        CheckEmail(scope, "customer_email", update.customer_email()));
    RETURN_IF_ERROR(
        CheckText(scope, "order_id", update.order_id(), kMaxTextLength));
    RETURN_IF_ERROR(
        CheckTwoLetters(scope, "destination_code", update.destination_code()));
    if (!v1::StatusChange_IsValid(update.status_change())) {
      return Invalid(scope, "status_change", "unknown status change");
    }
  }
  return absl::OkStatus();
}

}  // namespace tracktry
