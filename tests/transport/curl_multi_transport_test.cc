// Copyright 2026 The tracktry-grpc Authors.
#include "service/transport/curl_multi_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/transport/request_sent.h"
#include "tests/testing/fake_http_server.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::tracktry::testing::FakeHttpServer;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::StatusIs;

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr char kApiKey[] = "SECRET-KEY-123";
constexpr char kQuerySecret[] = "QUERY-SECRET-456";

// Records every callback it hands out (by key): result, thread, count.
// State is shared with the callbacks, so it may outlive the test body.
class Recorder {
 public:
  HttpCallback Callback(int key = 0) {
    return [state = state_, key](absl::StatusOr<HttpResponse> result) {
      {
        std::lock_guard<std::mutex> lock(state->mu);
        state->results[key].push_back(std::move(result));
        state->threads.insert(std::this_thread::get_id());
        ++state->count;
      }
      state->cv.notify_all();
    };
  }

  // Waits until `n` callbacks ran in total.
  bool WaitForCount(int n, absl::Duration timeout = kWait) const {
    std::unique_lock<std::mutex> lock(state_->mu);
    return state_->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                               [&] { return state_->count >= n; });
  }

  // The single result for `key`, waiting for it.
  absl::StatusOr<HttpResponse> Result(int key = 0) const {
    std::unique_lock<std::mutex> lock(state_->mu);
    const bool arrived =
        state_->cv.wait_for(lock, absl::ToChronoNanoseconds(kWait),
                            [&] { return !state_->results[key].empty(); });
    if (!arrived) return absl::UnknownError("test: no callback in time");
    EXPECT_EQ(state_->results[key].size(), 1u) << "key " << key;
    return state_->results[key].front();
  }

  int CallbacksFor(int key) const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return static_cast<int>(state_->results[key].size());
  }
  int count() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->count;
  }
  std::set<std::thread::id> threads() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->threads;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::map<int, std::vector<absl::StatusOr<HttpResponse>>> results;
    std::set<std::thread::id> threads;
    int count = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// A bound, non-listening TCP socket: connecting to its port is refused.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~RefusingPort() { close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  std::string base_url() const {
    return absl::StrCat("http://127.0.0.1:", port_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A TCP socket listening on 127.0.0.1 at a port the OS picks, with
// `backlog`; `*addr` gets its address. The socket is returned even when
// binding or listening failed (then addr->sin_port is 0).
int ListenOnLoopback(int backlog, sockaddr_in* addr) {
  *addr = sockaddr_in{};
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(*addr);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (bind(fd, reinterpret_cast<sockaddr*>(addr), sizeof(*addr)) != 0 ||
      listen(fd, backlog) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len) != 0) {
    addr->sin_port = 0;
  }
  return fd;
}

// A listener with a full, never drained accept queue: the kernel drops new
// SYNs, so a connect to its port hangs until the client gives up.
class BlackHolePort {
 public:
  BlackHolePort() {
    sockaddr_in addr;
    listen_fd_ = ListenOnLoopback(0, &addr);
    if (addr.sin_port == 0) return;
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < 3; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      fillers_.push_back(fd);
    }
    absl::SleepFor(absl::Milliseconds(50));  // let the first one complete
  }
  ~BlackHolePort() {
    for (int fd : fillers_) close(fd);
    close(listen_fd_);
  }
  BlackHolePort(const BlackHolePort&) = delete;
  BlackHolePort& operator=(const BlackHolePort&) = delete;

  std::string base_url() const {
    return absl::StrCat("http://127.0.0.1:", port_);
  }
  int port() const { return port_; }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// An HTTP/1.1 server that answers each request with a 200 and then closes
// the connection `idle_close` later, without a word (as an upstream's idle
// timeout does) unless `announce_close` has the answer say
// "Connection: close". One connection at a time, each answered once.
class IdleClosingServer {
 public:
  explicit IdleClosingServer(absl::Duration idle_close,
                             bool announce_close = false)
      : idle_close_(idle_close),
        answer_(announce_close
                    ? "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                      "Content-Length: 2\r\n\r\nok"
                    : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
    sockaddr_in addr;
    listen_fd_ = ListenOnLoopback(16, &addr);
    if (addr.sin_port == 0) return;
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~IdleClosingServer() {
    shutdown(listen_fd_, SHUT_RDWR);  // ends the blocked accept()
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
  }
  IdleClosingServer(const IdleClosingServer&) = delete;
  IdleClosingServer& operator=(const IdleClosingServer&) = delete;

  std::string base_url() const {
    return absl::StrCat("http://127.0.0.1:", port_);
  }
  int connections_closed() const { return closed_.load(); }

 private:
  void Serve() {
    for (;;) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(fd, buffer, sizeof(buffer));
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      if (write(fd, answer_.data(), answer_.size()) < 0) {
        close(fd);
        continue;
      }
      absl::SleepFor(idle_close_);
      close(fd);
      ++closed_;
    }
  }

  const absl::Duration idle_close_;
  const std::string answer_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> closed_{0};
  std::thread thread_;
};

HttpRequest Get(std::string url) {
  HttpRequest request;
  request.url = std::move(url);
  request.timeout = absl::Seconds(10);
  return request;
}

FakeHttpServer::Response Delayed(absl::Duration delay) {
  FakeHttpServer::Response response;
  response.body = "late";
  response.delay = delay;
  return response;
}

FakeHttpServer::Response WithAction(FakeHttpServer::Action action) {
  FakeHttpServer::Response response;
  response.body = std::string(1000, 'x');
  response.action = action;
  return response;
}

