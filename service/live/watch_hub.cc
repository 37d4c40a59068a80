// Copyright 2026 The tracktry-grpc Authors.
#include "service/live/watch_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "service/tracktry_api/tracking_operations.h"

namespace tracktry {
namespace {

std::string PollerPrefix(const std::string& carrier_code,
                         const std::string& tracking_number) {
  return absl::StrCat(absl::AsciiStrToLower(carrier_code), "\n",
                      tracking_number, "\n");
}

// The newest checkpoint of either leg (origin and destination heads).
const v1::Checkpoint* NewestCheckpoint(const v1::Tracking& tracking) {
  if (tracking.has_latest_checkpoint()) return &tracking.latest_checkpoint();
  const v1::Checkpoint* newest = nullptr;
  for (const v1::CarrierInfo* info :
       {&tracking.origin_info(), &tracking.destination_info()}) {
    if (info->checkpoints_size() == 0) continue;
    const v1::Checkpoint& head = info->checkpoints(0);
    if (newest == nullptr || head.time() > newest->time()) newest = &head;
  }
  return newest;
}

int CheckpointCount(const v1::Tracking& tracking) {
  return tracking.origin_info().checkpoints_size() +
         tracking.destination_info().checkpoints_size();
}

}  // namespace

std::vector<v1::ChangeKind> TrackingChanges(const v1::Tracking& before,
                                            const v1::Tracking& after) {
  std::vector<v1::ChangeKind> changes;
  const v1::Checkpoint* old_head = NewestCheckpoint(before);
  const v1::Checkpoint* new_head = NewestCheckpoint(after);
  bool checkpoints_changed = CheckpointCount(before) != CheckpointCount(after);
  if ((old_head == nullptr) != (new_head == nullptr)) {
    checkpoints_changed = true;
  } else if (old_head != nullptr && (old_head->time() != new_head->time() ||
                                     old_head->status_description() !=
                                         new_head->status_description())) {
    checkpoints_changed = true;
  }
  if (checkpoints_changed) changes.push_back(v1::CHANGE_KIND_NEW_CHECKPOINT);
  if (before.status() != after.status() ||
      before.raw_status() != after.raw_status()) {
    changes.push_back(v1::CHANGE_KIND_STATUS);
  }
  if (before.substatus() != after.substatus()) {
    changes.push_back(v1::CHANGE_KIND_SUBSTATUS);
  }
  return changes;
}

bool IsTerminalTracking(const v1::Tracking& tracking) {
  return tracking.status() == v1::TRACKING_STATUS_DELIVERED ||
         tracking.status() == v1::TRACKING_STATUS_EXPIRED;
}

struct WatchHub::Poller {
  struct Watcher {
    WatchSink* sink = nullptr;
    bool initialized = false;
  };
  std::string key;
  // The read each poll sends (bypass_cache after the first).
  v1::GetTrackingRequest read;
  // Where a poll writes the tracking it read.
  v1::Tracking polled;
  std::map<WatchId, Watcher> watchers;
  bool have_last = false;
  v1::Tracking last;
  Scheduler::TaskId timer = 0;
  bool in_flight = false;
  UpstreamCaller::CallId call = 0;
  bool ended = false;
};

// Forwards the link's news about other replicas' polls.
class WatchHub::LinkListener final : public WatchFleetLink::Listener {
 public:
  explicit LinkListener(WatchHub* hub) : hub_(hub) {}
  void OnRemotePoll(const std::string& key,
                    const v1::Tracking& tracking) override {
    hub_->ApplyRemote(key, tracking);
  }

 private:
  WatchHub* const hub_;
};

WatchHub::WatchHub(UpstreamCaller* upstream, Scheduler* scheduler,
                   WatchHubOptions options)
    : upstream_(upstream), scheduler_(scheduler), options_(options) {}

WatchHub::~WatchHub() {
  // No polls from other replicas from here on.
  if (link_ != nullptr) link_->SetListener(nullptr);
  std::vector<UpstreamCaller::CallId> calls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& [key, poller] : pollers_) {
      poller->ended = true;
      // Fleet mode: another replica may take the polling over at once.
      if (link_ != nullptr) link_->ReleasePoll(key);
      if (poller->timer != 0 && scheduler_->Cancel(poller->timer)) --busy_;
      poller->timer = 0;
    }
    calls.assign(calls_.begin(), calls_.end());
    pollers_.clear();
    watches_.clear();
  }
  for (UpstreamCaller::CallId call : calls) upstream_->Cancel(call);
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return busy_ == 0; });
}

