// Copyright 2026 The tracktry-grpc Authors.
//
// Load behaviour of the emulator on ONE io thread: thousands of concurrent
// keep-alive connections whose responses are delayed by injected latency
// must all be answered at about the latency, not serialized.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http.hpp"
#include "emulator/emulator.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/emulator_harness.h"

namespace tracktry {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using testing::EmulatorHarness;
using Clock = std::chrono::steady_clock;

// One keep-alive client connection.
struct ClientConnection {
  explicit ClientConnection(net::io_context& io) : socket(io) {}
  tcp::socket socket;
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
  bool ok = false;
};

// Raises the soft descriptor limit; returns the resulting limit.
rlim_t RaiseFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

class EmulatorConcurrencyTest : public ::testing::Test {
 protected:
  explicit EmulatorConcurrencyTest(int threads = 1)
      : harness_(OptionsWithThreads(threads)) {}

  static emulator::EmulatorOptions OptionsWithThreads(int threads) {
    emulator::EmulatorOptions options = EmulatorHarness::DefaultOptions();
    options.threads = threads;
    return options;
  }

  void SetUp() override {
    ASSERT_TRUE(harness_.Start().ok());
    CreateTracking();
  }

  void CreateTracking() {
    ASSERT_EQ(
        harness_
            .Api(
                "POST", "/trackings/post",
                R"({"tracking_number":"RN123456789CN","carrier_code":"china-post"})")
            .MetaCode(),
        200);
  }

  // Opens `n` connections (all before returning).
  void Connect(size_t n) {
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                                 static_cast<unsigned short>(harness_.port()));
    connections_.clear();
    size_t connected = 0;
    for (size_t i = 0; i < n; ++i) {
      auto connection = std::make_unique<ClientConnection>(io_);
      connection->socket.async_connect(
          endpoint, [&connected](boost::system::error_code ec) {
            if (!ec) ++connected;
          });
      connections_.push_back(std::move(connection));
    }
    io_.run();
    io_.restart();
    ASSERT_EQ(connected, n);
    // The kernel completes handshakes before the server accepts: wait until
    // the emulator has accepted them all.
    for (int i = 0; i < 500; ++i) {
      if (harness_.emulator().stats().connections_open >=
          static_cast<int64_t>(n)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_GE(harness_.emulator().stats().connections_open,
              static_cast<int64_t>(n));
  }

  // Sends one keep-alive request on every connection concurrently and waits
  // for all answers; returns the wall time. `make(i)` builds connection i's
  // request (default: GET of the tracking made in SetUp).
  std::chrono::milliseconds RoundTrip(
      const std::function<http::request<http::string_body>(size_t)>& make =
          nullptr) {
    for (size_t i = 0; i < connections_.size(); ++i) {
      ClientConnection* c = connections_[i].get();
      c->ok = false;
      c->response = {};
      if (make) {
        c->request = make(i);
      } else {
        c->request = {http::verb::get, "/v1/trackings/china-post/RN123456789CN",
                      11};
      }
      c->request.set(http::field::host, "127.0.0.1");
      c->request.set("Tracktry-Api-Key", EmulatorHarness::kApiKey);
      c->request.keep_alive(true);
      c->request.prepare_payload();
    }
    const auto start = Clock::now();
    for (auto& connection : connections_) {
      ClientConnection* c = connection.get();
      http::async_write(
          c->socket, c->request, [c](boost::system::error_code ec, size_t) {
            if (ec) return;
            http::async_read(c->socket, c->buffer, c->response,
                             [c](boost::system::error_code read_ec, size_t) {
                               c->ok = !read_ec;
                             });
          });
    }
    io_.run();
    io_.restart();
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                 start);
  }

  // Every connection got a 200 with meta.code 200 and stays open.
  void ExpectAllAnswered() {
    size_t good = 0;
    for (const auto& connection : connections_) {
      if (!connection->ok || connection->response.result_int() != 200) continue;
      const nlohmann::json body =
          nlohmann::json::parse(connection->response.body(), nullptr, false);
      if (body.is_object() && body["meta"]["code"] == 200 &&
          connection->response.keep_alive()) {
        ++good;
      }
    }
    EXPECT_EQ(good, connections_.size());
  }