TEST(CurlMultiTransportTest, PostSendsMethodPathQueryHeadersAndBody) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.status = 201;
    response.headers = {{"X-Reply-Header", "Some Value"}};
    response.body = R"({"created":true})";
    return response;
  });
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest request = Get(server.base_url() + "/v1/trackings/post?a=1&b=two");
  request.method = "POST";
  request.headers = {{"Tracktry-Api-Key", kApiKey},
                     {"Content-Type", "application/json"}};
  request.body = R"({"tracking_number":"RR123"})";
  transport.Start(std::move(request), recorder.Callback());

  absl::StatusOr<HttpResponse> response = recorder.Result();
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status_code, 201);
  EXPECT_EQ(response->body, R"({"created":true})");
  EXPECT_THAT(response->headers,
              Contains(Pair("x-reply-header", "Some Value")));
  EXPECT_EQ(response->Header("X-REPLY-HEADER"), "Some Value");

  const FakeHttpServer::Request seen = server.last_request();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/v1/trackings/post");
  EXPECT_EQ(seen.query, "a=1&b=two");
  EXPECT_EQ(seen.Header("tracktry-api-key"), kApiKey);
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.Header("content-length"), "27");
  EXPECT_EQ(seen.Header("expect"), "");
  EXPECT_EQ(seen.Header("user-agent"), "tracktry-grpc/0.1");
  EXPECT_EQ(seen.body, R"({"tracking_number":"RR123"})");
}

TEST(CurlMultiTransportTest, GetPutAndDeleteUseTheirMethods) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;

  transport.Start(Get(server.base_url() + "/get"), recorder.Callback(1));
  ASSERT_THAT(recorder.Result(1), IsOk());
  FakeHttpServer::Request seen = server.last_request();
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/get");
  EXPECT_EQ(seen.body, "");

  HttpRequest put = Get(server.base_url() + "/put");
  put.method = "PUT";
  put.body = "new-state";
  transport.Start(std::move(put), recorder.Callback(2));
  ASSERT_THAT(recorder.Result(2), IsOk());
  seen = server.last_request();
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body, "new-state");
  // No libcurl default "application/x-www-form-urlencoded".
  EXPECT_EQ(seen.Header("content-type"), "");

  HttpRequest del = Get(server.base_url() + "/delete");
  del.method = "DELETE";
  transport.Start(std::move(del), recorder.Callback(3));
  ASSERT_THAT(recorder.Result(3), IsOk());
  seen = server.last_request();
  EXPECT_EQ(seen.method, "DELETE");
  EXPECT_EQ(seen.path, "/delete");
  EXPECT_EQ(seen.body, "");

  HttpRequest empty_post = Get(server.base_url() + "/post");
  empty_post.method = "POST";
  transport.Start(std::move(empty_post), recorder.Callback(4));
  ASSERT_THAT(recorder.Result(4), IsOk());
  seen = server.last_request();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.Header("content-length"), "0");
}

TEST(CurlMultiTransportTest, NonSuccessStatusIsAResponseWithHeaders) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.status = 429;
    response.headers = {{"Retry-After", "7"}};
    response.body = R"({"meta":{"code":429}})";
    return response;
  });
  CurlMultiTransport transport;
  Recorder recorder;

  transport.Start(Get(server.base_url() + "/limited"), recorder.Callback());

  absl::StatusOr<HttpResponse> response = recorder.Result();
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status_code, 429);
  EXPECT_EQ(response->Header("retry-after"), "7");
  EXPECT_EQ(response->body, R"({"meta":{"code":429}})");
}

TEST(CurlMultiTransportTest, SlowUpstreamReturnsDeadlineExceededPromptly) {
  FakeHttpServer server(
      [](const FakeHttpServer::Request&) { return Delayed(absl::Seconds(5)); });
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest request = Get(server.base_url() + "/slow?k=" + kQuerySecret);
  request.timeout = absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  transport.Start(std::move(request), recorder.Callback());
  absl::StatusOr<HttpResponse> response = recorder.Result();
  const absl::Duration elapsed = absl::Now() - start;

  EXPECT_THAT(response,
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("GET /slow: timed out after 200 ms")));
  EXPECT_THAT(std::string(response.status().message()),
              Not(HasSubstr(kQuerySecret)));
  EXPECT_GE(elapsed, absl::Milliseconds(190));
  EXPECT_LT(elapsed, absl::Seconds(1));
  // The connection is dropped, so the upstream stops working on it.
  EXPECT_TRUE(server.WaitForAbandonedRequests(1, absl::Seconds(5)));
}

