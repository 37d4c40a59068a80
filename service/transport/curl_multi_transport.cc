// Copyright 2026 The tracktry-grpc Authors.
#include "service/transport/curl_multi_transport.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/transport/request_sent.h"

namespace tracktry {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxEvents = 256;
// Keeps error messages short even for absurd paths.
constexpr size_t kMaxPathInMessage = 120;
// Connections kept open for reuse at least (CURLMOPT_MAXCONNECTS), however
// few transfers are in flight; see GrowConnectionPool().
constexpr long kMinPooledConnections = 64;  // NOLINT(runtime/int)
// Idle easy handles kept for reuse (each some 20 KiB with its buffers).
constexpr size_t kMaxIdleEasyHandles = 256;
// Rounds of libcurl's due work Start() runs on the caller's thread; libcurl
// rarely asks for more than one (a timer of 0 ms after the first).
constexpr int kMaxRoundsOnCaller = 4;

// The transport whose I/O thread this is (nullptr on other threads): its
// completion callbacks' Start() calls are queued, never sent in place.
thread_local const void* tls_loop_of = nullptr;

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "CurlMultiTransport: %s: %s\n", what,
               std::strerror(errno));
  std::abort();
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      Fatal("curl_global_init failed");
    }
  });
}

bool HasLineBreakOrNul(absl::string_view s) {
  return s.find_first_of(absl::string_view("\r\n\0", 3)) !=
         absl::string_view::npos;
}

// Ceil to whole milliseconds, at least 1; 0 means "no limit" to libcurl.
long ToCurlMillis(absl::Duration d) {  // NOLINT(runtime/int)
  if (d == absl::InfiniteDuration()) return 0;
  const int64_t ms =
      absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
  return static_cast<long>(std::clamp<int64_t>(ms, 1, LONG_MAX));  // NOLINT
}

// Response being received; userdata of the header and write callbacks.
struct ResponseSink {
  HttpResponse response;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* userp) {
  auto* sink = static_cast<ResponseSink*>(userp);
  const size_t n = size * count;
  absl::string_view line =
      absl::StripTrailingAsciiWhitespace(absl::string_view(data, n));
  auto& headers = sink->response.headers;
  if (line.empty()) return n;
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after 1xx, or the final one): keep only its headers.
    headers.clear();
    return n;
  }
  if (line[0] == ' ' || line[0] == '\t') {  // obsolete line folding
    if (!headers.empty()) {
      absl::StrAppend(&headers.back().second, " ",
                      absl::StripLeadingAsciiWhitespace(line));
    }
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  std::string name =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
  if (name == "content-length") {
    uint64_t length = 0;
    if (absl::SimpleAtoi(value, &length)) {
      if (length > sink->max_bytes) {
        sink->too_large = true;  // fail before downloading the body
        return 0;
      }
      sink->response.body.reserve(length);
    }
  }
  headers.emplace_back(std::move(name), std::string(value));
  return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* userp) {
  auto* sink = static_cast<ResponseSink*>(userp);
  const size_t n = size * count;
  if (n > sink->max_bytes - sink->response.body.size()) {
    sink->too_large = true;
    return 0;  // CURLE_WRITE_ERROR
  }
  sink->response.body.append(data, n);
  return n;
}

// CURLOPT_READFUNCTION: bodies are sent from CURLOPT_POSTFIELDS only. A
// transfer that asked for a body any other way (a reused handle with its
// method left from an earlier call, say) fails instead of reading the
// process's stdin, libcurl's default.
size_t OnRead(char* /*data*/, size_t /*size*/, size_t /*count*/,
              void* /*userp*/) {
  return CURL_READFUNC_ABORT;
}

// CURLOPT_PREREQFUNCTION: runs right before each send of the transfer's
// request, libcurl's own re-sends on a new connection included (after a
// reused connection died before any answer). The call was granted one
// upstream send; every further one is refused and the transfer fails.
int OnPrereq(void* sends, char* /*conn_primary_ip*/, char* /*conn_local_ip*/,
             int /*conn_primary_port*/, int /*conn_local_port*/) {
  return ++*static_cast<int*>(sends) == 1 ? CURL_PREREQFUNC_OK
                                          : CURL_PREREQFUNC_ABORT;
}

