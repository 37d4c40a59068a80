// Copyright 2026 The tracktry-grpc Authors.
#include "bench/direct_engine.h"

#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bench/key_space.h"
#include "nlohmann/json.hpp"

namespace tracktry::bench {

struct DirectEngine::Call {
  Op op = Op::kGet;
  int64_t key = 0;
  int64_t start_ns = 0;
  int64_t deadline_ns = 0;
  CURL* easy = nullptr;
  std::string body;
  std::string response;
  // Outcome of a call that completes without a transfer.
  std::string immediate_code;
};

namespace {

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "tracktry-loadgen: %s failed\n", what);
    std::abort();
  }
}

}  // namespace

DirectEngine::DirectEngine(const LoadgenOptions& options)
    : options_(options),
      create_nonce_(absl::StrCat(
          "DC", absl::Hex(static_cast<uint32_t>(MonotonicNanos())))),
      batch_nonce_(absl::StrCat("FD", create_nonce_.substr(2))) {
  Check(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK, "curl_global_init");
  multi_ = curl_multi_init();
  Check(multi_ != nullptr, "curl_multi_init");
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  Check(epoll_fd_ >= 0, "epoll_create1");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &DirectEngine::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &DirectEngine::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  // Keep one idle connection per possible in-flight call.
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(options.concurrency + 16));  // NOLINT
  const std::string key_header =
      absl::StrCat(options.api_key_header, ": ", options.api_key);
  headers_ = curl_slist_append(headers_, key_header.c_str());
  headers_ = curl_slist_append(headers_, "Content-Type: application/json");
  headers_ = curl_slist_append(headers_, "Accept: application/json");
}

DirectEngine::~DirectEngine() {
  for (auto& [easy, call] : calls_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
  }
  calls_.clear();
  for (CURL* easy : idle_) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi_);
  curl_slist_free_all(headers_);
  close(epoll_fd_);
}

int DirectEngine::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what,
                           void* self, void* /*socket_data*/) {
  auto* engine = static_cast<DirectEngine*>(self);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(engine->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return 0;
  }
  struct epoll_event event = {};
  event.data.fd = fd;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) event.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) {
    event.events |= EPOLLOUT;
  }
  if (epoll_ctl(engine->epoll_fd_, EPOLL_CTL_MOD, fd, &event) != 0) {
    epoll_ctl(engine->epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  }
  return 0;
}

int DirectEngine::OnTimer(CURLM* /*multi*/, long timeout_ms,  // NOLINT
                          void* self) {
  auto* engine = static_cast<DirectEngine*>(self);
  engine->timer_ns_ =
      timeout_ms < 0 ? -1 : MonotonicNanos() + timeout_ms * 1'000'000;
  return 0;
}

void DirectEngine::Start(const WorkItem& item, int64_t start_ns) {
  auto call = std::make_unique<Call>();
  call->op = item.op;
  call->key = item.key;
  call->start_ns = start_ns;
  const std::string& base = options_.upstream;
  std::string url;
  const char* method = "GET";
  switch (item.op) {
    case Op::kGet:
      url = absl::StrCat(base, "/trackings/", options_.carrier, "/",
                         TrackingNumber(options_.number_prefix, item.key));
      break;
    case Op::kList:
      url = absl::StrCat(base,
                         "/trackings/get?page=1&limit=", options_.page_size);
      break;
    case Op::kCreate: {
      method = "POST";
      url = absl::StrCat(base, "/trackings/post");
      nlohmann::json body = {
          {"tracking_number", TrackingNumber(create_nonce_, item.key)},
          {"carrier_code", options_.carrier}};
      call->body = body.dump();
      break;
    }
    case Op::kCarriers:
      url = absl::StrCat(base, "/carriers");
      break;
    case Op::kDetect: {
      method = "POST";
      url = absl::StrCat(base, "/carriers/detect");
      nlohmann::json body = {
          {"tracking_number",
           TrackingNumber(options_.number_prefix, item.key)}};
      call->body = body.dump();
      break;
    }
    case Op::kRealtime: {
      method = "POST";
      url = absl::StrCat(base, "/trackings/realtime");
      nlohmann::json body = {
          {"tracking_number", TrackingNumber(options_.number_prefix, item.key)},
          {"carrier_code", options_.carrier}};
      call->body = body.dump();
      break;
    }
    case Op::kBatch: {
      method = "POST";
      url = absl::StrCat(base, "/trackings/batch");
      nlohmann::json body = nlohmann::json::array();
      const int items = std::min(options_.batch_items, 40);
      for (int i = 0; i < items; ++i) {
        const int64_t index = item.key * items + i;
        body.push_back({{"tracking_number",
                         options_.fresh_batches
                             ? TrackingNumber(batch_nonce_, index)
                             : TrackingNumber(options_.number_prefix,
                                              index % options_.numbers)},
                        {"carrier_code", options_.carrier}});
      }
      call->body = body.dump();
      break;
    }
    case Op::kUpdate: {
      method = "PUT";
      url = absl::StrCat(base, "/trackings/", options_.carrier, "/",
                         TrackingNumber(options_.number_prefix, item.key));
      nlohmann::json body = {
          {"title", absl::StrCat("loadgen ", update_counter_++)}};
      call->body = body.dump();
      break;
    }
    case Op::kHealth:
    case Op::kWatch:
      call->immediate_code = "UNSUPPORTED";
      immediate_.push_back(std::move(call));
      return;
  }
  call->deadline_ns =
      MonotonicNanos() + absl::ToInt64Nanoseconds(options_.timeout);
  CURL* easy;
  if (!idle_.empty()) {
    easy = idle_.back();
    idle_.pop_back();
    curl_easy_reset(easy);
  } else {
    easy = curl_easy_init();
    Check(easy != nullptr, "curl_easy_init");
  }
  call->easy = easy;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &call->response);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(  // NOLINT
                       absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  if (std::string(method) != "GET") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(call->body.size()));  // NOLINT
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->body.c_str());
    if (std::string(method) != "POST") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
    }
  }
  curl_multi_add_handle(multi_, easy);
  calls_.emplace(easy, std::move(call));
}