// The call goes out on a pooled connection whose socket is already watched,
// so nothing about the new transfer reaches the transport's loop but its
// timer: the timeout must still fire on time with the loop asleep.
TEST(CurlMultiTransportTest, TimeoutOnAReusedConnectionFiresWhileTheLoopIdles) {
  FakeHttpServer server([](const FakeHttpServer::Request& request) {
    return request.path == "/slow" ? Delayed(absl::Seconds(5))
                                   : FakeHttpServer::Response();
  });
  CurlMultiTransport transport;
  Recorder recorder;
  transport.Start(Get(server.base_url() + "/fast"), recorder.Callback(1));
  ASSERT_THAT(recorder.Result(1), IsOk());
  absl::SleepFor(absl::Milliseconds(50));  // the loop goes back to sleep

  HttpRequest request = Get(server.base_url() + "/slow");
  request.timeout = absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  transport.Start(std::move(request), recorder.Callback(2));
  const absl::StatusOr<HttpResponse> response = recorder.Result(2);
  const absl::Duration elapsed = absl::Now() - start;

  EXPECT_THAT(response, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(elapsed, absl::Milliseconds(190));
  EXPECT_LT(elapsed, absl::Seconds(1));
  EXPECT_EQ(transport.connections_opened_total(), 1u);
}

TEST(CurlMultiTransportTest, SubMillisecondTimeoutIsRoundedUp) {
  FakeHttpServer server(
      [](const FakeHttpServer::Request&) { return Delayed(absl::Seconds(5)); });
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest request = Get(server.base_url() + "/slow");
  request.timeout = absl::Microseconds(10);
  transport.Start(std::move(request), recorder.Callback());

  EXPECT_THAT(recorder.Result(), StatusIs(absl::StatusCode::kDeadlineExceeded,
                                          HasSubstr("timed out after 1 ms")));
}

TEST(CurlMultiTransportTest, ConnectTimeoutBeforeDeadlineIsUnavailable) {
  BlackHolePort black_hole;
  ASSERT_NE(black_hole.port(), 0);
  CurlMultiTransport::Options options;
  options.connect_timeout = absl::Milliseconds(200);
  CurlMultiTransport transport(options);
  Recorder recorder;

  const absl::Time start = absl::Now();
  transport.Start(Get(black_hole.base_url() + "/v1/x"), recorder.Callback());

  EXPECT_THAT(recorder.Result(),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("GET /v1/x: connect timed out")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST(CurlMultiTransportTest, DeadlineDuringConnectIsDeadlineExceeded) {
  BlackHolePort black_hole;
  ASSERT_NE(black_hole.port(), 0);
  CurlMultiTransport transport;  // connect_timeout 5 s
  Recorder recorder;

  HttpRequest request = Get(black_hole.base_url() + "/v1/x");
  request.timeout = absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  transport.Start(std::move(request), recorder.Callback());

  EXPECT_THAT(recorder.Result(), StatusIs(absl::StatusCode::kDeadlineExceeded,
                                          HasSubstr("timed out after 200 ms")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST(CurlMultiTransportTest, NonPositiveTimeoutFailsWithoutSendingRequest) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest zero = Get(server.base_url() + "/x");
  zero.timeout = absl::ZeroDuration();
  HttpRequest negative = Get(server.base_url() + "/x");
  negative.timeout = absl::Milliseconds(-5);
  transport.Start(std::move(zero), recorder.Callback(1));
  transport.Start(std::move(negative), recorder.Callback(2));

  EXPECT_THAT(recorder.Result(1),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(recorder.Result(2),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(server.requests_received(), 0);
  EXPECT_EQ(server.connections_accepted(), 0);
}

TEST(CurlMultiTransportTest,
     RefusedConnectionReturnsUnavailableWithoutSecrets) {
  RefusingPort refusing;
  ASSERT_NE(refusing.port(), 0);
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest request =
      Get(refusing.base_url() + "/v1/trackings/get?api_key=" + kQuerySecret);
  request.headers = {{"Tracktry-Api-Key", kApiKey}};
  transport.Start(std::move(request), recorder.Callback());

  absl::StatusOr<HttpResponse> response = recorder.Result();
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("GET /v1/trackings/get")));
  const std::string message(response.status().message());
  EXPECT_THAT(message, Not(HasSubstr(kApiKey)));
  EXPECT_THAT(message, Not(HasSubstr(kQuerySecret)));
  EXPECT_THAT(message, Not(HasSubstr("api_key")));
}

// Every failure path produces a message free of header values and queries.
TEST(CurlMultiTransportTest, ErrorMessagesNeverContainApiKeyOrQuery) {
  FakeHttpServer server([](const FakeHttpServer::Request& request) {
    if (request.path == "/close") {
      return WithAction(FakeHttpServer::Action::kClose);
    }
    if (request.path == "/truncated") {
      return WithAction(FakeHttpServer::Action::kTruncatedBody);
    }
    if (request.path == "/stall" || request.path == "/cancel") {
      return WithAction(FakeHttpServer::Action::kStall);
    }
    return WithAction(FakeHttpServer::Action::kRespond);  // 1000-byte body
  });
  CurlMultiTransport transport;
  Recorder recorder;
  const std::vector<std::pair<std::string, absl::StatusCode>> cases = {
      {"/close", absl::StatusCode::kUnavailable},
      {"/truncated", absl::StatusCode::kUnavailable},
      {"/stall", absl::StatusCode::kDeadlineExceeded},
      {"/big", absl::StatusCode::kInternal},
      {"/cancel", absl::StatusCode::kCancelled},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    HttpRequest request =
        Get(server.base_url() + cases[i].first + "?key=" + kQuerySecret);
    request.headers = {{"Tracktry-Api-Key", kApiKey}};
    request.timeout = absl::Milliseconds(300);
    if (cases[i].first == "/big") request.max_response_bytes = 100;
    const HttpTransport::CallId id =
        transport.Start(std::move(request), recorder.Callback(i));
    if (cases[i].first == "/cancel") transport.Cancel(id);
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first);
    absl::StatusOr<HttpResponse> response = recorder.Result(i);
    EXPECT_THAT(response, StatusIs(cases[i].second, HasSubstr(cases[i].first)));
    const std::string message(response.status().message());
    EXPECT_THAT(message, Not(HasSubstr(kApiKey)));
    EXPECT_THAT(message, Not(HasSubstr(kQuerySecret)));
    EXPECT_LT(message.size(), 200u);
  }
}

TEST(CurlMultiTransportTest, ConnectionClosedWithoutResponseIsUnavailable) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return WithAction(FakeHttpServer::Action::kClose);
  });
  CurlMultiTransport transport;
  Recorder recorder;

  transport.Start(Get(server.base_url() + "/close"), recorder.Callback());

  EXPECT_THAT(recorder.Result(), StatusIs(absl::StatusCode::kUnavailable));
}

// The server answers the first request of each connection and closes a
// kept-alive connection after reading the next request, without answering.
// libcurl on its own would send that request again on a new connection (a
// send no rate token was granted for, and a write applied twice); the
// transport refuses every send of a transfer but the first.
FakeHttpServer::Response AnswerFirstDropReused(
    const FakeHttpServer::Request& request) {
  if (request.number_on_connection > 1) {
    return WithAction(FakeHttpServer::Action::kClose);
  }
  FakeHttpServer::Response response;
  response.body = "ok";
  return response;
}

TEST(CurlMultiTransportTest, LostKeptAliveConnectionIsNotResent) {
  for (const char* method : {"GET", "POST"}) {
    SCOPED_TRACE(method);
    FakeHttpServer server(&AnswerFirstDropReused);
    CurlMultiTransport transport;
    Recorder recorder;

    transport.Start(Get(server.base_url() + "/first"), recorder.Callback(1));
    ASSERT_THAT(recorder.Result(1), IsOk());
    HttpRequest second = Get(server.base_url() + "/second");
    second.method = method;
    second.body = method == std::string("POST") ? R"({"n":1})" : "";
    transport.Start(std::move(second), recorder.Callback(2));

    const absl::StatusOr<HttpResponse> lost = recorder.Result(2);
    EXPECT_THAT(lost, StatusIs(absl::StatusCode::kUnavailable,
                               HasSubstr("connection lost before an answer; "
                                         "not re-sent")));
    EXPECT_TRUE(RequestMaybeSent(lost.status()));
    EXPECT_EQ(transport.resends_refused_total(), 1u);
    // Exactly one send of the second request.
    EXPECT_EQ(server.requests_received(), 2);
    EXPECT_EQ(server.last_request().path, "/second");

    // The transport stays usable: the next call goes out once and succeeds.
    transport.Start(Get(server.base_url() + "/third"), recorder.Callback(3));
    EXPECT_THAT(recorder.Result(3), IsOk());
    EXPECT_EQ(server.requests_received(), 3);
  }
}

TEST(CurlMultiTransportTest, FailuresAfterTheSendAreMarkedSent) {
  // Closed after the request was read, on a fresh connection: libcurl does
  // not re-send, the usual "empty reply" error, but the request went out.
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return WithAction(FakeHttpServer::Action::kClose);
  });
  CurlMultiTransport transport;
  Recorder recorder;
  HttpRequest post = Get(server.base_url() + "/close");
  post.method = "POST";
  post.body = "{}";
  transport.Start(std::move(post), recorder.Callback(1));
  const absl::StatusOr<HttpResponse> closed = recorder.Result(1);
  EXPECT_THAT(closed, StatusIs(absl::StatusCode::kUnavailable,
                               Not(HasSubstr("not re-sent"))));
  EXPECT_TRUE(RequestMaybeSent(closed.status()));
  EXPECT_EQ(server.requests_received(), 1);

  // A timeout while the upstream holds the request: sent.
  server.set_handler(
      [](const FakeHttpServer::Request&) { return Delayed(absl::Seconds(5)); });
  HttpRequest slow = Get(server.base_url() + "/slow");
  slow.timeout = absl::Milliseconds(200);
  transport.Start(std::move(slow), recorder.Callback(2));
  const absl::StatusOr<HttpResponse> timed_out = recorder.Result(2);
  EXPECT_THAT(timed_out, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(RequestMaybeSent(timed_out.status()));
  EXPECT_EQ(transport.resends_refused_total(), 0u);
}

