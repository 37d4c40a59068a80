// Copyright 2026 The tracktry-grpc Authors.
//
// FaultInjector: the admin-configured fault rules and the choice of which
// rule applies to a request. Thread-safe.
//
// Selection for one request (route name, method, relative path):
//   * rules are scanned in order; a rule matches if its route is "*" or the
//     route name, its method (if set) equals the method, its path (if set)
//     equals the relative or full path (a trailing '*' makes it a prefix),
//     it has applications left ("times"), and the seeded RNG passes its
//     "probability";
//   * "drop_after_request" and "store_then_drop" rules match only requests
//     on a reused (kept-alive) connection, never the first request of a
//     connection: that is where a client such as libcurl would send the
//     request again on a new connection by itself;
//   * every matching "latency" rule adds its latency_ms and is consumed;
//   * the first matching rule of any other kind is the action (its
//     latency_ms is added too) and later rules are not consulted.
#ifndef TRACKTRY_EMULATOR_FAULT_INJECTOR_H_
#define TRACKTRY_EMULATOR_FAULT_INJECTOR_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "emulator/envelope.h"
#include "nlohmann/json.hpp"

namespace tracktry::emulator {

enum class FaultKind {
  kLatency,        // only delays (latency_ms)
  kHttpError,      // HTTP http_status (default 502) with an nginx HTML page
  kMetaError,      // Tracktry envelope with meta_code (HTTP 200 or http_status)
  kMalformedJson,  // HTTP 200, body is not JSON
  kTruncatedJson,  // the real body cut in half, Content-Length of the cut
  kWrongShape,     // valid JSON of the wrong shape (variant: "shape")
  kOversize,       // valid-looking JSON body of oversize_bytes
  kDrop,           // close the connection without a response
  kResetMidBody,   // headers + part of the body, then RST
  kHang,           // never answer
  kTrickle,        // trickle_bytes every trickle_interval_ms
  // Reused connections only (see the class comment): the whole request is
  // read (and counted by the rate limiter), then the connection is closed
  // without an answer; the handler does not run.
  kDropAfterRequest,
  // Reused connections only: the handler runs (a write is applied to the
  // state), then the connection is closed without an answer.
  kStoreThenDrop,
};

// "latency", "http_error", "meta_error", "malformed_json", "truncated_json",
// "wrong_shape", "oversize", "drop", "reset_mid_body", "hang", "trickle",
// "drop_after_request", "store_then_drop".
const char* FaultKindName(FaultKind kind);
std::optional<FaultKind> ParseFaultKind(absl::string_view name);

struct FaultRule {
  // Route name (see RouteName()) or "*".
  std::string route = "*";
  // Optional upper-case method filter ("" = any).
  std::string method;
  // Optional path filter ("" = any), see the class comment.
  std::string path;
  FaultKind kind = FaultKind::kLatency;
  int64_t latency_ms = 0;
  // http_error: default 502. meta_error: 0 = HTTP 200.
  int http_status = 0;
  // meta_error: default 500.
  int meta_code = 0;
  // Retry-After seconds for http_error/meta_error; < 0 = no header.
  int retry_after_s = -1;
  int64_t oversize_bytes = 16 << 20;
  int64_t trickle_bytes = 16;
  int64_t trickle_interval_ms = 100;
  // wrong_shape variant: "data_number" (default), "meta_missing",
  // "array_root", "meta_string", "data_string".
  std::string shape = "data_number";
  // Apply to the next `times` matching requests; 0 = unlimited.
  int64_t times = 0;
  // Chance (0..1) that a matching request is affected.
  double probability = 1.0;

  // Runtime: applications so far.
  int64_t applied = 0;

  // True when `times` is set and used up.
  bool expired() const { return times > 0 && applied >= times; }
};

// Parses one rule object; kInvalidArgument with a description on bad input.
absl::StatusOr<FaultRule> FaultRuleFromJson(const nlohmann::json& json);
// Serializes a rule, including "applied" and "remaining" (-1 = unlimited).
OrderedJson FaultRuleToJson(const FaultRule& rule);

// Outcome of FaultInjector::Select().
struct FaultDecision {
  // Sum of latency_ms of all applied rules.
  int64_t extra_latency_ms = 0;
  // The non-latency rule to apply, if any (a copy).
  std::optional<FaultRule> action;
  // Number of "latency" rules applied.
  int latency_rules = 0;
};

class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed);

  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Replaces the rule list.
  void SetRules(std::vector<FaultRule> rules);
  // Parses {"rules":[...]} or a bare array and replaces the list; on error
  // the list is unchanged. kInvalidArgument on bad input.
  absl::Status SetRulesFromJson(const nlohmann::json& json);
  std::vector<FaultRule> rules() const;
  // {"rules":[...]} with runtime counters.
  OrderedJson ToJson() const;
  // Removes all rules.
  void Clear();
  // Removes all rules and re-seeds the RNG.
  void Reset();

  // `reused_connection`: the request is not the first one read on its
  // connection (Request::number_on_connection > 1).
  FaultDecision Select(absl::string_view route, absl::string_view method,
                       absl::string_view relative_path,
                       absl::string_view full_path,
                       bool reused_connection = false);

 private:
  bool Matches(const FaultRule& rule, absl::string_view route,
               absl::string_view method, absl::string_view relative_path,
               absl::string_view full_path, bool reused_connection);

  const uint64_t seed_;
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;
  std::mt19937_64 rng_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_FAULT_INJECTOR_H_
