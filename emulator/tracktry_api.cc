// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/tracktry_api.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "emulator/time_format.h"
#include "emulator/tracking_renderer.h"

namespace tracktry::emulator {
namespace {

using Json = nlohmann::json;

ApiResult Ok(const OrderedJson& data) {
  return {200, 200, EnvelopeBody(200, data)};
}

ApiResult Error(int code) { return {200, code, ErrorEnvelopeBody(code)}; }

// Parses a request body; a discarded value when it is not JSON.
Json ParseBody(const std::string& body) {
  return Json::parse(body, nullptr, /*allow_exceptions=*/false);
}

// A string field; numbers are accepted and rendered as text.
std::optional<std::string> FieldString(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return std::nullopt;
}

bool IsValidTrackingNumber(const std::string& number) {
  if (number.size() < 5 || number.size() > 50) return false;
  for (const char c : number) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

// Reads list parameters from the query string (GET) or a JSON body (POST, as
// the TrackingMore PHP SDK sends them).
class ListParams {
 public:
  ListParams(const Request& request, const Json& body)
      : request_(request), body_(body) {}

  std::optional<std::string> Get(const char* name) const {
    if (body_.is_object()) {
      std::optional<std::string> value = FieldString(body_, name);
      if (value.has_value()) return value;
      auto it = body_.find(name);
      if (it != body_.end() && it->is_boolean()) {
        return it->get<bool>() ? "true" : "false";
      }
    }
    const std::string* value = request_.Query(name);
    if (value == nullptr) return std::nullopt;
    return *value;
  }

 private:
  const Request& request_;
  const Json& body_;
};

// Parses an optional integer parameter; false if present but malformed.
bool ParseOptionalInt(const std::optional<std::string>& text,
                      std::optional<int64_t>* out) {
  if (!text.has_value() || text->empty()) return true;
  int64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value)) return false;
  *out = value;
  return true;
}

std::vector<std::string> SplitList(const std::optional<std::string>& text) {
  std::vector<std::string> out;
  if (!text.has_value()) return out;
  for (absl::string_view part : absl::StrSplit(*text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

bool InRange(int64_t value, const std::optional<int64_t>& min,
             const std::optional<int64_t>& max) {
  if (min.has_value() && value < *min) return false;
  if (max.has_value() && value > *max) return false;
  return true;
}

// Status value of PUT: 4, 7 or 8 as an int or a numeric string; -1 if
// absent; 0 if present but invalid.
int ParseStatusValue(const Json& body) {
  auto it = body.find("status");
  if (it == body.end() || it->is_null()) return -1;
  int64_t value = 0;
  if (it->is_number_integer() || it->is_number_unsigned()) {
    value = it->get<int64_t>();
  } else if (it->is_string()) {
    if (!absl::SimpleAtoi(it->get<std::string>(), &value)) return 0;
  } else {
    return 0;
  }
  return (value == 4 || value == 7 || value == 8) ? static_cast<int>(value) : 0;
}

OrderedJson NumberPair(const std::string& number, const std::string& carrier) {
  OrderedJson j = OrderedJson::object();
  j["tracking_number"] = number;
  j["carrier_code"] = carrier;
  return j;
}

}  // namespace

TracktryApi::TracktryApi(uint64_t seed, const EmulatedClock* clock)
    : clock_(clock),
      catalog_(CarrierCatalog::Default()),
      generator_(seed),
      carriers_body_(EnvelopeBody(200, catalog_.ToJson())) {}

void TracktryApi::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  store_.Clear();
}

size_t TracktryApi::tracking_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return store_.size();
}

ApiResult TracktryApi::Handle(const RouteMatch& match, const Request& request,
                              bool quirks) {
  try {
    switch (match.id) {
      case RouteId::kCreate:
        return Create(request);
      case RouteId::kGet:
        return Get(match, quirks);
      case RouteId::kUpdate:
        return Update(match, request, quirks);
      case RouteId::kDelete:
        return Delete(match);
      case RouteId::kBatch:
        return Batch(request, quirks);
      case RouteId::kList:
        return List(request, quirks);
      case RouteId::kRealtime:
        return Realtime(request);
      case RouteId::kCarriers:
        return Carriers();
      case RouteId::kDetect:
        return Detect(request);
      case RouteId::kUpdateCarrier:
        return UpdateCarrier(request);
      case RouteId::kUserInfo:
        return UserInfo();
      case RouteId::kStatusNumber:
        return StatusNumber(request);
      case RouteId::kNotUpdate:
        return NotUpdate(request);
      case RouteId::kRemote:
        return Remote(request);
      case RouteId::kCostTime:
        return CostTime(request);
      case RouteId::kBatchDelete:
        return BatchDelete(request);
      case RouteId::kUpdateMore:
        return UpdateMore(request);
      case RouteId::kUnknown:
        break;
    }
  } catch (const nlohmann::json::exception&) {
    // Defensive: a type mismatch in a request body that slipped through.
    return Error(4012);
  }
  return {404, 404, ErrorEnvelopeBody(404)};
}

TracktryApi::Validated TracktryApi::ValidateCreate(const Json& item) const {
  Validated out;
  auto number = item.find("tracking_number");
  if (number == item.end() || number->is_null() ||
      (number->is_string() && number->get<std::string>().empty())) {
    out.code = 4013;
    return out;
  }
  if (!number->is_string() ||
      !IsValidTrackingNumber(number->get<std::string>())) {
    out.code = 4014;
    return out;
  }
  out.number = number->get<std::string>();
  auto carrier = item.find("carrier_code");
  std::string code;
  if (carrier != item.end() && !carrier->is_null()) {
    if (!carrier->is_string()) {
      out.code = 4015;
      return out;
    }
    code = absl::AsciiStrToLower(carrier->get<std::string>());
  }
  if (code.empty()) {
    const std::vector<const Carrier*> candidates = catalog_.Detect(out.number);
    if (candidates.empty()) {
      out.code = 4032;
      return out;
    }
    code = candidates.front()->code;
  } else if (catalog_.Find(code) == nullptr) {
    out.code = 4015;
    return out;
  }
  out.carrier = code;
  return out;
}

TrackingRecord TracktryApi::NewRecord(const Validated& valid, const Json& item,
                                      int64_t now) const {
  TrackingRecord record;
  record.carrier_code = valid.carrier;
  record.tracking_number = valid.number;
  record.created_at = now;
  record.title = FieldString(item, "title");
  record.logistics_channel = FieldString(item, "logistics_channel");
  record.customer_name = FieldString(item, "customer_name");
  record.customer_email = FieldString(item, "customer_email");
  record.customer_phone = FieldString(item, "customer_phone");
  record.order_id = FieldString(item, "order_id");
  record.comment = FieldString(item, "comment");
  record.order_create_time = FieldString(item, "order_create_time");
  record.lang = FieldString(item, "lang");
  record.destination_code = FieldString(item, "destination_code");
  if (!record.destination_code.has_value()) {
    record.destination_code = FieldString(item, "tracking_destination_country");
  }
  if (!record.destination_code.has_value()) {
    record.destination_code = FieldString(item, "specialNumberDestination");
  }
  record.generated =
      generator_.Generate(record.carrier_code, record.tracking_number,
                          record.destination_code.value_or(""), now);
  return record;
}

ApiResult TracktryApi::Create(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_object()) return Error(4012);
  const Validated valid = ValidateCreate(body);
  if (valid.code != 0) return Error(valid.code);
  const int64_t now = clock_->NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  if (store_.Find(valid.carrier, valid.number) != nullptr) return Error(4016);
  TrackingRecord* record = store_.Insert(NewRecord(valid, body, now));
  return Ok(RenderCreateResult(*record));
}