// Only informational text: header and data records carry the API key.
int OnDebug(CURL* /*easy*/, curl_infotype type, char* data, size_t size,
            void* /*userp*/) {
  if (type == CURLINFO_TEXT) {
    std::fprintf(stderr, "curl: %.*s", static_cast<int>(size), data);
  }
  return 0;
}

}  // namespace

struct CurlMultiTransport::Call {
  Call() = default;
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  ~Call() {
    // Finish() hands the easy handle back first; this is for the rest.
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    curl_url_cleanup(url);
  }

  CallId id = 0;
  HttpCallback done;
  // "GET /v1/path" (no host, no query) for error messages.
  std::string what;
  long timeout_ms = 0;  // NOLINT(runtime/int)
  CURL* easy = nullptr;
  CURLU* url = nullptr;
  curl_slist* headers = nullptr;
  std::string body;  // CURLOPT_POSTFIELDS points into it
  ResponseSink sink;
  absl::Status early_error;  // non-OK: complete without a transfer
  // Sends of the request so far (OnPrereq); only the first one happens.
  int sends = 0;
};

CurlMultiTransport::CurlMultiTransport() : CurlMultiTransport(Options()) {}

CurlMultiTransport::CurlMultiTransport(Options options)
    : options_(std::move(options)) {
  GlobalInitOnce();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) Fatal("curl_multi_init failed");
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) Fatal("epoll_create1 failed");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) Fatal("eventfd failed");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    Fatal("epoll_ctl(eventfd) failed");
  }
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) Fatal("timerfd_create failed");
  ev.data.fd = timer_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev) != 0) {
    Fatal("epoll_ctl(timerfd) failed");
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING,
                    static_cast<long>(CURLPIPE_MULTIPLEX));  // NOLINT
  curl_multi_setopt(
      multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
      static_cast<long>(options_.max_connections_per_host));  // NOLINT
  curl_multi_setopt(
      multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
      static_cast<long>(options_.max_total_connections));  // NOLINT
  thread_ = std::thread([this] { Run(); });
}

CurlMultiTransport::~CurlMultiTransport() {
  accepting_.store(false, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  // Only a Start() racing with destruction (a caller bug) can leave work.
  std::vector<std::unique_ptr<Call>> leftovers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    leftovers.swap(start_queue_);
  }
  for (auto& call : leftovers) {
    std::string message = absl::StrCat("upstream ", call->what, ": cancelled");
    Finish(std::move(call), absl::CancelledError(message));
  }
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  idle_easy_.clear();
  // Closes pooled connections; may still call OnSocket, so fds close after.
  curl_multi_cleanup(multi_);
  close(wake_fd_);
  close(timer_fd_);
  close(epoll_fd_);
}

HttpTransport::CallId CurlMultiTransport::Start(HttpRequest request,
                                                HttpCallback done) {
  auto call = std::make_unique<Call>();
  const CallId id = next_id_.fetch_add(1, std::memory_order_relaxed);
  call->id = id;
  call->done = std::move(done);
  call->early_error = Prepare(*call, std::move(request));
  started_total_.fetch_add(1, std::memory_order_relaxed);
  if (call->early_error.ok() && tls_loop_of != this &&
      accepting_.load(std::memory_order_relaxed) && multi_mu_.try_lock()) {
    std::lock_guard<std::mutex> multi_lock(multi_mu_, std::adopt_lock);
    if (StartOnCaller(call)) return id;
  }
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    start_queue_.push_back(std::move(call));
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) Wake();
  return id;
}

