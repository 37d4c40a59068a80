// Copyright 2026 The tracktry-grpc Authors.
//
// The one table that turns Tracktry results into absl::Status (style P3).
//
// Tracktry reports most errors inside HTTP 200 in `meta.code`, so a result is
// decided in two steps: a non-2xx HTTP status decides alone; otherwise
// meta.code decides. Transport failures (no HTTP response at all) go through
// the same table. Every row is data in StatusMappingTable(), which tests and
// the docs iterate; docs/errors.md is the
// human-readable copy.
//
// Every returned error carries a google.rpc.ErrorInfo (domain "tracktry.v1",
// the row's reason, metadata "httpStatus" and, when there was one,
// "metaCode"), a RetryInfo on rate limits (and on UNAVAILABLE when the
// upstream sent Retry-After), and a BadRequest naming the field
// for the INVALID_ARGUMENT rows that point at one. Messages are a fixed text
// per row plus the upstream meta.message (at most 200 bytes, control
// characters removed); the raw body is never included.
#ifndef TRACKTRY_SERVICE_ERRORS_UPSTREAM_STATUS_H_
#define TRACKTRY_SERVICE_ERRORS_UPSTREAM_STATUS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tracktry {

// RetryInfo.retry_delay for rate limits when the upstream sent no usable
// Retry-After (Tracktry: "Pause requests, wait two minute, and try again").
inline constexpr absl::Duration kDefaultRateLimitRetryDelay =
    absl::Seconds(120);

// Longest part of the upstream meta.message copied into an error message.
inline constexpr size_t kMaxUpstreamMessageBytes = 200;

// What the upstream answered, as extracted by the caller.
struct UpstreamResult {
  // HTTP status code of the response.
  int http_status = 0;
  // `meta.code` from the JSON envelope; unset when there was no envelope
  // (non-2xx responses are usually HTML and need not be parsed).
  std::optional<int> meta_code;
  // `meta.message` from the envelope (untrusted; sanitised before use).
  std::string meta_message;
  // From a Retry-After header, already parsed (see ParseRetryAfter).
  std::optional<absl::Duration> retry_after;
};

// Which part of a result a table row matches.
enum class MatchKind {
  // HTTP status in [first, last], for responses that are not 2xx.
  kHttpStatus,
  // 2xx response without a meta.code.
  kMissingMetaCode,
  // meta.code in [first, last], for 2xx responses.
  kMetaCode,
  // Transport error whose absl::StatusCode (as int) is in [first, last].
  kTransportError,
  // Transport error, code in [first, last], of a write (a non-idempotent
  // request, see IsIdempotent) whose request may have reached the upstream
  // (the transport's RequestMaybeSent mark): the upstream may have applied
  // it. Tried before the kTransportError rows; this kind has no catch-all,
  // codes without a row here are decided by the kTransportError rows.
  kWriteTransportError,
};

// When an error carries a google.rpc.RetryInfo.
enum class RetryDetail {
  // Never.
  kNone,
  // Always: the Retry-After delay, else kDefaultRateLimitRetryDelay.
  kAlways,
  // Only when the upstream sent a usable Retry-After.
  kIfRetryAfter,
};

// One row of the mapping table. Rows of one MatchKind are tried in table
// order; the first match wins, and each kind ends with a catch-all row
// (first = INT_MIN, last = INT_MAX), except kWriteTransportError (above).
struct StatusMappingRow {
  MatchKind match;
  int first;
  int last;
  // kOk for rows that are success.
  absl::StatusCode code;
  // ErrorInfo.reason (UPPER_SNAKE_CASE); "" for success rows.
  const char* reason;
  // Fixed human-readable start of the message; "" for success rows.
  const char* text;
  RetryDetail retry;
  // Request field named in a BadRequest.FieldViolation, or "" for none.
  const char* field;
};

// The whole table, in match order. Never changes; safe from any thread.
const std::vector<StatusMappingRow>& StatusMappingTable();

// The row that decides `result` (never null; points into the table).
const StatusMappingRow* FindUpstreamRow(const UpstreamResult& result);

// The row that decides a transport error code (never null).
const StatusMappingRow* FindTransportRow(absl::StatusCode code);

// The row that decides the transport error code of a write whose request
// may have reached the upstream: a kWriteTransportError row, else
// FindTransportRow(code) (never null).
const StatusMappingRow* FindWriteTransportRow(absl::StatusCode code);

// Maps an upstream answer to a status: OkStatus for success (HTTP 2xx and
// meta.code 200, 201, 202 or 4031 — 4031 is an empty result and the caller
// decides what empty means), otherwise the error described above. A 2xx
// without meta.code is INTERNAL UPSTREAM_RESPONSE_INVALID.
absl::Status StatusFromUpstream(const UpstreamResult& result);

// Maps an HttpTransport error (service/transport/http_transport.h):
//   kDeadlineExceeded -> DEADLINE_EXCEEDED UPSTREAM_TIMEOUT
//   kUnavailable      -> UNAVAILABLE       UPSTREAM_UNREACHABLE
//   kInternal         -> INTERNAL          UPSTREAM_RESPONSE_INVALID
//   kCancelled        -> CANCELLED         CANCELLED
//   anything else     -> UNKNOWN           UPSTREAM_TRANSPORT_ERROR
// The transport's message (which never holds secrets) is kept after the
// row's text; ErrorInfo metadata has "transportCode". OK maps to OK.
absl::Status StatusFromTransportError(const absl::Status& transport_error);

// Maps the HttpTransport error of a write (non-idempotent request) whose
// request may have reached the upstream (RequestMaybeSent in
// service/transport/request_sent.h): the answer was lost, so the upstream
// may or may not have applied it.
//   kDeadlineExceeded -> UNAVAILABLE UPSTREAM_OUTCOME_UNKNOWN
//   kUnavailable      -> UNAVAILABLE UPSTREAM_OUTCOME_UNKNOWN
//   anything else     -> as StatusFromTransportError
// UPSTREAM_OUTCOME_UNKNOWN is never retried by the service (writes never
// are); its message tells the caller that repeating the request is safe
// (creates: with the same request_id). Message and metadata are built as in
// StatusFromTransportError.
absl::Status StatusFromWriteTransportError(const absl::Status& transport_error);

// Parses an HTTP Retry-After value (RFC 9110 section 10.2.3): either
// delta-seconds ("120") or an HTTP-date, absolute, in any of the three
// formats ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
// "Sun Nov  6 08:49:37 1994"), which becomes the delay from `now` (zero if
// already past). Surrounding whitespace is ignored. nullopt when the value is
// neither; delays longer than one day are clamped to one day.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view header_value,
                                              absl::Time now);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_ERRORS_UPSTREAM_STATUS_H_
