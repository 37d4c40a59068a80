// Copyright 2026 The tracktry-grpc Authors.
//
// RpcReactor: what serves one RPC of the async API (AsyncCall), shaped like
// gRPC's callback reactors: it finishes the RPC exactly once (Finish), may
// write messages one at a time on a server stream (WriteReactor), and hears
// of the RPC through OnCancel (the caller cancelled or the deadline passed),
// OnWriteDone and, last, OnDone (gRPC is done with the call: its context,
// request and response are gone after it returns). All three run on the
// call's completion-queue thread, with no lock of the call held.
//
// A reactor attaches itself to its RPC when constructed, and must outlive
// its OnDone(); it usually deletes itself there, or once the last of its own
// pending work (an upstream completion) lets go of it.
#ifndef TRACKTRY_SERVICE_RPC_RPC_REACTOR_H_
#define TRACKTRY_SERVICE_RPC_RPC_REACTOR_H_

#include "google/protobuf/message_lite.h"
#include "grpcpp/support/status.h"
#include "service/rpc/rpc_context.h"

namespace tracktry {

class RpcReactor {
 public:
  // Attaches to the RPC of `context`. Construct it in the RPC's handler.
  explicit RpcReactor(RpcContext* context);
  virtual ~RpcReactor() = default;

  RpcReactor(const RpcReactor&) = delete;
  RpcReactor& operator=(const RpcReactor&) = delete;

  // Finishes the RPC with `status`: a unary RPC's response is sent with it
  // when it is OK (fill the response first). Any thread; once (later calls
  // are ignored). On a stream it waits for the write in flight.
  void Finish(const grpc::Status& status);

  virtual void OnCancel() {}
  virtual void OnWriteDone(bool /*ok*/) {}
  virtual void OnDone() = 0;

 protected:
  // Server streams: writes `message`, which must stay unchanged until
  // OnWriteDone. One write at a time; ignored once Finish() was called.
  void StartWriteMessage(const google::protobuf::MessageLite* message);

 private:
  AsyncCall* const call_;
};

// An RpcReactor of a server-streaming RPC whose messages are `Response`s.
template <typename Response>
class WriteReactor : public RpcReactor {
 public:
  using RpcReactor::RpcReactor;

 protected:
  void StartWrite(const Response* message) { StartWriteMessage(message); }
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_RPC_REACTOR_H_