bool CurlMultiTransport::StartOnCaller(std::unique_ptr<Call>& call) {
  if (curl_multi_add_handle(multi_, call->easy) != CURLM_OK) return false;
  const CallId id = call->id;
  active_.emplace(id, std::move(call));
  GrowConnectionPool();
  started_on_caller_total_.fetch_add(1, std::memory_order_relaxed);
  // Adding the handle asked for a timer of 0 ms: run what is due now,
  // i.e. take a pooled connection (or start connecting) and send.
  int running = 0;
  for (int round = 0;
       round < kMaxRoundsOnCaller && timer_deadline_.has_value() &&
       *timer_deadline_ <= Clock::now();
       ++round) {
    timer_deadline_.reset();
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  }
  if (static_cast<size_t>(running) < active_.size()) {
    // Something ended in there (e.g. a refused connect): only the loop
    // reads libcurl's messages and runs callbacks.
    Wake();
  } else if (timer_deadline_.has_value() && *timer_deadline_ < loop_wakes_at_) {
    // The loop sleeps past libcurl's next deadline (this transfer's
    // timeout, say): the timerfd wakes it then.
    itimerspec spec{};
    const auto since_epoch = timer_deadline_->time_since_epoch();
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    spec.it_value.tv_sec = seconds.count();
    spec.it_value.tv_nsec = static_cast<long>(  // NOLINT(runtime/int)
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch -
                                                             seconds)
            .count());
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) {
      spec.it_value.tv_nsec = 1;  // zero would disarm it
    }
    timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
    loop_wakes_at_ = *timer_deadline_;
  }
  return true;
}

void CurlMultiTransport::Cancel(CallId id) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_queue_.push_back(id);
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) Wake();
}

uint64_t CurlMultiTransport::in_flight() const {
  // Load completed first: started only grows, so the difference is >= 0.
  const uint64_t completed = completed_total_.load(std::memory_order_acquire);
  return started_total_.load(std::memory_order_acquire) - completed;
}

uint64_t CurlMultiTransport::started_total() const {
  return started_total_.load(std::memory_order_relaxed);
}

uint64_t CurlMultiTransport::completed_total() const {
  return completed_total_.load(std::memory_order_relaxed);
}

uint64_t CurlMultiTransport::connections_opened_total() const {
  return connections_opened_total_.load(std::memory_order_relaxed);
}

uint64_t CurlMultiTransport::resends_refused_total() const {
  return resends_refused_total_.load(std::memory_order_relaxed);
}

uint64_t CurlMultiTransport::easy_handles_created_total() const {
  return easy_handles_created_total_.load(std::memory_order_relaxed);
}

uint64_t CurlMultiTransport::started_on_caller_total() const {
  return started_on_caller_total_.load(std::memory_order_relaxed);
}

uint64_t CurlMultiTransport::epoll_changes_total() const {
  return epoll_changes_total_.load(std::memory_order_relaxed);
}

CURL* CurlMultiTransport::TakeEasyHandle() {
  {
    std::lock_guard<std::mutex> lock(idle_mu_);
    if (!idle_easy_.empty()) {
      CURL* easy = idle_easy_.back();
      idle_easy_.pop_back();
      return easy;
    }
  }
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return nullptr;
  if (SetTransportOptions(easy) != CURLE_OK) {
    curl_easy_cleanup(easy);
    return nullptr;
  }
  easy_handles_created_total_.fetch_add(1, std::memory_order_relaxed);
  return easy;
}

CURLcode CurlMultiTransport::SetTransportOptions(CURL* easy) const {
  CURLcode rc = CURLE_OK;
  auto set = [&rc, easy](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_NOSIGNAL, 1L);
  if (options_.connect_timeout > absl::ZeroDuration()) {
    set(CURLOPT_CONNECTTIMEOUT_MS, ToCurlMillis(options_.connect_timeout));
  }
  if (!options_.user_agent.empty()) {
    set(CURLOPT_USERAGENT, options_.user_agent.c_str());
  }
  if (options_.tcp_keepalive) set(CURLOPT_TCP_KEEPALIVE, 1L);
  if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
  set(CURLOPT_HEADERFUNCTION, &OnHeader);
  set(CURLOPT_WRITEFUNCTION, &OnBody);
  set(CURLOPT_READFUNCTION, &OnRead);
  set(CURLOPT_PREREQFUNCTION, &OnPrereq);
  // Connection sockets are opened and closed here, so that the epoll set
  // can keep a pooled connection between its transfers (OnSocket).
  set(CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
  set(CURLOPT_OPENSOCKETDATA, this);
  set(CURLOPT_CLOSESOCKETFUNCTION, &OnCloseSocket);
  set(CURLOPT_CLOSESOCKETDATA, this);
  if (options_.verbose) {
    set(CURLOPT_DEBUGFUNCTION, &OnDebug);
    set(CURLOPT_VERBOSE, 1L);
  }
  return rc;
}

void CurlMultiTransport::ReturnEasyHandle(CURL* easy) {
  // No reset (curl_easy_reset frees and re-initialises every option, 7 k
  // instructions a call; bench/RESULTS.md): the transport's own options
  // stay, Prepare sets every other option on each call, and the pointers
  // into the finished call are cleared here. The connection pool is the
  // multi handle's, so nothing else of the transfer stays with the handle.
  curl_easy_setopt(easy, CURLOPT_CURLU, nullptr);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, nullptr);
  {
    std::lock_guard<std::mutex> lock(idle_mu_);
    if (idle_easy_.size() < kMaxIdleEasyHandles) {
      idle_easy_.push_back(easy);
      return;
    }
  }
  curl_easy_cleanup(easy);
}

