// Copyright 2026 The tracktry-grpc Authors.
#include "service/errors/upstream_status.h"

#include <climits>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/errors/grpc_status.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::StatusIs;

using Code = absl::StatusCode;

UpstreamResult Meta(int meta_code, std::string message = "") {
  UpstreamResult r;
  r.http_status = 200;
  r.meta_code = meta_code;
  r.meta_message = std::move(message);
  return r;
}

UpstreamResult Http(int http_status) {
  UpstreamResult r;
  r.http_status = http_status;
  return r;
}

std::string Reason(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "<no ErrorInfo>";
}

std::string MetadataValue(const absl::Status& status, const std::string& key) {
  auto info = GetErrorInfo(status);
  if (!info.has_value()) return "<no ErrorInfo>";
  auto it = info->metadata().find(key);
  return it == info->metadata().end() ? "<absent>" : it->second;
}

// Expected outcome of one input. retry: nullopt = no RetryInfo.
struct Case {
  UpstreamResult input;
  Code code;
  std::string reason = "";
  std::optional<absl::Duration> retry = std::nullopt;
  std::string field = "";  // BadRequest field, "" = no BadRequest
};

std::string Describe(const UpstreamResult& r) {
  return absl::StrCat(
      "http=", r.http_status,
      " meta=", r.meta_code.has_value() ? absl::StrCat(*r.meta_code) : "none");
}

void ExpectCase(const Case& c) {
  SCOPED_TRACE(Describe(c.input));
  const absl::Status status = StatusFromUpstream(c.input);
  ASSERT_EQ(status.code(), c.code) << status;
  if (c.code == Code::kOk) {
    EXPECT_TRUE(status.ok());
    return;
  }
  const auto info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), c.reason);
  EXPECT_EQ(info->domain(), "tracktry.v1");
  EXPECT_EQ(MetadataValue(status, "httpStatus"),
            absl::StrCat(c.input.http_status));
  EXPECT_EQ(MetadataValue(status, "metaCode"),
            c.input.meta_code.has_value() ? absl::StrCat(*c.input.meta_code)
                                          : "<absent>");
  EXPECT_EQ(GetRetryDelay(status), c.retry);
  const auto bad_request = GetBadRequest(status);
  if (c.field.empty()) {
    EXPECT_FALSE(bad_request.has_value());
  } else {
    ASSERT_TRUE(bad_request.has_value());
    ASSERT_EQ(bad_request->field_violations_size(), 1);
    EXPECT_EQ(bad_request->field_violations(0).field(), c.field);
  }
}

// A row of the table as the tests expect it: every one of `inputs` has the
// outcome `code`, `reason`, `retry` and `field` (as in Case).
struct Row {
  std::vector<UpstreamResult> inputs;
  Code code;
  std::string reason = "";
  std::optional<absl::Duration> retry = std::nullopt;
  std::string field = "";
};

std::vector<UpstreamResult> HttpStatuses(std::initializer_list<int> statuses) {
  std::vector<UpstreamResult> inputs;
  for (int status : statuses) inputs.push_back(Http(status));
  return inputs;
}

std::vector<UpstreamResult> MetaCodes(std::initializer_list<int> codes) {
  std::vector<UpstreamResult> inputs;
  for (int code : codes) inputs.push_back(Meta(code));
  return inputs;
}

void ExpectRows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    for (const UpstreamResult& input : row.inputs) {
      ExpectCase({input, row.code, row.reason, row.retry, row.field});
    }
  }
}

constexpr absl::Duration k120s = absl::Seconds(120);

TEST(StatusFromUpstreamTest, HttpStatusRowsMapCodeByCode) {
  ExpectRows({
      {HttpStatuses({429}), Code::kResourceExhausted, "RATE_LIMITED", k120s},
      {HttpStatuses({500, 502, 503, 504, 520, 599}), Code::kUnavailable,
       "UPSTREAM_UNAVAILABLE"},
      {HttpStatuses({404}), Code::kInternal, "UPSTREAM_ROUTE_NOT_FOUND"},
      {HttpStatuses({401, 403}), Code::kFailedPrecondition,
       "UPSTREAM_API_KEY_REJECTED"},
      {HttpStatuses({400, 405, 422, 499}), Code::kInternal,
       "UPSTREAM_REJECTED_REQUEST"},
      {HttpStatuses({0, 100, 199, 301, 304, 600, -1}), Code::kUnknown,
       "UPSTREAM_UNEXPECTED_HTTP_STATUS"},
  });
}