TEST(CurlMultiTransportTest, FailuresBeforeTheSendAreNotMarkedSent) {
  RefusingPort refusing;
  BlackHolePort black_hole;
  CurlMultiTransport::Options options;
  options.connect_timeout = absl::Milliseconds(200);
  CurlMultiTransport transport(options);
  Recorder recorder;

  transport.Start(Get(refusing.base_url() + "/x"), recorder.Callback(1));
  transport.Start(Get(black_hole.base_url() + "/x"), recorder.Callback(2));
  HttpRequest expired = Get(refusing.base_url() + "/x");
  expired.timeout = absl::ZeroDuration();
  transport.Start(std::move(expired), recorder.Callback(3));
  transport.Start(Get("ftp://127.0.0.1/x"), recorder.Callback(4));

  EXPECT_THAT(recorder.Result(1), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(recorder.Result(2), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(recorder.Result(3),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(recorder.Result(4), StatusIs(absl::StatusCode::kInvalidArgument));
  for (int key = 1; key <= 4; ++key) {
    EXPECT_FALSE(RequestMaybeSent(recorder.Result(key).status())) << key;
  }
}

TEST(CurlMultiTransportTest, TruncatedBodyIsUnavailable) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return WithAction(FakeHttpServer::Action::kTruncatedBody);
  });
  CurlMultiTransport transport;
  Recorder recorder;

  transport.Start(Get(server.base_url() + "/truncated"), recorder.Callback());

  EXPECT_THAT(recorder.Result(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(CurlMultiTransportTest, OversizedBodyReturnsInternal) {
  FakeHttpServer server([](const FakeHttpServer::Request& request) {
    FakeHttpServer::Response response;
    response.body = std::string(64 << 10, 'b');
    response.chunked = request.path == "/chunked";  // no Content-Length
    return response;
  });
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest with_length = Get(server.base_url() + "/sized");
  with_length.max_response_bytes = 1024;
  HttpRequest chunked = Get(server.base_url() + "/chunked");
  chunked.max_response_bytes = 1024;
  transport.Start(std::move(with_length), recorder.Callback(1));
  transport.Start(std::move(chunked), recorder.Callback(2));

  EXPECT_THAT(recorder.Result(1),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("upstream response exceeds 1024 bytes")));
  EXPECT_THAT(recorder.Result(2),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("upstream response exceeds 1024 bytes")));
}

TEST(CurlMultiTransportTest, BodyExactlyAtLimitIsAccepted) {
  FakeHttpServer server([](const FakeHttpServer::Request& request) {
    FakeHttpServer::Response response;
    response.body = std::string(4096, 'b');
    response.chunked = request.path == "/chunked";
    return response;
  });
  CurlMultiTransport transport;
  Recorder recorder;

  for (int key : {1, 2}) {
    HttpRequest request =
        Get(server.base_url() + (key == 1 ? "/sized" : "/chunked"));
    request.max_response_bytes = 4096;
    transport.Start(std::move(request), recorder.Callback(key));
  }

  for (int key : {1, 2}) {
    absl::StatusOr<HttpResponse> response = recorder.Result(key);
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->body.size(), 4096u);
  }
}