absl::Status CurlMultiTransport::Prepare(Call& call, HttpRequest request) {
  const std::string& method = request.method;
  call.what = "request";
  call.sink.max_bytes = request.max_response_bytes;
  if (method != "GET" && method != "POST" && method != "PUT" &&
      method != "DELETE") {
    return absl::InvalidArgumentError("upstream request: unsupported method");
  }
  call.what = method;

  // The URL is never echoed: its query string may carry secrets.
  call.url = curl_url();
  if (call.url == nullptr) return absl::InternalError("upstream: no memory");
  if (request.url.find('\0') != std::string::npos ||
      curl_url_set(call.url, CURLUPART_URL, request.url.c_str(), 0) !=
          CURLUE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream ", method, ": malformed URL"));
  }
  char* part = nullptr;
  bool http = false;
  bool https = false;
  if (curl_url_get(call.url, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) {
    https = absl::EqualsIgnoreCase(part, "https");
    http = https || absl::EqualsIgnoreCase(part, "http");
    curl_free(part);
  }
  if (!http) {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream ", method, ": URL scheme is not http(s)"));
  }
  std::string path = "/";
  if (curl_url_get(call.url, CURLUPART_PATH, &part, 0) == CURLUE_OK) {
    path = part;
    curl_free(part);
  }
  if (path.size() > kMaxPathInMessage) {
    path.resize(kMaxPathInMessage);
    path += "...";
  }
  call.what = absl::StrCat(method, " ", path);

  bool has_expect = false;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || HasLineBreakOrNul(name) || HasLineBreakOrNul(value) ||
        name.find_first_of(": \t") != std::string::npos) {
      // Neither name nor value is echoed.
      return absl::InvalidArgumentError(
          absl::StrCat("upstream ", call.what, ": malformed request header"));
    }
    if (absl::EqualsIgnoreCase(name, "expect")) has_expect = true;
    if (absl::EqualsIgnoreCase(name, "content-type")) has_content_type = true;
    // "Name;" is libcurl's syntax for a header with an empty value.
    const std::string line = value.empty() ? absl::StrCat(name, ";")
                                           : absl::StrCat(name, ": ", value);
    curl_slist* next = curl_slist_append(call.headers, line.c_str());
    if (next == nullptr) return absl::InternalError("upstream: no memory");
    call.headers = next;
  }
  // "Name:" removes a header libcurl would add on its own: Expect makes
  // bodies over 1 KiB wait a round trip for 100-continue, and the default
  // Content-Type of a body is a wrong application/x-www-form-urlencoded.
  for (const auto& [present, removal] :
       {std::make_pair(has_expect, "Expect:"),
        std::make_pair(has_content_type, "Content-Type:")}) {
    if (present) continue;
    curl_slist* next = curl_slist_append(call.headers, removal);
    if (next == nullptr) return absl::InternalError("upstream: no memory");
    call.headers = next;
  }

  if (request.timeout <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(
        absl::StrCat("upstream ", call.what, ": deadline already expired"));
  }
  call.timeout_ms = ToCurlMillis(request.timeout);

  call.easy = TakeEasyHandle();
  if (call.easy == nullptr) return absl::InternalError("upstream: no memory");
  CURL* easy = call.easy;
  CURLcode rc = CURLE_OK;
  auto set = [&rc, easy](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  // The handle may come from an earlier call and is not reset
  // (ReturnEasyHandle): every option that differs between calls is set here
  // on each call, unconditionally.
  set(CURLOPT_CURLU, call.url);
  set(CURLOPT_TIMEOUT_MS, call.timeout_ms);
  const bool http2 = https && options_.allow_http2;
  // h2 via ALPN; the TLS handshake tells whether the connection can
  // multiplex, so concurrent requests briefly wait for it (PIPEWAIT)
  // instead of opening one connection each. Plaintext is HTTP/1.1 only
  // (7.88 h2c bug). Saying so explicitly also keeps libcurl from holding
  // new transfers back until the first response proves that a plaintext
  // connection cannot multiplex.
  set(CURLOPT_HTTP_VERSION,
      static_cast<long>(http2 ? CURL_HTTP_VERSION_2TLS  // NOLINT
                              : CURL_HTTP_VERSION_1_1));
  set(CURLOPT_PIPEWAIT, http2 ? 1L : 0L);
  set(CURLOPT_HTTPHEADER, call.headers);

  const bool send_body =
      method == "POST" || method == "PUT" || !request.body.empty();
  if (send_body) {
    call.body = std::move(request.body);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    set(CURLOPT_POSTFIELDS, call.body.data());  // the method is now POST
  } else {
    set(CURLOPT_HTTPGET, 1L);  // GET, and no earlier call's body
  }
  // PUT and DELETE (and a GET with a body) by name; libcurl copies it.
  const bool custom = method != "POST" && (method != "GET" || send_body);
  set(CURLOPT_CUSTOMREQUEST, custom ? method.c_str() : nullptr);

  set(CURLOPT_HEADERDATA, &call.sink);
  set(CURLOPT_WRITEDATA, &call.sink);
  set(CURLOPT_PRIVATE, &call);
  set(CURLOPT_PREREQDATA, &call.sends);
  if (rc != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("upstream ", call.what,
                     ": curl_easy_setopt: ", curl_easy_strerror(rc)));
  }
  return absl::OkStatus();
}

