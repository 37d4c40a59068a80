// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/http_connection.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <exception>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/write.hpp"
#include "boost/beast/http/error.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/status.hpp"

namespace tracktry::emulator {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

constexpr uint64_t kBodyLimit = 64u << 20;
constexpr uint32_t kHeaderLimit = 64u << 10;

std::string Reason(int status) {
  const http::status known = http::int_to_status(static_cast<unsigned>(status));
  if (known == http::status::unknown) return "Error";
  return std::string(http::obsolete_reason(known));
}

}  // namespace

HttpConnection::HttpConnection(net::ip::tcp::socket socket,
                               const Handler* handler, EmulatorStats* stats)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      handler_(handler),
      stats_(stats) {
  stats_->ConnectionAccepted();
}

HttpConnection::~HttpConnection() {
  EndRequest();
  stats_->ConnectionClosed();
}

void HttpConnection::Start() {
  error_code ec;
  socket_.set_option(net::ip::tcp::no_delay(true), ec);
  ReadRequest();
}

void HttpConnection::ForceClose() { Close(); }

void HttpConnection::ReadRequest() {
  phase_ = Phase::kReading;
  parser_.emplace();
  parser_->body_limit(kBodyLimit);
  parser_->header_limit(kHeaderLimit);
  http::async_read_header(socket_, buffer_, *parser_,
                          [self = shared_from_this()](error_code ec, size_t) {
                            self->OnHeader(ec);
                          });
}

void HttpConnection::OnHeader(error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec) return OnRead(ec);
  const auto read_body = [self = shared_from_this()] {
    if (self->parser_->is_done()) return self->OnRead({});
    http::async_read(
        self->socket_, self->buffer_, *self->parser_,
        [self](error_code read_ec, size_t) { self->OnRead(read_ec); });
  };
  // libcurl sends "Expect: 100-continue" with larger bodies and would wait
  // up to a second for this interim answer.
  const auto expect = parser_->get()[http::field::expect];
  if (!parser_->is_done() &&
      absl::EqualsIgnoreCase(absl::string_view(expect.data(), expect.size()),
                             "100-continue")) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(
        socket_, net::buffer(kContinue, sizeof(kContinue) - 1),
        [self = shared_from_this(), read_body](error_code write_ec, size_t) {
          if (self->phase_ == Phase::kClosed) return;
          if (write_ec) return self->Close();
          read_body();
        });
    return;
  }
  read_body();
}

void HttpConnection::OnRead(error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    if (ec == http::error::body_limit) return SendProtocolError(413);
    if (ec == http::error::header_limit) return SendProtocolError(431);
    if (ec.category() == make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return SendProtocolError(400);
    }
    return Close();
  }
  const auto& message = parser_->get();
  Request request;
  request.SetTarget(
      absl::string_view(message.method_string().data(),
                        message.method_string().size()),
      absl::string_view(message.target().data(), message.target().size()));
  for (const auto& field : message) {
    request.headers.emplace_back(
        std::string(field.name_string().data(), field.name_string().size()),
        std::string(field.value().data(), field.value().size()));
  }
  request.body = message.body();
  request.number_on_connection = ++requests_read_;
  keep_alive_ = message.keep_alive();
  parser_.reset();

  try {
    plan_ = (*handler_)(request);
  } catch (const std::exception&) {
    // A handler bug must not take the io thread down.
    plan_ = ResponsePlan();
    plan_.http_status = 500;
    plan_.content_type = "text/plain";
    plan_.body = "Internal Server Error\n";
    plan_.close_after = true;
  }
  body_sent_ = 0;
  if (plan_.is_api) {
    in_flight_ = true;
    stats_->RequestStarted();
  }
  if (plan_.delay_ms > 0) {
    phase_ = Phase::kDelaying;
    timer_.expires_after(std::chrono::milliseconds(plan_.delay_ms));
    timer_.async_wait([self = shared_from_this()](error_code timer_ec) {
      if (timer_ec || self->phase_ != Phase::kDelaying) return;
      self->Execute();
    });
    StartWatch();
    return;
  }
  Execute();
}

void HttpConnection::Execute() {
  switch (plan_.delivery) {
    case Delivery::kDrop:
      CancelWatch();
      return Close();
    case Delivery::kHang:
      phase_ = Phase::kHanging;
      if (PeerClosed()) return ClientGone();
      return StartWatch();
    default:
      break;
  }
  if (plan_.delay_ms > 0 && PeerClosed()) return ClientGone();
  std::string head = SerializeHead();
  switch (plan_.delivery) {
    case Delivery::kResetMidBody: {
      CancelWatch();
      head.append(plan_.body, 0,
                  std::min(plan_.partial_bytes, plan_.body.size()));
      return WriteResponse(std::move(head), /*reset_after=*/true);
    }
    case Delivery::kTrickle: {
      phase_ = Phase::kTrickling;
      StartWatch();
      out_ = std::move(head);
      net::async_write(socket_, net::buffer(out_),
                       [self = shared_from_this()](error_code ec, size_t) {
                         if (self->phase_ == Phase::kClosed) return;
                         if (ec) return self->ClientGone();
                         self->TrickleNext();
                       });
      return;
    }
    default: {
      CancelWatch();
      head.append(plan_.body);
      return WriteResponse(std::move(head), /*reset_after=*/false);
    }
  }
}

