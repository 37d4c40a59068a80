// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/fake_http_server.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace tracktry::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string ToString(beast::string_view s) {
  return std::string(s.data(), s.size());
}

}  // namespace

std::string FakeHttpServer::Request::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

namespace {

// State shared by the server thread and the test thread.
class ServerState {
 public:
  using Handler = FakeHttpServer::Handler;
  using Request = FakeHttpServer::Request;
  using Response = FakeHttpServer::Response;

  explicit ServerState(Handler handler) : handler_(std::move(handler)) {}

  // Server thread: records `request`, then runs the handler.
  Response Handle(Request request) {
    Handler handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
      last_request_ = request;
      handler = handler_;
    }
    cv_.notify_all();
    return handler(request);
  }

  void AddConnection() {
    Update([this] { ++connections_; });
  }
  void AddPending(int64_t delta, bool abandoned) {
    Update([&] {
      pending_ += delta;
      if (abandoned) ++abandoned_;
    });
  }

  void set_handler(Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    handler_ = std::move(handler);
  }
  int64_t connections() const { return Get(connections_); }
  int64_t requests() const { return Get(requests_); }
  int64_t abandoned() const { return Get(abandoned_); }
  int64_t pending() const { return Get(pending_); }
  Request last_request() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

  bool WaitForRequests(int64_t n, absl::Duration timeout) const {
    return WaitFor(requests_, n, timeout);
  }
  bool WaitForPending(int64_t n, absl::Duration timeout) const {
    return WaitFor(pending_, n, timeout);
  }
  bool WaitForAbandoned(int64_t n, absl::Duration timeout) const {
    return WaitFor(abandoned_, n, timeout);
  }

 private:
  template <typename F>
  void Update(F f) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      f();
    }
    cv_.notify_all();
  }
  int64_t Get(const int64_t& counter) const {
    std::lock_guard<std::mutex> lock(mu_);
    return counter;
  }
  bool WaitFor(const int64_t& counter, int64_t n,
               absl::Duration timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return counter >= n; });
  }

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  Handler handler_;
  int64_t connections_ = 0;
  int64_t requests_ = 0;
  int64_t abandoned_ = 0;
  int64_t pending_ = 0;
  Request last_request_;
};

}  // namespace

namespace {

// One client connection. Owned by the asio handlers that reference it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  using Action = FakeHttpServer::Action;

  Session(tcp::socket socket, ServerState* server)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        server_(server) {}