void CurlMultiTransport::Wake() {
  const uint64_t one = 1;
  // EAGAIN only if the counter is saturated, which already means "wake".
  while (write(wake_fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
  }
}

void CurlMultiTransport::Run() {
  tls_loop_of = this;
  epoll_event events[kMaxEvents];
  int running = 0;
  for (;;) {
    int timeout_ms;
    {
      std::lock_guard<std::mutex> multi_lock(multi_mu_);
      timeout_ms = EpollTimeoutMs();
      loop_wakes_at_ =
          timeout_ms < 0 ? Clock::time_point::max()
                         : Clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    const int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
    if (n < 0 && errno != EINTR) Fatal("epoll_wait failed");
    bool stopping;
    {
      std::lock_guard<std::mutex> multi_lock(multi_mu_);
      loop_wakes_at_ = Clock::time_point::min();
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_fd_ || fd == timer_fd_) {
          uint64_t count;
          while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR) {
          }
          continue;
        }
        const uint32_t ev = events[i].events;
        if (UnparkOnEvent(fd, ev)) continue;
        int mask = 0;
        if (ev & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) mask |= CURL_CSELECT_IN;
        if (ev & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        if (ev & EPOLLERR) mask |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi_, fd, mask, &running);
      }
      if (timer_deadline_.has_value() && Clock::now() >= *timer_deadline_) {
        // Reset first: libcurl may arm a new timer from inside the call.
        timer_deadline_.reset();
        curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
      }
      stopping = DrainQueues();
      ReapCompletions();
    }
    // Callbacks run without multi_mu_, so that Start() on other threads
    // can send meanwhile.
    RunFinished();
    if (stopping) {
      // Callbacks run during shutdown may have started more calls; loop
      // until they have been cancelled too.
      std::lock_guard<std::mutex> lock(mu_);
      if (start_queue_.empty()) break;
    }
  }
}