WatchHub::WatchId WatchHub::Watch(const std::string& carrier_code,
                                  const std::string& tracking_number,
                                  const std::string& lang, WatchSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) {
    sink->OnWatchEnd(absl::UnavailableError("the server is shutting down"));
    return 0;
  }
  const WatchId id = next_id_++;
  const std::string key =
      absl::StrCat(PollerPrefix(carrier_code, tracking_number), lang);
  std::shared_ptr<Poller>& slot = pollers_[key];
  const bool fresh = slot == nullptr;
  if (fresh) {
    slot = std::make_shared<Poller>();
    slot->key = key;
    slot->read.set_carrier_code(carrier_code);
    slot->read.set_tracking_number(tracking_number);
    slot->read.set_lang(lang);
  }
  std::shared_ptr<Poller> poller = slot;
  Poller::Watcher& watcher = poller->watchers[id];
  watcher.sink = sink;
  watches_[id] = poller;
  if (poller->have_last) {
    v1::WatchTrackingResponse message;
    *message.mutable_tracking() = poller->last;
    message.add_changes(v1::CHANGE_KIND_INITIAL);
    message.set_source(v1::CHANGE_SOURCE_POLL);
    watcher.initialized = true;
    sink->OnWatchMessage(message);
  }
  if (fresh) StartPollLocked(poller);
  return id;
}

void WatchHub::Unwatch(WatchId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  std::shared_ptr<Poller> poller = it->second;
  watches_.erase(it);
  poller->watchers.erase(id);
  if (poller->watchers.empty()) EndPollerLocked(poller, absl::OkStatus());
}

void WatchHub::Publish(const v1::Tracking& tracking, v1::ChangeSource source) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string prefix =
      PollerPrefix(tracking.carrier_code(), tracking.tracking_number());
  std::vector<std::shared_ptr<Poller>> matching;
  for (auto it = pollers_.lower_bound(prefix);
       it != pollers_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    matching.push_back(it->second);
  }
  for (const std::shared_ptr<Poller>& poller : matching) {
    if (!poller->ended) ApplyLocked(poller, tracking, source);
  }
}

size_t WatchHub::poller_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pollers_.size();
}

size_t WatchHub::watcher_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watches_.size();
}

void WatchHub::StartPollLocked(const std::shared_ptr<Poller>& poller) {
  if (link_ != nullptr && poller->have_last) {
    // Fleet mode: only the lease holder polls the upstream.
    poller->in_flight = true;
    ++busy_;
    link_->AcquirePoll(poller->key, 2 * options_.interval,
                       absl::Now() + options_.poll_deadline,
                       [this, poller](bool poll) { OnPollTurn(poller, poll); });
    return;
  }
  StartUpstreamPollLocked(poller);
}

void WatchHub::OnPollTurn(const std::shared_ptr<Poller>& poller, bool poll) {
  std::lock_guard<std::mutex> lock(mu_);
  --busy_;
  poller->in_flight = false;
  if (!poller->ended && !stopping_) {
    if (poll) {
      StartUpstreamPollLocked(poller);
    } else {
      // Another replica polls it and sends what it finds.
      ScheduleNextPollLocked(poller);
    }
  }
  if (busy_ == 0) idle_.notify_all();
}

void WatchHub::StartUpstreamPollLocked(const std::shared_ptr<Poller>& poller) {
  // The first read may come from the cache; later ones must see news.
  poller->read.set_bypass_cache(poller->have_last);
  poller->polled.Clear();
  poller->in_flight = true;
  ++polls_;
  ++busy_;
  poller->call = api::GetTracking(
      upstream_, poller->read, absl::Now() + options_.poll_deadline,
      &poller->polled,
      [this, poller](absl::Status status) { OnPollDone(poller, status); });
  calls_.insert(poller->call);
}

