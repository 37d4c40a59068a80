// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/async_methods.h"

namespace tracktry {

void AsyncMethods::Arm(CompletionQueueThreads* threads) const {
  for (const auto& queue : threads->queues()) {
    for (const auto& [armed, armer] : armers_) {
      for (int i = 0; i < armed; ++i) armer(queue.get(), threads);
    }
  }
}

}  // namespace tracktry