void HttpConnection::WriteResponse(std::string data, bool reset_after) {
  phase_ = Phase::kWriting;
  out_ = std::move(data);
  net::async_write(
      socket_, net::buffer(out_),
      [self = shared_from_this(), reset_after](error_code ec, size_t) {
        self->OnWriteDone(ec, reset_after);
      });
}

void HttpConnection::OnWriteDone(error_code ec, bool reset_after) {
  if (phase_ == Phase::kClosed) return;
  if (reset_after) return Close(/*reset=*/true);
  if (ec) {
    if (plan_.is_api) stats_->ClientClosedBeforeResponse();
    return Close();
  }
  FinishResponse();
}

void HttpConnection::TrickleNext() {
  if (body_sent_ >= plan_.body.size()) {
    CancelWatch();
    return FinishResponse();
  }
  const size_t chunk = std::min(std::max<size_t>(1, plan_.trickle_bytes),
                                plan_.body.size() - body_sent_);
  net::async_write(socket_, net::buffer(plan_.body.data() + body_sent_, chunk),
                   [self = shared_from_this(), chunk](error_code ec, size_t) {
                     if (self->phase_ == Phase::kClosed) return;
                     if (ec) return self->ClientGone();
                     self->body_sent_ += chunk;
                     if (self->body_sent_ >= self->plan_.body.size()) {
                       self->CancelWatch();
                       return self->FinishResponse();
                     }
                     self->timer_.expires_after(std::chrono::milliseconds(
                         self->plan_.trickle_interval_ms));
                     self->timer_.async_wait([self](error_code timer_ec) {
                       if (timer_ec || self->phase_ != Phase::kTrickling)
                         return;
                       self->TrickleNext();
                     });
                   });
}

void HttpConnection::FinishResponse() {
  EndRequest();
  const bool close = !keep_alive_ || plan_.close_after;
  plan_ = ResponsePlan();
  out_.clear();
  if (out_.capacity() > (1u << 20)) out_.shrink_to_fit();
  if (close) return Close();
  ReadRequest();
}

void HttpConnection::SendProtocolError(int status) {
  plan_ = ResponsePlan();
  plan_.http_status = status;
  plan_.content_type = "text/plain";
  plan_.body = Reason(status) + "\n";
  plan_.close_after = true;
  keep_alive_ = false;
  WriteResponse(SerializeHead() + plan_.body, /*reset_after=*/false);
}

void HttpConnection::StartWatch() {
  if (watching_ || phase_ == Phase::kClosed) return;
  watching_ = true;
  const uint64_t generation = ++watch_generation_;
  socket_.async_wait(net::ip::tcp::socket::wait_read,
                     [self = shared_from_this(), generation](error_code ec) {
                       self->OnWatch(generation, ec);
                     });
}

void HttpConnection::CancelWatch() {
  if (!watching_) return;
  watching_ = false;
  ++watch_generation_;
  // Only the watch is pending at the call sites, so this cancels nothing
  // else.
  error_code ec;
  socket_.cancel(ec);
}

void HttpConnection::OnWatch(uint64_t generation, error_code ec) {
  if (generation != watch_generation_ || phase_ == Phase::kClosed) return;
  watching_ = false;
  if (ec == net::error::operation_aborted) return;
  if (ec) return ClientGone();
  char probe;
  const ssize_t n =
      ::recv(socket_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return ClientGone();
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      return StartWatch();
    }
    return ClientGone();
  }
  // n > 0: the client pipelined another request; it is read after this
  // response, and a close will show up then.
}

bool HttpConnection::PeerClosed() {
  char probe;
  const ssize_t n =
      ::recv(socket_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) {
    return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  }
  return false;
}

void HttpConnection::ClientGone() {
  if (phase_ == Phase::kClosed) return;
  if (plan_.is_api) stats_->ClientClosedBeforeResponse();
  Close();
}

void HttpConnection::EndRequest() {
  if (!in_flight_) return;
  in_flight_ = false;
  stats_->RequestFinished();
}

void HttpConnection::Close(bool reset) {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  EndRequest();
  error_code ec;
  timer_.cancel();
  if (reset) {
    socket_.set_option(net::socket_base::linger(true, 0), ec);
  } else {
    socket_.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  }
  socket_.close(ec);
}

std::string HttpConnection::SerializeHead() const {
  const bool close = !keep_alive_ || plan_.close_after;
  std::string head = absl::StrCat(
      "HTTP/1.1 ", plan_.http_status, " ", Reason(plan_.http_status),
      "\r\nServer: nginx\r\nContent-Type: ", plan_.content_type,
      "\r\nContent-Length: ", plan_.body.size(),
      "\r\nConnection: ", close ? "close" : "keep-alive", "\r\n");
  for (const auto& [name, value] : plan_.headers) {
    absl::StrAppend(&head, name, ": ", value, "\r\n");
  }
  head += "\r\n";
  return head;
}

}  // namespace tracktry::emulator
