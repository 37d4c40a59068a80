// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/emulator_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http.hpp"

namespace tracktry::testing {
namespace {

// Returns true once `data` holds a complete response with a Content-Length.
bool ResponseComplete(const std::string& data) {
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  const std::string head = absl::AsciiStrToLower(data.substr(0, end));
  const size_t pos = head.find("\r\ncontent-length:");
  if (pos == std::string::npos) return false;
  const size_t value_start = pos + 17;
  const size_t value_end = head.find("\r\n", value_start);
  size_t length = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(
                            head.substr(value_start, value_end - value_start)),
                        &length)) {
    return false;
  }
  return data.size() >= end + 4 + length;
}

}  // namespace

std::string HttpResult::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

nlohmann::json HttpResult::Json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

int HttpResult::MetaCode() const {
  const nlohmann::json json = Json();
  if (!json.is_object()) return -1;
  auto meta = json.find("meta");
  if (meta == json.end() || !meta->is_object()) return -1;
  auto code = meta->find("code");
  if (code == meta->end() || !code->is_number_integer()) return -1;
  return code->get<int>();
}

RawResult RawHttpExchange(int port, absl::string_view request_text,
                          int timeout_ms) {
  RawResult result;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    result.connect_failed = true;
    return result;
  }
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    result.connect_failed = true;
    ::close(fd);
    return result;
  }
  size_t sent = 0;
  while (sent < request_text.size()) {
    const ssize_t n = ::send(fd, request_text.data() + sent,
                             request_text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd pfd = {fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      result.timed_out = true;
      break;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) {
      result.eof = true;
      break;
    }
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNRESET) result.reset = true;
      break;
    }
    result.data.append(buffer, static_cast<size_t>(n));
    if (ResponseComplete(result.data)) {
      result.complete = true;
      break;
    }
  }
  ::close(fd);
  return result;
}

emulator::EmulatorOptions EmulatorHarness::DefaultOptions() {
  emulator::EmulatorOptions options;
  options.listen_host = "127.0.0.1";
  options.port = 0;
  options.seed = 42;
  options.threads = 1;
  options.start_time_unix = kStartTime;
  options.config.api_key = kApiKey;
  return options;
}

EmulatorHarness::EmulatorHarness(emulator::EmulatorOptions options)
    : emulator_(std::make_unique<emulator::Emulator>(std::move(options))) {}

EmulatorHarness::~EmulatorHarness() { emulator_->Stop(); }

absl::Status EmulatorHarness::Start() { return emulator_->Start(); }

HttpResult EmulatorHarness::Api(absl::string_view method,
                                absl::string_view path,
                                absl::string_view body) {
  const emulator::RuntimeConfig config = emulator_->config();
  const std::string key = config.api_key.empty() ? kApiKey : config.api_key;
  return Request(method, absl::StrCat("/v1", path), body,
                 {{config.api_key_header, key}});
}

HttpResult EmulatorHarness::Admin(absl::string_view method,
                                  absl::string_view path,
                                  absl::string_view body) {
  return Request(method, absl::StrCat("/_emulator", path), body, {});
}

HttpResult EmulatorHarness::Request(absl::string_view method,
                                    absl::string_view path,
                                    absl::string_view body,
                                    const HttpHeaders& headers,
                                    int timeout_ms) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  HttpResult result;
  http::request<http::string_body> request;
  request.method_string(beast::string_view(method.data(), method.size()));
  request.target(beast::string_view(path.data(), path.size()));
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    request.set(name, value);
    has_content_type |= absl::EqualsIgnoreCase(name, "Content-Type");
  }
  if (!has_content_type && !body.empty()) {
    request.set(http::field::content_type, "application/json");
  }
  request.body() = std::string(body);
  request.prepare_payload();

  // Async operations on a private io_context give every step one shared
  // deadline (tcp_stream closes the socket when it passes).
  net::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  beast::error_code error;
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                                        static_cast<unsigned short>(port()));
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) {
      error = ec;
      return;
    }
    http::async_write(stream, request, [&](beast::error_code write_ec, size_t) {
      if (write_ec) {
        error = write_ec;
        return;
      }
      http::async_read(
          stream, buffer, parser,
          [&](beast::error_code read_ec, size_t) { error = read_ec; });
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream.close();
  if (error) {
    result.error = error.message();
    return result;
  }
  const auto& response = parser.get();
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response) {
    result.headers.emplace_back(std::string(field.name_string()),
                                std::string(field.value()));
  }
  return result;
}

}  // namespace tracktry::testing