TEST(CurlMultiTransportTest,
     CancelRunningCallReturnsCancelledAndClosesConnection) {
  FakeHttpServer server([](const FakeHttpServer::Request& request) {
    if (request.path == "/stall") {
      return WithAction(FakeHttpServer::Action::kStall);
    }
    return FakeHttpServer::Response();
  });
  CurlMultiTransport transport;
  Recorder recorder;

  // Warm a pooled connection first, so the cancelled call runs on it.
  transport.Start(Get(server.base_url() + "/warm"), recorder.Callback(0));
  ASSERT_THAT(recorder.Result(0), IsOk());
  const HttpTransport::CallId id =
      transport.Start(Get(server.base_url() + "/stall"), recorder.Callback(1));
  ASSERT_TRUE(server.WaitForPendingRequests(1, kWait));
  const absl::Time start = absl::Now();
  transport.Cancel(id);

  EXPECT_THAT(recorder.Result(1),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("GET /stall")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_TRUE(server.WaitForAbandonedRequests(1, absl::Seconds(5)));
  EXPECT_EQ(server.connections_accepted(), 1);

  // The cancelled connection was not returned to the pool.
  transport.Start(Get(server.base_url() + "/after"), recorder.Callback(2));
  ASSERT_THAT(recorder.Result(2), IsOk());
  EXPECT_EQ(server.connections_accepted(), 2);
  EXPECT_EQ(transport.connections_opened_total(), 2u);
}

TEST(CurlMultiTransportTest, CancelRightAfterStartReturnsCancelled) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return WithAction(FakeHttpServer::Action::kStall);
  });
  CurlMultiTransport transport;
  Recorder recorder;

  for (int i = 0; i < 20; ++i) {
    transport.Cancel(transport.Start(Get(server.base_url() + "/stall"),
                                     recorder.Callback(i)));
  }

  for (int i = 0; i < 20; ++i) {
    EXPECT_THAT(recorder.Result(i), StatusIs(absl::StatusCode::kCancelled));
  }
  EXPECT_EQ(transport.in_flight(), 0u);
}

TEST(CurlMultiTransportTest, CancelOfFinishedOrUnknownCallIsNoOp) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;

  const HttpTransport::CallId id =
      transport.Start(Get(server.base_url() + "/a"), recorder.Callback(1));
  ASSERT_THAT(recorder.Result(1), IsOk());
  transport.Cancel(id);
  transport.Cancel(id + 12345);
  transport.Start(Get(server.base_url() + "/b"), recorder.Callback(2));

  EXPECT_THAT(recorder.Result(2), IsOk());
  EXPECT_EQ(recorder.CallbacksFor(1), 1);
  EXPECT_EQ(recorder.count(), 2);
}

TEST(CurlMultiTransportTest, SequentialRequestsReuseOneConnection) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;

  for (int i = 0; i < 50; ++i) {
    transport.Start(Get(absl::StrCat(server.base_url(), "/seq/", i)),
                    recorder.Callback(i));
    ASSERT_THAT(recorder.Result(i), IsOk()) << i;
  }

  EXPECT_EQ(server.requests_received(), 50);
  EXPECT_EQ(server.connections_accepted(), 1);
  EXPECT_EQ(transport.connections_opened_total(), 1u);
  // The connection's socket joined the epoll set once and changed a few
  // times while it connected; libcurl's removal after each transfer and
  // addition before the next cost nothing (two epoll_ctl calls each, 100
  // for these 50 transfers, when every removal was carried out). Nor do
  // stale readable events on the parked socket (an answer read by the
  // next Start() after epoll_wait saw it arrive): up to 26 extra changes
  // under a parallel sanitizer run when those removed the socket.
  EXPECT_LE(transport.epoll_changes_total(), 5u);
  EXPECT_EQ(transport.started_total(), 50u);
  EXPECT_EQ(transport.completed_total(), 50u);
  EXPECT_EQ(transport.in_flight(), 0u);
}

TEST(CurlMultiTransportTest, EasyHandlesAreReusedWithoutTheirOptions) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest post = Get(server.base_url() + "/first?q=1");
  post.method = "POST";
  post.headers = {{"X-Only-First", "yes"}, {"Content-Type", "text/plain"}};
  post.body = "first-body";
  transport.Start(std::move(post), recorder.Callback(1));
  ASSERT_THAT(recorder.Result(1), IsOk());
  EXPECT_EQ(server.last_request().body, "first-body");

  // The next calls run on the same easy handle: nothing of the POST
  // (method, body, headers, query) is left.
  for (int i = 2; i <= 20; ++i) {
    transport.Start(Get(absl::StrCat(server.base_url(), "/next/", i)),
                    recorder.Callback(i));
    ASSERT_THAT(recorder.Result(i), IsOk()) << i;
    const FakeHttpServer::Request seen = server.last_request();
    EXPECT_EQ(seen.method, "GET");
    EXPECT_EQ(seen.path, absl::StrCat("/next/", i));
    EXPECT_EQ(seen.query, "");
    EXPECT_EQ(seen.body, "");
    EXPECT_EQ(seen.Header("x-only-first"), "");
    EXPECT_EQ(seen.Header("content-type"), "");
    EXPECT_EQ(seen.Header("user-agent"), "tracktry-grpc/0.1");
  }
  EXPECT_EQ(transport.easy_handles_created_total(), 1u);
  EXPECT_EQ(transport.connections_opened_total(), 1u);
}

