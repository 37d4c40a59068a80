// Copyright 2026 The tracktry-grpc Authors.
//
// ArenaMessageAllocator: a grpc::MessageAllocator that places a callback
// RPC's request and response on one google::protobuf::Arena. Responses built
// in place (e.g. FillTrackingFromJson into response->mutable_tracking())
// then allocate by bumping a pointer, and the whole tree -- a Tracking with
// its `raw` Struct is hundreds of nodes -- is freed at once when gRPC
// releases the call's messages. Without it, destroying GetTracking's
// response node by node was ~12% of the server's CPU per call
// (bench/RESULTS.md).
//
// Usage (before the server starts):
//   service.SetMessageAllocatorFor_GetTracking(&allocator_);
// Thread-safe: AllocateMessages() may be called from any gRPC thread.
#ifndef TRACKTRY_SERVICE_RPC_ARENA_MESSAGE_ALLOCATOR_H_
#define TRACKTRY_SERVICE_RPC_ARENA_MESSAGE_ALLOCATOR_H_

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace tracktry {

template <typename Request, typename Response>
class ArenaMessageAllocator final
    : public grpc::MessageAllocator<Request, Response> {
 public:
  // The first block of each call's arena: a GetTracking answer fits, so a
  // typical call makes one allocation for all of its messages.
  static constexpr size_t kInitialBlockBytes = 8192;

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder();
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    // Deleting the holder deletes the arena and every message on it.
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions options;
      options.start_block_size = kInitialBlockBytes;
      return options;
    }

    google::protobuf::Arena arena_;
  };
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_ARENA_MESSAGE_ALLOCATOR_H_
