// Copyright 2026 The tracktry-grpc Authors.
#include "service/errors/upstream_status.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "service/errors/grpc_status.h"
#include "service/errors/safe_text.h"

namespace tracktry {
namespace {

using Code = absl::StatusCode;
using M = MatchKind;
using R = RetryDetail;

constexpr int kAny0 = INT_MIN;
constexpr int kAny1 = INT_MAX;

constexpr char kOutcomeUnknownText[] =
    "upstream outcome unknown: the request was sent but its answer was "
    "lost, so the upstream may or may not have applied it; repeating it is "
    "safe (creates: with the same request_id)";

// THE table. Keep docs/errors.md in step (a test checks every reason is
// documented). Meta codes are from tracktry.com/api-status_code.html.
constexpr StatusMappingRow kRows[] = {
    // --- HTTP status, when not 2xx (decides alone) ---
    {M::kHttpStatus, 429, 429, Code::kResourceExhausted, "RATE_LIMITED",
     "upstream rate limit exceeded", R::kAlways, ""},
    {M::kHttpStatus, 500, 599, Code::kUnavailable, "UPSTREAM_UNAVAILABLE",
     "upstream temporarily unavailable", R::kIfRetryAfter, ""},
    // A REST 404 means a wrong route or base URL, not a missing tracking
    // (those arrive as meta.code 4017 inside HTTP 200).
    {M::kHttpStatus, 404, 404, Code::kInternal, "UPSTREAM_ROUTE_NOT_FOUND",
     "upstream route not found (check the configured base URL)", R::kNone, ""},
    {M::kHttpStatus, 401, 401, Code::kFailedPrecondition,
     "UPSTREAM_API_KEY_REJECTED", "the service's upstream API key was rejected",
     R::kNone, ""},
    {M::kHttpStatus, 403, 403, Code::kFailedPrecondition,
     "UPSTREAM_API_KEY_REJECTED", "the service's upstream API key was rejected",
     R::kNone, ""},
    {M::kHttpStatus, 400, 499, Code::kInternal, "UPSTREAM_REJECTED_REQUEST",
     "upstream rejected the request", R::kNone, ""},
    {M::kHttpStatus, kAny0, kAny1, Code::kUnknown,
     "UPSTREAM_UNEXPECTED_HTTP_STATUS", "unexpected upstream HTTP status",
     R::kNone, ""},

    // --- 2xx without an envelope ---
    {M::kMissingMetaCode, kAny0, kAny1, Code::kInternal,
     "UPSTREAM_RESPONSE_INVALID", "upstream response has no meta.code",
     R::kNone, ""},

    // --- meta.code, when HTTP is 2xx ---
    {M::kMetaCode, 200, 202, Code::kOk, "", "", R::kNone, ""},
    {M::kMetaCode, 4031, 4031, Code::kOk, "", "", R::kNone, ""},
    {M::kMetaCode, 401, 401, Code::kFailedPrecondition,
     "UPSTREAM_API_KEY_REJECTED", "the service's upstream API key was rejected",
     R::kNone, ""},
    {M::kMetaCode, 4001, 4002, Code::kFailedPrecondition,
     "UPSTREAM_API_KEY_REJECTED", "the service's upstream API key was rejected",
     R::kNone, ""},
    {M::kMetaCode, 403, 403, Code::kPermissionDenied,
     "UPSTREAM_PERMISSION_DENIED", "upstream denied access", R::kNone, ""},
    {M::kMetaCode, 402, 402, Code::kResourceExhausted, "QUOTA_EXHAUSTED",
     "upstream quota exhausted", R::kNone, ""},
    {M::kMetaCode, 4019, 4019, Code::kResourceExhausted, "QUOTA_EXHAUSTED",
     "upstream quota exhausted", R::kNone, ""},
    {M::kMetaCode, 4021, 4021, Code::kResourceExhausted, "QUOTA_EXHAUSTED",
     "upstream quota exhausted", R::kNone, ""},
    {M::kMetaCode, 429, 429, Code::kResourceExhausted, "RATE_LIMITED",
     "upstream rate limit exceeded", R::kAlways, ""},
    {M::kMetaCode, 4012, 4012, Code::kInvalidArgument, "MISSING_PARAMETER",
     "request is missing a required parameter", R::kNone, ""},
    {M::kMetaCode, 4013, 4013, Code::kInvalidArgument,
     "TRACKING_NUMBER_REQUIRED", "tracking number is required", R::kNone,
     "tracking_number"},
    {M::kMetaCode, 4014, 4014, Code::kInvalidArgument,
     "TRACKING_NUMBER_INVALID", "tracking number is invalid", R::kNone,
     "tracking_number"},
    {M::kMetaCode, 4015, 4015, Code::kInvalidArgument, "CARRIER_CODE_INVALID",
     "carrier code is invalid", R::kNone, "carrier_code"},
    {M::kMetaCode, 4020, 4020, Code::kInvalidArgument, "BATCH_TOO_LARGE",
     "too many trackings in one batch", R::kNone, "trackings"},
    {M::kMetaCode, 4033, 4033, Code::kInvalidArgument, "STATUS_INVALID",
     "status value is invalid", R::kNone, "status"},
    {M::kMetaCode, 4016, 4016, Code::kAlreadyExists, "TRACKING_ALREADY_EXISTS",
     "tracking already exists", R::kNone, ""},
    {M::kMetaCode, 409, 409, Code::kAlreadyExists, "TRACKING_ALREADY_EXISTS",
     "tracking already exists", R::kNone, ""},
    {M::kMetaCode, 4017, 4017, Code::kNotFound, "TRACKING_NOT_FOUND",
     "tracking not found", R::kNone, ""},
    {M::kMetaCode, 404, 404, Code::kNotFound, "TRACKING_NOT_FOUND",
     "tracking not found", R::kNone, ""},
    {M::kMetaCode, 4018, 4018, Code::kFailedPrecondition,
     "FEATURE_NOT_ACTIVATED",
     "feature needs activation on the upstream account", R::kNone, ""},
    {M::kMetaCode, 4032, 4032, Code::kFailedPrecondition,
     "CARRIER_UNDETECTABLE",
     "carrier cannot be detected; supply a carrier code", R::kNone, ""},
    {M::kMetaCode, 405, 405, Code::kUnimplemented,
     "UPSTREAM_METHOD_NOT_ALLOWED", "upstream does not allow this method",
     R::kNone, ""},
    {M::kMetaCode, 500, 500, Code::kUnavailable, "UPSTREAM_UNAVAILABLE",
     "upstream temporarily unavailable", R::kIfRetryAfter, ""},
    {M::kMetaCode, 503, 503, Code::kUnavailable, "UPSTREAM_UNAVAILABLE",
     "upstream temporarily unavailable", R::kIfRetryAfter, ""},
    {M::kMetaCode, kAny0, kAny1, Code::kUnknown, "UPSTREAM_UNKNOWN_CODE",
     "unknown upstream result code", R::kNone, ""},

    // --- transport errors (no HTTP response) ---
    {M::kTransportError, static_cast<int>(Code::kDeadlineExceeded),
     static_cast<int>(Code::kDeadlineExceeded), Code::kDeadlineExceeded,
     "UPSTREAM_TIMEOUT", "upstream did not answer in time", R::kNone, ""},
    {M::kTransportError, static_cast<int>(Code::kUnavailable),
     static_cast<int>(Code::kUnavailable), Code::kUnavailable,
     "UPSTREAM_UNREACHABLE", "upstream unreachable", R::kNone, ""},
    {M::kTransportError, static_cast<int>(Code::kInternal),
     static_cast<int>(Code::kInternal), Code::kInternal,
     "UPSTREAM_RESPONSE_INVALID", "upstream response unusable", R::kNone, ""},
    {M::kTransportError, static_cast<int>(Code::kCancelled),
     static_cast<int>(Code::kCancelled), Code::kCancelled, "CANCELLED",
     "upstream call cancelled", R::kNone, ""},
    {M::kTransportError, kAny0, kAny1, Code::kUnknown,
     "UPSTREAM_TRANSPORT_ERROR", "upstream call failed", R::kNone, ""},

    // --- transport errors of writes whose request may have reached the
    // upstream (no catch-all: other codes use the rows above). Never
    // retried by the service; a repeat with the same request_id is safe.
    {M::kWriteTransportError, static_cast<int>(Code::kDeadlineExceeded),
     static_cast<int>(Code::kDeadlineExceeded), Code::kUnavailable,
     "UPSTREAM_OUTCOME_UNKNOWN", kOutcomeUnknownText, R::kNone, ""},
    {M::kWriteTransportError, static_cast<int>(Code::kUnavailable),
     static_cast<int>(Code::kUnavailable), Code::kUnavailable,
     "UPSTREAM_OUTCOME_UNKNOWN", kOutcomeUnknownText, R::kNone, ""},
};

const StatusMappingRow* FindRow(MatchKind kind, int value) {
  for (const StatusMappingRow& row : StatusMappingTable()) {
    if (row.match == kind && value >= row.first && value <= row.last) {
      return &row;
    }
  }
  return nullptr;  // Unreachable: every kind ends with a catch-all.
}

bool Is2xx(int http_status) { return http_status >= 200 && http_status <= 299; }

absl::Status ApplyRetry(absl::Status status, RetryDetail retry,
                        const std::optional<absl::Duration>& retry_after) {
  switch (retry) {
    case RetryDetail::kNone:
      return status;
    case RetryDetail::kAlways:
      return WithRetryDelay(std::move(status),
                            retry_after.value_or(kDefaultRateLimitRetryDelay));
    case RetryDetail::kIfRetryAfter:
      if (!retry_after.has_value()) return status;
      return WithRetryDelay(std::move(status), *retry_after);
  }
  return status;
}

std::optional<absl::Time> ParseHttpDate(absl::string_view value) {
  // IMF-fixdate, obsolete RFC 850, and asctime (RFC 9110 section 5.6.7).
  static constexpr const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",
      "%A, %d-%b-%y %H:%M:%S GMT",
      "%a %b %e %H:%M:%S %Y",
  };
  const std::string text(value);
  for (const char* format : kFormats) {
    absl::Time t;
    std::string error;
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &t, &error)) {
      return t;
    }
  }
  return std::nullopt;
}

