// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/fault_injector.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/route_table.h"

namespace tracktry::emulator {
namespace {

constexpr FaultKind kAllKinds[] = {
    FaultKind::kLatency,       FaultKind::kHttpError,
    FaultKind::kMetaError,     FaultKind::kMalformedJson,
    FaultKind::kTruncatedJson, FaultKind::kWrongShape,
    FaultKind::kOversize,      FaultKind::kDrop,
    FaultKind::kResetMidBody,  FaultKind::kHang,
    FaultKind::kTrickle,       FaultKind::kDropAfterRequest,
    FaultKind::kStoreThenDrop};

// Kinds that act only on a reused (kept-alive) connection.
bool ReusedConnectionsOnly(FaultKind kind) {
  return kind == FaultKind::kDropAfterRequest ||
         kind == FaultKind::kStoreThenDrop;
}

bool IsKnownRoute(absl::string_view route) {
  if (route == "*") return true;
  for (int id = static_cast<int>(RouteId::kCreate);
       id <= static_cast<int>(RouteId::kUpdateMore); ++id) {
    if (route == RouteName(static_cast<RouteId>(id))) return true;
  }
  return false;
}

absl::Status ReadInt(const nlohmann::json& json, const char* key, int64_t min,
                     int64_t max, int64_t* out) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_number_integer() && !it->is_number_unsigned()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fault rule field \"", key, "\" must be an integer"));
  }
  const int64_t value = it->get<int64_t>();
  if (value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fault rule field \"", key, "\" must be in [", min, ", ", max, "]"));
  }
  *out = value;
  return absl::OkStatus();
}

absl::Status ReadString(const nlohmann::json& json, const char* key,
                        std::string* out) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fault rule field \"", key, "\" must be a string"));
  }
  *out = it->get<std::string>();
  return absl::OkStatus();
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kLatency:
      return "latency";
    case FaultKind::kHttpError:
      return "http_error";
    case FaultKind::kMetaError:
      return "meta_error";
    case FaultKind::kMalformedJson:
      return "malformed_json";
    case FaultKind::kTruncatedJson:
      return "truncated_json";
    case FaultKind::kWrongShape:
      return "wrong_shape";
    case FaultKind::kOversize:
      return "oversize";
    case FaultKind::kDrop:
      return "drop";
    case FaultKind::kResetMidBody:
      return "reset_mid_body";
    case FaultKind::kHang:
      return "hang";
    case FaultKind::kTrickle:
      return "trickle";
    case FaultKind::kDropAfterRequest:
      return "drop_after_request";
    case FaultKind::kStoreThenDrop:
      return "store_then_drop";
  }
  return "unknown";
}

std::optional<FaultKind> ParseFaultKind(absl::string_view name) {
  for (FaultKind kind : kAllKinds) {
    if (name == FaultKindName(kind)) return kind;
  }
  return std::nullopt;
}

absl::StatusOr<FaultRule> FaultRuleFromJson(const nlohmann::json& json) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError("a fault rule must be a JSON object");
  }
  FaultRule rule;
  std::string kind_name;
  absl::Status status = ReadString(json, "kind", &kind_name);
  if (!status.ok()) return status;
  if (kind_name.empty()) {
    return absl::InvalidArgumentError("fault rule needs \"kind\"");
  }
  std::optional<FaultKind> kind = ParseFaultKind(kind_name);
  if (!kind.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown fault kind \"", kind_name, "\""));
  }
  rule.kind = *kind;
  for (auto [key, field] :
       {std::pair<const char*, std::string*>{"route", &rule.route},
        {"method", &rule.method},
        {"path", &rule.path},
        {"shape", &rule.shape}}) {
    status = ReadString(json, key, field);
    if (!status.ok()) return status;
  }
  if (rule.route.empty()) rule.route = "*";
  if (!IsKnownRoute(rule.route)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown route \"", rule.route, "\""));
  }
  for (char& c : rule.method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  static const char* const kShapes[] = {"data_number", "meta_missing",
                                        "array_root", "meta_string",
                                        "data_string"};
  bool shape_ok = false;
  for (const char* shape : kShapes) shape_ok = shape_ok || rule.shape == shape;
  if (!shape_ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown wrong_shape variant \"", rule.shape, "\""));
  }
  int64_t http_status = 0, meta_code = 0, retry_after = -1;
  struct IntField {
    const char* key;
    int64_t min;
    int64_t max;
    int64_t* out;
  };
  const IntField int_fields[] = {
      {"latency_ms", 0, 3600 * 1000, &rule.latency_ms},
      {"http_status", 100, 599, &http_status},
      {"meta_code", 0, 99999, &meta_code},
      {"retry_after_s", 0, 86400, &retry_after},
      {"oversize_bytes", 1, int64_t{1} << 31, &rule.oversize_bytes},
      {"trickle_bytes", 1, 1 << 20, &rule.trickle_bytes},
      {"trickle_interval_ms", 1, 60 * 1000, &rule.trickle_interval_ms},
      {"times", 0, int64_t{1} << 40, &rule.times},
  };
  for (const IntField& field : int_fields) {
    status = ReadInt(json, field.key, field.min, field.max, field.out);
    if (!status.ok()) return status;
  }
  rule.http_status = static_cast<int>(http_status);
  rule.meta_code = static_cast<int>(meta_code);
  rule.retry_after_s = static_cast<int>(retry_after);
  if (rule.kind == FaultKind::kHttpError && rule.http_status == 0) {
    rule.http_status = 502;
  }
  if (rule.kind == FaultKind::kMetaError && rule.meta_code == 0) {
    rule.meta_code = 500;
  }
  auto probability = json.find("probability");
  if (probability != json.end() && !probability->is_null()) {
    if (!probability->is_number()) {
      return absl::InvalidArgumentError(
          "fault rule field \"probability\" must be a number");
    }
    rule.probability = probability->get<double>();
    if (!(rule.probability >= 0.0 && rule.probability <= 1.0)) {
      return absl::InvalidArgumentError(
          "fault rule field \"probability\" must be in [0, 1]");
    }
  }
  return rule;
}