  EmulatorHarness harness_;
  net::io_context io_;
  std::vector<std::unique_ptr<ClientConnection>> connections_;
};

TEST_F(EmulatorConcurrencyTest,
       TwoThousandDelayedKeepAliveRequestsOnOneThread) {
  constexpr size_t kConnections = 2000;
  if (RaiseFileLimit() < 2 * kConnections + 100) {
    GTEST_SKIP() << "RLIMIT_NOFILE too low for this test";
  }
  ASSERT_TRUE(harness_.emulator().SetLatencyMs(200).ok());
  Connect(kConnections);
  harness_.emulator().Reset();  // counters from here on
  CreateTracking();             // one more request on a new connection

  const std::chrono::milliseconds first = RoundTrip();
  ExpectAllAnswered();
  EXPECT_GE(first.count(), 200);
  // Serialized, the 2,000 delays would take 400 s; the bound leaves room
  // for a loaded machine and the sanitizer builds.
  EXPECT_LT(first.count(), 5000) << "responses were serialized";
  // Second round on the same connections: keep-alive, no new connections.
  const std::chrono::milliseconds second = RoundTrip();
  ExpectAllAnswered();
  EXPECT_LT(second.count(), 5000);
  RecordProperty("first_round_ms", static_cast<int>(first.count()));
  RecordProperty("second_round_ms", static_cast<int>(second.count()));

  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_EQ(stats.requests_total, static_cast<int64_t>(2 * kConnections + 1));
  EXPECT_EQ(stats.responses_by_meta_code.at(200),
            static_cast<int64_t>(2 * kConnections + 1));
  EXPECT_EQ(stats.connections_accepted, 1);
  EXPECT_GE(stats.connections_open, static_cast<int64_t>(kConnections));
  EXPECT_GE(stats.max_in_flight, static_cast<int64_t>(kConnections / 2));
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.connections_closed_by_client_before_response, 0);
}

TEST_F(EmulatorConcurrencyTest, HoldsFiveThousandConnectionsWithLatency) {
  constexpr size_t kConnections = 5000;
  if (RaiseFileLimit() < 2 * kConnections + 100) {
    GTEST_SKIP() << "RLIMIT_NOFILE too low for this test";
  }
  ASSERT_TRUE(harness_.emulator().SetLatencyMs(500).ok());
  Connect(kConnections);
  const std::chrono::milliseconds elapsed = RoundTrip();
  ExpectAllAnswered();
  // Serialized: 2,500 s; concurrent: one 500 ms delay plus the work.
  EXPECT_LT(elapsed.count(), 10000);
  RecordProperty("round_ms", static_cast<int>(elapsed.count()));
  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_GE(stats.connections_open, static_cast<int64_t>(kConnections));
  EXPECT_GE(stats.max_in_flight, static_cast<int64_t>(kConnections / 2));
}

class EmulatorMultiThreadTest : public EmulatorConcurrencyTest {
 protected:
  EmulatorMultiThreadTest() : EmulatorConcurrencyTest(4) {}
};

// Several io threads, mutating routes and admin calls at the same time
// (meant to run under TSan as well).
TEST_F(EmulatorMultiThreadTest, MixedLoadOnFourThreadsIsConsistent) {
  constexpr size_t kConnections = 300;
  if (RaiseFileLimit() < 2 * kConnections + 100) {
    GTEST_SKIP() << "RLIMIT_NOFILE too low for this test";
  }
  ASSERT_TRUE(harness_.emulator().SetLatencyMs(20).ok());
  Connect(kConnections);
  std::atomic<bool> stop{false};
  std::thread admin([&] {
    while (!stop.load()) {
      (void)harness_.emulator().stats();
      harness_.emulator().AdvanceClock(60);
      (void)harness_.Admin("GET", "/stats");
      (void)harness_.emulator().SetFaultsJson(
          R"({"rules":[{"route":"carriers","kind":"latency","latency_ms":1}]})");
    }
  });
  const auto number = [](size_t i) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "RN%09zuCN", i + 1000);
    return std::string(buffer);
  };
  RoundTrip([&](size_t i) {
    http::request<http::string_body> request{http::verb::post,
                                             "/v1/trackings/post", 11};
    request.body() = "{\"tracking_number\":\"" + number(i) +
                     "\",\"carrier_code\":\"china-post\"}";
    return request;
  });
  ExpectAllAnswered();
  RoundTrip([&](size_t i) {
    return http::request<http::string_body>{
        http::verb::get, "/v1/trackings/china-post/" + number(i), 11};
  });
  ExpectAllAnswered();
  RoundTrip([&](size_t i) {
    http::request<http::string_body> request{
        http::verb::put, "/v1/trackings/china-post/" + number(i), 11};
    request.body() = R"({"title":"t","archived":"true"})";
    return request;
  });
  ExpectAllAnswered();
  RoundTrip([&](size_t i) {
    return http::request<http::string_body>{
        http::verb::get, i % 2 ? "/v1/carriers" : "/v1/trackings/get?limit=5",
        11};
  });
  ExpectAllAnswered();
  stop.store(true);
  admin.join();
  EXPECT_EQ(harness_.emulator().tracking_count(), kConnections + 1);
  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_EQ(stats.requests_by_route.at("create"),
            static_cast<int64_t>(kConnections + 1));
  EXPECT_EQ(stats.requests_by_route.at("update"),
            static_cast<int64_t>(kConnections));
  EXPECT_EQ(stats.in_flight, 0);
}

}  // namespace
}  // namespace tracktry
