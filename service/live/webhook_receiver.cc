// Copyright 2026 The tracktry-grpc Authors.
#include "service/live/webhook_receiver.h"

#include <functional>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "service/live/webhook_verifier.h"
#include "service/translation/tracking_translation.h"

namespace tracktry {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Handler = std::function<int(absl::string_view body)>;

// One client connection; owned by its pending asio handlers.
class WebhookSession : public std::enable_shared_from_this<WebhookSession> {
 public:
  WebhookSession(tcp::socket socket, const Handler* handler)
      : socket_(std::move(socket)), handler_(handler) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(4u << 20);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return;
                       self->Respond();
                     });
  }

 private:
  void Respond() {
    http::request<http::string_body> request = parser_->release();
    int code = 405;
    if (request.method() == http::verb::post)
      code = (*handler_)(request.body());
    response_ = {};
    response_.version(request.version());
    response_.result(static_cast<http::status>(code));
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(request.keep_alive());
    response_.body() = absl::StrCat("{\"code\":", code, "}");
    response_.prepare_payload();
    http::async_write(
        socket_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return;
          if (self->response_.keep_alive()) {
            self->Read();
          } else {
            beast::error_code ignored;
            self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
          }
        });
  }

  tcp::socket socket_;
  const Handler* handler_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

struct WebhookReceiver::Server {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  Handler handler;
  std::thread thread;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed
      std::make_shared<WebhookSession>(std::move(socket), &handler)->Read();
      Accept();
    });
  }
};

WebhookReceiver::WebhookReceiver(WebhookReceiverOptions options)
    : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<WebhookReceiver>> WebhookReceiver::Start(
    WebhookReceiverOptions options) {
  const std::string address = options.listen_address;
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad webhook listen address \"", address, "\""));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  beast::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (ec) {
    if (host == "localhost") {
      ip = asio::ip::make_address("127.0.0.1");
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("bad webhook listen host \"", host, "\""));
    }
  }
  std::unique_ptr<WebhookReceiver> receiver(
      new WebhookReceiver(std::move(options)));
  auto server = std::make_unique<Server>();
  WebhookReceiver* self = receiver.get();
  server->handler = [self](absl::string_view body) {
    return self->HandleBody(body, absl::Now());
  };
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  server->acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    server->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) server->acceptor.bind(endpoint, ec);
  if (!ec)
    server->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", address, " for webhooks: ", ec.message()));
  }
  receiver->port_ = server->acceptor.local_endpoint().port();
  server->Accept();
  Server* raw = server.get();
  server->thread = std::thread([raw] { raw->io.run(); });
  receiver->server_ = std::move(server);
  return receiver;
}

WebhookReceiver::~WebhookReceiver() {
  if (server_ == nullptr) return;
  server_->io.stop();
  if (server_->thread.joinable()) server_->thread.join();
}

WebhookStats WebhookReceiver::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool WebhookReceiver::SeenBefore(const std::string& key, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  while (!seen_order_.empty() &&
         (now - seen_order_.front().second > options_.dedupe_ttl ||
          seen_order_.size() > options_.dedupe_max_entries)) {
    seen_.erase(seen_order_.front().first);
    seen_order_.pop_front();
  }
  if (seen_.count(key) > 0) return true;
  seen_order_.emplace_back(key, now);
  seen_[key] = std::prev(seen_order_.end());
  return false;
}

int WebhookReceiver::HandleBody(absl::string_view body, absl::Time now) {
  auto count = [this](int64_t WebhookStats::*counter) {
    std::lock_guard<std::mutex> lock(mu_);
    ++(stats_.*counter);
  };
  absl::StatusOr<WebhookPush> push = ParseWebhookBody(body);
  if (!push.ok()) {
    count(&WebhookStats::malformed);
    return 400;
  }
  if (!VerifyWebhookPush(*push, options_.email, now, options_.max_skew).ok()) {
    count(&WebhookStats::unauthorized);
    return 401;
  }
  absl::StatusOr<v1::Tracking> tracking = TrackingFromJson(push->data);
  if (!tracking.ok() || tracking->carrier_code().empty()) {
    count(&WebhookStats::malformed);
    return 400;
  }
  const std::string key = absl::StrCat(
      tracking->carrier_code(), "\n", tracking->tracking_number(), "\n",
      push->time_str, "\n", std::hash<std::string>()(push->data.dump()));
  if (SeenBefore(key, now)) {
    count(&WebhookStats::duplicates);
    return 200;
  }
  count(&WebhookStats::accepted);
  if (options_.on_accepted) options_.on_accepted(push->data, *tracking);
  return 200;
}

}  // namespace tracktry