TEST(StatusFromUpstreamTest, MetaCodeRowsMapCodeByCode) {
  ExpectRows({
      {MetaCodes({200, 201, 202, 4031}), Code::kOk},
      {MetaCodes({401, 4001, 4002}), Code::kFailedPrecondition,
       "UPSTREAM_API_KEY_REJECTED"},
      {MetaCodes({403}), Code::kPermissionDenied, "UPSTREAM_PERMISSION_DENIED"},
      {MetaCodes({402, 4019, 4021}), Code::kResourceExhausted,
       "QUOTA_EXHAUSTED"},
      {MetaCodes({429}), Code::kResourceExhausted, "RATE_LIMITED", k120s},
      {MetaCodes({4012}), Code::kInvalidArgument, "MISSING_PARAMETER"},
      {MetaCodes({4013}), Code::kInvalidArgument, "TRACKING_NUMBER_REQUIRED",
       std::nullopt, "tracking_number"},
      {MetaCodes({4014}), Code::kInvalidArgument, "TRACKING_NUMBER_INVALID",
       std::nullopt, "tracking_number"},
      {MetaCodes({4015}), Code::kInvalidArgument, "CARRIER_CODE_INVALID",
       std::nullopt, "carrier_code"},
      {MetaCodes({4020}), Code::kInvalidArgument, "BATCH_TOO_LARGE",
       std::nullopt, "trackings"},
      {MetaCodes({4033}), Code::kInvalidArgument, "STATUS_INVALID",
       std::nullopt, "status"},
      {MetaCodes({4016, 409}), Code::kAlreadyExists, "TRACKING_ALREADY_EXISTS"},
      {MetaCodes({4017, 404}), Code::kNotFound, "TRACKING_NOT_FOUND"},
      {MetaCodes({4018}), Code::kFailedPrecondition, "FEATURE_NOT_ACTIVATED"},
      {MetaCodes({4032}), Code::kFailedPrecondition, "CARRIER_UNDETECTABLE"},
      {MetaCodes({405}), Code::kUnimplemented, "UPSTREAM_METHOD_NOT_ALLOWED"},
      {MetaCodes({500, 503}), Code::kUnavailable, "UPSTREAM_UNAVAILABLE"},
      // Not in the table: unknown.
      {MetaCodes({0, 203, 400, 502, 4003, 4030, 4501, -4016}), Code::kUnknown,
       "UPSTREAM_UNKNOWN_CODE"},
  });
}

TEST(StatusFromUpstreamTest, NonSuccessHttpDecidesBeforeMetaCode) {
  UpstreamResult r = Meta(200, "Success");
  r.http_status = 503;
  ExpectCase({r, Code::kUnavailable, "UPSTREAM_UNAVAILABLE"});
  r = Meta(4016);
  r.http_status = 429;
  ExpectCase({r, Code::kResourceExhausted, "RATE_LIMITED", k120s});
}

TEST(StatusFromUpstreamTest, AnyTwoHundredHttpStatusDefersToMetaCode) {
  for (int http : {200, 201, 204, 299}) {
    UpstreamResult r = Meta(4017);
    r.http_status = http;
    ExpectCase({r, Code::kNotFound, "TRACKING_NOT_FOUND"});
  }
}

TEST(StatusFromUpstreamTest, SuccessWithoutMetaCodeIsInvalidResponse) {
  ExpectCase({Http(200), Code::kInternal, "UPSTREAM_RESPONSE_INVALID"});
}

TEST(StatusFromUpstreamTest, RetryAfterHonouredForRateLimits) {
  UpstreamResult http = Http(429);
  http.retry_after = absl::Seconds(7);
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(http)), absl::Seconds(7));

  UpstreamResult meta = Meta(429);
  meta.retry_after = absl::Milliseconds(1500);
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(meta)), absl::Milliseconds(1500));

  meta.retry_after = absl::ZeroDuration();
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(meta)), absl::ZeroDuration());
}

TEST(StatusFromUpstreamTest, DefaultRateLimitDelayIs120Seconds) {
  EXPECT_EQ(kDefaultRateLimitRetryDelay, absl::Seconds(120));
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(Http(429))), absl::Seconds(120));
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(Meta(429))), absl::Seconds(120));
}

TEST(StatusFromUpstreamTest, UnavailableGetsRetryInfoOnlyWithRetryAfter) {
  UpstreamResult r = Http(503);
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(r)), std::nullopt);
  r.retry_after = absl::Seconds(30);
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(r)), absl::Seconds(30));
  UpstreamResult meta = Meta(503);
  meta.retry_after = absl::Seconds(9);
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(meta)), absl::Seconds(9));
}

