// Copyright 2026 The tracktry-grpc Authors.
//
// EmulatorStats: exact counters behind GET /_emulator/stats. Thread-safe.
//
// Counting rules:
//   requests_total / requests_by_route: Tracktry API requests (not admin),
//     counted when the request is dispatched; unmatched paths count as
//     route "unknown".
//   responses_by_meta_code: API responses that carry a Tracktry envelope
//     (handler answers, meta_error faults, rate-limit answers), counted when
//     the response is decided (before any delay).
//   responses_by_http_status: every API response decided (drop, hang,
//     drop_after_request, store_then_drop: none).
//   rate_limited_total: responses with meta.code 429 or HTTP 429 (rate
//     limiter rejections and 429 faults).
//   faults_by_kind: applied fault rules by kind (latency rules included).
//   connections_accepted / connections_open: TCP connections (admin too).
//   connections_closed_by_client_before_response: the client closed (or
//     reset) the connection while an API response was delayed, hanging,
//     trickling or not yet fully written.
//   in_flight / max_in_flight: API requests dispatched but not yet fully
//     answered or aborted.
// Reset() zeroes everything except the gauges connections_open and
// in_flight (max_in_flight restarts at the current in_flight).
#ifndef TRACKTRY_EMULATOR_EMULATOR_STATS_H_
#define TRACKTRY_EMULATOR_EMULATOR_STATS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "emulator/envelope.h"

namespace tracktry::emulator {

struct StatsSnapshot {
  int64_t requests_total = 0;
  std::map<std::string, int64_t> requests_by_route;
  std::map<int, int64_t> responses_by_meta_code;
  std::map<int, int64_t> responses_by_http_status;
  std::map<std::string, int64_t> faults_by_kind;
  int64_t rate_limited_total = 0;
  int64_t connections_accepted = 0;
  int64_t connections_open = 0;
  int64_t connections_closed_by_client_before_response = 0;
  int64_t in_flight = 0;
  int64_t max_in_flight = 0;

  // The JSON of GET /_emulator/stats (map keys as strings).
  OrderedJson ToJson() const;
};

class EmulatorStats {
 public:
  EmulatorStats() = default;
  EmulatorStats(const EmulatorStats&) = delete;
  EmulatorStats& operator=(const EmulatorStats&) = delete;

  void RecordRequest(absl::string_view route);
  // meta_code 0 = no envelope; http_status 0 = nothing sent.
  void RecordResponse(int meta_code, int http_status);
  void RecordFault(absl::string_view kind);

  void ConnectionAccepted();
  void ConnectionClosed();
  void ClientClosedBeforeResponse();
  void RequestStarted();
  void RequestFinished();

  StatsSnapshot Snapshot() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  StatsSnapshot counters_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_EMULATOR_STATS_H_
