// Copyright 2026 The tracktry-grpc Authors.
//
// TracktryClient through the real libcurl multi transport against a Beast
// HTTP server on 127.0.0.1: request building, the status table applied to
// real responses, deadlines, cancellation and secret hygiene.
#include "service/upstream/tracktry_client.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/errors/upstream_status.h"
#include "service/translation/json_values.h"
#include "service/transport/curl_multi_transport.h"
#include "tests/testing/canned_http_transport.h"
#include "tests/testing/fake_http_server.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::CannedHttpTransport;
using testing::FakeHttpServer;
using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;
using testing::StatusIs;

constexpr char kApiKey[] = "client-test-secret-key-5f1c9a";

FakeHttpServer::Response Json(const nlohmann::json& body, int status = 200) {
  FakeHttpServer::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = body.dump();
  return response;
}

nlohmann::json Meta(int code, const std::string& message,
                    nlohmann::json data = nlohmann::json::array()) {
  return {{"meta", {{"code", code}, {"type", "x"}, {"message", message}}},
          {"data", std::move(data)}};
}

std::string ReasonOf(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

class TracktryClientTest : public ::testing::Test {
 protected:
  TracktryClientTest() { Rebuild({}); }

  // Recreates the client with `options` pointed at the fake server.
  void Rebuild(TracktryClientOptions options) {
    options.base_url = server_.base_url() + "/v1";
    if (options.api_key.empty()) options.api_key = kApiKey;
    client_ = std::make_unique<TracktryClient>(&transport_, std::move(options));
  }

  // Sends `request` and waits for the callback.
  absl::StatusOr<Envelope> SendAndWait(
      UpstreamRequest request, absl::Duration timeout = absl::Seconds(5)) {
    std::promise<absl::StatusOr<Envelope>> promise;
    auto future = promise.get_future();
    client_->Send(std::move(request), absl::Now() + timeout,
                  [&promise](absl::StatusOr<Envelope> result) {
                    promise.set_value(std::move(result));
                  });
    if (future.wait_for(std::chrono::seconds(15)) !=
        std::future_status::ready) {
      ADD_FAILURE() << "callback never ran";
      return absl::InternalError("callback never ran");
    }
    return future.get();
  }

  // The request whose rendered path is `path`: a fixed route's path, or
  // "/trackings/{carrier}/{number}" (a GetTracking).
  static UpstreamRequest Get(const std::string& path) {
    UpstreamRequest request;
    for (const Route& route : AllRoutes()) {
      if (path == route.path) {
        request.endpoint = route.endpoint;
        return request;
      }
    }
    const std::vector<std::string> parts = absl::StrSplit(path, '/');
    request.endpoint = Endpoint::kGetTracking;
    request.carrier = parts.at(2);
    request.tracking_numbers.push_back(parts.at(3));
    return request;
  }

  FakeHttpServer server_{[](const FakeHttpServer::Request&) {
    return Json(Meta(200, "Success"));
  }};
  CurlMultiTransport transport_;
  std::unique_ptr<TracktryClient> client_;
};

TEST_F(TracktryClientTest, PathAndEncodedQueryReachTheServer) {
  UpstreamRequest request = Get("/trackings/get");
  request.query = {
      {"numbers", "AB 12/34"}, {"k&y", "v=1"}, {"lang", "\xC3\xA9"}};
  ASSERT_THAT(SendAndWait(std::move(request)), IsOk());
  const FakeHttpServer::Request seen = server_.last_request();
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/v1/trackings/get");
  EXPECT_EQ(seen.query, "numbers=AB%2012%2F34&k%26y=v%3D1&lang=%C3%A9");
}

TEST_F(TracktryClientTest, NoQueryMeansNoQuestionMark) {
  ASSERT_THAT(SendAndWait(Get("/carriers")), IsOk());
  EXPECT_EQ(server_.last_request().path, "/v1/carriers");
  EXPECT_EQ(server_.last_request().query, "");
}

TEST_F(TracktryClientTest, TrailingSlashesOfBaseUrlAreIgnored) {
  TracktryClientOptions options;
  options.api_key = kApiKey;
  options.base_url = server_.base_url() + "/v1//";
  client_ = std::make_unique<TracktryClient>(&transport_, options);
  ASSERT_THAT(SendAndWait(Get("/carriers")), IsOk());
  EXPECT_EQ(server_.last_request().path, "/v1/carriers");
}

TEST_F(TracktryClientTest, ApiKeyAndJsonHeadersAreSent) {
  ASSERT_THAT(SendAndWait(Get("/carriers")), IsOk());
  const FakeHttpServer::Request seen = server_.last_request();
  EXPECT_EQ(seen.Header("Tracktry-Api-Key"), kApiKey);
  EXPECT_EQ(seen.Header("Content-Type"), "application/json");
  EXPECT_EQ(seen.Header("Accept"), "application/json");
}

TEST_F(TracktryClientTest, CustomApiKeyHeaderNameIsUsed) {
  TracktryClientOptions options;
  options.api_key_header = "X-Custom-Key";
  Rebuild(options);
  ASSERT_THAT(SendAndWait(Get("/carriers")), IsOk());
  const FakeHttpServer::Request seen = server_.last_request();
  EXPECT_EQ(seen.Header("X-Custom-Key"), kApiKey);
  EXPECT_EQ(seen.Header("Tracktry-Api-Key"), "");
}

TEST_F(TracktryClientTest, JsonBodyIsSentWithTheMethod) {
  UpstreamRequest request;
  request.endpoint = Endpoint::kCreateTracking;
  request.body = nlohmann::json{{"tracking_number", "RR123"},
                                {"carrier_code", "china-post"},
                                {"title", "caf\xC3\xA9 \"quoted\""}}
                     .dump();
  ASSERT_THAT(SendAndWait(request), IsOk());
  const FakeHttpServer::Request seen = server_.last_request();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/v1/trackings/post");
  // Sent exactly as the API layer serialized it.
  EXPECT_EQ(seen.body, request.body);

  request.endpoint = Endpoint::kUpdateTracking;
  request.carrier = "china-post";
  request.tracking_numbers = {"RR123"};
  ASSERT_THAT(SendAndWait(request), IsOk());
  EXPECT_EQ(server_.last_request().method, "PUT");
  EXPECT_EQ(server_.last_request().path, "/v1/trackings/china-post/RR123");
  EXPECT_EQ(server_.last_request().body, request.body);
}

TEST_F(TracktryClientTest, DeleteWithoutBodySendsNoBody) {
  UpstreamRequest request = Get("/trackings/dhl/123");
  request.endpoint = Endpoint::kDeleteTracking;
  ASSERT_THAT(SendAndWait(request), IsOk());
  EXPECT_EQ(server_.last_request().method, "DELETE");
  EXPECT_EQ(server_.last_request().body, "");
}

TEST_F(TracktryClientTest, SuccessEnvelopeIsReturned) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    return Json(Meta(201, "Created",
                     {{"tracking_number", "RR1"}, {"carrier_code", "dhl"}}));
  });
  absl::StatusOr<Envelope> envelope = SendAndWait(Get("/trackings/post"));
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(envelope->meta_code, 201);
  EXPECT_EQ(envelope->meta_type, "x");
  EXPECT_EQ(envelope->meta_message, "Created");
  EXPECT_EQ(envelope->data().at("tracking_number"), "RR1");
  EXPECT_EQ(client_->calls_started(), 1);
}

