// Copyright 2026 The tracktry-grpc Authors.
//
// CurlMultiTransport: the production HttpTransport, built on one libcurl
// multi handle driven by the multi_socket API on epoll.
//
// Design:
//   * ONE long-lived CURLM handle, driven by one dedicated I/O thread. Its
//     connection pool is shared by all transfers, so sequential and
//     concurrent requests to the same host reuse connections (HTTP/1.1
//     keep-alive to plaintext hosts; HTTP/2 multiplexing only over TLS,
//     because libcurl 7.88 breaks on reused h2c connections).
//   * No thread per transfer: thousands of concurrent transfers are sockets
//     registered with one epoll set.
//   * Start() sends on the caller's thread when it can: if the I/O thread is
//     not inside libcurl at that moment (a try-lock of the multi handle),
//     Start() adds the transfer and lets libcurl send the request right
//     there, so the request leaves without a thread hand-off; the answer is
//     still read, and the callback run, by the I/O thread. Otherwise (and
//     always for Cancel(), and for Start() from a completion callback) the
//     work is queued and the loop woken through an eventfd. libcurl's timer
//     set by such a send reaches the sleeping loop through a timerfd, armed
//     only when it is due before the loop would wake anyway.
//   * A kept-alive connection stays in the epoll set between its transfers.
//     libcurl asks for a connection's socket to be removed when a transfer
//     ends and added again when the next one starts on it; for connection
//     sockets (opened through CURLOPT_OPENSOCKETFUNCTION, closed through
//     CURLOPT_CLOSESOCKETFUNCTION once connected) the removal only marks
//     them parked, and an event on a parked socket (the upstream closed
//     it, or sent something unasked) removes it then. Other sockets
//     (libcurl's resolver wake-up pair) are added and removed as asked.
//
// Thread safety: Start(), Cancel() and the counters may be called from any
// thread concurrently. Completion callbacks run on the I/O thread, one at a
// time, never inside Start(); they must not block (they delay every other
// transfer) and must not destroy the transport. They may call Start() and
// Cancel().
//
// One send per call: each Start() sends its request at most once. libcurl
// on its own sends a request again on a new connection when a reused
// (kept-alive) connection dies before any answer (or HTTP/2 refuses the
// stream); that second send would be one the rate shaper never granted a
// token for, and a write applied twice. A CURLOPT_PREREQFUNCTION counts the
// sends of each transfer and refuses every one after the first: the call
// fails with kUnavailable "connection lost before an answer; not re-sent".
// Whoever wants another attempt starts a new call (RetryingCaller does, for
// reads, through the shaper).
//
// Completion statuses (see also HttpCallback in http_transport.h):
//   OK                 any complete HTTP response, including non-2xx.
//   kDeadlineExceeded  request.timeout elapsed (or was <= 0 at Start()).
//   kUnavailable       connect refused, DNS failure, Options::connect_timeout
//                      elapsed before request.timeout, connection reset or
//                      closed before a complete response, HTTP/2 or TLS
//                      handshake failure, a refused re-send (above).
//   kInternal          "upstream response exceeds N bytes", or any other
//                      libcurl failure.
//   kCancelled         Cancel() or destruction before completion.
//   kInvalidArgument   unsupported method, malformed or non-http(s) URL,
//                      header with CR/LF/NUL.
// Every failure after the request started going out (the PREREQFUNCTION
// ran) carries the RequestMaybeSent() mark (request_sent.h): the upstream
// may have received it. Failures before that carry no mark.
// Error messages are short and name the method and URL path only: never the
// query string, request headers (the API key travels in one) or bodies.
//
// Requests: libcurl adds Host, Accept: */* and User-Agent (Options), and
// Content-Length for bodies; it adds no Content-Type and no Expect, so set
// Content-Type yourself when sending a body. Redirects are not followed.
//
// Example:
//   CurlMultiTransport transport;
//   HttpRequest request;
//   request.url = "https://api.example.com/v1/items?id=1";
//   request.timeout = absl::Milliseconds(800);
//   transport.Start(std::move(request),
//                   [](absl::StatusOr<HttpResponse> r) { /* I/O thread */ });
#ifndef TRACKTRY_SERVICE_TRANSPORT_CURL_MULTI_TRANSPORT_H_
#define TRACKTRY_SERVICE_TRANSPORT_CURL_MULTI_TRANSPORT_H_

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/transport/http_transport.h"

