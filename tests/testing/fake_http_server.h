// Copyright 2026 The tracktry-grpc Authors.
//
// FakeHttpServer: an HTTP/1.1 server on 127.0.0.1 (port chosen by the OS)
// for tests of real HTTP clients. Every request goes to a handler lambda
// whose returned Response may ask to delay the reply, stall forever, close
// the connection without replying, or cut the body short. Delays and stalls
// are timers on one event-loop thread (Boost.Asio/Beast), so thousands of
// slow requests need no thread each.
//
// It counts accepted connections, requests, and "abandoned" requests (the
// client closed the connection while the server still held the response),
// and records the last request.
//
// Thread safety: all public methods may be called from any thread. The
// handler runs on the server thread, one request at a time, and must not
// block (use Response::delay instead of sleeping).
//
// Example:
//   FakeHttpServer server([](const FakeHttpServer::Request& r) {
//     FakeHttpServer::Response response;
//     response.body = "hello " + r.path;
//     return response;
//   });
//   Get(server.base_url() + "/x");  // "http://127.0.0.1:PORT/x"
#ifndef TRACKTRY_TESTS_TESTING_FAKE_HTTP_SERVER_H_
#define TRACKTRY_TESTS_TESTING_FAKE_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tracktry::testing {

class FakeHttpServer {
 public:
  struct Request {
    std::string method;
    std::string path;   // target before '?'
    std::string query;  // target after '?', without it
    // (lower-case name, value) pairs, in arrival order.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // 1 for the first request on its connection, 2 for the next one on the
    // same (kept-alive) connection, and so on.
    int64_t number_on_connection = 1;

    // First header named `name` (case-insensitive), or "".
    std::string Header(absl::string_view name) const;
  };

  enum class Action {
    kRespond,        // send the response (after `delay`)
    kStall,          // never respond; hold the connection until the
                     // client closes it or the server stops
    kClose,          // close the connection without a response (after
                     // `delay`)
    kTruncatedBody,  // announce the full body length, send only half of
                     // the body, then close (after `delay`)
  };

  struct Response {
    int status = 200;
    // Sent as given; Content-Length (or Transfer-Encoding) is added.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Send the body chunked, i.e. without Content-Length (kRespond only).
    bool chunked = false;
    absl::Duration delay = absl::ZeroDuration();
    Action action = Action::kRespond;
  };

  using Handler = std::function<Response(const Request&)>;

  // Starts listening at once; the default handler answers 200 "ok".
  FakeHttpServer();
  explicit FakeHttpServer(Handler handler);
  // Closes every connection and joins the server thread.
  ~FakeHttpServer();

  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  void set_handler(Handler handler);

  int port() const;
  // "http://127.0.0.1:<port>", no trailing slash.
  std::string base_url() const;

  int64_t connections_accepted() const;
  int64_t requests_received() const;
  // Requests whose client closed the connection while the response was
  // delayed or stalled.
  int64_t requests_abandoned() const;
  // Requests the server currently holds (delayed or stalled).
  int64_t requests_pending() const;
  Request last_request() const;

  // Block until the counter reaches `n`; false on timeout.
  bool WaitForRequests(int64_t n, absl::Duration timeout) const;
  bool WaitForPendingRequests(int64_t n, absl::Duration timeout) const;
  bool WaitForAbandonedRequests(int64_t n, absl::Duration timeout) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FAKE_HTTP_SERVER_H_