std::string DirectEngine::Classify(Call& call, CURLcode result) {
  if (result != CURLE_OK) {
    return result == CURLE_OPERATION_TIMEDOUT
               ? "CURL_TIMEOUT"
               : absl::StrCat("CURL_", static_cast<int>(result));
  }
  long http_status = 0;  // NOLINT
  curl_easy_getinfo(call.easy, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status != 200) return absl::StrCat("HTTP_", http_status);
  // Decode the whole answer, as a REST client must to use it.
  const nlohmann::json body =
      nlohmann::json::parse(call.response, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return "BAD_JSON";
  const auto meta = body.find("meta");
  if (meta == body.end() || !meta->is_object()) return "BAD_JSON";
  const auto code = meta->find("code");
  if (code == meta->end() || !code->is_number_integer()) return "BAD_JSON";
  const int meta_code = code->get<int>();
  return meta_code == 200 ? "OK" : absl::StrCat("META_", meta_code);
}

void DirectEngine::Reap(CompletionFn done) {
  int pending = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &pending)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode result = message->data.result;
    auto it = calls_.find(easy);
    if (it == calls_.end()) continue;
    std::unique_ptr<Call> call = std::move(it->second);
    calls_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    Completion completion;
    completion.op = call->op;
    completion.key = call->key;
    completion.start_ns = call->start_ns;
    completion.end_ns = MonotonicNanos();
    completion.deadline_ns = call->deadline_ns;
    completion.code = Classify(*call, result);
    idle_.push_back(easy);
    done(completion);
  }
}

void DirectEngine::Poll(int64_t deadline_ns, CompletionFn done) {
  if (!immediate_.empty()) {
    for (auto& call : immediate_) {
      Completion completion;
      completion.op = call->op;
      completion.key = call->key;
      completion.start_ns = call->start_ns;
      completion.end_ns = MonotonicNanos();
      completion.code = call->immediate_code;
      done(completion);
    }
    immediate_.clear();
    return;
  }
  int running = 0;
  // A timer already due (e.g. right after adding handles) runs first.
  if (timer_ns_ >= 0 && timer_ns_ <= MonotonicNanos()) {
    timer_ns_ = -1;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    Reap(done);
  }
  int64_t wake = deadline_ns;
  if (timer_ns_ >= 0 && timer_ns_ < wake) wake = timer_ns_;
  // At most 100 ms per wait: the caller loops, and deadlines may be "never".
  const int64_t wait_ns =
      std::clamp<int64_t>(wake - MonotonicNanos(), 0, 100'000'000);
  // Nanosecond timeout: epoll_wait's milliseconds would round every open-loop
  // send up to the next millisecond tick (up to 1 ms of false latency).
  struct timespec timeout;
  timeout.tv_sec = static_cast<time_t>(wait_ns / 1'000'000'000);
  timeout.tv_nsec = static_cast<long>(wait_ns % 1'000'000'000);  // NOLINT
  struct epoll_event events[256];
  const int n = epoll_pwait2(epoll_fd_, events, 256, &timeout, nullptr);
  for (int i = 0; i < n; ++i) {
    int mask = 0;
    if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) {
      mask |= CURL_CSELECT_IN;
    }
    if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (events[i].events & EPOLLERR) mask |= CURL_CSELECT_ERR;
    curl_multi_socket_action(multi_, events[i].data.fd, mask, &running);
  }
  if (timer_ns_ >= 0 && timer_ns_ <= MonotonicNanos()) {
    timer_ns_ = -1;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  }
  Reap(done);
}

void DirectEngine::CancelAll() {
  // Removing a handle aborts its transfer; report it as cancelled.
  for (auto& [easy, call] : calls_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
    call->easy = nullptr;
    call->immediate_code = "CANCELLED";
    immediate_.push_back(std::move(call));
  }
  calls_.clear();
}

}  // namespace tracktry::bench
