// Copyright 2026 The tracktry-grpc Authors.
//
// TracktryClient: sends UpstreamRequests to the Tracktry REST API through an
// HttpTransport and turns the answer into an Envelope or an absl::Status
// from the one upstream status table.
#ifndef TRACKTRY_SERVICE_UPSTREAM_TRACKTRY_CLIENT_H_
#define TRACKTRY_SERVICE_UPSTREAM_TRACKTRY_CLIENT_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/tracktry_api/upstream_request.h"
#include "service/translation/envelope.h"
#include "service/transport/http_transport.h"
#include "service/upstream/secret_value.h"

namespace tracktry {

struct TracktryClientOptions {
  // Base URL without a trailing slash.
  std::string base_url = "https://api.tracktry.com/v1";
  // The account's API key. Sent only in the `api_key_header` header; never
  // logged nor put in any error message.
  std::string api_key;
  // Optional: where the current key is read for each request (replaced
  // when the key's Secret file changes). When set, `api_key` is ignored;
  // otherwise the client makes its own holder from `api_key`.
  std::shared_ptr<SecretValue> api_key_holder;
  // Header carrying the key (Tracktry: "Tracktry-Api-Key").
  std::string api_key_header = "Tracktry-Api-Key";
  // Larger upstream bodies fail with INTERNAL.
  size_t max_response_bytes = 8u << 20;
  // Longest single upstream call even when the caller allows more.
  absl::Duration max_call_timeout = absl::Seconds(120);
};

// Thread-safe. `transport` is not owned and must outlive the client.
class TracktryClient final : public UpstreamCaller {
 public:
  TracktryClient(HttpTransport* transport, TracktryClientOptions options);
  TracktryClient(const TracktryClient&) = delete;
  TracktryClient& operator=(const TracktryClient&) = delete;

  // Starts `request`, to finish by `deadline`. `done` runs exactly once on a
  // transport thread and must not block. Errors: the upstream status table
  // (service/errors/upstream_status.h) for HTTP and meta.code failures;
  // DEADLINE_EXCEEDED, UNAVAILABLE, INTERNAL or CANCELLED for transport
  // failures; INTERNAL for a malformed body.
  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;

  // Cancels a call started by Send(); its callback gets CANCELLED.
  void Cancel(CallId id) override;

  // Builds the HTTP request for `request` with the current key (exposed
  // for tests).
  HttpRequest BuildHttpRequest(const UpstreamRequest& request,
                               absl::Duration timeout) const;

  // The key holder: Set() on it changes the key of every later request.
  const std::shared_ptr<SecretValue>& api_key_holder() const {
    return api_key_;
  }

  // Number of upstream calls started since construction.
  int64_t calls_started() const { return calls_started_.load(); }

 private:
  HttpRequest BuildHttpRequest(const UpstreamRequest& request,
                               absl::Duration timeout,
                               const std::string& api_key) const;

  HttpTransport* const transport_;
  // Immutable after construction; its api_key is cleared (api_key_ holds
  // the key).
  TracktryClientOptions options_;
  const std::shared_ptr<SecretValue> api_key_;
  std::atomic<int64_t> calls_started_{0};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_TRACKTRY_CLIENT_H_