ApiResult TracktryApi::Get(const RouteMatch& match, bool quirks) {
  const int64_t now = clock_->NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  const TrackingRecord* record = store_.Find(match.carrier, match.number);
  if (record == nullptr) return Error(4017);
  OrderedJson tracking = RenderTracking(*record, now, {quirks, false});
  if (quirks && record->generated.quirks.data_as_array) {
    OrderedJson list = OrderedJson::array();
    list.push_back(std::move(tracking));
    return Ok(list);
  }
  return Ok(tracking);
}

int TracktryApi::ApplyUpdate(const Json& body, int64_t now,
                             TrackingRecord* record) const {
  const int status = ParseStatusValue(body);
  if (status == 0) return 4033;
  std::optional<bool> archived;
  auto it = body.find("archived");
  if (it != body.end() && !it->is_null()) {
    if (it->is_boolean()) {
      archived = it->get<bool>();
    } else if (it->is_string() && it->get<std::string>() == "true") {
      archived = true;
    } else if (it->is_string() && it->get<std::string>() == "false") {
      archived = false;
    } else {
      return 4012;
    }
  }
  struct Field {
    const char* key;
    std::optional<std::string>* slot;
  };
  const Field fields[] = {{"title", &record->title},
                          {"logistics_channel", &record->logistics_channel},
                          {"customer_name", &record->customer_name},
                          {"customer_email", &record->customer_email},
                          {"customer_phone", &record->customer_phone},
                          {"order_id", &record->order_id},
                          {"comment", &record->comment}};
  for (const Field& field : fields) {
    std::optional<std::string> value = FieldString(body, field.key);
    if (value.has_value()) *field.slot = std::move(value);
  }
  std::optional<std::string> destination =
      FieldString(body, "destination_code");
  if (destination.has_value() && destination != record->destination_code) {
    record->destination_code = destination;
    // The destination changes the route of the parcel.
    record->generated =
        generator_.Generate(record->carrier_code, record->tracking_number,
                            *destination, record->created_at);
  }
  if (archived.has_value()) record->archived = *archived;
  if (status == 4 || status == 7) record->manual_status = status;
  if (status == 8) record->manual_status = 0;
  record->modified_at = now;
  return 0;
}

