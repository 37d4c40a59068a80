// Copyright 2026 The tracktry-grpc Authors.
//
// HttpTransport: the only way the service talks HTTP to the upstream. It is
// asynchronous: Start() returns at once and the completion callback runs
// later on the transport's own I/O thread, so no gRPC thread blocks and no
// thread is held per in-flight call.
#ifndef TRACKTRY_SERVICE_TRANSPORT_HTTP_TRANSPORT_H_
#define TRACKTRY_SERVICE_TRANSPORT_HTTP_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tracktry {

// One outgoing HTTP request.
struct HttpRequest {
  // "GET", "POST", "PUT" or "DELETE".
  std::string method = "GET";
  // Absolute URL, query string included.
  std::string url;
  // Request headers as (name, value) pairs.
  std::vector<std::pair<std::string, std::string>> headers;
  // Request body; sent only when non-empty or when method is POST/PUT.
  std::string body;
  // Budget for the whole transfer (connect + send + receive). The caller's
  // remaining gRPC deadline is passed here.
  absl::Duration timeout = absl::Seconds(30);
  // Responses with a larger body fail with kInternal.
  size_t max_response_bytes = 8u << 20;
};

// A complete HTTP response. A non-2xx status is a response, not an error:
// mapping statuses to errors happens one layer up.
struct HttpResponse {
  int status_code = 0;
  // Response headers as (lower-case name, value) pairs, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first header named `name` (case-insensitive), or "".
  absl::string_view Header(absl::string_view name) const;
};

// Completion callback; receives the response or a transport error:
//   kDeadlineExceeded  the transfer did not finish within request.timeout
//   kUnavailable       connection refused or reset, DNS failure, the peer
//                      closed the connection before a complete response
//                      (the request is never sent a second time: a lost
//                      kept-alive connection fails the call)
//   kInternal          the body exceeded request.max_response_bytes, or an
//                      unexpected libcurl failure
//   kCancelled         Cancel() was called before completion
//   kInvalidArgument   the request itself is malformed (bad URL or method)
// Errors that happened after the request started going out carry the
// RequestMaybeSent() mark (service/transport/request_sent.h).
using HttpCallback = absl::AnyInvocable<void(absl::StatusOr<HttpResponse>) &&>;

// Asynchronous HTTP client interface. Implementations are thread-safe:
// Start() and Cancel() may be called from any thread concurrently.
class HttpTransport {
 public:
  using CallId = uint64_t;

  HttpTransport() = default;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;
  virtual ~HttpTransport() = default;

  // Starts `request` without blocking. `done` runs exactly once, on a
  // transport thread (never inside Start()), and must not block. Returns an
  // id for Cancel().
  virtual CallId Start(HttpRequest request, HttpCallback done) = 0;

  // Aborts the call if it is still running: its connection is closed and
  // `done` gets kCancelled. A no-op for finished or unknown ids.
  virtual void Cancel(CallId id) = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSPORT_HTTP_TRANSPORT_H_
