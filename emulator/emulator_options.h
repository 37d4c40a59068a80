// Copyright 2026 The tracktry-grpc Authors.
//
// Options of the Tracktry emulator: start-up options (listen address, seed,
// threads) and the runtime configuration that the admin API can change while
// the emulator runs (API key, latency, rate limit, quirks, time scale).
#ifndef TRACKTRY_EMULATOR_EMULATOR_OPTIONS_H_
#define TRACKTRY_EMULATOR_EMULATOR_OPTIONS_H_

#include <cstdint>
#include <string>

namespace tracktry::emulator {

// Token-bucket limit applied across all Tracktry API routes.
struct RateLimitConfig {
  // Sustained requests per second; 0 disables rate limiting.
  double rps = 0;
  // Bucket size (requests allowed back to back); at least 1.
  int burst = 1;
  // HTTP status of a rate-limited answer: 200 (Tracktry style, meta.code 429
  // only) or 429 (with a Retry-After header).
  int http_status = 200;
  // Retry-After value in seconds, sent only when http_status is 429.
  int retry_after_s = 120;
};

// Configuration that can be changed at runtime (PUT /_emulator/config or
// Emulator::SetConfig).
struct RuntimeConfig {
  // When non-empty, requests must carry exactly this key; when empty any
  // non-empty key is accepted. Never logged or echoed.
  std::string api_key;
  // Header carrying the key (matched case-insensitively).
  std::string api_key_header = "Tracktry-Api-Key";
  // Added to every Tracktry API response (not to admin responses).
  int latency_ms = 0;
  RateLimitConfig rate_limit;
  // Enables the per-tracking "sometimes" quirks: single-GET data as a
  // one-element array, customer_email as an array, destination_info null,
  // and JSON-string batch error entries.
  bool quirks = true;
  // Emulated seconds per real second for checkpoint progression (> 0).
  double time_scale = 1.0;
};

// Start-up options of an Emulator.
struct EmulatorOptions {
  // Address to bind: an IP literal or "localhost".
  std::string listen_host = "127.0.0.1";
  // Port to bind; 0 picks a free port (read it back with Emulator::port()).
  int port = 0;
  // Seeds every deterministic choice (scenarios, ids, quirks, fault RNG).
  uint64_t seed = 1;
  // Number of io_context threads (>= 1).
  int threads = 1;
  // Unix seconds at which the emulated clock starts; 0 = the real time at
  // construction.
  int64_t start_time_unix = 0;
  RuntimeConfig config;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_EMULATOR_OPTIONS_H_