constexpr absl::Duration kMaxRetryAfter = absl::Hours(24);

// A transport error decided by `row`: the row's text, then the transport's
// message (never secret, redacted anyway) in brackets.
absl::Status TransportStatus(const StatusMappingRow& row,
                             const absl::Status& transport_error) {
  std::string message = row.text;
  const std::string transport_message =
      SafeText(RedactSecrets(std::string(transport_error.message())),
               kMaxUpstreamMessageBytes);
  if (!transport_message.empty()) {
    absl::StrAppend(&message, " (", transport_message, ")");
  }
  return MakeError(
      row.code, message, row.reason,
      {{"transportCode", absl::StatusCodeToString(transport_error.code())}});
}

}  // namespace

const std::vector<StatusMappingRow>& StatusMappingTable() {
  static const auto* const table =
      new std::vector<StatusMappingRow>(std::begin(kRows), std::end(kRows));
  return *table;
}

const StatusMappingRow* FindUpstreamRow(const UpstreamResult& result) {
  if (!Is2xx(result.http_status)) {
    return FindRow(MatchKind::kHttpStatus, result.http_status);
  }
  if (!result.meta_code.has_value()) {
    return FindRow(MatchKind::kMissingMetaCode, 0);
  }
  return FindRow(MatchKind::kMetaCode, *result.meta_code);
}