ApiResult TracktryApi::Update(const RouteMatch& match, const Request& request,
                              bool quirks) {
  Json body = request.body.empty() ? Json::object() : ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_object()) return Error(4012);
  const int64_t now = clock_->NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  TrackingRecord* record = store_.Find(match.carrier, match.number);
  if (record == nullptr) return Error(4017);
  const int code = ApplyUpdate(body, now, record);
  if (code != 0) return Error(code);
  return Ok(RenderTracking(*record, now, {quirks, false}));
}

ApiResult TracktryApi::Delete(const RouteMatch& match) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!store_.Erase(match.carrier, match.number)) return Error(4017);
  return Ok(OrderedJson::array());
}

ApiResult TracktryApi::Batch(const Request& request, bool quirks) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_array() || body.empty()) return Error(4012);
  if (body.size() > kMaxBatchItems) return Error(4020);
  const int64_t now = clock_->NowUnix();
  OrderedJson trackings = OrderedJson::array();
  OrderedJson errors = OrderedJson::array();
  std::lock_guard<std::mutex> lock(mu_);
  for (const Json& item : body) {
    Validated valid;
    if (!item.is_object()) {
      valid.code = 4012;
    } else {
      valid = ValidateCreate(item);
      if (valid.code == 0 &&
          store_.Find(valid.carrier, valid.number) != nullptr) {
        valid.code = 4016;
      }
    }
    if (valid.code == 0) {
      TrackingRecord* record = store_.Insert(NewRecord(valid, item, now));
      trackings.push_back(RenderCreateResult(*record));
      continue;
    }
    const std::string number =
        FieldString(item, "tracking_number").value_or("");
    const std::string carrier =
        valid.carrier.empty() ? FieldString(item, "carrier_code").value_or("")
                              : valid.carrier;
    if (quirks &&
        generator_.QuirksFor(carrier, number).stringified_batch_error) {
      OrderedJson nested = OrderedJson::object();
      nested["meta"] = MetaObject(valid.code);
      nested["data"] = NumberPair(number, carrier);
      errors.push_back(DumpJson(nested));
    } else {
      OrderedJson error = NumberPair(number, carrier);
      error["code"] = valid.code;
      error["message"] = MetaMessage(valid.code);
      errors.push_back(std::move(error));
    }
  }
  OrderedJson data = OrderedJson::object();
  data["submitted"] = body.size();
  data["added"] = trackings.size();
  data["trackings"] = std::move(trackings);
  data["errors"] = std::move(errors);
  return Ok(data);
}