void CurlMultiTransport::RunFinished() {
  // Taken out first: a callback's Start() is queued, never finished here.
  std::vector<std::pair<std::unique_ptr<Call>, absl::StatusOr<HttpResponse>>>
      finished;
  finished.swap(finished_);
  for (auto& [call, result] : finished) {
    Finish(std::move(call), std::move(result));
  }
}

int CurlMultiTransport::EpollTimeoutMs() const {
  if (!timer_deadline_.has_value()) return -1;
  const auto now = Clock::now();
  if (*timer_deadline_ <= now) return 0;
  const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                         *timer_deadline_ - now)
                         .count();
  // Round up so the loop does not spin while less than 1 ms remains.
  return static_cast<int>(std::min<int64_t>((us + 999) / 1000, INT_MAX));
}

bool CurlMultiTransport::DrainQueues() {
  std::vector<std::unique_ptr<Call>> starts;
  std::vector<CallId> cancels;
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    starts.swap(start_queue_);
    cancels.swap(cancel_queue_);
    wake_pending_ = false;
    stopping = stopping_;
  }
  absl::flat_hash_set<CallId> cancelled(cancels.begin(), cancels.end());
  for (auto& call : starts) {
    if (stopping || cancelled.contains(call->id)) {
      std::string message =
          absl::StrCat("upstream ", call->what, ": cancelled");
      finished_.emplace_back(std::move(call), absl::CancelledError(message));
      continue;
    }
    if (!call->early_error.ok()) {
      absl::Status status = call->early_error;
      finished_.emplace_back(std::move(call), std::move(status));
      continue;
    }
    const CURLMcode rc = curl_multi_add_handle(multi_, call->easy);
    if (rc != CURLM_OK) {
      std::string message =
          absl::StrCat("upstream ", call->what,
                       ": curl_multi_add_handle: ", curl_multi_strerror(rc));
      finished_.emplace_back(std::move(call), absl::InternalError(message));
      continue;
    }
    const CallId id = call->id;
    active_.emplace(id, std::move(call));
  }
  GrowConnectionPool();
  for (const CallId id : cancels) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;  // finished, unknown, or done above
    std::unique_ptr<Call> call = std::move(it->second);
    active_.erase(it);
    // Removing a transfer mid-response makes libcurl close an HTTP/1.1
    // connection instead of pooling it; the upstream sees the close.
    curl_multi_remove_handle(multi_, call->easy);
    long connects = 0;  // NOLINT(runtime/int)
    curl_easy_getinfo(call->easy, CURLINFO_NUM_CONNECTS, &connects);
    connections_opened_total_.fetch_add(connects, std::memory_order_relaxed);
    absl::Status status = CancelledStatus(*call);
    finished_.emplace_back(std::move(call), std::move(status));
  }
  if (stopping) CancelEverything();
  return stopping;
}

void CurlMultiTransport::GrowConnectionPool() {
  // libcurl's default keeps 4 connections per transfer in flight *now*: when
  // a burst ends, its connections are closed, and the next burst opens (and,
  // over TLS, handshakes) them again. The limit here only grows: 4 per
  // transfer at the busiest moment so far, and never below
  // kMinPooledConnections.
  const long wanted = std::max(  // NOLINT(runtime/int)
      kMinPooledConnections,
      4 * static_cast<long>(active_.size()));  // NOLINT(runtime/int)
  if (wanted <= max_connects_) return;
  max_connects_ = wanted;
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_connects_);
}

void CurlMultiTransport::CancelEverything() {
  std::vector<std::unique_ptr<Call>> calls;
  calls.reserve(active_.size());
  for (auto& [id, call] : active_) calls.push_back(std::move(call));
  active_.clear();
  for (auto& call : calls) {
    curl_multi_remove_handle(multi_, call->easy);
    absl::Status status = CancelledStatus(*call);
    finished_.emplace_back(std::move(call), std::move(status));
  }
}

