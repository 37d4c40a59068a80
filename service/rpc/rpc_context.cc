// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/rpc_context.h"

#include "service/rpc/async_call.h"

namespace tracktry {

void RpcContext::FinishNow(const grpc::Status& status) {
  call_->Finish(status);
}

}  // namespace tracktry