ApiResult TracktryApi::List(const Request& request, bool quirks) {
  Json body;
  if (request.method == "POST" && !request.body.empty()) {
    body = ParseBody(request.body);
    if (body.is_discarded() || !body.is_object()) return Error(4012);
  }
  const ListParams params(request, body);
  std::optional<int64_t> page, limit, created_min, created_max, update_min,
      update_max, order_min, order_max;
  if (!ParseOptionalInt(params.Get("page"), &page) ||
      !ParseOptionalInt(params.Get("limit"), &limit) ||
      !ParseOptionalInt(params.Get("created_at_min"), &created_min) ||
      !ParseOptionalInt(params.Get("created_at_max"), &created_max) ||
      !ParseOptionalInt(params.Get("update_time_min"), &update_min) ||
      !ParseOptionalInt(params.Get("update_time_max"), &update_max) ||
      !ParseOptionalInt(params.Get("order_created_time_min"), &order_min) ||
      !ParseOptionalInt(params.Get("order_created_time_max"), &order_max)) {
    return Error(4012);
  }
  const int64_t page_number = std::max<int64_t>(1, page.value_or(1));
  const int64_t page_size =
      std::clamp<int64_t>(limit.value_or(100), 1, kMaxListLimit);
  const std::string status = params.Get("status").value_or("");
  if (!status.empty() && !IsKnownStatus(status)) return Error(4033);
  const std::vector<std::string> numbers = SplitList(params.Get("numbers"));
  const std::vector<std::string> orders = SplitList(params.Get("orders"));
  if (numbers.size() > kMaxBatchItems || orders.size() > kMaxBatchItems) {
    return Error(4020);
  }
  std::optional<bool> archived;
  if (std::optional<std::string> text = params.Get("archived");
      text.has_value() && !text->empty()) {
    if (*text == "true") {
      archived = true;
    } else if (*text == "false") {
      archived = false;
    } else {
      return Error(4012);
    }
  }

  const int64_t now = clock_->NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const TrackingRecord*> matches;
  for (const TrackingRecord* record : store_.All()) {
    if (!numbers.empty() &&
        std::find(numbers.begin(), numbers.end(), record->tracking_number) ==
            numbers.end()) {
      continue;
    }
    if (!orders.empty() && (!record->order_id.has_value() ||
                            std::find(orders.begin(), orders.end(),
                                      *record->order_id) == orders.end())) {
      continue;
    }
    if (archived.has_value() && record->archived != *archived) continue;
    if (!InRange(record->created_at, created_min, created_max)) continue;
    if (order_min.has_value() || order_max.has_value()) {
      const std::optional<int64_t> order_time =
          record->order_create_time.has_value()
              ? ParseLooseTime(*record->order_create_time)
              : std::nullopt;
      if (!order_time.has_value() ||
          !InRange(*order_time, order_min, order_max)) {
        continue;
      }
    }
    if (!status.empty() || update_min.has_value() || update_max.has_value()) {
      const TrackingState state = EvaluateTracking(*record, now);
      if (!status.empty() && state.status != status) continue;
      if (!InRange(state.updated_at, update_min, update_max)) continue;
    }
    matches.push_back(record);
  }
  std::sort(matches.begin(), matches.end(),
            [](const TrackingRecord* a, const TrackingRecord* b) {
              if (a->created_at != b->created_at) {
                return a->created_at > b->created_at;
              }
              if (a->tracking_number != b->tracking_number) {
                return a->tracking_number < b->tracking_number;
              }
              return a->carrier_code < b->carrier_code;
            });
  const size_t total = matches.size();
  const size_t begin = static_cast<size_t>(std::min<int64_t>(
      (page_number - 1) * page_size, static_cast<int64_t>(total)));
  const size_t end = std::min(total, begin + static_cast<size_t>(page_size));
  if (begin >= end) return Error(4031);
  OrderedJson items = OrderedJson::array();
  for (size_t i = begin; i < end; ++i) {
    items.push_back(RenderTracking(*matches[i], now, {quirks, false}));
  }
  OrderedJson data = OrderedJson::object();
  data["page"] = page_number;
  data["limit"] = page_size;
  data["total"] = std::to_string(total);
  data["count"] = end - begin;
  data["items"] = std::move(items);
  return Ok(data);
}