void CurlMultiTransport::ReapCompletions() {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // `msg` dies with curl_multi_remove_handle: copy what is needed first.
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    char* priv = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    curl_multi_remove_handle(multi_, easy);
    auto it = active_.find(reinterpret_cast<Call*>(priv)->id);
    if (it == active_.end()) continue;  // cannot happen
    std::unique_ptr<Call> call = std::move(it->second);
    active_.erase(it);

    long connects = 0;  // NOLINT(runtime/int)
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    connections_opened_total_.fetch_add(connects, std::memory_order_relaxed);
    if (code != CURLE_OK) {
      absl::Status status;
      if (call->sends > 1) {
        // OnPrereq refused a re-send: the connection died after the one
        // send this call had, before any answer.
        resends_refused_total_.fetch_add(1, std::memory_order_relaxed);
        status = absl::UnavailableError(
            absl::StrCat("upstream ", call->what,
                         ": connection lost before an answer; not re-sent"));
      } else {
        status = TransferStatus(*call, code, easy);
      }
      if (call->sends > 0) status = WithRequestSent(std::move(status));
      finished_.emplace_back(std::move(call), std::move(status));
      continue;
    }
    long status_code = 0;  // NOLINT(runtime/int)
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status_code);
    HttpResponse response = std::move(call->sink.response);
    response.status_code = static_cast<int>(status_code);
    finished_.emplace_back(std::move(call), std::move(response));
  }
}

void CurlMultiTransport::Finish(std::unique_ptr<Call> call,
                                absl::StatusOr<HttpResponse> result) {
  HttpCallback done = std::move(call->done);
  // Out of the multi handle by now (or never added).
  if (call->easy != nullptr) {
    ReturnEasyHandle(std::exchange(call->easy, nullptr));
  }
  call.reset();  // frees the call's memory before user code runs
  completed_total_.fetch_add(1, std::memory_order_release);
  if (done) std::move(done)(std::move(result));
}

absl::Status CurlMultiTransport::CancelledStatus(const Call& call) {
  absl::Status status =
      absl::CancelledError(absl::StrCat("upstream ", call.what, ": cancelled"));
  return call.sends > 0 ? WithRequestSent(std::move(status)) : status;
}

absl::Status CurlMultiTransport::TransferStatus(const Call& call, CURLcode code,
                                                CURL* easy) const {
  if (call.sink.too_large) {
    return absl::InternalError(absl::StrCat("upstream response exceeds ",
                                            call.sink.max_bytes, " bytes (",
                                            call.what, ")"));
  }
  // curl_easy_strerror() gives fixed texts; the per-transfer error buffer is
  // avoided because it may quote host names or URLs.
  const std::string detail =
      absl::StrCat("upstream ", call.what, ": ", curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      // Options::connect_timeout firing well before the request's own
      // timeout means an unreachable upstream, not an expired deadline.
      curl_off_t connect_us = 0;
      curl_off_t total_us = 0;
      curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
      curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
      if (connect_us == 0 &&
          (call.timeout_ms == 0 || total_us / 1000 + 1 < call.timeout_ms)) {
        return absl::UnavailableError(absl::StrCat("upstream ", call.what,
                                                   ": connect timed out after ",
                                                   total_us / 1000, " ms"));
      }
      return absl::DeadlineExceededError(absl::StrCat("upstream ", call.what,
                                                      ": timed out after ",
                                                      call.timeout_ms, " ms"));
    }
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
      return absl::UnavailableError(detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(detail);
    default:
      return absl::InternalError(
          absl::StrCat(detail, " (curl ", static_cast<int>(code), ")"));
  }
}