// An answer read as a tracking keeps its tape; any other is a document.
TEST_F(TracktryClientTest, TrackingAnswersKeepTheTapeOthersTheDocument) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    return Json(Meta(200, "Success", {{"tracking_number", "RR1"}}));
  });
  absl::StatusOr<Envelope> create = SendAndWait(Get("/trackings/post"));
  ASSERT_THAT(create, IsOk());
  ASSERT_NE(create->data_tape(), nullptr);
  EXPECT_EQ(create->data_if_built(), nullptr);
  EXPECT_EQ(JsonMemberString(*create->data_tape(), "tracking_number"), "RR1");
  absl::StatusOr<Envelope> list = SendAndWait(Get("/trackings/get"));
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(list->data_tape(), nullptr);
  ASSERT_NE(list->data_if_built(), nullptr);
  EXPECT_EQ(list->data().at("tracking_number"), "RR1");
}

TEST_F(TracktryClientTest, EmptyResult4031IsSuccess) {
  server_.set_handler(
      [](const FakeHttpServer::Request&) { return Json(Meta(4031, "empty")); });
  absl::StatusOr<Envelope> envelope = SendAndWait(Get("/trackings/get"));
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(envelope->meta_code, 4031);
}

TEST_F(TracktryClientTest, MetaNotFoundInHttp200IsNotFound) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    return Json(Meta(4017, "Tracking does not exist"));
  });
  absl::StatusOr<Envelope> result = SendAndWait(Get("/trackings/dhl/1"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kNotFound,
                               HasSubstr("Tracking does not exist")));
  EXPECT_EQ(ReasonOf(result.status()), "TRACKING_NOT_FOUND");
}

