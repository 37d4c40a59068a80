// Copyright 2026 The tracktry-grpc Authors.
//
// The emulator's socket-free view of one HTTP exchange: the parsed Request
// the server hands to a handler, and the ResponsePlan the handler returns,
// which tells the server what to send and how (delay, drop, trickle...).
#ifndef TRACKTRY_EMULATOR_HTTP_EXCHANGE_H_
#define TRACKTRY_EMULATOR_HTTP_EXCHANGE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace tracktry::emulator {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One parsed HTTP request.
struct Request {
  // Upper-case method, e.g. "GET".
  std::string method;
  // Percent-decoded path without the query string, e.g. "/v1/trackings/get".
  std::string path;
  // Percent-decoded query parameters in order of appearance.
  HeaderList query;
  // Request headers as received (original case).
  HeaderList headers;
  std::string body;
  // 1 for the first request read on its connection, 2 for the next one on
  // the same (kept-alive) connection, and so on.
  int64_t number_on_connection = 1;

  // The value of the first header named `name` (case-insensitive), or "".
  absl::string_view Header(absl::string_view name) const;
  // True if a header named `name` is present.
  bool HasHeader(absl::string_view name) const;
  // The first query parameter named `name`, or nullptr.
  const std::string* Query(absl::string_view name) const;

  // Fills method/path/query from a method and a raw request target
  // ("/v1/x?a=1&b=%20").
  void SetTarget(absl::string_view method, absl::string_view target);
};

// Percent-decodes `text`; '+' becomes a space when `plus_is_space`.
std::string PercentDecode(absl::string_view text, bool plus_is_space);

// How the server delivers a ResponsePlan.
enum class Delivery {
  // Write status line, headers and body, then keep-alive or close.
  kNormal,
  // Close the connection without sending anything.
  kDrop,
  // Send headers announcing the full body length plus `partial_bytes` of
  // the body, then reset the connection (RST).
  kResetMidBody,
  // Never answer; keep the connection open until the client closes it.
  kHang,
  // Send headers at once, then `trickle_bytes` of body every
  // `trickle_interval_ms`.
  kTrickle,
};

// What to answer to one request.
struct ResponsePlan {
  int http_status = 200;
  std::string content_type = "application/json; charset=utf-8";
  // Extra headers (Content-Length and Connection are added by the server).
  HeaderList headers;
  std::string body;
  // Wait this long before starting to answer (drop and hang included).
  int64_t delay_ms = 0;
  Delivery delivery = Delivery::kNormal;
  size_t partial_bytes = 0;
  size_t trickle_bytes = 16;
  int64_t trickle_interval_ms = 100;
  // Close the connection after the response even if the client asked for
  // keep-alive.
  bool close_after = false;
  // True for Tracktry API requests (they count toward in-flight stats);
  // false for admin and protocol-error answers.
  bool is_api = false;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_HTTP_EXCHANGE_H_
