// Copyright 2026 The tracktry-grpc Authors.
//
// HttpServer: an event-driven HTTP/1.1 server (Boost.Asio/Beast) that hands
// every request to a synchronous handler returning a ResponsePlan and
// carries the plan out asynchronously (see HttpConnection). One io_context
// run by `threads` threads; each connection runs on its own strand.
// Holds thousands of concurrent keep-alive connections with delayed
// responses without a thread per connection.
//
// Thread safety: Start/Stop/port from one controlling thread. The handler is
// called concurrently from io threads when threads > 1.
#ifndef TRACKTRY_EMULATOR_HTTP_SERVER_H_
#define TRACKTRY_EMULATOR_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "emulator/emulator_stats.h"
#include "emulator/http_exchange.h"

namespace tracktry::emulator {

class HttpServer {
 public:
  using Handler = std::function<ResponsePlan(const Request&)>;

  // `stats` is not owned and must outlive the server.
  HttpServer(Handler handler, EmulatorStats* stats, int threads);
  // Stops the server if running.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 = any free port), listens and starts the io
  // threads. kInvalidArgument for a bad host; kUnavailable if the address
  // cannot be bound; kFailedPrecondition if already started.
  absl::Status Start(const std::string& host, int port);

  // Closes the listener and every connection, joins the io threads.
  // Idempotent.
  void Stop();

  // The bound port (after a successful Start), else 0.
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_HTTP_SERVER_H_