TEST(StatusFromUpstreamTest, QuotaAndOtherErrorsIgnoreRetryAfter) {
  for (int code : {402, 4019, 4021, 4016, 4001, 4014}) {
    UpstreamResult r = Meta(code);
    r.retry_after = absl::Seconds(30);
    EXPECT_EQ(GetRetryDelay(StatusFromUpstream(r)), std::nullopt) << code;
  }
  UpstreamResult r = Http(401);
  r.retry_after = absl::Seconds(30);
  EXPECT_EQ(GetRetryDelay(StatusFromUpstream(r)), std::nullopt);
}

TEST(StatusFromUpstreamTest, MessageHasRowTextAndUpstreamMessage) {
  EXPECT_EQ(StatusFromUpstream(Meta(4016, "Tracking already exists")).message(),
            "tracking already exists (upstream 4016: Tracking already exists)");
  EXPECT_EQ(StatusFromUpstream(Meta(4017)).message(),
            "tracking not found (upstream 4017)");
  EXPECT_EQ(StatusFromUpstream(Http(503)).message(),
            "upstream temporarily unavailable (upstream HTTP 503)");
  UpstreamResult both = Meta(429, "Too Many Requests");
  both.http_status = 429;
  EXPECT_EQ(StatusFromUpstream(both).message(),
            "upstream rate limit exceeded (upstream HTTP 429, meta.code 429: "
            "Too Many Requests)");
}

TEST(StatusFromUpstreamTest, UpstreamMessageTruncatedTo200Bytes) {
  const std::string head(200, 'a');
  const absl::Status status =
      StatusFromUpstream(Meta(4014, head + "TAIL-THAT-MUST-NOT-APPEAR"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(head));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("TAIL")));
  EXPECT_LE(status.message().size(), 200 + 100u);
}

TEST(StatusFromUpstreamTest, UpstreamMessageTruncatedOnCodePointBoundary) {
  // 199 ASCII bytes then a 3-byte character that does not fit.
  const absl::Status status =
      StatusFromUpstream(Meta(4014, std::string(199, 'a') + "\xE4\xB8\xAD!"));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr(std::string(199, 'a') + ")"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("\xE4")));
}

TEST(StatusFromUpstreamTest, UpstreamMessageControlCharactersReplaced) {
  const absl::Status status =
      StatusFromUpstream(Meta(4014, "bad\r\nX-Injected: 1\x01"));
  EXPECT_EQ(status.message(),
            "tracking number is invalid (upstream 4014: bad  X-Injected: 1)");
}

TEST(StatusFromUpstreamTest, RawBodyNeverAppears) {
  // The result type has no body at all; the only upstream text is
  // meta.message. A non-2xx answer's body is never parsed, so its message
  // carries nothing upstream-controlled.
  const absl::Status status = StatusFromUpstream(Http(502));
  EXPECT_EQ(status.message(),
            "upstream temporarily unavailable (upstream HTTP 502)");
  for (const auto& row : StatusMappingTable()) {
    EXPECT_THAT(std::string(row.text), Not(HasSubstr("{")));
  }
}

TEST(StatusFromUpstreamTest, UpstreamMessageRedactsRegisteredSecrets) {
  SetSecretsToRedact({"k3y-s3cr3t"});
  // The secret straddles the 200-byte cut: redaction happens first.
  const std::string message = std::string(194, 'a') + " k3y-s3cr3t";
  const absl::Status status = StatusFromUpstream(Meta(4001, message));
  SetSecretsToRedact({});
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("k3y")));
  EXPECT_THAT(std::string(status.message()), HasSubstr("[RED"));
}

TEST(StatusMappingTableTest, EveryRowIsReachableAndWellFormed) {
  const auto& table = StatusMappingTable();
  ASSERT_FALSE(table.empty());
  std::set<MatchKind> kinds_with_catch_all;
  for (const StatusMappingRow& row : table) {
    SCOPED_TRACE(absl::StrCat(row.reason, " ", row.first, "..", row.last));
    EXPECT_LE(row.first, row.last);
    if (row.first == INT_MIN && row.last == INT_MAX) {
      kinds_with_catch_all.insert(row.match);
    }
    if (row.code == Code::kOk) {
      EXPECT_STREQ(row.reason, "");
      continue;
    }
    const std::string reason = row.reason;
    EXPECT_FALSE(reason.empty());
    EXPECT_LE(reason.size(), 63u);
    for (char c : reason) {
      EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
          << reason;
    }
    EXPECT_NE(std::string(row.text), "");
    // The row decides its own first value (it is not shadowed).
    const StatusMappingRow* found = nullptr;
    switch (row.match) {
      case MatchKind::kHttpStatus:
        if (row.first >= 200 && row.first <= 299) continue;
        found = FindUpstreamRow(Http(row.first));
        break;
      case MatchKind::kMissingMetaCode:
        found = FindUpstreamRow(Http(200));
        break;
      case MatchKind::kMetaCode:
        found = FindUpstreamRow(Meta(row.first));
        break;
      case MatchKind::kTransportError:
        found = FindTransportRow(static_cast<Code>(row.first));
        break;
      case MatchKind::kWriteTransportError:
        found = FindWriteTransportRow(static_cast<Code>(row.first));
        break;
    }
    EXPECT_EQ(found, &row);
  }
  // Every kind but kWriteTransportError, which falls back to the transport
  // rows.
  EXPECT_EQ(kinds_with_catch_all.size(), 4u);
  EXPECT_EQ(kinds_with_catch_all.count(MatchKind::kWriteTransportError), 0u);
}

