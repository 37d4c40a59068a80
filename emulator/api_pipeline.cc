// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/api_pipeline.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "emulator/envelope.h"

namespace tracktry::emulator {
namespace {

std::string ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Temporarily Unavailable";
    case 504:
      return "Gateway Time-out";
    case 520:
      return "Web server is returning an unknown error";
    case 521:
      return "Web server is down";
    case 522:
      return "Connection timed out";
    case 524:
      return "A timeout occurred";
    default:
      return "Error";
  }
}

// An error page like the ones nginx (or Cloudflare for 52x) serves.
std::string HtmlErrorPage(int status) {
  const std::string title = absl::StrCat(status, " ", ReasonPhrase(status));
  if (status >= 520 && status <= 527) {
    return absl::StrCat(
        "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<title>",
        "api.tracktry.com | ", title,
        "</title>\n</head>\n<body>\n<div id=\"cf-error-details\">\n<h1>",
        ReasonPhrase(status), "</h1>\n<span>Error code ", status,
        "</span>\n<p>Cloudflare Ray ID: 7d3f1c2a9b8e4f01</p>\n</div>\n"
        "</body>\n</html>\n");
  }
  return absl::StrCat("<html>\r\n<head><title>", title,
                      "</title></head>\r\n<body>\r\n<center><h1>", title,
                      "</h1></center>\r\n<hr><center>nginx</center>\r\n"
                      "</body>\r\n</html>\r\n");
}

std::string WrongShapeBody(const std::string& shape) {
  const std::string meta = DumpJson(MetaObject(200));
  if (shape == "meta_missing") return R"({"data":{"items":[]}})";
  if (shape == "array_root") return R"([{"code":200,"items":[]}])";
  if (shape == "meta_string") return R"({"meta":"Success","data":[]})";
  if (shape == "data_string")
    return absl::StrCat(R"({"meta":)", meta, R"(,"data":"ok"})");
  return absl::StrCat(R"({"meta":)", meta, R"(,"data":12345})");
}

std::string OversizeBody(int64_t size) {
  const std::string head = absl::StrCat(
      R"({"meta":)", DumpJson(MetaObject(200)),
      R"(,"data":{"page":1,"limit":2000,"total":"1","count":0,"items":[],"padding":")");
  const std::string tail = "\"}}";
  const int64_t fill = size - static_cast<int64_t>(head.size() + tail.size());
  std::string body;
  body.reserve(static_cast<size_t>(std::max<int64_t>(0, fill)) + head.size() +
               tail.size());
  body += head;
  if (fill > 0) body.append(static_cast<size_t>(fill), 'x');
  body += tail;
  return body;
}

}  // namespace

ResponsePlan ApiPipeline::FaultAnswer(const FaultRule& rule) {
  EmulatorStats& stats = state_->stats();
  ResponsePlan plan;
  plan.is_api = true;
  switch (rule.kind) {
    case FaultKind::kHttpError:
      plan.http_status = rule.http_status;
      plan.content_type = "text/html";
      plan.body = HtmlErrorPage(rule.http_status);
      stats.RecordResponse(0, plan.http_status);
      break;
    case FaultKind::kMetaError:
      plan.http_status = rule.http_status != 0 ? rule.http_status : 200;
      plan.body = ErrorEnvelopeBody(rule.meta_code);
      stats.RecordResponse(rule.meta_code, plan.http_status);
      break;
    case FaultKind::kMalformedJson:
      plan.body =
          R"({"meta":{"code":200,"type":"Success",message:'Success'},"data":{tracking_number: undefined,})";
      stats.RecordResponse(0, 200);
      break;
    case FaultKind::kWrongShape:
      plan.body = WrongShapeBody(rule.shape);
      stats.RecordResponse(
          rule.shape == "data_number" || rule.shape == "data_string" ? 200 : 0,
          200);
      break;
    case FaultKind::kOversize:
      plan.body = OversizeBody(rule.oversize_bytes);
      stats.RecordResponse(200, 200);
      break;
    case FaultKind::kDrop:
      plan.delivery = Delivery::kDrop;
      break;
    case FaultKind::kHang:
      plan.delivery = Delivery::kHang;
      break;
    default:
      break;
  }
  if (rule.retry_after_s >= 0 && (rule.kind == FaultKind::kHttpError ||
                                  rule.kind == FaultKind::kMetaError)) {
    plan.headers.emplace_back("Retry-After",
                              std::to_string(rule.retry_after_s));
  }
  return plan;
}