namespace tracktry {

class CurlMultiTransport final : public HttpTransport {
 public:
  struct Options {
    // CURLMOPT_MAX_HOST_CONNECTIONS: open connections per host; transfers
    // beyond it queue inside libcurl (their timeout keeps running).
    // 0 = unlimited.
    int max_connections_per_host = 0;
    // CURLMOPT_MAX_TOTAL_CONNECTIONS. 0 = unlimited.
    int max_total_connections = 0;
    // CURLOPT_CONNECTTIMEOUT_MS; the request timeout still caps it.
    absl::Duration connect_timeout = absl::Seconds(5);
    // Sent as User-Agent unless the request carries its own.
    std::string user_agent = "tracktry-grpc/0.1";
    // CURLOPT_TCP_KEEPALIVE on every connection.
    bool tcp_keepalive = true;
    // Negotiate HTTP/2 via ALPN on https URLs (never h2c on plain http).
    bool allow_http2 = true;
    // PEM CA bundle used instead of the system store (e.g. for TLS tests).
    // Empty = system default.
    std::string ca_file;
    // Logs libcurl's informational lines (connects, reuse) to stderr. Header
    // and body data are never logged, so the API key cannot leak.
    bool verbose = false;
  };

  // Starts the I/O thread. Calls curl_global_init once per process. Aborts
  // the process if the OS refuses an epoll fd, an eventfd or a thread, or
  // libcurl fails to initialise (startup-only, out-of-resources conditions).
  CurlMultiTransport();
  explicit CurlMultiTransport(Options options);

  // Completes every call still pending with kCancelled (on the I/O thread),
  // closes all connections and joins the I/O thread. Must not be called from
  // a completion callback, nor concurrently with Start() from other threads.
  ~CurlMultiTransport() override;

  // Never blocks on the network. Validation happens here, but its error is
  // still delivered through `done` on the I/O thread.
  CallId Start(HttpRequest request, HttpCallback done) override;

  // Removes the transfer if still running; on HTTP/1.1 its connection is
  // closed (not returned to the pool), on HTTP/2 its stream is reset.
  void Cancel(CallId id) override;

  // Cheap relaxed-atomic counters for metrics and tests.
  // Calls started whose callback has not run yet.
  uint64_t in_flight() const;
  uint64_t started_total() const;
  // Callbacks invoked (counted just before each callback runs).
  uint64_t completed_total() const;
  // New connections opened (sum of CURLINFO_NUM_CONNECTS); the gap to
  // completed_total() shows connection reuse.
  uint64_t connections_opened_total() const;
  // Transfers failed because libcurl wanted to send their request a second
  // time (see "One send per call" above).
  uint64_t resends_refused_total() const;
  // Easy handles created; finished calls hand theirs back (reset) to the
  // next ones, so this stays near the peak number of calls in flight.
  uint64_t easy_handles_created_total() const;
  // Calls whose transfer Start() handed to libcurl on the caller's thread
  // (the rest were queued for the I/O thread).
  uint64_t started_on_caller_total() const;
  // epoll_ctl calls made for libcurl's sockets. Transfers one after another
  // on a kept-alive connection add nothing once its socket is in the set.
  uint64_t epoll_changes_total() const;

 private:
  struct Call;

