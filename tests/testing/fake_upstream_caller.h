// Copyright 2026 The tracktry-grpc Authors.
//
// FakeUpstreamCaller: a scripted UpstreamCaller for the decorator tests.
// Header-only, test-only.
//
// Each Send() asks the responder for a Reply. A reply with a result is
// delivered after `delay` on the fake's own thread; a reply without one
// "hangs": unless the test completes it (Complete(), CompleteNth()), it
// ends at its deadline with DEADLINE_EXCEEDED UPSTREAM_TIMEOUT, like
// TracktryClient does, or (end_at_deadline false, the Manual() responder)
// never. Cancel() ends a running call with CANCELLED on the fake's thread,
// or only records it (set_complete_on_cancel(false)): the test finishes
// the call when it wants.
#ifndef TRACKTRY_TESTS_TESTING_FAKE_UPSTREAM_CALLER_H_
#define TRACKTRY_TESTS_TESTING_FAKE_UPSTREAM_CALLER_H_

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/errors/upstream_status.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/translation/envelope.h"
#include "service/upstream/scheduler.h"

namespace tracktry {
namespace testing {

// A success envelope with `data`.
inline Envelope OkEnvelope(nlohmann::json data = nlohmann::json::object()) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.meta_type = "Success";
  envelope.set_data(std::move(data));
  return envelope;
}

// Realistic errors, from the real status table.
inline absl::Status HttpError(int http_status,
                              std::optional<absl::Duration> retry_after = {}) {
  UpstreamResult result;
  result.http_status = http_status;
  result.retry_after = retry_after;
  return StatusFromUpstream(result);
}
inline absl::Status MetaError(int meta_code) {
  UpstreamResult result;
  result.http_status = 200;
  result.meta_code = meta_code;
  return StatusFromUpstream(result);
}
inline absl::Status UpstreamTimeout() {
  return StatusFromTransportError(absl::DeadlineExceededError("timed out"));
}
inline absl::Status ConnectionRefused() {
  return StatusFromTransportError(absl::UnavailableError("refused"));
}

class FakeUpstreamCaller final : public UpstreamCaller {
 public:
  struct Reply {
    // nullopt: hang until completed, cancelled or the deadline.
    std::optional<absl::StatusOr<Envelope>> result;
    absl::Duration delay = absl::Milliseconds(1);
    // For a hanging reply: false = no end at the deadline either.
    bool end_at_deadline = true;
  };
  // Gets the request and its 0-based index among all calls.
  using Responder = std::function<Reply(const UpstreamRequest&, int index)>;

  struct Record {
    CallId id = 0;
    UpstreamRequest request;
    absl::Time sent;
    absl::Time deadline;
  };

  explicit FakeUpstreamCaller(Responder responder = nullptr)
      : responder_(std::move(responder)) {}
  // A responder answering every call with `result` (after the default
  // delay).
  static Responder Always(absl::StatusOr<Envelope> result) {
    return [result = std::move(result)](const UpstreamRequest&, int) {
      return Reply{result};
    };
  }
  // A responder leaving every call to the test: no result, no deadline.
  static Responder Manual() {
    return [](const UpstreamRequest&, int) {
      Reply reply;
      reply.end_at_deadline = false;
      return reply;
    };
  }
  // Pending deliveries are dropped: destroy the decorators first.
  ~FakeUpstreamCaller() override = default;

  void SetResponder(Responder responder) {
    std::lock_guard<std::mutex> lock(mu_);
    responder_ = std::move(responder);
  }
  // False: Cancel() records the id and leaves the call running.
  void set_complete_on_cancel(bool complete) {
    std::lock_guard<std::mutex> lock(mu_);
    complete_on_cancel_ = complete;
  }

  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override {
    Responder responder;
    CallId id;
    int index;
    {
      std::lock_guard<std::mutex> lock(mu_);
      id = next_id_++;
      index = static_cast<int>(records_.size());
      records_.push_back(Record{id, request, absl::Now(), deadline});
      running_.emplace(id, std::move(done));
      responder = responder_;
    }
    changed_.notify_all();
    Reply reply = responder ? responder(request, index) : Reply{OkEnvelope()};
    if (reply.result.has_value()) {
      scheduler_.RunAfter(
          reply.delay, [this, id, result = std::move(*reply.result)]() mutable {
            Complete(id, std::move(result));
          });
    } else if (reply.end_at_deadline) {
      scheduler_.RunAt(deadline,
                       [this, id] { Complete(id, UpstreamTimeout()); });
    }
    return id;
  }