ResponsePlan ApiPipeline::Dispatch(const Request& request) {
  EmulatorStats& stats = state_->stats();
  const RuntimeConfig config = state_->config();
  const RouteMatch match = state_->routes().Match(request.method, request.path);
  stats.RecordRequest(match.name());

  ResponsePlan plan;
  plan.is_api = true;
  plan.delay_ms = config.latency_ms;
  if (match.error != 0) {
    plan.http_status = match.error;
    plan.body = ErrorEnvelopeBody(match.error);
    if (match.error == 405) {
      plan.headers.emplace_back("Allow", match.allowed_methods);
    }
    stats.RecordResponse(match.error, match.error);
    return plan;
  }

  const FaultDecision decision = state_->faults().Select(
      match.name(), request.method, match.relative_path, request.path,
      /*reused_connection=*/request.number_on_connection > 1);
  plan.delay_ms += decision.extra_latency_ms;
  for (int i = 0; i < decision.latency_rules; ++i) stats.RecordFault("latency");
  std::optional<FaultKind> pass_through;
  if (decision.action.has_value()) {
    const FaultRule& rule = *decision.action;
    stats.RecordFault(FaultKindName(rule.kind));
    if (rule.kind != FaultKind::kTruncatedJson &&
        rule.kind != FaultKind::kResetMidBody &&
        rule.kind != FaultKind::kTrickle &&
        rule.kind != FaultKind::kDropAfterRequest &&
        rule.kind != FaultKind::kStoreThenDrop) {
      ResponsePlan fault = FaultAnswer(rule);
      fault.delay_ms = plan.delay_ms;
      return fault;
    }
    pass_through = rule.kind;
  }

  // The request was read in full and counts (rate limit, state) as usual,
  // but its answer is never sent.
  const bool dropped = pass_through == FaultKind::kDropAfterRequest ||
                       pass_through == FaultKind::kStoreThenDrop;
  const auto record = [&stats, dropped](int meta_code, int http_status) {
    if (!dropped) stats.RecordResponse(meta_code, http_status);
  };
  const absl::string_view key = request.Header(config.api_key_header);
  const bool authorized =
      config.api_key.empty() ? !key.empty() : key == config.api_key;
  if (!authorized) {
    plan.body = ErrorEnvelopeBody(4001);
    record(4001, 200);
  } else if (!state_->rate_limiter().TryAcquire()) {
    plan.http_status = config.rate_limit.http_status;
    plan.body = ErrorEnvelopeBody(429);
    if (plan.http_status == 429) {
      plan.headers.emplace_back(
          "Retry-After", std::to_string(config.rate_limit.retry_after_s));
    }
    record(429, plan.http_status);
  } else if (pass_through != FaultKind::kDropAfterRequest) {
    ApiResult result = state_->api().Handle(match, request, config.quirks);
    plan.http_status = result.http_status;
    plan.body = std::move(result.body);
    record(result.meta_code, result.http_status);
  }

  if (pass_through.has_value()) {
    const FaultRule& rule = *decision.action;
    switch (*pass_through) {
      case FaultKind::kTruncatedJson:
        plan.body.resize(plan.body.size() / 2);
        break;
      case FaultKind::kResetMidBody:
        plan.delivery = Delivery::kResetMidBody;
        plan.partial_bytes = plan.body.size() / 2;
        break;
      case FaultKind::kTrickle:
        plan.delivery = Delivery::kTrickle;
        plan.trickle_bytes = static_cast<size_t>(rule.trickle_bytes);
        plan.trickle_interval_ms = rule.trickle_interval_ms;
        break;
      case FaultKind::kDropAfterRequest:
      case FaultKind::kStoreThenDrop:
        plan.delivery = Delivery::kDrop;
        plan.body.clear();
        plan.headers.clear();
        break;
      default:
        break;
    }
  }
  return plan;
}

}  // namespace tracktry::emulator