TEST(StatusMappingTableTest, RetryInfoOnlyOnRetryableCodes) {
  for (const StatusMappingRow& row : StatusMappingTable()) {
    if (row.retry == RetryDetail::kNone) continue;
    EXPECT_TRUE(row.code == Code::kResourceExhausted ||
                row.code == Code::kUnavailable)
        << row.reason;
  }
}

TEST(StatusMappingTableTest, DocsListEveryReason) {
  const std::string path =
      std::string(TRACKTRY_TESTDATA_DIR) + "/../../docs/errors.md";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string docs = buffer.str();
  for (const StatusMappingRow& row : StatusMappingTable()) {
    if (row.code == Code::kOk) continue;
    EXPECT_THAT(docs, HasSubstr(absl::StrCat("`", row.reason, "`")));
  }
  for (const char* reason :
       {"INVALID_ARGUMENT", "kDefaultRateLimitRetryDelay"}) {
    EXPECT_THAT(docs, HasSubstr(reason));
  }
}

// A transport error and what it maps to.
struct TransportCase {
  absl::Status in;
  Code code;
  std::string reason;
};

// `convert` maps each of `cases`, and the errors that have the same row for
// reads and writes, as expected: the transport's code and message kept,
// never a RetryInfo (the service retries reads by its own policy and never
// a write, and a client must not repeat a write blindly without
// request_id).
void ExpectTransportCases(absl::Status (*convert)(const absl::Status&),
                          std::vector<TransportCase> cases) {
  cases.insert(
      cases.end(),
      {
          {absl::InternalError("response body exceeds 8388608 bytes"),
           Code::kInternal, "UPSTREAM_RESPONSE_INVALID"},
          {absl::CancelledError("cancelled"), Code::kCancelled, "CANCELLED"},
          {absl::InvalidArgumentError("bad URL"), Code::kUnknown,
           "UPSTREAM_TRANSPORT_ERROR"},
          {absl::UnknownError("?"), Code::kUnknown, "UPSTREAM_TRANSPORT_ERROR"},
      });
  for (const TransportCase& c : cases) {
    SCOPED_TRACE(c.in.ToString());
    const absl::Status out = convert(c.in);
    EXPECT_EQ(out.code(), c.code);
    EXPECT_EQ(Reason(out), c.reason);
    EXPECT_EQ(GetErrorInfo(out)->domain(), "tracktry.v1");
    EXPECT_EQ(MetadataValue(out, "transportCode"),
              absl::StatusCodeToString(c.in.code()));
    EXPECT_THAT(std::string(out.message()),
                HasSubstr(std::string(c.in.message())));
    EXPECT_EQ(GetRetryDelay(out), std::nullopt);
  }
}

TEST(StatusFromTransportErrorTest, MapsEachTransportCode) {
  ExpectTransportCases(
      StatusFromTransportError,
      {
          {absl::DeadlineExceededError("no response within 5s"),
           Code::kDeadlineExceeded, "UPSTREAM_TIMEOUT"},
          {absl::UnavailableError("connection refused"), Code::kUnavailable,
           "UPSTREAM_UNREACHABLE"},
          {absl::ResourceExhaustedError("too many handles"), Code::kUnknown,
           "UPSTREAM_TRANSPORT_ERROR"},
      });
}

TEST(StatusFromWriteTransportErrorTest, MapsEachTransportCode) {
  // The answer was lost after the request went out: outcome unknown.
  ExpectTransportCases(
      StatusFromWriteTransportError,
      {
          {absl::DeadlineExceededError("timed out after 800 ms"),
           Code::kUnavailable, "UPSTREAM_OUTCOME_UNKNOWN"},
          {absl::UnavailableError(
               "connection lost before an answer; not re-sent"),
           Code::kUnavailable, "UPSTREAM_OUTCOME_UNKNOWN"},
      });
}