int CurlMultiTransport::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what,
                                 void* self, void* socketp) {
  auto* transport = static_cast<CurlMultiTransport*>(self);
  auto it = transport->sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it == transport->sockets_.end() || it->second.events == 0) return 0;
    if (it->second.connection) {
      // Typically a connection going back to the pool: its next transfer
      // wants EPOLLIN again. Or one libcurl has just closed (it removes
      // sockets after closing them, and closes a socket that never finished
      // connecting without OnCloseSocket): removing that fd number now
      // could hit a file another thread has opened since. Either way it
      // stays as it is; the kernel dropped a closed one, and an open one
      // leaves the set on its next event (UnparkOnEvent).
      it->second.parked = true;
      return 0;
    }
    // libcurl removes its resolver's socket before closing it.
    transport->EpollChange(EPOLL_CTL_DEL, fd, 0);
    transport->sockets_.erase(it);
    return 0;
  }
  uint32_t events = 0;
  if (what & CURL_POLL_IN) events |= EPOLLIN;
  if (what & CURL_POLL_OUT) events |= EPOLLOUT;
  // A socket other than a connection is trusted to be in the set only while
  // libcurl's own record of it (socketp) says so: it may be closed without
  // OnCloseSocket, and its fd number reused.
  const bool known = it != transport->sockets_.end() &&
                     it->second.events != 0 &&
                     (it->second.connection || socketp != nullptr);
  if (known && it->second.events == events) {
    it->second.parked = false;
    return 0;
  }
  const bool replaced =
      transport->EpollChange(known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, events);
  Socket& socket = transport->sockets_[fd];
  socket.events = events;
  socket.parked = false;
  // The file recorded under this number was closed unseen, and this one
  // did not come through OnOpenSocket: not trusted as a connection.
  if (replaced) socket.connection = false;
  if (socketp == nullptr) curl_multi_assign(transport->multi_, fd, transport);
  return 0;
}

bool CurlMultiTransport::EpollChange(int op, int fd, uint32_t events) {
  epoll_event ev{};
  ev.data.fd = fd;
  ev.events = events;
  epoll_changes_total_.fetch_add(1, std::memory_order_relaxed);
  if (epoll_ctl(epoll_fd_, op, fd, &ev) == 0 || op == EPOLL_CTL_DEL) {
    return false;
  }
  // Recover from a stale view (fd numbers are reused quickly).
  const int retry = errno == EEXIST   ? EPOLL_CTL_MOD
                    : errno == ENOENT ? EPOLL_CTL_ADD
                                      : 0;
  if (retry == 0) return false;
  epoll_changes_total_.fetch_add(1, std::memory_order_relaxed);
  epoll_ctl(epoll_fd_, retry, fd, &ev);
  return retry == EPOLL_CTL_ADD;
}

bool CurlMultiTransport::UnparkOnEvent(int fd, uint32_t events) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end() || !it->second.parked) return false;
  // The event may be stale: epoll_wait reported an answer arriving, and
  // before this thread took multi_mu_, a Start() on another thread
  // (StartOnCaller) let libcurl read it, end that transfer and park the
  // connection. Nothing to read: the socket stays in the set as it is (a
  // removal now would be an addition again on its next transfer). On a
  // busy machine this was most of the events on parked sockets.
  if (it->second.events == EPOLLIN &&
      (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) == 0) {
    char byte;
    if (recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
        (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    }
  }
  // An idle pooled connection became readable (the upstream closed it, or
  // sent something unasked), or a socket parked while it waited to become
  // writable is. libcurl finds out when it next considers the connection;
  // until then the socket leaves the set, or its level-triggered event
  // would wake the loop again and again.
  EpollChange(EPOLL_CTL_DEL, fd, 0);
  it->second.events = 0;
  it->second.parked = false;
  return true;
}

curl_socket_t CurlMultiTransport::OnOpenSocket(void* self,
                                               curlsocktype /*purpose*/,
                                               curl_sockaddr* address) {
  auto* transport = static_cast<CurlMultiTransport*>(self);
  const int fd = socket(address->family, address->socktype | SOCK_CLOEXEC,
                        address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  // A new file: whatever was recorded under this number is gone with the
  // file closed before it (the kernel dropped its epoll registration).
  Socket& socket = transport->sockets_[fd];
  socket = Socket();
  socket.connection = true;
  return fd;
}

int CurlMultiTransport::OnCloseSocket(void* self, curl_socket_t fd) {
  auto* transport = static_cast<CurlMultiTransport*>(self);
  // Closing the socket also takes it out of the epoll set.
  transport->sockets_.erase(fd);
  return close(fd);
}

int CurlMultiTransport::OnTimer(CURLM* /*multi*/, long timeout_ms,  // NOLINT
                                void* self) {
  auto* transport = static_cast<CurlMultiTransport*>(self);
  if (timeout_ms < 0) {
    transport->timer_deadline_.reset();
  } else {
    transport->timer_deadline_ =
        Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

}  // namespace tracktry
