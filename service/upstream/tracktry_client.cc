// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/tracktry_client.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "service/errors/secret_redaction.h"
#include "service/errors/upstream_status.h"
#include "service/transport/request_sent.h"
#include "service/transport/url_encoding.h"

namespace tracktry {

namespace {

// The envelope of a complete answer, or the mapped error. A write whose
// request may have reached the upstream before the transport failed has an
// unknown outcome (UPSTREAM_OUTCOME_UNKNOWN); reads keep the plain
// transport rows (retryable UNAVAILABLE).
absl::StatusOr<Envelope> Interpret(Endpoint endpoint,
                                   absl::StatusOr<HttpResponse> response) {
  if (!response.ok()) {
    if (!IsIdempotent(endpoint) && RequestMaybeSent(response.status())) {
      return StatusFromWriteTransportError(response.status());
    }
    return StatusFromTransportError(response.status());
  }
  UpstreamResult result;
  result.http_status = response->status_code;
  const absl::string_view retry_after = response->Header("retry-after");
  if (!retry_after.empty()) {
    result.retry_after = ParseRetryAfter(retry_after, absl::Now());
  }
  if (response->status_code < 200 || response->status_code > 299) {
    // Non-2xx bodies are usually HTML error pages: the HTTP status alone
    // decides.
    return StatusFromUpstream(result);
  }
  // Answers read as a tracking are translated from the tape (no document).
  absl::StatusOr<Envelope> envelope = ParseEnvelope(
      response->body, AnswerReadAsTracking(endpoint) ? EnvelopeData::kTape
                                                     : EnvelopeData::kDocument);
  if (!envelope.ok()) return envelope.status();
  result.meta_code = envelope->meta_code;
  result.meta_message = envelope->meta_message;
  absl::Status status = StatusFromUpstream(result);
  if (!status.ok()) return status;
  return envelope;
}

// `status` with every whole-token occurrence of `secret` in its message
// replaced by "[REDACTED]"; payloads are kept.
absl::Status WithoutSecret(const absl::Status& status,
                           const std::string& secret) {
  const std::vector<std::string> secrets = {secret};
  if (secret.empty() || !ContainsSecretToken(status.message(), secrets)) {
    return status;
  }
  absl::Status clean(
      status.code(),
      RedactSecretTokens(std::string(status.message()), secrets));
  status.ForEachPayload(
      [&clean](absl::string_view type_url, const absl::Cord& payload) {
        clean.SetPayload(type_url, payload);
      });
  return clean;
}

}  // namespace

TracktryClient::TracktryClient(HttpTransport* transport,
                               TracktryClientOptions options)
    : transport_(transport),
      options_(std::move(options)),
      api_key_(options_.api_key_holder != nullptr
                   ? options_.api_key_holder
                   : std::make_shared<SecretValue>(options_.api_key)) {
  options_.api_key.clear();
  options_.api_key_holder = nullptr;
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

HttpRequest TracktryClient::BuildHttpRequest(const UpstreamRequest& request,
                                             absl::Duration timeout) const {
  return BuildHttpRequest(request, timeout, api_key_->Get());
}

HttpRequest TracktryClient::BuildHttpRequest(const UpstreamRequest& request,
                                             absl::Duration timeout,
                                             const std::string& api_key) const {
  HttpRequest http;
  http.method = RouteOf(request.endpoint).method;
  http.url = absl::StrCat(options_.base_url, RenderPath(request));
  char separator = '?';
  for (const auto& [key, value] : request.query) {
    absl::StrAppend(&http.url, std::string(1, separator), UrlEncode(key), "=",
                    UrlEncode(value));
    separator = '&';
  }
  http.headers.reserve(3);
  http.headers.emplace_back("Content-Type", "application/json");
  http.headers.emplace_back("Accept", "application/json");
  http.headers.emplace_back(options_.api_key_header, api_key);
  http.body = request.body;
  http.timeout = std::min(timeout, options_.max_call_timeout);
  http.max_response_bytes = options_.max_response_bytes;
  return http;
}

UpstreamCaller::CallId TracktryClient::Send(UpstreamRequest request,
                                            absl::Time deadline,
                                            EnvelopeCallback done) {
  calls_started_.fetch_add(1, std::memory_order_relaxed);
  // One read of the key per call: the header and the redaction of this
  // call's errors use the same value even if the key changes meanwhile.
  const std::string& api_key = api_key_->Get();
  HttpRequest http = BuildHttpRequest(request, deadline - absl::Now(), api_key);
  return transport_->Start(
      std::move(http),
      [done = std::move(done), api_key = api_key, endpoint = request.endpoint](
          absl::StatusOr<HttpResponse> response) mutable {
        absl::StatusOr<Envelope> result =
            Interpret(endpoint, std::move(response));
        if (!result.ok()) {
          // The upstream may echo the key back (e.g. in "invalid key"
          // messages); it must not leave this class in an error.
          result = WithoutSecret(result.status(), api_key);
        }
        std::move(done)(std::move(result));
      });
}

void TracktryClient::Cancel(CallId id) { transport_->Cancel(id); }

}  // namespace tracktry