OrderedJson FaultRuleToJson(const FaultRule& rule) {
  OrderedJson j = OrderedJson::object();
  j["route"] = rule.route;
  if (!rule.method.empty()) j["method"] = rule.method;
  if (!rule.path.empty()) j["path"] = rule.path;
  j["kind"] = FaultKindName(rule.kind);
  j["latency_ms"] = rule.latency_ms;
  switch (rule.kind) {
    case FaultKind::kHttpError:
      j["http_status"] = rule.http_status;
      break;
    case FaultKind::kMetaError:
      j["meta_code"] = rule.meta_code;
      if (rule.http_status != 0) j["http_status"] = rule.http_status;
      break;
    case FaultKind::kOversize:
      j["oversize_bytes"] = rule.oversize_bytes;
      break;
    case FaultKind::kTrickle:
      j["trickle_bytes"] = rule.trickle_bytes;
      j["trickle_interval_ms"] = rule.trickle_interval_ms;
      break;
    case FaultKind::kWrongShape:
      j["shape"] = rule.shape;
      break;
    default:
      break;
  }
  if (rule.retry_after_s >= 0) j["retry_after_s"] = rule.retry_after_s;
  j["times"] = rule.times;
  j["probability"] = rule.probability;
  j["applied"] = rule.applied;
  j["remaining"] = rule.times > 0
                       ? std::max<int64_t>(0, rule.times - rule.applied)
                       : int64_t{-1};
  return j;
}

FaultInjector::FaultInjector(uint64_t seed) : seed_(seed), rng_(seed) {}

void FaultInjector::SetRules(std::vector<FaultRule> rules) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_ = std::move(rules);
}

absl::Status FaultInjector::SetRulesFromJson(const nlohmann::json& json) {
  const nlohmann::json* list = &json;
  if (json.is_object()) {
    auto it = json.find("rules");
    if (it == json.end()) {
      return absl::InvalidArgumentError("expected {\"rules\":[...]}");
    }
    list = &*it;
  }
  if (!list->is_array()) {
    return absl::InvalidArgumentError("\"rules\" must be an array");
  }
  std::vector<FaultRule> rules;
  for (const nlohmann::json& item : *list) {
    absl::StatusOr<FaultRule> rule = FaultRuleFromJson(item);
    if (!rule.ok()) return rule.status();
    rules.push_back(*std::move(rule));
  }
  SetRules(std::move(rules));
  return absl::OkStatus();
}

std::vector<FaultRule> FaultInjector::rules() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rules_;
}

OrderedJson FaultInjector::ToJson() const {
  OrderedJson list = OrderedJson::array();
  for (const FaultRule& rule : rules()) list.push_back(FaultRuleToJson(rule));
  OrderedJson j = OrderedJson::object();
  j["rules"] = std::move(list);
  return j;
}

void FaultInjector::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

void FaultInjector::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  rng_.seed(seed_);
}

bool FaultInjector::Matches(const FaultRule& rule, absl::string_view route,
                            absl::string_view method,
                            absl::string_view relative_path,
                            absl::string_view full_path,
                            bool reused_connection) {
  if (rule.expired()) return false;
  if (ReusedConnectionsOnly(rule.kind) && !reused_connection) return false;
  if (rule.route != "*" && rule.route != route) return false;
  if (!rule.method.empty() && rule.method != method) return false;
  if (!rule.path.empty()) {
    absl::string_view want = rule.path;
    if (absl::EndsWith(want, "*")) {
      want.remove_suffix(1);
      if (!absl::StartsWith(relative_path, want) &&
          !absl::StartsWith(full_path, want)) {
        return false;
      }
    } else if (want != relative_path && want != full_path) {
      return false;
    }
  }
  if (rule.probability < 1.0) {
    // 53 random bits -> [0, 1): identical on every platform.
    const double roll = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    if (roll >= rule.probability) return false;
  }
  return true;
}

FaultDecision FaultInjector::Select(absl::string_view route,
                                    absl::string_view method,
                                    absl::string_view relative_path,
                                    absl::string_view full_path,
                                    bool reused_connection) {
  FaultDecision decision;
  std::lock_guard<std::mutex> lock(mu_);
  for (FaultRule& rule : rules_) {
    if (!Matches(rule, route, method, relative_path, full_path,
                 reused_connection)) {
      continue;
    }
    ++rule.applied;
    decision.extra_latency_ms += rule.latency_ms;
    if (rule.kind == FaultKind::kLatency) {
      ++decision.latency_rules;
    } else {
      decision.action = rule;
      break;
    }
  }
  return decision;
}

}  // namespace tracktry::emulator
