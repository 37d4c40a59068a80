// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/fleet_wait_list.h"

#include <utility>
#include <vector>

namespace tracktry::fleet {

FleetWaitList::WaitId FleetWaitList::Add(std::string name, absl::Time until,
                                         Callback done) {
  WaitId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    by_name_.emplace(name, id);
    waits_.emplace(id, Entry{std::move(name), std::move(done)});
  }
  // The timer may outlive the wait (a cancelled or signalled wait is gone
  // when it fires).
  loop_->Post(
      [this, id, until] { loop_->RunAt(until, [this, id] { Expire(id); }); });
  return id;
}

bool FleetWaitList::Cancel(WaitId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = waits_.find(id);
  if (it == waits_.end()) return false;
  auto [begin, end] = by_name_.equal_range(it->second.name);
  for (auto n = begin; n != end; ++n) {
    if (n->second == id) {
      by_name_.erase(n);
      break;
    }
  }
  waits_.erase(it);
  return true;
}

void FleetWaitList::Expire(WaitId id) {
  Callback done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waits_.find(id);
    if (it == waits_.end()) return;
    auto [begin, end] = by_name_.equal_range(it->second.name);
    for (auto n = begin; n != end; ++n) {
      if (n->second == id) {
        by_name_.erase(n);
        break;
      }
    }
    done = std::move(it->second.done);
    waits_.erase(it);
  }
  std::move(done)(Wake{Reason::kExpired, 0});
}

void FleetWaitList::Signal(const std::string& name, int signal) {
  std::vector<Callback> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [begin, end] = by_name_.equal_range(name);
    for (auto n = begin; n != end; ++n) {
      auto it = waits_.find(n->second);
      if (it == waits_.end()) continue;
      woken.push_back(std::move(it->second.done));
      waits_.erase(it);
    }
    by_name_.erase(begin, end);
  }
  for (Callback& done : woken) {
    std::move(done)(Wake{Reason::kSignalled, signal});
  }
}

void FleetWaitList::LoseAll() {
  std::vector<Callback> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, entry] : waits_) woken.push_back(std::move(entry.done));
    waits_.clear();
    by_name_.clear();
  }
  for (Callback& done : woken) std::move(done)(Wake{Reason::kLost, 0});
}

size_t FleetWaitList::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waits_.size();
}

}  // namespace tracktry::fleet