ApiResult TracktryApi::Realtime(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_object()) return Error(4012);
  const Validated valid = ValidateCreate(body);
  if (valid.code != 0) return Error(valid.code);
  const int64_t now = clock_->NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  TrackingRecord* record = store_.Find(valid.carrier, valid.number);
  if (record == nullptr) record = store_.Insert(NewRecord(valid, body, now));
  record->polled = true;
  OrderedJson items = OrderedJson::array();
  items.push_back(RenderTracking(*record, now, {true, true}));
  OrderedJson data = OrderedJson::object();
  data["items"] = std::move(items);
  return Ok(data);
}

ApiResult TracktryApi::Carriers() { return {200, 200, carriers_body_}; }

ApiResult TracktryApi::Detect(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded() || !body.is_object()) return Error(4012);
  const std::optional<std::string> number =
      FieldString(body, "tracking_number");
  if (!number.has_value() || number->empty()) return Error(4013);
  const std::vector<const Carrier*> candidates = catalog_.Detect(*number);
  if (candidates.empty()) return Error(4032);
  OrderedJson data = OrderedJson::array();
  for (const Carrier* carrier : candidates) {
    OrderedJson item = OrderedJson::object();
    item["name"] = carrier->name;
    item["code"] = carrier->code;
    data.push_back(std::move(item));
  }
  return Ok(data);
}

ApiResult TracktryApi::UpdateCarrier(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_object()) return Error(4012);
  const Validated valid = ValidateCreate(body);
  if (valid.code != 0) return Error(valid.code);
  const std::string target = absl::AsciiStrToLower(
      FieldString(body, "update_carrier_code").value_or(""));
  if (target.empty() || catalog_.Find(target) == nullptr) return Error(4015);
  const int64_t now = clock_->NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  TrackingRecord* record = store_.Find(valid.carrier, valid.number);
  if (record == nullptr) return Error(4017);
  if (target != valid.carrier) {
    if (store_.Find(target, valid.number) != nullptr) return Error(4016);
    TrackingRecord moved = *record;
    moved.carrier_code = target;
    moved.modified_at = now;
    moved.generated = generator_.Generate(target, moved.tracking_number,
                                          moved.destination_code.value_or(""),
                                          moved.created_at);
    store_.Erase(valid.carrier, valid.number);
    store_.Insert(std::move(moved));
  }
  OrderedJson data = NumberPair(valid.number, target);
  data["update_carrier_code"] = target;
  return Ok(data);
}

ApiResult TracktryApi::UserInfo() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t used = static_cast<int64_t>(store_.size());
  OrderedJson data = OrderedJson::object();
  data["email"] = "emulator@tracktry.invalid";
  data["regtime"] = "2021-01-01 00:00:00";
  data["trackings"] = used;
  data["quota_total"] = 500;
  data["quota_remaining"] = std::max<int64_t>(0, 500 - used);
  return Ok(data);
}