TEST_F(TracktryClientTest, MetaAlreadyExistsIsAlreadyExists) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    return Json(Meta(4016, "Tracking already exists."));
  });
  EXPECT_THAT(SendAndWait(Get("/trackings/post")),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(TracktryClientTest, MetaRateLimitUsesRetryAfterHeader) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response = Json(Meta(429, "Too many requests"));
    response.headers.emplace_back("Retry-After", "7");
    return response;
  });
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(ReasonOf(result.status()), "RATE_LIMITED");
  EXPECT_EQ(GetRetryDelay(result.status()), absl::Seconds(7));
}

TEST_F(TracktryClientTest, Http429WithRetryAfterIsResourceExhausted) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.status = 429;
    response.headers.emplace_back("Retry-After", "42");
    response.body = "<html>slow down</html>";
    return response;
  });
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(GetRetryDelay(result.status()), absl::Seconds(42));
}

TEST_F(TracktryClientTest, Http429WithoutRetryAfterUsesTheDefaultDelay) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.status = 429;
    return response;
  });
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(GetRetryDelay(result.status()), kDefaultRateLimitRetryDelay);
}

TEST_F(TracktryClientTest, Http503HtmlIsUnavailableWithoutTheBody) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.status = 503;
    response.headers.emplace_back("Content-Type", "text/html");
    response.body = "<html><body>Service Unavailable BODYMARKER</body></html>";
    return response;
  });
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable,
                               Not(HasSubstr("BODYMARKER"))));
  EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_UNAVAILABLE");
  EXPECT_FALSE(GetRetryDelay(result.status()).has_value());
}

TEST_F(TracktryClientTest, Http503WithRetryAfterCarriesRetryInfo) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.status = 503;
    response.headers.emplace_back("Retry-After", "3");
    return response;
  });
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(GetRetryDelay(result.status()), absl::Seconds(3));
}

TEST_F(TracktryClientTest, Http401IsFailedPrecondition) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.status = 401;
    return response;
  });
  EXPECT_THAT(SendAndWait(Get("/carriers")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(TracktryClientTest, MalformedBodyIsInternal) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.body = "this is not json MALFORMEDMARKER";
    return response;
  });
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInternal,
                               Not(HasSubstr("MALFORMEDMARKER"))));
}

TEST_F(TracktryClientTest, EnvelopeWithoutMetaIsInternal) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    return Json({{"data", nlohmann::json::array()}});
  });
  EXPECT_THAT(SendAndWait(Get("/carriers")),
              StatusIs(absl::StatusCode::kInternal));
}

TEST_F(TracktryClientTest, SlowUpstreamIsDeadlineExceededAtTheDeadline) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response = Json(Meta(200, "late"));
    response.delay = absl::Seconds(10);
    return response;
  });
  const absl::Time start = absl::Now();
  absl::StatusOr<Envelope> result =
      SendAndWait(Get("/carriers"), absl::Milliseconds(300));
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_TIMEOUT");
  EXPECT_GE(elapsed, absl::Milliseconds(250));
  EXPECT_LT(elapsed, absl::Seconds(3));
}

