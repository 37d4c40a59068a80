// Copyright 2026 The tracktry-grpc Authors.
//
// Test helpers around the in-process Tracktry emulator: EmulatorHarness
// starts an emulator::Emulator on 127.0.0.1:0 and offers small blocking HTTP
// calls against it; RawHttpExchange speaks raw HTTP over one socket for
// protocol-level checks (drops, resets, hangs, truncation).
//
//   EmulatorHarness harness;                       // key kApiKey, seed 42
//   ASSERT_TRUE(harness.Start().ok());
//   HttpResult r = harness.Api("POST", "/trackings/post",
//                              R"({"tracking_number":"RN123456789CN"})");
//   EXPECT_EQ(r.MetaCode(), 200);
#ifndef TRACKTRY_TESTS_TESTING_EMULATOR_HARNESS_H_
#define TRACKTRY_TESTS_TESTING_EMULATOR_HARNESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "emulator/emulator.h"
#include "nlohmann/json.hpp"

namespace tracktry::testing {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Result of one blocking HTTP call.
struct HttpResult {
  // HTTP status; 0 when the call failed at the transport level.
  int status = 0;
  // Transport error description (status == 0).
  std::string error;
  std::string body;
  HttpHeaders headers;

  // First header named `name` (case-insensitive), or "".
  std::string Header(absl::string_view name) const;
  // The parsed body; a discarded value if it is not JSON.
  nlohmann::json Json() const;
  // meta.code of a Tracktry envelope, or -1.
  int MetaCode() const;
};

// Outcome of RawHttpExchange.
struct RawResult {
  // Every byte received.
  std::string data;
  // A complete response (headers + Content-Length bytes) arrived.
  bool complete = false;
  // The server closed the connection (FIN).
  bool eof = false;
  // The server reset the connection (ECONNRESET).
  bool reset = false;
  // Nothing conclusive happened before the timeout.
  bool timed_out = false;
  // Connecting failed.
  bool connect_failed = false;
};

// Opens a TCP connection to 127.0.0.1:`port`, sends `request_text` verbatim
// and reads until a complete response arrives, the server closes or resets
// the connection, or `timeout_ms` passes. Then closes the socket (so a
// timeout looks like a client giving up).
RawResult RawHttpExchange(int port, absl::string_view request_text,
                          int timeout_ms);

class EmulatorHarness {
 public:
  // The API key the default options require.
  static constexpr char kApiKey[] = "emulator-test-key";
  // Emulated clock start of the default options (2023-11-14T22:13:20Z).
  static constexpr int64_t kStartTime = 1700000000;

  // 127.0.0.1:0, seed 42, api_key kApiKey, start_time_unix kStartTime,
  // quirks on, 1 io thread.
  static emulator::EmulatorOptions DefaultOptions();

  explicit EmulatorHarness(
      emulator::EmulatorOptions options = DefaultOptions());
  ~EmulatorHarness();

  EmulatorHarness(const EmulatorHarness&) = delete;
  EmulatorHarness& operator=(const EmulatorHarness&) = delete;

  // Starts the emulator.
  absl::Status Start();

  emulator::Emulator& emulator() { return *emulator_; }
  int port() const { return emulator_->port(); }

  // A Tracktry call with the configured key header set to kApiKey (or the
  // emulator's configured key). `path` is relative to /v1, e.g.
  // "/trackings/get?page=2".
  HttpResult Api(absl::string_view method, absl::string_view path,
                 absl::string_view body = "");

  // An admin call; `path` is relative to /_emulator, e.g. "/stats".
  HttpResult Admin(absl::string_view method, absl::string_view path,
                   absl::string_view body = "");

  // Any request on a fresh connection. `path` is absolute ("/v2/carriers").
  HttpResult Request(absl::string_view method, absl::string_view path,
                     absl::string_view body, const HttpHeaders& headers,
                     int timeout_ms = 10000);

 private:
  std::unique_ptr<emulator::Emulator> emulator_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_EMULATOR_HARNESS_H_