// Handles are reused without curl_easy_reset: each kind of request must
// come out the same after each other kind on the same handle (method, body,
// length, headers, query).
TEST(CurlMultiTransportTest, EveryKindOfRequestFollowsEveryOtherOnOneHandle) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;
  struct Kind {
    const char* method;
    const char* body;
    bool with_headers;
  };
  const std::vector<Kind> kinds = {
      {"GET", "", false},        {"GET", "", true},       {"POST", "p", true},
      {"POST", "", false},       {"PUT", "state", false}, {"DELETE", "", true},
      {"DELETE", "gone", false}, {"GET", "odd", false},
  };
  int id = 0;
  auto run = [&](const Kind& kind, int step) {
    HttpRequest request =
        Get(absl::StrCat(server.base_url(), "/", kind.method, "/", step,
                         kind.with_headers ? "?with=1" : ""));
    request.method = kind.method;
    request.body = kind.body;
    if (kind.with_headers) request.headers = {{"X-Step", absl::StrCat(step)}};
    transport.Start(std::move(request), recorder.Callback(++id));
    ASSERT_THAT(recorder.Result(id), IsOk());
    const FakeHttpServer::Request seen = server.last_request();
    EXPECT_EQ(seen.method, kind.method);
    EXPECT_EQ(seen.path, absl::StrCat("/", kind.method, "/", step));
    EXPECT_EQ(seen.query, kind.with_headers ? "with=1" : "");
    EXPECT_EQ(seen.body, kind.body);
    const bool sends_body = std::string(kind.method) == "POST" ||
                            std::string(kind.method) == "PUT" ||
                            !std::string(kind.body).empty();
    EXPECT_EQ(seen.Header("content-length"),
              sends_body ? absl::StrCat(std::string(kind.body).size()) : "");
    EXPECT_EQ(seen.Header("x-step"),
              kind.with_headers ? absl::StrCat(step) : "");
    EXPECT_EQ(seen.Header("content-type"), "");
    EXPECT_EQ(seen.Header("expect"), "");
    EXPECT_EQ(seen.Header("user-agent"), "tracktry-grpc/0.1");
  };
  int step = 0;
  for (const Kind& before : kinds) {
    for (const Kind& after : kinds) {
      SCOPED_TRACE(absl::StrCat(before.method, " '", before.body, "' then ",
                                after.method, " '", after.body, "'"));
      run(before, ++step);
      run(after, ++step);
    }
  }
  EXPECT_EQ(transport.easy_handles_created_total(), 1u);
}

TEST(CurlMultiTransportTest, EasyHandlesAreBoundByCallsInFlight) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return Delayed(absl::Milliseconds(100));
  });
  CurlMultiTransport transport;
  Recorder recorder;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 8; ++i) {
      transport.Start(Get(absl::StrCat(server.base_url(), "/c/", i)),
                      recorder.Callback(round * 8 + i));
    }
    for (int i = 0; i < 8; ++i) {
      ASSERT_THAT(recorder.Result(round * 8 + i), IsOk());
    }
  }
  // 16 calls, at most 8 at a time: the second round reuses the first
  // round's handles.
  EXPECT_GE(transport.easy_handles_created_total(), 1u);
  EXPECT_LE(transport.easy_handles_created_total(), 8u);
}

TEST(CurlMultiTransportTest, IdleConnectionsSurviveAQuietSpell) {
  FakeHttpServer server([](const FakeHttpServer::Request& request) {
    return request.path == "/burst" ? Delayed(absl::Milliseconds(100))
                                    : FakeHttpServer::Response();
  });
  CurlMultiTransport transport;
  Recorder recorder;
  int key = 0;
  auto burst = [&] {
    const int first = key;
    for (int i = 0; i < 8; ++i) {
      transport.Start(Get(server.base_url() + "/burst"),
                      recorder.Callback(key++));
    }
    for (int k = first; k < key; ++k) ASSERT_THAT(recorder.Result(k), IsOk());
  };
  burst();
  const uint64_t opened = transport.connections_opened_total();
  EXPECT_GE(opened, 2u);
  EXPECT_LE(opened, 8u);
  // One call at a time: libcurl's own limit (4 x the transfers in flight)
  // would close the burst's connections here and the next burst would
  // open them again.
  for (int i = 0; i < 5; ++i) {
    transport.Start(Get(server.base_url() + "/one"), recorder.Callback(key));
    ASSERT_THAT(recorder.Result(key++), IsOk());
  }
  burst();
  EXPECT_EQ(transport.connections_opened_total(), opened);
  EXPECT_EQ(server.connections_accepted(), static_cast<int>(opened));
}

// One GET of `url` (answered "ok" by IdleClosingServer) that must succeed
// well within its 5 s timeout, i.e. without waiting on a socket the
// transport no longer watches.
void ExpectPromptOk(CurlMultiTransport& transport, const std::string& url) {
  Recorder recorder;
  HttpRequest request = Get(url);
  request.timeout = absl::Seconds(5);
  const absl::Time start = absl::Now();
  transport.Start(std::move(request), recorder.Callback());
  const absl::StatusOr<HttpResponse> response = recorder.Result();
  ASSERT_THAT(response, IsOk()) << url;
  EXPECT_EQ(response->body, "ok");
  EXPECT_LT(absl::Now() - start, absl::Seconds(2)) << url;
}