void WatchHub::OnPollDone(const std::shared_ptr<Poller>& poller,
                          const absl::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  --busy_;
  poller->in_flight = false;
  calls_.erase(poller->call);
  if (!poller->ended && !stopping_) {
    if (status.ok()) {
      // Fleet mode: a real poll (not the first read, which may come from
      // the cache) reaches every replica's watchers.
      if (link_ != nullptr && poller->read.bypass_cache()) {
        link_->PublishPoll(poller->key, poller->polled);
      }
      ApplyLocked(poller, poller->polled, v1::CHANGE_SOURCE_POLL);
    } else if (!poller->have_last) {
      // The first poll decides whether there is anything to watch.
      EndPollerLocked(poller, status);
    }
    // Later failures are transient: the next poll tries again.
    if (!poller->ended) ScheduleNextPollLocked(poller);
  }
  if (busy_ == 0) idle_.notify_all();
}

void WatchHub::ScheduleNextPollLocked(const std::shared_ptr<Poller>& poller) {
  ++busy_;
  poller->timer = scheduler_->RunAfter(options_.interval, [this, poller] {
    std::lock_guard<std::mutex> lock(mu_);
    --busy_;
    poller->timer = 0;
    if (!poller->ended && !stopping_) StartPollLocked(poller);
    if (busy_ == 0) idle_.notify_all();
  });
}

void WatchHub::SetFleetLink(WatchFleetLink* link) {
  link_ = link;
  link_listener_ = std::make_unique<LinkListener>(this);
  link_->SetListener(link_listener_.get());
}

int64_t WatchHub::polls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return polls_;
}

void WatchHub::ApplyRemote(const std::string& key,
                           const v1::Tracking& tracking) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  auto it = pollers_.find(key);
  if (it == pollers_.end() || it->second->ended) return;
  // Keep a reference: a terminal tracking ends (and unlists) the poller.
  std::shared_ptr<Poller> poller = it->second;
  ApplyLocked(poller, tracking, v1::CHANGE_SOURCE_POLL);
}

void WatchHub::ApplyLocked(const std::shared_ptr<Poller>& poller,
                           const v1::Tracking& tracking,
                           v1::ChangeSource source) {
  std::vector<v1::ChangeKind> changes;
  if (poller->have_last) changes = TrackingChanges(poller->last, tracking);
  const bool terminal = IsTerminalTracking(tracking);
  v1::WatchTrackingResponse change;
  v1::WatchTrackingResponse initial;
  for (auto& [id, watcher] : poller->watchers) {
    if (!watcher.initialized) {
      if (initial.changes_size() == 0) {
        *initial.mutable_tracking() = tracking;
        initial.add_changes(v1::CHANGE_KIND_INITIAL);
        initial.set_source(source);
        initial.set_final(terminal);
      }
      watcher.initialized = true;
      watcher.sink->OnWatchMessage(initial);
    } else if (!changes.empty()) {
      if (change.changes_size() == 0) {
        *change.mutable_tracking() = tracking;
        for (v1::ChangeKind kind : changes) change.add_changes(kind);
        change.set_source(source);
        change.set_final(terminal);
      }
      watcher.sink->OnWatchMessage(change);
    }
  }
  poller->last = tracking;
  poller->have_last = true;
  if (terminal) EndPollerLocked(poller, absl::OkStatus());
}

void WatchHub::EndPollerLocked(const std::shared_ptr<Poller>& poller,
                               const absl::Status& status) {
  if (poller->ended) return;
  poller->ended = true;
  for (auto& [id, watcher] : poller->watchers) {
    watches_.erase(id);
    watcher.sink->OnWatchEnd(status);
  }
  poller->watchers.clear();
  pollers_.erase(poller->key);
  // Fleet mode: another replica may take the polling over at once.
  if (link_ != nullptr) link_->ReleasePoll(poller->key);
  if (poller->timer != 0 && scheduler_->Cancel(poller->timer)) --busy_;
  poller->timer = 0;
  if (busy_ == 0) idle_.notify_all();
}

}  // namespace tracktry
