// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/webhook_pusher.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "emulator/emulator_state.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"

namespace tracktry::emulator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string WebhookSignature(absl::string_view email,
                             absl::string_view time_str) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), email.data(), static_cast<int>(email.size()),
       reinterpret_cast<const unsigned char*>(time_str.data()), time_str.size(),
       digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string BuildWebhookPushBody(const nlohmann::json& tracking, bool sign,
                                 absl::string_view email, int64_t time_unix) {
  const std::string time_str = absl::StrCat(time_unix);
  nlohmann::json body = {
      {"meta", {{"code", 200}, {"type", "Success"}, {"message", "Success"}}},
      {"data", tracking},
      {"verifyInfo",
       {{"timeStr", time_str},
        {"signature", sign ? WebhookSignature(email, time_str) : ""}}}};
  return body.dump();
}

absl::StatusOr<int> PostWebhook(absl::string_view url, absl::string_view body,
                                absl::Duration timeout) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError("webhook url must start with http://");
  }
  const size_t slash = rest.find('/');
  const std::string authority(rest.substr(0, slash));
  const std::string target =
      slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  const size_t colon = authority.rfind(':');
  int port = 80;
  std::string host = authority;
  if (colon != std::string::npos) {
    host = authority.substr(0, colon);
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port)) {
      return absl::InvalidArgumentError("bad port in webhook url");
    }
  }
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, absl::StrCat(port), ec);
  if (ec) return absl::UnavailableError("cannot resolve the webhook host");
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, authority);
  request.set(http::field::content_type, "application/json");
  request.body() = std::string(body);
  request.prepare_payload();
  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  bool failed = false;
  stream.expires_after(absl::ToChronoMilliseconds(timeout));
  stream.async_connect(
      endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        if (e) {
          failed = true;
          return;
        }
        http::async_write(stream, request, [&](beast::error_code e, size_t) {
          if (e) {
            failed = true;
            return;
          }
          http::async_read(stream, buffer, response,
                           [&](beast::error_code e, size_t) { failed = !!e; });
        });
      });
  io.run();
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  if (failed) return absl::UnavailableError("webhook receiver unreachable");
  return static_cast<int>(response.result_int());
}

absl::StatusOr<WebhookPushRequest> WebhookPushRequestFromJson(
    const nlohmann::json& json) {
  if (!json.is_object())
    return absl::InvalidArgumentError("body must be an object");
  WebhookPushRequest request;
  auto text = [&](const char* name, std::string* out) {
    auto it = json.find(name);
    if (it != json.end() && it->is_string()) *out = it->get<std::string>();
  };
  text("url", &request.url);
  text("carrier_code", &request.carrier_code);
  text("tracking_number", &request.tracking_number);
  text("email", &request.email);
  if (auto it = json.find("signed"); it != json.end() && it->is_boolean()) {
    request.sign = it->get<bool>();
  }
  if (auto it = json.find("time_offset_s");
      it != json.end() && it->is_number_integer()) {
    request.time_offset_s = it->get<int64_t>();
  }
  if (request.url.empty() || request.carrier_code.empty() ||
      request.tracking_number.empty()) {
    return absl::InvalidArgumentError(
        "url, carrier_code and tracking_number are required");
  }
  return request;
}

absl::StatusOr<int> PushWebhookFromState(EmulatorState& state,
                                         const WebhookPushRequest& request) {
  nlohmann::json tracking;
  RouteMatch match = state.routes().Match(
      "GET", absl::StrCat("/v1/trackings/", request.carrier_code, "/",
                          request.tracking_number));
  if (match.error == 0) {
    Request get;
    get.method = "GET";
    get.path = absl::StrCat("/v1/trackings/", request.carrier_code, "/",
                            request.tracking_number);
    ApiResult result = state.api().Handle(match, get, /*quirks=*/false);
    nlohmann::json envelope =
        nlohmann::json::parse(result.body, nullptr, /*allow_exceptions=*/false);
    if (result.meta_code == 200 && envelope.is_object()) {
      auto data = envelope.find("data");
      if (data != envelope.end() && data->is_array() && !data->empty()) {
        tracking = data->front();
      } else if (data != envelope.end() && data->is_object()) {
        tracking = *data;
      }
    }
  }
  if (!tracking.is_object()) {
    tracking = {{"tracking_number", request.tracking_number},
                {"carrier_code", request.carrier_code},
                {"status", "transit"},
                {"substatus", "transit001"}};
  }
  const int64_t now = absl::ToUnixSeconds(absl::Now()) + request.time_offset_s;
  return PostWebhook(request.url, BuildWebhookPushBody(tracking, request.sign,
                                                       request.email, now));
}

}  // namespace tracktry::emulator