  void Cancel(CallId id) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_.push_back(id);
      if (!complete_on_cancel_) {
        changed_.notify_all();
        return;
      }
    }
    changed_.notify_all();
    scheduler_.RunAfter(absl::ZeroDuration(), [this, id] {
      Complete(id, absl::CancelledError("cancelled by the test caller"));
    });
  }

  // Ends call `id` now (from the calling thread) if still running.
  bool Complete(CallId id, absl::StatusOr<Envelope> result) {
    EnvelopeCallback done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = running_.find(id);
      if (it == running_.end()) return false;
      done = std::move(it->second);
      running_.erase(it);
    }
    std::move(done)(std::move(result));
    changed_.notify_all();
    return true;
  }

  // Ends the `index`-th call sent (0-based) now, if still running.
  bool CompleteNth(int index, absl::StatusOr<Envelope> result) {
    CallId id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (index < 0 || index >= static_cast<int>(records_.size())) {
        return false;
      }
      id = records_[index].id;
    }
    return Complete(id, std::move(result));
  }

  // Ends every running call with `result`; returns how many.
  int CompleteAll(const absl::StatusOr<Envelope>& result) {
    std::vector<CallId> ids;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, done] : running_) ids.push_back(id);
    }
    int completed = 0;
    for (CallId id : ids) completed += Complete(id, result) ? 1 : 0;
    return completed;
  }

  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(records_.size());
  }
  int running() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(running_.size());
  }
  std::vector<Record> records() const {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  std::vector<CallId> cancelled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  // Waits until at least `n` calls were sent; false on timeout.
  bool WaitForCalls(int n, absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] {
      return static_cast<int>(records_.size()) >= n;
    });
  }
  // Waits until call `id` was cancelled; false on timeout.
  bool WaitForCancel(CallId id, absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] {
      return std::find(cancelled_.begin(), cancelled_.end(), id) !=
             cancelled_.end();
    });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  Responder responder_;
  CallId next_id_ = 1;
  std::vector<Record> records_;
  std::map<CallId, EnvelopeCallback> running_;
  std::vector<CallId> cancelled_;
  bool complete_on_cancel_ = true;
  // Declared last: its thread stops before the members above go away.
  Scheduler scheduler_;
};

// Collects one call's result; Wait() blocks until it arrived.
class ResultSlot {
 public:
  EnvelopeCallback Callback() {
    return [this](absl::StatusOr<Envelope> result) {
      std::lock_guard<std::mutex> lock(mu_);
      result_ = std::move(result);
      at_ = absl::Now();
      ++count_;
      cv_.notify_all();
    };
  }
  // The result, or UNKNOWN "no result" after `timeout`.
  absl::StatusOr<Envelope> Wait(absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [this] { return result_.has_value(); })) {
      return absl::UnknownError("no result");
    }
    return *result_;
  }
  bool ready() const {
    std::lock_guard<std::mutex> lock(mu_);
    return result_.has_value();
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  absl::Time at() const {
    std::lock_guard<std::mutex> lock(mu_);
    return at_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<absl::StatusOr<Envelope>> result_;
  absl::Time at_;
  int count_ = 0;
};

// A request for `endpoint` about carrier/number, with the structured keys
// and a body shaped like the API layer's.
inline UpstreamRequest RequestFor(Endpoint endpoint,
                                  const std::string& number = "123456",
                                  const std::string& carrier = "dhl") {
  UpstreamRequest request;
  request.endpoint = endpoint;
  const nlohmann::json item{{"tracking_number", number},
                            {"carrier_code", carrier}};
  switch (endpoint) {
    case Endpoint::kListTrackings:
      request.query = {{"page", "1"}, {"limit", "100"}};
      return request;
    case Endpoint::kListCarriers:
    case Endpoint::kUserInfo:
    case Endpoint::kStatusNumber:
      return request;
    case Endpoint::kUpdateTracking:
      request.body = nlohmann::json{{"title", "x"}}.dump();
      break;
    case Endpoint::kCreateTracking:
    case Endpoint::kRealtime:
    case Endpoint::kUpdateCarrier:
      request.body = item.dump();
      break;
    case Endpoint::kDetectCarrier:
      request.body = nlohmann::json{{"tracking_number", number}}.dump();
      request.tracking_numbers.push_back(number);
      return request;
    case Endpoint::kBatchCreate:
    case Endpoint::kNotUpdate:
    case Endpoint::kBatchDelete:
    case Endpoint::kUpdateMore:
      request.body = nlohmann::json::array({item}).dump();
      request.tracking_numbers.push_back(number);
      return request;
    default:
      break;
  }
  request.carrier = carrier;
  request.tracking_numbers.push_back(number);
  return request;
}

}  // namespace testing
}  // namespace tracktry

#endif  // TRACKTRY_TESTS_TESTING_FAKE_UPSTREAM_CALLER_H_