TEST(StatusFromWriteTransportErrorTest, OutcomeUnknownMessageSaysRepeatIsSafe) {
  const absl::Status out = StatusFromWriteTransportError(absl::UnavailableError(
      "upstream POST /v1/trackings/post: connection lost before an answer; "
      "not re-sent"));
  EXPECT_EQ(out.message(),
            "upstream outcome unknown: the request was sent but its answer "
            "was lost, so the upstream may or may not have applied it; "
            "repeating it is safe (creates: with the same request_id) "
            "(upstream POST /v1/trackings/post: connection lost before an "
            "answer; not re-sent)");
  EXPECT_LE(out.message().size(), 1024u);
}

TEST(StatusFromWriteTransportErrorTest, ReadsKeepTheirTransportRows) {
  // The same transport errors of a read stay retryable UNREACHABLE /
  // UPSTREAM_TIMEOUT: only writes have an unknown outcome.
  EXPECT_EQ(Reason(StatusFromTransportError(absl::UnavailableError(
                "connection lost before an answer; not re-sent"))),
            "UPSTREAM_UNREACHABLE");
  EXPECT_EQ(Reason(StatusFromTransportError(
                absl::DeadlineExceededError("timed out"))),
            "UPSTREAM_TIMEOUT");
  EXPECT_EQ(FindWriteTransportRow(Code::kCancelled),
            FindTransportRow(Code::kCancelled));
  EXPECT_NE(FindWriteTransportRow(Code::kUnavailable),
            FindTransportRow(Code::kUnavailable));
  EXPECT_THAT(StatusFromWriteTransportError(absl::OkStatus()), IsOk());
}

TEST(StatusFromTransportErrorTest, KeepsTransportMessageAfterRowText) {
  EXPECT_EQ(StatusFromTransportError(
                absl::DeadlineExceededError("no response within 5s"))
                .message(),
            "upstream did not answer in time (no response within 5s)");
}

TEST(StatusFromTransportErrorTest, OkStaysOk) {
  EXPECT_THAT(StatusFromTransportError(absl::OkStatus()), IsOk());
}

TEST(StatusFromTransportErrorTest, ResultMatchersWork) {
  EXPECT_THAT(StatusFromTransportError(absl::UnavailableError("refused")),
              StatusIs(Code::kUnavailable, HasSubstr("upstream unreachable")));
}

// --- ParseRetryAfter ---

const absl::Time kNow =
    absl::FromUnixSeconds(784111777);  // 1994-11-06T08:49:37Z

TEST(ParseRetryAfterTest, DeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter("0", kNow), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter(" 7 \t", kNow), absl::Seconds(7));
  EXPECT_EQ(ParseRetryAfter("007", kNow), absl::Seconds(7));
}

TEST(ParseRetryAfterTest, DeltaSecondsClampedToOneDay) {
  EXPECT_EQ(ParseRetryAfter("86401", kNow), absl::Hours(24));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", kNow), absl::Hours(24));
}

TEST(ParseRetryAfterTest, HttpDateImfFixdateIsAbsolute) {
  // 90 s after kNow.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:51:07 GMT", kNow),
            absl::Seconds(90));
  // The same header read at a later time gives a shorter delay: the date is
  // absolute, not a delta.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:51:07 GMT",
                            kNow + absl::Seconds(60)),
            absl::Seconds(30));
}

TEST(ParseRetryAfterTest, HttpDateObsoleteFormats) {
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:50:37 GMT", kNow),
            absl::Seconds(60));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:50:47 1994", kNow),
            absl::Seconds(70));
}

TEST(ParseRetryAfterTest, HttpDateInThePastIsZero) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", kNow),
            absl::ZeroDuration());
}

TEST(ParseRetryAfterTest, HttpDateFarAheadClampedToOneDay) {
  EXPECT_EQ(ParseRetryAfter("Fri, 01 Jan 2100 00:00:00 GMT", kNow),
            absl::Hours(24));
}

TEST(ParseRetryAfterTest, GarbageIsRejected) {
  for (const char* value :
       {"", "   ", "-5", "1.5", "12s", "soon", "+3",
        "Sun, 06 Nov 1994 08:51:07",  // no zone
        "Sun, 32 Nov 1994 08:51:07 GMT", "2026-01-01T00:00:00Z"}) {
    EXPECT_EQ(ParseRetryAfter(value, kNow), std::nullopt) << value;
  }
}

}  // namespace
}  // namespace tracktry