ApiResult TracktryApi::StatusNumber(const Request& request) {
  const Json no_body;
  const ListParams params(request, no_body);
  std::optional<int64_t> created_min, created_max, order_min, order_max;
  if (!ParseOptionalInt(params.Get("created_at_min"), &created_min) ||
      !ParseOptionalInt(params.Get("created_at_max"), &created_max) ||
      !ParseOptionalInt(params.Get("order_created_time_min"), &order_min) ||
      !ParseOptionalInt(params.Get("order_created_time_max"), &order_max)) {
    return Error(4012);
  }
  static const char* const kStatuses[] = {
      "pending",   "notfound",    "transit",   "pickup",
      "delivered", "undelivered", "exception", "expired"};
  OrderedJson data = OrderedJson::object();
  for (const char* status : kStatuses) data[status] = 0;
  const int64_t now = clock_->NowUnix();
  std::lock_guard<std::mutex> lock(mu_);
  for (const TrackingRecord* record : store_.All()) {
    if (!InRange(record->created_at, created_min, created_max)) continue;
    if (order_min.has_value() || order_max.has_value()) {
      const std::optional<int64_t> order_time =
          record->order_create_time.has_value()
              ? ParseLooseTime(*record->order_create_time)
              : std::nullopt;
      if (!order_time.has_value() ||
          !InRange(*order_time, order_min, order_max)) {
        continue;
      }
    }
    const TrackingState state = EvaluateTracking(*record, now);
    data[state.status] = data[state.status].get<int64_t>() + 1;
  }
  return Ok(data);
}

ApiResult TracktryApi::NotUpdate(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_array() || body.empty()) return Error(4012);
  if (body.size() > kMaxBatchItems) return Error(4020);
  const int64_t now = clock_->NowUnix();
  int64_t changed = 0;
  OrderedJson errors = OrderedJson::array();
  std::lock_guard<std::mutex> lock(mu_);
  for (const Json& item : body) {
    const std::string number =
        FieldString(item, "tracking_number").value_or("");
    const std::string carrier =
        absl::AsciiStrToLower(FieldString(item, "carrier_code").value_or(""));
    TrackingRecord* record = store_.Find(carrier, number);
    if (record == nullptr) {
      OrderedJson error = NumberPair(number, carrier);
      error["code"] = 4017;
      error["message"] = MetaMessage(4017);
      errors.push_back(std::move(error));
      continue;
    }
    if (record->frozen_at == 0) record->frozen_at = now;
    ++changed;
  }
  OrderedJson data = OrderedJson::object();
  data["submitted"] = body.size();
  data["change"] = changed;
  data["errors"] = std::move(errors);
  return Ok(data);
}

ApiResult TracktryApi::Remote(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded() || !body.is_array() || body.empty()) {
    return Error(4012);
  }
  if (body.size() > kMaxBatchItems) return Error(4020);
  OrderedJson remote = OrderedJson::array();
  OrderedJson other = OrderedJson::array();
  for (const Json& item : body) {
    const std::string country = FieldString(item, "country").value_or("");
    const std::string postcode = FieldString(item, "postcode").value_or("");
    const std::string company =
        absl::AsciiStrToLower(FieldString(item, "company").value_or("dhl"));
    OrderedJson entry = OrderedJson::object();
    entry["far_express_company"] = company;
    entry["two_code"] =
        country.size() == 2 ? absl::AsciiStrToUpper(country) : country;
    entry["far_country"] = country;
    entry["far_city_postcode"] = postcode;
    if (!country.empty() && !postcode.empty() &&
        generator_.Hash("remote", country, postcode) % 3 == 0) {
      remote.push_back(std::move(entry));
    } else {
      other.push_back(std::move(entry));
    }
  }
  OrderedJson data = OrderedJson::object();
  data["submitted"] = body.size();
  data["other"] = std::move(other);
  data["remote"] = std::move(remote);
  OrderedJson envelope = OrderedJson::object();
  envelope["meta"] = MetaObject(200);
  envelope["meta"]["message"] = "The request was successful.";
  envelope["data"] = std::move(data);
  return {200, 200, DumpJson(envelope)};
}