  void Start() {
    beast::error_code ec;
    socket_.non_blocking(true, ec);  // for the peek in OnReadable()
    ReadRequest();
  }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(64u << 20);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRequest(ec);
                     });
  }

  void OnRequest(beast::error_code ec) {
    if (ec) {  // end_of_stream, reset, or a parse error
      Close();
      return;
    }
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    FakeHttpServer::Request request;
    request.method = ToString(req.method_string());
    const std::string target = ToString(req.target());
    const size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos)
      request.query = target.substr(question + 1);
    for (const auto& field : req) {
      request.headers.emplace_back(
          absl::AsciiStrToLower(ToString(field.name_string())),
          ToString(field.value()));
    }
    request.body = std::move(req.body());
    request.number_on_connection = ++requests_on_connection_;
    response_ = server_->Handle(std::move(request));
    if (response_.action == Action::kStall ||
        response_.delay > absl::ZeroDuration()) {
      Hold();
    } else {
      Act();
    }
  }

  // Waits for the delay (or forever) while watching for the client to close.
  void Hold() {
    holding_ = true;
    server_->AddPending(1, false);
    if (response_.action != Action::kStall) {
      timer_.expires_after(absl::ToChronoNanoseconds(response_.delay));
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec && self->holding_) self->EndHold();
      });
    }
    WatchForClose();
  }

  void WatchForClose() {
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](beast::error_code ec) {
                         self->OnReadable(ec);
                       });
  }

  void OnReadable(beast::error_code ec) {
    if (!holding_ || ec == asio::error::operation_aborted) return;
    char byte;
    beast::error_code peek_ec;
    const size_t n = socket_.receive(asio::buffer(&byte, 1),
                                     tcp::socket::message_peek, peek_ec);
    if (!ec && peek_ec == asio::error::would_block) {
      WatchForClose();  // spurious wake-up
      return;
    }
    if (!ec && !peek_ec && n > 0) return;  // early data: stop watching
    // EOF or error: the client went away while we held its response.
    holding_ = false;
    server_->AddPending(-1, true);
    timer_.cancel();
    Close();
  }

  void EndHold() {
    holding_ = false;
    server_->AddPending(-1, false);
    beast::error_code ec;
    socket_.cancel(ec);  // the close watch
    Act();
  }

  void Act() {
    switch (response_.action) {
      case Action::kRespond:
        Respond();
        return;
      case Action::kTruncatedBody:
        RespondTruncated();
        return;
      case Action::kClose:
      case Action::kStall:
        Close();
        return;
    }
  }

  void Respond() {
    res_.emplace();
    res_->version(11);
    res_->result(static_cast<unsigned>(response_.status));
    for (const auto& [name, value] : response_.headers) {
      res_->insert(name, value);
    }
    res_->body() = std::move(response_.body);
    res_->keep_alive(keep_alive_);
    if (response_.chunked) {
      res_->chunked(true);
    } else {
      res_->prepare_payload();
    }
    http::async_write(
        socket_, *res_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec || !self->keep_alive_) {
            self->Close();
            return;
          }
          self->ReadRequest();
        });
  }

  void RespondTruncated() {
    const auto status = http::int_to_status(response_.status);
    raw_ = absl::StrCat("HTTP/1.1 ", response_.status, " ",
                        ToString(http::obsolete_reason(status)),
                        "\r\nContent-Length: ", response_.body.size(), "\r\n");
    for (const auto& [name, value] : response_.headers) {
      absl::StrAppend(&raw_, name, ": ", value, "\r\n");
    }
    absl::StrAppend(
        &raw_, "\r\n",
        absl::string_view(response_.body).substr(0, response_.body.size() / 2));
    asio::async_write(socket_, asio::buffer(raw_),
                      [self = shared_from_this()](beast::error_code, size_t) {
                        self->Close();
                      });
  }

  void Close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  ServerState* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  std::string raw_;
  FakeHttpServer::Response response_;
  bool keep_alive_ = true;
  bool holding_ = false;
  int64_t requests_on_connection_ = 0;
};

}  // namespace

class FakeHttpServer::Impl {
 public:
  explicit Impl(Handler handler) : state_(std::move(handler)), acceptor_(io_) {
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    // Pending handlers (and the sessions they own) are destroyed with io_,
    // which closes every client socket.
    io_.stop();
    thread_.join();
  }

  ServerState& state() { return state_; }
  int port() const { return port_; }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        state_.AddConnection();
        std::make_shared<Session>(std::move(socket), &state_)->Start();
      }
      Accept();
    });
  }

  ServerState state_;  // outlives io_ and the sessions it destroys
  asio::io_context io_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::thread thread_;
};

FakeHttpServer::FakeHttpServer()
    : FakeHttpServer([](const Request&) {
        Response response;
        response.body = "ok";
        return response;
      }) {}

FakeHttpServer::FakeHttpServer(Handler handler)
    : impl_(std::make_unique<Impl>(std::move(handler))) {}

FakeHttpServer::~FakeHttpServer() = default;

void FakeHttpServer::set_handler(Handler handler) {
  impl_->state().set_handler(std::move(handler));
}

int FakeHttpServer::port() const { return impl_->port(); }

std::string FakeHttpServer::base_url() const {
  return absl::StrCat("http://127.0.0.1:", impl_->port());
}

int64_t FakeHttpServer::connections_accepted() const {
  return impl_->state().connections();
}

int64_t FakeHttpServer::requests_received() const {
  return impl_->state().requests();
}

int64_t FakeHttpServer::requests_abandoned() const {
  return impl_->state().abandoned();
}

int64_t FakeHttpServer::requests_pending() const {
  return impl_->state().pending();
}

FakeHttpServer::Request FakeHttpServer::last_request() const {
  return impl_->state().last_request();
}

bool FakeHttpServer::WaitForRequests(int64_t n, absl::Duration timeout) const {
  return impl_->state().WaitForRequests(n, timeout);
}

bool FakeHttpServer::WaitForPendingRequests(int64_t n,
                                            absl::Duration timeout) const {
  return impl_->state().WaitForPending(n, timeout);
}

bool FakeHttpServer::WaitForAbandonedRequests(int64_t n,
                                              absl::Duration timeout) const {
  return impl_->state().WaitForAbandoned(n, timeout);
}

}  // namespace tracktry::testing
