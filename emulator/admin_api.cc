// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/admin_api.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "emulator/envelope.h"
#include "emulator/webhook_pusher.h"
#include "nlohmann/json.hpp"

namespace tracktry::emulator {
namespace {

ResponsePlan JsonAnswer(int http_status, const OrderedJson& body) {
  ResponsePlan plan;
  plan.http_status = http_status;
  plan.body = DumpJson(body);
  return plan;
}

ResponsePlan ErrorAnswer(int http_status, absl::string_view message) {
  OrderedJson body = OrderedJson::object();
  body["error"] = std::string(message);
  return JsonAnswer(http_status, body);
}

ResponsePlan MethodNotAllowed(absl::string_view allowed) {
  ResponsePlan plan = ErrorAnswer(405, "method not allowed");
  plan.headers.emplace_back("Allow", std::string(allowed));
  return plan;
}

}  // namespace

bool AdminApi::IsAdminPath(absl::string_view path) {
  return path == kAdminPrefix || (absl::StartsWith(path, kAdminPrefix) &&
                                  path.size() > kAdminPrefix.size() &&
                                  path[kAdminPrefix.size()] == '/');
}

ResponsePlan AdminApi::Handle(const Request& request) {
  absl::string_view path = request.path;
  if (path.size() > 1 && absl::EndsWith(path, "/")) path.remove_suffix(1);
  const std::string& method = request.method;
  const auto parse = [&](nlohmann::json* out) {
    *out = nlohmann::json::parse(request.body, nullptr, false);
    return !out->is_discarded();
  };
  nlohmann::json body;

  if (path == "/_emulator/reset") {
    if (method != "POST") return MethodNotAllowed("POST");
    state_->Reset();
    return JsonAnswer(200, OrderedJson{{"ok", true}});
  }
  if (path == "/_emulator/faults") {
    FaultInjector& faults = state_->faults();
    if (method == "GET") return JsonAnswer(200, faults.ToJson());
    if (method == "DELETE") {
      faults.Clear();
      return JsonAnswer(200, faults.ToJson());
    }
    if (method == "PUT") {
      if (!parse(&body)) return ErrorAnswer(400, "body is not JSON");
      const absl::Status status = faults.SetRulesFromJson(body);
      if (!status.ok()) return ErrorAnswer(400, status.message());
      return JsonAnswer(200, faults.ToJson());
    }
    return MethodNotAllowed("GET, PUT, DELETE");
  }
  if (path == "/_emulator/stats") {
    if (method != "GET") return MethodNotAllowed("GET");
    OrderedJson stats = state_->stats().Snapshot().ToJson();
    stats["trackings"] = state_->api().tracking_count();
    return JsonAnswer(200, stats);
  }
  if (path == "/_emulator/clock") {
    if (method == "GET") return JsonAnswer(200, state_->ClockToJson());
    if (method != "POST") return MethodNotAllowed("GET, POST");
    if (!parse(&body) || !body.is_object()) {
      return ErrorAnswer(400, "body must be a JSON object");
    }
    auto it = body.find("advance_seconds");
    if (it == body.end() || !it->is_number()) {
      return ErrorAnswer(400, "advance_seconds must be a number");
    }
    state_->clock().Advance(static_cast<int64_t>(it->get<double>()));
    return JsonAnswer(200, state_->ClockToJson());
  }
  if (path == "/_emulator/config") {
    if (method == "GET") return JsonAnswer(200, state_->ConfigToJson());
    if (method != "PUT") return MethodNotAllowed("GET, PUT");
    if (!parse(&body)) return ErrorAnswer(400, "body is not JSON");
    const absl::Status status = state_->PatchConfigFromJson(body);
    if (!status.ok()) return ErrorAnswer(400, status.message());
    return JsonAnswer(200, state_->ConfigToJson());
  }
  if (path == "/_emulator/webhook/push") {
    if (method != "POST") return MethodNotAllowed("POST");
    if (!parse(&body)) return ErrorAnswer(400, "body is not JSON");
    absl::StatusOr<WebhookPushRequest> push = WebhookPushRequestFromJson(body);
    if (!push.ok()) return ErrorAnswer(400, push.status().message());
    absl::StatusOr<int> code = PushWebhookFromState(*state_, *push);
    if (!code.ok()) return ErrorAnswer(502, code.status().message());
    return JsonAnswer(200, OrderedJson{{"receiver_status", *code}});
  }
  if (path == "/_emulator/health") {
    if (method != "GET") return MethodNotAllowed("GET");
    return JsonAnswer(200, OrderedJson{{"status", "ok"}});
  }
  return ErrorAnswer(404, "unknown admin endpoint");
}

}  // namespace tracktry::emulator
