// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/emulator_stats.h"

#include <algorithm>
#include <string>

namespace tracktry::emulator {

OrderedJson StatsSnapshot::ToJson() const {
  OrderedJson j = OrderedJson::object();
  j["requests_total"] = requests_total;
  OrderedJson by_route = OrderedJson::object();
  for (const auto& [route, n] : requests_by_route) by_route[route] = n;
  j["requests_by_route"] = std::move(by_route);
  OrderedJson by_meta = OrderedJson::object();
  for (const auto& [code, n] : responses_by_meta_code) {
    by_meta[std::to_string(code)] = n;
  }
  j["responses_by_meta_code"] = std::move(by_meta);
  OrderedJson by_http = OrderedJson::object();
  for (const auto& [code, n] : responses_by_http_status) {
    by_http[std::to_string(code)] = n;
  }
  j["responses_by_http_status"] = std::move(by_http);
  j["rate_limited_total"] = rate_limited_total;
  OrderedJson faults = OrderedJson::object();
  for (const auto& [kind, n] : faults_by_kind) faults[kind] = n;
  j["faults_by_kind"] = std::move(faults);
  j["connections_accepted"] = connections_accepted;
  j["connections_open"] = connections_open;
  j["connections_closed_by_client_before_response"] =
      connections_closed_by_client_before_response;
  j["in_flight"] = in_flight;
  j["max_in_flight"] = max_in_flight;
  return j;
}

void EmulatorStats::RecordRequest(absl::string_view route) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.requests_total;
  ++counters_.requests_by_route[std::string(route)];
}

void EmulatorStats::RecordResponse(int meta_code, int http_status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (meta_code != 0) ++counters_.responses_by_meta_code[meta_code];
  if (http_status != 0) ++counters_.responses_by_http_status[http_status];
  if (meta_code == 429 || http_status == 429) ++counters_.rate_limited_total;
}

void EmulatorStats::RecordFault(absl::string_view kind) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.faults_by_kind[std::string(kind)];
}

void EmulatorStats::ConnectionAccepted() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.connections_accepted;
  ++counters_.connections_open;
}

void EmulatorStats::ConnectionClosed() {
  std::lock_guard<std::mutex> lock(mu_);
  --counters_.connections_open;
}

void EmulatorStats::ClientClosedBeforeResponse() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.connections_closed_by_client_before_response;
}

void EmulatorStats::RequestStarted() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.in_flight;
  counters_.max_in_flight =
      std::max(counters_.max_in_flight, counters_.in_flight);
}

void EmulatorStats::RequestFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  --counters_.in_flight;
}

StatsSnapshot EmulatorStats::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

void EmulatorStats::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  StatsSnapshot fresh;
  fresh.connections_open = counters_.connections_open;
  fresh.in_flight = counters_.in_flight;
  fresh.max_in_flight = counters_.in_flight;
  counters_ = std::move(fresh);
}

}  // namespace tracktry::emulator
