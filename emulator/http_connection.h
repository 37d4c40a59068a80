// Copyright 2026 The tracktry-grpc Authors.
//
// HttpConnection: one accepted HTTP/1.1 connection. Reads requests with
// Beast, asks the handler for a ResponsePlan and carries it out
// asynchronously: delay on a steady_timer, then write / drop / reset / hang /
// trickle. While a response is delayed, hanging or trickling it watches the
// socket for the client closing it (counted in
// connections_closed_by_client_before_response). Keep-alive as the client
// asks. No thread is held per connection or request.
//
// Thread safety: all work for one connection runs on its socket's strand.
// Owned by shared_ptrs held by its pending handlers.
#ifndef TRACKTRY_EMULATOR_HTTP_CONNECTION_H_
#define TRACKTRY_EMULATOR_HTTP_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/string_body.hpp"
#include "emulator/emulator_stats.h"
#include "emulator/http_exchange.h"

namespace tracktry::emulator {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Handler = std::function<ResponsePlan(const Request&)>;

  // `handler` and `stats` are not owned and must outlive the connection.
  HttpConnection(boost::asio::ip::tcp::socket socket, const Handler* handler,
                 EmulatorStats* stats);
  ~HttpConnection();

  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Starts reading requests.
  void Start();

  // Closes the socket at once. Only call while no io thread runs (server
  // shutdown).
  void ForceClose();

 private:
  enum class Phase {
    kReading,
    kDelaying,
    kHanging,
    kWriting,
    kTrickling,
    kClosed
  };

  void ReadRequest();
  void OnHeader(boost::system::error_code ec);
  void OnRead(boost::system::error_code ec);
  void Execute();
  void WriteResponse(std::string data, bool reset_after);
  void OnWriteDone(boost::system::error_code ec, bool reset_after);
  void TrickleNext();
  void FinishResponse();
  void SendProtocolError(int status);

  void StartWatch();
  void CancelWatch();
  void OnWatch(uint64_t generation, boost::system::error_code ec);
  // True if the client has already closed its side (EOF or error pending).
  bool PeerClosed();
  void ClientGone();

  void EndRequest();
  // Graceful close (FIN), or an abortive one (RST) when `reset` is set.
  void Close(bool reset = false);

  std::string SerializeHead() const;

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<
      boost::beast::http::request_parser<boost::beast::http::string_body>>
      parser_;
  const Handler* handler_;
  EmulatorStats* stats_;

  Phase phase_ = Phase::kReading;
  ResponsePlan plan_;
  std::string out_;
  size_t body_sent_ = 0;
  bool keep_alive_ = true;
  bool in_flight_ = false;
  bool watching_ = false;
  uint64_t watch_generation_ = 0;
  // Requests read on this connection so far.
  int64_t requests_read_ = 0;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_HTTP_CONNECTION_H_
