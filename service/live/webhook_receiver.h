// Copyright 2026 The tracktry-grpc Authors.
//
// WebhookReceiver: an HTTP/1.1 endpoint (own port, one Boost.Asio thread)
// accepting Tracktry/TrackingMore-v2 webhook pushes on POST to any path.
// Each push is verified (WebhookVerifier: HMAC-SHA256 of timeStr keyed with
// the account e-mail, constant-time compare, timestamp skew), de-duplicated
// (carrier, number, timeStr and data in a bounded LRU with a TTL) and handed
// to `on_accepted` (the server's PushApplier, which refreshes the read cache
// and the WatchTracking streams). Answers: 200 accepted or repeated, 400
// malformed, 401 unverified, 405 not POST.
#ifndef TRACKTRY_SERVICE_LIVE_WEBHOOK_RECEIVER_H_
#define TRACKTRY_SERVICE_LIVE_WEBHOOK_RECEIVER_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

struct WebhookReceiverOptions {
  // "HOST:PORT"; port 0 picks a free port.
  std::string listen_address;
  // HMAC key (account login e-mail). Never logged.
  std::string email;
  absl::Duration max_skew = absl::Seconds(300);
  absl::Duration dedupe_ttl = absl::Minutes(10);
  size_t dedupe_max_entries = 100000;
  // Called for every verified, first-seen push with its tracking object
  // (`data` as sent) and its translation, on the receiver thread; must not
  // block. May be empty.
  std::function<void(const nlohmann::json& data, const v1::Tracking& tracking)>
      on_accepted;
};

struct WebhookStats {
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t unauthorized = 0;
  int64_t malformed = 0;
};

// Thread-safe.
class WebhookReceiver {
 public:
  // Binds and starts serving. INVALID_ARGUMENT for a bad address,
  // UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<WebhookReceiver>> Start(
      WebhookReceiverOptions options);
  // Stops serving and joins the thread.
  ~WebhookReceiver();

  int port() const { return port_; }
  WebhookStats stats() const;

  // Handles one push body received at `now`; returns the HTTP status.
  int HandleBody(absl::string_view body, absl::Time now);

 private:
  struct Server;
  explicit WebhookReceiver(WebhookReceiverOptions options);
  // True when `key` was seen within the TTL; records it otherwise.
  bool SeenBefore(const std::string& key, absl::Time now);

  const WebhookReceiverOptions options_;
  std::unique_ptr<Server> server_;
  int port_ = 0;

  mutable std::mutex mu_;
  WebhookStats stats_;
  // Oldest first: (key, time seen).
  std::list<std::pair<std::string, absl::Time>> seen_order_;
  std::unordered_map<std::string,
                     std::list<std::pair<std::string, absl::Time>>::iterator>
      seen_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_LIVE_WEBHOOK_RECEIVER_H_
