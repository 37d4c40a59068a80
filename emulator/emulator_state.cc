// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/emulator_state.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "emulator/time_format.h"

namespace tracktry::emulator {
namespace {

bool IsHeaderToken(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::Status ValidateConfig(const RuntimeConfig& config) {
  if (!IsHeaderToken(config.api_key_header)) {
    return absl::InvalidArgumentError("api_key_header must be a header name");
  }
  if (config.latency_ms < 0 || config.latency_ms > 3600 * 1000) {
    return absl::InvalidArgumentError("latency_ms must be in [0, 3600000]");
  }
  const RateLimitConfig& limit = config.rate_limit;
  if (!(limit.rps >= 0) || !std::isfinite(limit.rps)) {
    return absl::InvalidArgumentError("rate_limit.rps must be >= 0");
  }
  if (limit.burst < 1) {
    return absl::InvalidArgumentError("rate_limit.burst must be >= 1");
  }
  if (limit.http_status != 200 && limit.http_status != 429) {
    return absl::InvalidArgumentError(
        "rate_limit.http_status must be 200 or 429");
  }
  if (limit.retry_after_s < 0) {
    return absl::InvalidArgumentError("rate_limit.retry_after_s must be >= 0");
  }
  if (!(config.time_scale > 0) || !std::isfinite(config.time_scale)) {
    return absl::InvalidArgumentError("time_scale must be > 0");
  }
  return absl::OkStatus();
}

// Reads an optional field of `object` into `out`; `type_ok` checks the JSON
// type.
template <typename T, typename Check>
absl::Status ReadField(const nlohmann::json& object, const char* key,
                       Check type_ok, T* out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  if (!type_ok(*it)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config field \"", key, "\" has the wrong type"));
  }
  *out = it->get<T>();
  return absl::OkStatus();
}

}  // namespace

EmulatorState::EmulatorState(const EmulatorOptions& options)
    : seed_(options.seed),
      clock_(options.config.time_scale, options.start_time_unix),
      api_(options.seed, &clock_),
      faults_(options.seed),
      config_(options.config) {
  rate_limiter_.Configure(config_.rate_limit.rps, config_.rate_limit.burst);
}

RuntimeConfig EmulatorState::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

absl::Status EmulatorState::SetConfig(const RuntimeConfig& config) {
  const absl::Status valid = ValidateConfig(config);
  if (!valid.ok()) return valid;
  std::lock_guard<std::mutex> lock(mu_);
  if (config.time_scale != config_.time_scale) {
    clock_.SetTimeScale(config.time_scale);
  }
  rate_limiter_.Configure(config.rate_limit.rps, config.rate_limit.burst);
  config_ = config;
  return absl::OkStatus();
}

absl::Status EmulatorState::PatchConfigFromJson(const nlohmann::json& patch) {
  if (!patch.is_object()) {
    return absl::InvalidArgumentError("config must be a JSON object");
  }
  RuntimeConfig config = this->config();
  const auto is_string = [](const nlohmann::json& j) { return j.is_string(); };
  const auto is_int = [](const nlohmann::json& j) {
    return j.is_number_integer() || j.is_number_unsigned();
  };
  const auto is_number = [](const nlohmann::json& j) { return j.is_number(); };
  const auto is_bool = [](const nlohmann::json& j) { return j.is_boolean(); };
  absl::Status status;
  if (!(status = ReadField(patch, "api_key", is_string, &config.api_key))
           .ok() ||
      !(status = ReadField(patch, "api_key_header", is_string,
                           &config.api_key_header))
           .ok() ||
      !(status = ReadField(patch, "latency_ms", is_int, &config.latency_ms))
           .ok() ||
      !(status = ReadField(patch, "quirks", is_bool, &config.quirks)).ok() ||
      !(status = ReadField(patch, "time_scale", is_number, &config.time_scale))
           .ok()) {
    return status;
  }
  auto limit = patch.find("rate_limit");
  if (limit != patch.end() && !limit->is_null()) {
    if (!limit->is_object()) {
      return absl::InvalidArgumentError("rate_limit must be an object");
    }
    RateLimitConfig& rl = config.rate_limit;
    if (!(status = ReadField(*limit, "rps", is_number, &rl.rps)).ok() ||
        !(status = ReadField(*limit, "burst", is_int, &rl.burst)).ok() ||
        !(status = ReadField(*limit, "http_status", is_int, &rl.http_status))
             .ok() ||
        !(status =
              ReadField(*limit, "retry_after_s", is_int, &rl.retry_after_s))
             .ok()) {
      return status;
    }
  }
  return SetConfig(config);
}

OrderedJson EmulatorState::ConfigToJson() const {
  const RuntimeConfig config = this->config();
  OrderedJson j = OrderedJson::object();
  j["api_key_set"] = !config.api_key.empty();
  j["api_key_header"] = config.api_key_header;
  j["latency_ms"] = config.latency_ms;
  OrderedJson limit = OrderedJson::object();
  limit["rps"] = config.rate_limit.rps;
  limit["burst"] = config.rate_limit.burst;
  limit["http_status"] = config.rate_limit.http_status;
  limit["retry_after_s"] = config.rate_limit.retry_after_s;
  j["rate_limit"] = std::move(limit);
  j["quirks"] = config.quirks;
  j["time_scale"] = config.time_scale;
  j["seed"] = seed_;
  return j;
}

void EmulatorState::Reset() {
  api_.Reset();
  faults_.Reset();
  stats_.Reset();
  clock_.ResetOffset();
  rate_limiter_.Refill();
}

OrderedJson EmulatorState::ClockToJson() const {
  const int64_t now = clock_.NowUnix();
  OrderedJson j = OrderedJson::object();
  j["now_unix"] = now;
  j["now"] = FormatIsoTime(now);
  j["offset_seconds"] = clock_.offset_seconds();
  j["time_scale"] = clock_.time_scale();
  return j;
}

}  // namespace tracktry::emulator