TEST_F(TracktryClientTest, MaxCallTimeoutCapsALongDeadline) {
  TracktryClientOptions options;
  options.max_call_timeout = absl::Milliseconds(300);
  Rebuild(options);
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response = Json(Meta(200, "late"));
    response.action = FakeHttpServer::Action::kStall;
    return response;
  });
  const absl::Time start = absl::Now();
  absl::StatusOr<Envelope> result =
      SendAndWait(Get("/carriers"), absl::Seconds(60));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(TracktryClientTest, PassedDeadlineFailsWithoutContactingUpstream) {
  std::promise<absl::StatusOr<Envelope>> promise;
  client_->Send(Get("/carriers"), absl::Now() - absl::Seconds(1),
                [&promise](absl::StatusOr<Envelope> result) {
                  promise.set_value(std::move(result));
                });
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  EXPECT_THAT(future.get(), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(server_.requests_received(), 0);
}

TEST_F(TracktryClientTest, CancelGivesCancelledAndClosesTheConnection) {
  server_.set_handler([](const FakeHttpServer::Request&) {
    FakeHttpServer::Response response;
    response.action = FakeHttpServer::Action::kStall;
    return response;
  });
  std::promise<absl::StatusOr<Envelope>> promise;
  const UpstreamCaller::CallId id =
      client_->Send(Get("/carriers"), absl::Now() + absl::Seconds(30),
                    [&promise](absl::StatusOr<Envelope> result) {
                      promise.set_value(std::move(result));
                    });
  ASSERT_TRUE(server_.WaitForPendingRequests(1, absl::Seconds(5)));
  client_->Cancel(id);
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  absl::StatusOr<Envelope> result = future.get();
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(ReasonOf(result.status()), "CANCELLED");
  EXPECT_TRUE(server_.WaitForAbandonedRequests(1, absl::Seconds(5)));
}

TEST_F(TracktryClientTest, CancelOfUnknownIdIsHarmless) {
  client_->Cancel(987654321);
  EXPECT_THAT(SendAndWait(Get("/carriers")), IsOk());
}

TEST_F(TracktryClientTest, OversizedResponseIsInternal) {
  TracktryClientOptions options;
  options.max_response_bytes = 2048;
  Rebuild(options);
  server_.set_handler([](const FakeHttpServer::Request&) {
    return Json(Meta(200, std::string(10000, 'x')));
  });
  EXPECT_THAT(SendAndWait(Get("/carriers")),
              StatusIs(absl::StatusCode::kInternal));
  // A body under the cap still passes.
  server_.set_handler([](const FakeHttpServer::Request&) {
    return Json(Meta(200, std::string(500, 'x')));
  });
  EXPECT_THAT(SendAndWait(Get("/carriers")), IsOk());
}

TEST_F(TracktryClientTest, UnreachableUpstreamIsUnavailable) {
  int dead_port;
  {
    FakeHttpServer dead;
    dead_port = dead.port();
  }
  TracktryClientOptions options;
  options.api_key = kApiKey;
  options.base_url = absl::StrCat("http://127.0.0.1:", dead_port);
  client_ = std::make_unique<TracktryClient>(&transport_, options);
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_UNREACHABLE");
}

// The key must not show in any error, even when the upstream echoes it back
// or it ends up in the URL.
TEST_F(TracktryClientTest, ApiKeyNeverAppearsInErrorMessages) {
  std::vector<FakeHttpServer::Handler> handlers = {
      [](const FakeHttpServer::Request& r) {
        return Json(
            Meta(4001, "Invalid API key: " + r.Header("tracktry-api-key")));
      },
      [](const FakeHttpServer::Request& r) {
        return Json(
            Meta(4017, "not found for key " + r.Header("tracktry-api-key")));
      },
      [](const FakeHttpServer::Request& r) {
        FakeHttpServer::Response response;
        response.status = 500;
        response.body = r.Header("tracktry-api-key");
        return response;
      },
      [](const FakeHttpServer::Request& r) {
        FakeHttpServer::Response response;
        response.body = "garbage " + r.Header("tracktry-api-key");
        return response;
      },
      [](const FakeHttpServer::Request& r) {
        FakeHttpServer::Response response = Json(Meta(200, "late"));
        response.delay = absl::Seconds(10);
        return response;
      },
  };
  int index = 0;
  for (const auto& handler : handlers) {
    server_.set_handler(handler);
    UpstreamRequest request = Get("/trackings/get");
    request.query = {{"numbers", "RR1"}};
    absl::StatusOr<Envelope> result =
        SendAndWait(std::move(request), absl::Milliseconds(500));
    ASSERT_FALSE(result.ok()) << "handler " << index;
    EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr(kApiKey)))
        << "handler " << index;
    EXPECT_THAT(result.status().ToString(), Not(HasSubstr(kApiKey)))
        << "handler " << index;
    ++index;
  }
}

