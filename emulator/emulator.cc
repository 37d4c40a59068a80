// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/emulator.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "emulator/admin_api.h"
#include "emulator/api_pipeline.h"
#include "emulator/emulator_state.h"
#include "emulator/http_server.h"
#include "nlohmann/json.hpp"

namespace tracktry::emulator {

Emulator::Emulator(EmulatorOptions options)
    : options_(std::move(options)),
      state_(std::make_unique<EmulatorState>(options_)),
      pipeline_(std::make_unique<ApiPipeline>(state_.get())),
      admin_(std::make_unique<AdminApi>(state_.get())) {
  server_ = std::make_unique<HttpServer>(
      [this](const Request& request) {
        if (AdminApi::IsAdminPath(request.path)) {
          return admin_->Handle(request);
        }
        return pipeline_->Dispatch(request);
      },
      &state_->stats(), options_.threads);
}

Emulator::~Emulator() { Stop(); }

absl::Status Emulator::Start() {
  return server_->Start(options_.listen_host, options_.port);
}

void Emulator::Stop() { server_->Stop(); }

int Emulator::port() const { return server_->port(); }

std::string Emulator::base_url() const {
  std::string host = options_.listen_host;
  if (host == "0.0.0.0" || host == "localhost" || host.empty()) {
    host = "127.0.0.1";
  }
  if (host.find(':') != std::string::npos) {
    host = host == "::" ? "[::1]" : absl::StrCat("[", host, "]");
  }
  return absl::StrCat("http://", host, ":", port(), "/v1");
}

std::string Emulator::admin_url() const {
  std::string url = base_url();
  url.resize(url.size() - 3);
  return url + "/_emulator";
}

void Emulator::Reset() { state_->Reset(); }

void Emulator::SetFaults(std::vector<FaultRule> rules) {
  state_->faults().SetRules(std::move(rules));
}

absl::Status Emulator::SetFaultsJson(absl::string_view json) {
  const nlohmann::json parsed =
      nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (parsed.is_discarded()) {
    return absl::InvalidArgumentError("fault rules are not valid JSON");
  }
  return state_->faults().SetRulesFromJson(parsed);
}

std::vector<FaultRule> Emulator::faults() const {
  return state_->faults().rules();
}

void Emulator::ClearFaults() { state_->faults().Clear(); }

StatsSnapshot Emulator::stats() const { return state_->stats().Snapshot(); }

size_t Emulator::tracking_count() const {
  return state_->api().tracking_count();
}

void Emulator::AdvanceClock(int64_t seconds) {
  state_->clock().Advance(seconds);
}

int64_t Emulator::NowUnix() const { return state_->clock().NowUnix(); }

RuntimeConfig Emulator::config() const { return state_->config(); }

absl::Status Emulator::SetConfig(const RuntimeConfig& config) {
  return state_->SetConfig(config);
}

absl::Status Emulator::SetRateLimit(const RateLimitConfig& rate_limit) {
  RuntimeConfig config = state_->config();
  config.rate_limit = rate_limit;
  return state_->SetConfig(config);
}

absl::Status Emulator::SetApiKey(absl::string_view api_key,
                                 absl::string_view header) {
  RuntimeConfig config = state_->config();
  config.api_key = std::string(api_key);
  config.api_key_header = std::string(header);
  return state_->SetConfig(config);
}

absl::Status Emulator::SetLatencyMs(int latency_ms) {
  RuntimeConfig config = state_->config();
  config.latency_ms = latency_ms;
  return state_->SetConfig(config);
}

absl::Status Emulator::SetQuirks(bool enabled) {
  RuntimeConfig config = state_->config();
  config.quirks = enabled;
  return state_->SetConfig(config);
}

absl::Status Emulator::SetTimeScale(double time_scale) {
  RuntimeConfig config = state_->config();
  config.time_scale = time_scale;
  return state_->SetConfig(config);
}

const TrackingGenerator& Emulator::generator() const {
  return state_->api().generator();
}

absl::StatusOr<int> Emulator::PushWebhook(const WebhookPushRequest& push) {
  return PushWebhookFromState(*state_, push);
}

}  // namespace tracktry::emulator
