// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/http_server.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "emulator/http_connection.h"

namespace tracktry::emulator {

namespace net = boost::asio;
using boost::system::error_code;
using tcp = net::ip::tcp;

struct HttpServer::Impl {
  Impl(Handler handler_in, EmulatorStats* stats_in, int threads_in)
      : handler(std::move(handler_in)),
        stats(stats_in),
        thread_count(std::max(1, threads_in)),
        acceptor(net::make_strand(io)),
        retry_timer(acceptor.get_executor()) {}

  void DoAccept();
  void Track(const std::shared_ptr<HttpConnection>& connection);

  Handler handler;
  EmulatorStats* stats;
  const int thread_count;
  net::io_context io;
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  bool running = false;
  int port = 0;

  std::mutex mu;
  std::vector<std::weak_ptr<HttpConnection>> connections;
  size_t prune_at = 1024;
};

void HttpServer::Impl::Track(
    const std::shared_ptr<HttpConnection>& connection) {
  std::lock_guard<std::mutex> lock(mu);
  if (connections.size() >= prune_at) {
    connections.erase(
        std::remove_if(connections.begin(), connections.end(),
                       [](const std::weak_ptr<HttpConnection>& weak) {
                         return weak.expired();
                       }),
        connections.end());
    prune_at = std::max<size_t>(1024, connections.size() * 2);
  }
  connections.push_back(connection);
}

void HttpServer::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(io), [this](error_code ec,
                                                     tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      auto connection =
          std::make_shared<HttpConnection>(std::move(socket), &handler, stats);
      Track(connection);
      connection->Start();
      return DoAccept();
    }
    // Out of descriptors or another transient failure: back off briefly
    // instead of spinning.
    retry_timer.expires_after(
        std::chrono::milliseconds(ec == net::error::no_descriptors ? 50 : 5));
    retry_timer.async_wait([this](error_code timer_ec) {
      if (!timer_ec) DoAccept();
    });
  });
}

HttpServer::HttpServer(Handler handler, EmulatorStats* stats, int threads)
    : impl_(std::make_unique<Impl>(std::move(handler), stats, threads)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const std::string& host, int port) {
  Impl& impl = *impl_;
  if (impl.running || !impl.threads.empty()) {
    return absl::FailedPreconditionError("server already started");
  }
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port ", port));
  }
  error_code ec;
  const std::string ip = host == "localhost" ? "127.0.0.1" : host;
  const net::ip::address address = net::ip::make_address(ip, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid listen host \"", host, "\""));
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  const auto fail = [&](const char* what) {
    error_code ignored;
    impl.acceptor.close(ignored);
    return absl::UnavailableError(
        absl::StrCat(what, " ", ip, ":", port, ": ", ec.message()));
  };
  impl.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  impl.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  impl.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  impl.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  impl.port = impl.acceptor.local_endpoint(ec).port();
  if (ec) return fail("getsockname");

  impl.running = true;
  impl.work.emplace(net::make_work_guard(impl.io));
  net::post(impl.acceptor.get_executor(), [&impl] { impl.DoAccept(); });
  for (int i = 0; i < impl.thread_count; ++i) {
    impl.threads.emplace_back([&impl] { impl.io.run(); });
  }
  return absl::OkStatus();
}

void HttpServer::Stop() {
  Impl& impl = *impl_;
  if (!impl.running) return;
  impl.running = false;
  impl.work.reset();
  impl.io.stop();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();
  // No io thread runs now: closing sockets directly is safe.
  error_code ec;
  impl.acceptor.close(ec);
  impl.retry_timer.cancel();
  std::vector<std::weak_ptr<HttpConnection>> connections;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    connections.swap(impl.connections);
  }
  for (const auto& weak : connections) {
    if (auto connection = weak.lock()) connection->ForceClose();
  }
  // Run the aborted handlers so that the connections are released.
  impl.io.restart();
  impl.io.poll();
  impl.port = 0;
}

int HttpServer::port() const { return impl_->port; }

}  // namespace tracktry::emulator