// Key rotation: a new value in the holder is sent from the next request on,
// and an upstream echo of it is redacted like the first one.
TEST_F(TracktryClientTest, ChangedKeyIsSentOnTheNextRequest) {
  server_.set_handler([](const FakeHttpServer::Request& r) {
    return Json(Meta(4001, "Invalid API key: " + r.Header("tracktry-api-key")));
  });
  const std::shared_ptr<SecretValue> holder = client_->api_key_holder();
  ASSERT_NE(holder, nullptr);
  EXPECT_EQ(holder->Get(), kApiKey);
  absl::StatusOr<Envelope> result = SendAndWait(Get("/carriers"));
  EXPECT_EQ(server_.last_request().Header("Tracktry-Api-Key"), kApiKey);

  constexpr char kNewKey[] = "client-test-rotated-key-77c2e1";
  EXPECT_TRUE(holder->Set(kNewKey));
  result = SendAndWait(Get("/carriers"));
  EXPECT_EQ(server_.last_request().Header("Tracktry-Api-Key"), kNewKey);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr(kNewKey)));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("[REDACTED]"));
  EXPECT_EQ(client_->BuildHttpRequest(Get("/carriers"), absl::Seconds(1))
                .headers.back()
                .second,
            kNewKey);
}

TEST_F(TracktryClientTest, HolderGivenInOptionsWinsOverTheString) {
  TracktryClientOptions options;
  options.api_key = "ignored-initial-string";
  options.api_key_holder =
      std::make_shared<SecretValue>("client-test-held-key-0a9b8c");
  const std::shared_ptr<SecretValue> holder = options.api_key_holder;
  Rebuild(std::move(options));
  EXPECT_EQ(client_->api_key_holder(), holder);
  ASSERT_THAT(SendAndWait(Get("/carriers")), IsOk());
  EXPECT_EQ(server_.last_request().Header("Tracktry-Api-Key"),
            "client-test-held-key-0a9b8c");
  holder->Set("client-test-held-key-second");
  ASSERT_THAT(SendAndWait(Get("/carriers")), IsOk());
  EXPECT_EQ(server_.last_request().Header("Tracktry-Api-Key"),
            "client-test-held-key-second");
}

// Requests keep flowing while the key changes under them; every request
// carries one of the two keys, whole.
TEST_F(TracktryClientTest, KeyChangesDuringConcurrentRequestsAreClean) {
  const std::string kKeyA = "client-test-concurrent-key-aaaa";
  const std::string kKeyB = "client-test-concurrent-key-bbbb";
  std::atomic<int> bad{0};
  server_.set_handler([&bad, kKeyA, kKeyB](const FakeHttpServer::Request& r) {
    const std::string key = r.Header("tracktry-api-key");
    if (key != kKeyA && key != kKeyB) ++bad;
    return Json(Meta(200, "Success"));
  });
  const std::shared_ptr<SecretValue> holder = client_->api_key_holder();
  holder->Set(kKeyA);
  std::atomic<bool> stop{false};
  std::thread rotator([&] {
    for (int i = 0; !stop; ++i) {
      holder->Set(i % 2 == 0 ? kKeyB : kKeyA);
      absl::SleepFor(absl::Microseconds(200));
    }
  });
  for (int i = 0; i < 100; ++i) {
    EXPECT_THAT(SendAndWait(Get("/carriers")), IsOk());
  }
  stop = true;
  rotator.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(holder->distinct_values(), 3u);  // initial, A, B
}

TEST_F(TracktryClientTest, ConcurrentCallsAllComplete) {
  server_.set_handler([](const FakeHttpServer::Request& r) {
    FakeHttpServer::Response response = Json(Meta(200, r.query));
    response.delay = absl::Milliseconds(20);
    return response;
  });
  constexpr int kCalls = 50;
  std::mutex mu;
  std::vector<std::string> messages;
  std::atomic<int> done{0};
  absl::Notification all_done;
  for (int i = 0; i < kCalls; ++i) {
    UpstreamRequest request = Get("/carriers");
    request.query = {{"i", absl::StrCat(i)}};
    client_->Send(std::move(request), absl::Now() + absl::Seconds(10),
                  [&](absl::StatusOr<Envelope> result) {
                    {
                      std::lock_guard<std::mutex> lock(mu);
                      messages.push_back(
                          result.ok() ? result->meta_message
                                      : std::string(result.status().message()));
                    }
                    if (++done == kCalls) all_done.Notify();
                  });
  }
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  std::lock_guard<std::mutex> lock(mu);
  std::sort(messages.begin(), messages.end());
  std::vector<std::string> expected;
  for (int i = 0; i < kCalls; ++i) expected.push_back(absl::StrCat("i=", i));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(messages, expected);
  EXPECT_EQ(client_->calls_started(), kCalls);
}