// A pooled connection the upstream closes while it is idle: its socket,
// kept in the epoll set between transfers, turns readable; the transport
// takes it out of the set, libcurl finds the connection dead at the next
// call and connects again, typically on the same fd number, which must then
// be watched again (or the call would hang until its timeout).
TEST(CurlMultiTransportTest, ConnectionClosedWhileIdleIsReplacedPromptly) {
  IdleClosingServer server(absl::Milliseconds(20));
  CurlMultiTransport transport;
  for (int i = 0; i < 5; ++i) {
    ASSERT_NO_FATAL_FAILURE(ExpectPromptOk(
        transport, absl::StrCat(server.base_url(), "/idle/", i)));
    // Until the server has closed the connection (and some more).
    for (int wait = 0; wait < 200 && server.connections_closed() <= i; ++wait) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    absl::SleepFor(absl::Milliseconds(30));
  }
  EXPECT_EQ(transport.connections_opened_total(), 5u);
}

// "Connection: close" answers: libcurl closes each connection itself after
// its transfer (through the transport's close callback), and the next
// connection usually gets the same fd number, which must be watched anew.
TEST(CurlMultiTransportTest, ConnectionsClosedByLibcurlAreWatchedAnew) {
  IdleClosingServer server(absl::Milliseconds(20), /*announce_close=*/true);
  CurlMultiTransport transport;
  for (int i = 0; i < 10; ++i) {
    ASSERT_NO_FATAL_FAILURE(ExpectPromptOk(
        transport, absl::StrCat(server.base_url(), "/close/", i)));
  }
  EXPECT_EQ(transport.connections_opened_total(), 10u);
}

// A host name goes through libcurl's threaded resolver, whose wake-up
// socket is not a connection: it joins and leaves the epoll set as libcurl
// asks, and is closed by libcurl itself.
TEST(CurlMultiTransportTest, HostNamesAreResolvedAndTheirConnectionsReused) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;
  const std::string base = absl::StrCat("http://localhost:", server.port());
  for (int i = 0; i < 10; ++i) {
    transport.Start(Get(absl::StrCat(base, "/named/", i)),
                    recorder.Callback(i));
    ASSERT_THAT(recorder.Result(i), IsOk()) << i;
  }
  EXPECT_EQ(server.requests_received(), 10);
  EXPECT_EQ(transport.connections_opened_total(), 1u);
}

TEST(CurlMultiTransportTest, ConcurrentSlowRequestsOverlap) {
  constexpr int kCalls = 200;
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return Delayed(absl::Milliseconds(300));
  });
  CurlMultiTransport transport;
  Recorder recorder;

  const absl::Time start = absl::Now();
  for (int i = 0; i < kCalls; ++i) {
    transport.Start(Get(absl::StrCat(server.base_url(), "/slow/", i)),
                    recorder.Callback(i));
  }
  ASSERT_TRUE(recorder.WaitForCount(kCalls));
  const absl::Duration elapsed = absl::Now() - start;

  for (int i = 0; i < kCalls; ++i) {
    absl::StatusOr<HttpResponse> response = recorder.Result(i);
    ASSERT_THAT(response, IsOk()) << i;
    EXPECT_EQ(response->body, "late");
  }
  // Serially this would take 60 s; concurrently about one latency.
  EXPECT_LT(elapsed, absl::Seconds(3));
  EXPECT_EQ(transport.completed_total(), static_cast<uint64_t>(kCalls));
  EXPECT_EQ(transport.in_flight(), 0u);
}

TEST(CurlMultiTransportTest, AllCallsAreInFlightTogether) {
  constexpr int kCalls = 100;
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return Delayed(absl::Seconds(30));
  });
  auto transport = std::make_unique<CurlMultiTransport>();
  Recorder recorder;

  for (int i = 0; i < kCalls; ++i) {
    transport->Start(Get(server.base_url() + "/held"), recorder.Callback(i));
  }

  // The server holds every request at once: no per-call serialisation.
  EXPECT_TRUE(server.WaitForPendingRequests(kCalls, kWait));
  EXPECT_EQ(transport->in_flight(), static_cast<uint64_t>(kCalls));
  EXPECT_EQ(transport->connections_opened_total(), 0u);  // none finished
  transport.reset();
  EXPECT_EQ(recorder.count(), kCalls);
}

TEST(CurlMultiTransportTest, MaxConnectionsPerHostQueuesTransfers) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return Delayed(absl::Milliseconds(50));
  });
  CurlMultiTransport::Options options;
  options.max_connections_per_host = 2;
  CurlMultiTransport transport(options);
  Recorder recorder;

  for (int i = 0; i < 10; ++i) {
    transport.Start(Get(server.base_url() + "/limited"), recorder.Callback(i));
  }

  ASSERT_TRUE(recorder.WaitForCount(10));
  for (int i = 0; i < 10; ++i) EXPECT_THAT(recorder.Result(i), IsOk());
  EXPECT_LE(server.connections_accepted(), 2);
}

TEST(CurlMultiTransportTest, CallbacksRunOnTransportThreadNeverOnCaller) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;

  transport.Start(Get(server.base_url() + "/ok"), recorder.Callback(1));
  transport.Start(Get("not a url"), recorder.Callback(2));
  HttpRequest expired = Get(server.base_url() + "/ok");
  expired.timeout = absl::ZeroDuration();
  transport.Start(std::move(expired), recorder.Callback(3));
  HttpRequest patch = Get(server.base_url() + "/ok");
  patch.method = "PATCH";
  transport.Start(std::move(patch), recorder.Callback(4));

  ASSERT_TRUE(recorder.WaitForCount(4));
  const std::set<std::thread::id> threads = recorder.threads();
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

