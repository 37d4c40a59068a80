// Copyright 2026 The tracktry-grpc Authors.
//
// FanOutRpcObserver: an RpcObserver that forwards every record to several
// observers (access log, metrics), in the order they were added.
#ifndef TRACKTRY_SERVICE_OPS_FAN_OUT_RPC_OBSERVER_H_
#define TRACKTRY_SERVICE_OPS_FAN_OUT_RPC_OBSERVER_H_

#include <vector>

#include "service/ops/rpc_observer.h"

namespace tracktry {

// Add() everything before the first RPC; afterwards thread-safe as long as
// every added observer is. Observers are not owned and must outlive this.
class FanOutRpcObserver final : public RpcObserver {
 public:
  // Null observers are ignored.
  void Add(RpcObserver* observer) {
    if (observer != nullptr) observers_.push_back(observer);
  }
  bool empty() const { return observers_.empty(); }

  void OnRpcStarted(const char* method) override {
    for (RpcObserver* observer : observers_) observer->OnRpcStarted(method);
  }
  void OnRpcFinished(const RpcRecord& record) override {
    for (RpcObserver* observer : observers_) observer->OnRpcFinished(record);
  }

 private:
  std::vector<RpcObserver*> observers_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_FAN_OUT_RPC_OBSERVER_H_