const StatusMappingRow* FindTransportRow(absl::StatusCode code) {
  return FindRow(MatchKind::kTransportError, static_cast<int>(code));
}

const StatusMappingRow* FindWriteTransportRow(absl::StatusCode code) {
  for (const StatusMappingRow& row : StatusMappingTable()) {
    if (row.match == MatchKind::kWriteTransportError &&
        static_cast<int>(code) >= row.first &&
        static_cast<int>(code) <= row.last) {
      return &row;
    }
  }
  return FindTransportRow(code);
}

absl::Status StatusFromUpstream(const UpstreamResult& result) {
  const StatusMappingRow& row = *FindUpstreamRow(result);
  if (row.code == absl::StatusCode::kOk) return absl::OkStatus();

  // "<text> (upstream HTTP 503)", "<text> (upstream 4016: <meta.message>)",
  // "<text> (upstream HTTP 429, meta.code 429: <meta.message>)".
  std::string detail = "upstream ";
  if (!Is2xx(result.http_status)) {
    absl::StrAppend(&detail, "HTTP ", result.http_status);
    if (result.meta_code.has_value()) {
      absl::StrAppend(&detail, ", meta.code ", *result.meta_code);
    }
  } else if (result.meta_code.has_value()) {
    absl::StrAppend(&detail, *result.meta_code);
  } else {
    absl::StrAppend(&detail, "HTTP ", result.http_status);
  }
  const std::string upstream_message = std::string(absl::StripAsciiWhitespace(
      SafeText(RedactSecrets(result.meta_message), kMaxUpstreamMessageBytes)));
  if (!upstream_message.empty()) {
    absl::StrAppend(&detail, ": ", upstream_message);
  }
  std::map<std::string, std::string> metadata = {
      {"httpStatus", absl::StrCat(result.http_status)}};
  if (result.meta_code.has_value()) {
    metadata["metaCode"] = absl::StrCat(*result.meta_code);
  }
  absl::Status status =
      MakeError(row.code, absl::StrCat(row.text, " (", detail, ")"), row.reason,
                metadata);
  if (row.field[0] != '\0') {
    status = WithFieldViolation(std::move(status), row.field, row.text);
  }
  return ApplyRetry(std::move(status), row.retry, result.retry_after);
}

absl::Status StatusFromTransportError(const absl::Status& transport_error) {
  if (transport_error.ok()) return absl::OkStatus();
  return TransportStatus(*FindTransportRow(transport_error.code()),
                         transport_error);
}

absl::Status StatusFromWriteTransportError(
    const absl::Status& transport_error) {
  if (transport_error.ok()) return absl::OkStatus();
  return TransportStatus(*FindWriteTransportRow(transport_error.code()),
                         transport_error);
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view header_value,
                                              absl::Time now) {
  const absl::string_view value = absl::StripAsciiWhitespace(header_value);
  if (value.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      all_digits = false;
      break;
    }
  }
  if (all_digits) {
    // delta-seconds = 1*DIGIT. More than 18 digits would overflow int64 and
    // is far beyond the clamp anyway.
    if (value.size() > 18) return kMaxRetryAfter;
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(value, &seconds)) return std::nullopt;
    return std::min(absl::Seconds(seconds), kMaxRetryAfter);
  }
  const std::optional<absl::Time> when = ParseHttpDate(value);
  if (!when.has_value()) return std::nullopt;
  const absl::Duration delay = *when - now;
  if (delay <= absl::ZeroDuration()) return absl::ZeroDuration();
  return std::min(delay, kMaxRetryAfter);
}

}  // namespace tracktry