// With the loop free, Start() hands the transfer to libcurl on the caller's
// thread (the request goes out before Start() returns); the answer is still
// read, and the callback run, on the transport thread. Starts from a
// callback are queued for the loop.
TEST(CurlMultiTransportTest, StartSendsOnTheCallersThreadWhenTheLoopIsFree) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;
  for (int i = 0; i < 20; ++i) {
    transport.Start(Get(absl::StrCat(server.base_url(), "/caller/", i)),
                    recorder.Callback(i));
    ASSERT_THAT(recorder.Result(i), IsOk()) << i;
  }
  // The loop is between two of its own steps now and then, when Start()
  // queues instead; most calls find it free.
  EXPECT_GE(transport.started_on_caller_total(), 10u);
  ASSERT_EQ(recorder.threads().size(), 1u);
  EXPECT_NE(*recorder.threads().begin(), std::this_thread::get_id());

  // A callback's Start() is queued (completions never run inside Start()).
  const uint64_t on_caller = transport.started_on_caller_total();
  Recorder chained;
  transport.Start(
      Get(server.base_url() + "/first"),
      [&transport, &server, chained](absl::StatusOr<HttpResponse>) mutable {
        transport.Start(Get(server.base_url() + "/second"),
                        chained.Callback(2));
      });
  ASSERT_THAT(chained.Result(2), IsOk());
  EXPECT_LE(transport.started_on_caller_total(), on_caller + 1);
}

TEST(CurlMultiTransportTest, MalformedRequestsReturnInvalidArgument) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;

  HttpRequest patch = Get(server.base_url() + "/x");
  patch.method = "PATCH";
  transport.Start(std::move(patch), recorder.Callback(1));
  transport.Start(Get("http://[::1"), recorder.Callback(2));
  transport.Start(Get("ftp://127.0.0.1/file"), recorder.Callback(3));
  HttpRequest injected = Get(server.base_url() + "/x");
  injected.headers = {{"X-Evil", "a\r\nTracktry-Api-Key: other"}};
  transport.Start(std::move(injected), recorder.Callback(4));
  HttpRequest bad_name = Get(server.base_url() + "/x");
  bad_name.headers = {{"Bad Name", "v"}};
  transport.Start(std::move(bad_name), recorder.Callback(5));

  for (int key = 1; key <= 5; ++key) {
    SCOPED_TRACE(key);
    EXPECT_THAT(recorder.Result(key),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_EQ(server.requests_received(), 0);
}

TEST(CurlMultiTransportTest, CallbackMayStartAnotherCall) {
  FakeHttpServer server;
  CurlMultiTransport transport;
  Recorder recorder;
  const std::string url = server.base_url() + "/chain";

  HttpCallback second = recorder.Callback(2);
  transport.Start(Get(url), [&transport, url, second = std::move(second)](
                                absl::StatusOr<HttpResponse> result) mutable {
    EXPECT_THAT(result, IsOk());
    transport.Start(Get(url), std::move(second));
  });

  EXPECT_THAT(recorder.Result(2), IsOk());
  EXPECT_EQ(server.requests_received(), 2);
}

TEST(CurlMultiTransportTest, DestructorCancelsPendingCallsWithoutHanging) {
  constexpr int kStalled = 20;
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return WithAction(FakeHttpServer::Action::kStall);
  });
  auto transport = std::make_unique<CurlMultiTransport>();
  Recorder recorder;

  for (int i = 0; i < kStalled; ++i) {
    transport->Start(Get(server.base_url() + "/stall"), recorder.Callback(i));
  }
  ASSERT_TRUE(server.WaitForPendingRequests(kStalled, kWait));
  // These may not even have reached the I/O thread yet.
  for (int i = kStalled; i < kStalled + 5; ++i) {
    transport->Start(Get(server.base_url() + "/stall"), recorder.Callback(i));
  }
  const absl::Time start = absl::Now();
  transport.reset();

  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(recorder.count(), kStalled + 5);
  for (int i = 0; i < kStalled + 5; ++i) {
    EXPECT_THAT(recorder.Result(i), StatusIs(absl::StatusCode::kCancelled));
  }
  EXPECT_TRUE(server.WaitForAbandonedRequests(kStalled, absl::Seconds(5)));
}

TEST(CurlMultiTransportTest, ConcurrentStartAndCancelFromManyThreadsIsSafe) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  FakeHttpServer server([](const FakeHttpServer::Request& request) {
    if (request.path == "/stall") {
      return WithAction(FakeHttpServer::Action::kStall);
    }
    return FakeHttpServer::Response();
  });
  CurlMultiTransport transport;
  Recorder recorder;

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int key = t * kPerThread + i;
        const bool cancel = key % 2 == 1;
        HttpRequest request =
            Get(server.base_url() + (cancel ? "/stall" : "/ok"));
        const HttpTransport::CallId id =
            transport.Start(std::move(request), recorder.Callback(key));
        if (cancel) transport.Cancel(id);
        transport.Cancel(0);  // never a valid id: a no-op
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  ASSERT_TRUE(recorder.WaitForCount(kThreads * kPerThread));
  for (int key = 0; key < kThreads * kPerThread; ++key) {
    SCOPED_TRACE(key);
    EXPECT_EQ(recorder.CallbacksFor(key), 1);
    if (key % 2 == 1) {
      EXPECT_THAT(recorder.Result(key), StatusIs(absl::StatusCode::kCancelled));
    } else {
      EXPECT_THAT(recorder.Result(key), IsOk());
    }
  }
  EXPECT_EQ(transport.started_total(),
            static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(transport.in_flight(), 0u);
}

}  // namespace
}  // namespace tracktry