// --- The HTTP request as handed to the transport (a CannedHttpTransport
// records it and answers 200 at once) ---

TEST(TracktryClientRequestTest, RemainingDeadlineBecomesTheTransferTimeout) {
  CannedHttpTransport transport;
  TracktryClientOptions options;
  options.api_key = kApiKey;
  TracktryClient client(&transport, options);
  absl::Notification done;
  client.Send(UpstreamRequest{}, absl::Now() + absl::Seconds(7),
              [&](absl::StatusOr<Envelope>) { done.Notify(); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  ASSERT_EQ(transport.requests().size(), 1u);
  const absl::Duration timeout = transport.requests()[0].timeout;
  EXPECT_LE(timeout, absl::Seconds(7));
  EXPECT_GT(timeout, absl::Seconds(6));
  EXPECT_EQ(transport.requests()[0].max_response_bytes,
            options.max_response_bytes);
}

TEST(TracktryClientRequestTest, InfiniteDeadlineIsCappedByMaxCallTimeout) {
  CannedHttpTransport transport;
  TracktryClientOptions options;
  options.max_call_timeout = absl::Seconds(9);
  TracktryClient client(&transport, options);
  absl::Notification done;
  client.Send(UpstreamRequest{}, absl::InfiniteFuture(),
              [&](absl::StatusOr<Envelope>) { done.Notify(); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(transport.requests()[0].timeout, absl::Seconds(9));
}

TEST(TracktryClientRequestTest, CancelIsForwardedWithTheTransportId) {
  CannedHttpTransport transport;
  TracktryClient client(&transport, TracktryClientOptions{});
  absl::Notification done;
  const UpstreamCaller::CallId id =
      client.Send(UpstreamRequest{}, absl::Now() + absl::Seconds(1),
                  [&](absl::StatusOr<Envelope>) { done.Notify(); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  client.Cancel(id);
  EXPECT_THAT(transport.cancelled(), ::testing::ElementsAre(id));
}

TEST(TracktryClientRequestTest, BuildHttpRequestShape) {
  CannedHttpTransport transport;
  TracktryClientOptions options;
  options.base_url = "https://api.example.com/v1/";
  options.api_key = kApiKey;
  options.api_key_header = "X-Key";
  options.max_response_bytes = 1234;
  TracktryClient client(&transport, options);
  UpstreamRequest request;
  request.endpoint = Endpoint::kBatchCreate;
  request.query = {{"a b", "c/d"}};
  request.body = nlohmann::json::array({{{"n", 1}}}).dump();
  const HttpRequest http = client.BuildHttpRequest(request, absl::Seconds(3));
  EXPECT_EQ(http.method, "POST");
  EXPECT_EQ(http.url, "https://api.example.com/v1/trackings/batch?a%20b=c%2Fd");
  EXPECT_THAT(http.headers, ::testing::Contains(std::make_pair(
                                std::string("X-Key"), std::string(kApiKey))));
  EXPECT_THAT(http.headers, ::testing::Contains(std::make_pair(
                                std::string("Content-Type"),
                                std::string("application/json"))));
  EXPECT_EQ(http.body, request.body);
  EXPECT_EQ(http.timeout, absl::Seconds(3));
  EXPECT_EQ(http.max_response_bytes, 1234u);
  EXPECT_EQ(http.url.find(kApiKey), std::string::npos);
}

TEST(TracktryClientRequestTest, PathIsRenderedFromTheStructuredKeys) {
  CannedHttpTransport transport;
  TracktryClientOptions options;
  options.base_url = "https://api.example.com/v1";
  TracktryClient client(&transport, options);
  UpstreamRequest request;
  request.endpoint = Endpoint::kGetTracking;
  request.carrier = "dhl";
  request.tracking_numbers = {"12 34"};
  request.lang = "cn";
  const HttpRequest http = client.BuildHttpRequest(request, absl::Seconds(1));
  EXPECT_EQ(http.method, "GET");
  EXPECT_EQ(http.url, "https://api.example.com/v1/trackings/dhl/12%2034/cn");
  EXPECT_EQ(http.body, "");
}

}  // namespace
}  // namespace tracktry