  // Builds the easy handle on the caller's thread. Returns a non-OK status
  // if the call must complete without any network I/O.
  absl::Status Prepare(Call& call, HttpRequest request);
  // An idle easy handle or a new one, with the transport's own options set
  // (SetTransportOptions) and the rest as the last call left them; nullptr
  // when out of memory. Any thread.
  CURL* TakeEasyHandle();
  // The options every call of this transport has alike, set once per easy
  // handle.
  CURLcode SetTransportOptions(CURL* easy) const;
  // Clears the pointers `easy` (not in the multi handle) holds into its
  // finished call and keeps it for a later call, or cleans it up when
  // enough are idle. Any thread.
  void ReturnEasyHandle(CURL* easy);
  void Wake();
  // Start() on the caller's thread: adds the prepared `call` to the multi
  // handle and runs libcurl's due work (the send). Requires multi_mu_.
  // Returns false, leaving `call` alone, if libcurl refuses the handle.
  bool StartOnCaller(std::unique_ptr<Call>& call);
  // I/O thread.
  void Run();
  // Requires multi_mu_.
  int EpollTimeoutMs() const;
  // Applies queued starts/cancels; returns true once stopping. Requires
  // multi_mu_.
  bool DrainQueues();
  // Raises CURLMOPT_MAXCONNECTS to the busiest moment so far. Requires
  // multi_mu_.
  void GrowConnectionPool();
  // Require multi_mu_; the calls they end go to finished_.
  void CancelEverything();
  void ReapCompletions();
  // Runs the callbacks of finished_ (I/O thread, without multi_mu_).
  void RunFinished();
  void Finish(std::unique_ptr<Call> call, absl::StatusOr<HttpResponse> result);
  absl::Status TransferStatus(const Call& call, CURLcode code,
                              CURL* easy) const;
  // CANCELLED for an active call, marked if its request went out.
  static absl::Status CancelledStatus(const Call& call);

  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self,
                      void* socketp);
  static curl_socket_t OnOpenSocket(void* self, curlsocktype purpose,
                                    curl_sockaddr* address);
  static int OnCloseSocket(void* self, curl_socket_t fd);
  // epoll_ctl for a libcurl socket, counted; recovers from a stale view of
  // the set (fd numbers are reused quickly). Returns true if a MOD found
  // nothing registered under `fd` (the file it was for has been closed)
  // and the socket was added instead. Requires multi_mu_.
  bool EpollChange(int op, int fd, uint32_t events);
  // An event `events` on `fd`: if `fd` is parked, drops it from the epoll
  // set, unless the event is stale (nothing to read on a socket parked
  // waiting for input), and returns true. Requires multi_mu_.
  bool UnparkOnEvent(int fd, uint32_t events);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);  // NOLINT

  const Options options_;
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;

  std::atomic<CallId> next_id_{1};
  std::atomic<uint64_t> started_total_{0};
  std::atomic<uint64_t> completed_total_{0};
  std::atomic<uint64_t> connections_opened_total_{0};
  std::atomic<uint64_t> resends_refused_total_{0};
  std::atomic<uint64_t> easy_handles_created_total_{0};
  std::atomic<uint64_t> epoll_changes_total_{0};
  std::atomic<uint64_t> started_on_caller_total_{0};
  // Cleared by the destructor: Start() no longer sends on the caller.
  std::atomic<bool> accepting_{true};
  // CLOCK_MONOTONIC timerfd in the epoll set; see the design notes.
  int timer_fd_ = -1;

  // Reset easy handles of finished calls; curl_easy_init and
  // curl_easy_cleanup cost ~4% of an uncached GetTracking's instructions
  // (bench/RESULTS.md).
  std::mutex idle_mu_;
  std::vector<CURL*> idle_easy_;  // guarded by idle_mu_

  std::mutex mu_;
  std::vector<std::unique_ptr<Call>> start_queue_;  // guarded by mu_
  std::vector<CallId> cancel_queue_;                // guarded by mu_
  bool wake_pending_ = false;                       // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_

  // libcurl's multi handle and all the state its callbacks touch (below,
  // to max_connects_): held by the I/O thread while it drives libcurl, and
  // by Start() while it sends on the caller's thread. Taken before mu_,
  // never while a completion callback runs.
  std::mutex multi_mu_;
  absl::flat_hash_map<CallId, std::unique_ptr<Call>> active_;
  // libcurl's sockets as the epoll set holds them (see the design notes).
  // Also touched by OnCloseSocket from the destructor, after the I/O thread
  // has ended.
  struct Socket {
    uint32_t events = 0;      // registered with epoll; 0 = not in the set
    bool parked = false;      // libcurl asked for its removal; still in the set
    bool connection = false;  // opened by OnOpenSocket, not yet closed
  };
  absl::flat_hash_map<int, Socket> sockets_;
  std::optional<std::chrono::steady_clock::time_point> timer_deadline_;
  // When the sleeping loop wakes on its own: time_point::max() for never,
  // time_point::min() while it is awake (it reads timer_deadline_ before
  // it sleeps again).
  std::chrono::steady_clock::time_point loop_wakes_at_ =
      std::chrono::steady_clock::time_point::min();
  long max_connects_ = 0;  // NOLINT(runtime/int): CURLMOPT_MAXCONNECTS
  // Ended calls whose callbacks the loop runs once it has let go of
  // multi_mu_. I/O thread only.
  std::vector<std::pair<std::unique_ptr<Call>, absl::StatusOr<HttpResponse>>>
      finished_;

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSPORT_CURL_MULTI_TRANSPORT_H_
