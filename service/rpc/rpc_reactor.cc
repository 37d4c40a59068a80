// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/rpc_reactor.h"

#include "service/rpc/async_call.h"

namespace tracktry {

RpcReactor::RpcReactor(RpcContext* context) : call_(context->call()) {
  call_->Attach(this);
}

void RpcReactor::Finish(const grpc::Status& status) { call_->Finish(status); }

void RpcReactor::StartWriteMessage(
    const google::protobuf::MessageLite* message) {
  call_->Write(message);
}

}  // namespace tracktry
