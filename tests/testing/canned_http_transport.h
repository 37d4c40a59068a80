// Copyright 2026 The tracktry-grpc Authors.
//
// CannedHttpTransport: an HttpTransport that answers every request with
// HTTP 200 and one canned body, each from a thread of its own (never inside
// Start(), as the interface promises), and records what it was asked:
// the requests and the ids given to Cancel() (which changes nothing: the
// answer is on its way already). Header-only, test-only. For tests of what
// is built on a transport (TracktryClient, TracktryServer) that need no
// HTTP server; real HTTP goes through CurlMultiTransport and FakeHttpServer.
#ifndef TRACKTRY_TESTS_TESTING_CANNED_HTTP_TRANSPORT_H_
#define TRACKTRY_TESTS_TESTING_CANNED_HTTP_TRANSPORT_H_

#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "service/transport/http_transport.h"

namespace tracktry::testing {

class CannedHttpTransport final : public HttpTransport {
 public:
  // A success envelope without data.
  static constexpr char kEmptySuccess[] = R"({"meta":{"code":200},"data":[]})";

  explicit CannedHttpTransport(std::string body = kEmptySuccess)
      : body_(std::move(body)) {}
  // Waits for every answer to have been delivered.
  ~CannedHttpTransport() override {
    for (std::thread& thread : threads_) thread.join();
  }

  CallId Start(HttpRequest request, HttpCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(std::move(request));
    threads_.emplace_back([body = body_, done = std::move(done)]() mutable {
      HttpResponse response;
      response.status_code = 200;
      response.body = std::move(body);
      std::move(done)(std::move(response));
    });
    return requests_.size();
  }

  void Cancel(CallId id) override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_.push_back(id);
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<CallId> cancelled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

 private:
  const std::string body_;
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
  std::vector<CallId> cancelled_;
  std::vector<std::thread> threads_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_CANNED_HTTP_TRANSPORT_H_