ApiResult TracktryApi::CostTime(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded() || !body.is_array() || body.empty()) {
    return Error(4012);
  }
  if (body.size() > kMaxBatchItems) return Error(4020);
  OrderedJson data = OrderedJson::array();
  for (const Json& item : body) {
    const std::string carrier =
        absl::AsciiStrToLower(FieldString(item, "carrier_code").value_or(""));
    const std::string original = FieldString(item, "original").value_or("");
    const std::string destination =
        FieldString(item, "destination").value_or("");
    if (catalog_.Find(carrier) == nullptr) return Error(4015);
    const uint64_t h =
        generator_.Hash("costtime", carrier, original + ">" + destination);
    const int64_t total = 200 + static_cast<int64_t>(h % 5000);
    const int64_t delivered = total * (80 + static_cast<int64_t>(h % 19)) / 100;
    // Share of delivered parcels per transit-time bucket; sums to 100.
    int64_t shares[5];
    int64_t left = 100;
    for (int i = 0; i < 4; ++i) {
      shares[i] = static_cast<int64_t>((h >> (8 * i)) % (left / 2 + 1));
      left -= shares[i];
    }
    shares[4] = left;
    OrderedJson entry = OrderedJson::object();
    entry["carrier_code"] = carrier;
    entry["original"] = original;
    entry["destination"] = destination;
    entry["total"] = total;
    entry["delivered"] = delivered;
    static const char* const kRanges[] = {"range1", "range2", "range3",
                                          "range4", "range5"};
    for (int i = 0; i < 5; ++i) {
      entry[kRanges[i]] = std::to_string(shares[i]) + "%";
    }
    data.push_back(std::move(entry));
  }
  return Ok(data);
}

ApiResult TracktryApi::BatchDelete(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_array() || body.empty()) return Error(4012);
  if (body.size() > kMaxBatchItems) return Error(4020);
  OrderedJson deleted = OrderedJson::array();
  OrderedJson errors = OrderedJson::array();
  std::lock_guard<std::mutex> lock(mu_);
  for (const Json& item : body) {
    const std::string number =
        FieldString(item, "tracking_number").value_or("");
    const std::string carrier =
        absl::AsciiStrToLower(FieldString(item, "carrier_code").value_or(""));
    if (store_.Erase(carrier, number)) {
      deleted.push_back(NumberPair(number, carrier));
    } else {
      OrderedJson error = NumberPair(number, carrier);
      error["code"] = 4017;
      error["message"] = MetaMessage(4017);
      errors.push_back(std::move(error));
    }
  }
  OrderedJson data = OrderedJson::object();
  data["submitted"] = body.size();
  data["deleted"] = deleted.size();
  data["trackings"] = std::move(deleted);
  data["errors"] = std::move(errors);
  return Ok(data);
}

ApiResult TracktryApi::UpdateMore(const Request& request) {
  const Json body = ParseBody(request.body);
  if (body.is_discarded()) return Error(4015);
  if (!body.is_array() || body.empty()) return Error(4012);
  if (body.size() > kMaxBatchItems) return Error(4020);
  const int64_t now = clock_->NowUnix();
  OrderedJson updated = OrderedJson::array();
  OrderedJson errors = OrderedJson::array();
  std::lock_guard<std::mutex> lock(mu_);
  for (const Json& item : body) {
    const std::string number =
        FieldString(item, "tracking_number").value_or("");
    const std::string carrier =
        absl::AsciiStrToLower(FieldString(item, "carrier_code").value_or(""));
    int code = 4012;
    if (item.is_object()) {
      TrackingRecord* record = store_.Find(carrier, number);
      code = record == nullptr ? 4017 : ApplyUpdate(item, now, record);
    }
    if (code == 0) {
      updated.push_back(NumberPair(number, carrier));
    } else {
      OrderedJson error = NumberPair(number, carrier);
      error["code"] = code;
      error["message"] = MetaMessage(code);
      errors.push_back(std::move(error));
    }
  }
  OrderedJson data = OrderedJson::object();
  data["submitted"] = body.size();
  data["updated"] = updated.size();
  data["trackings"] = std::move(updated);
  data["errors"] = std::move(errors);
  return Ok(data);
}

}  // namespace tracktry::emulator
