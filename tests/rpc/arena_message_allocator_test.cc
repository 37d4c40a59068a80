// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/arena_message_allocator.h"

#include "gtest/gtest.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace {

using Allocator =
    ArenaMessageAllocator<v1::GetTrackingRequest, v1::GetTrackingResponse>;

TEST(ArenaMessageAllocatorTest, RequestAndResponseShareOneArena) {
  Allocator allocator;
  grpc::MessageHolder<v1::GetTrackingRequest, v1::GetTrackingResponse>* holder =
      allocator.AllocateMessages();
  ASSERT_NE(holder->request(), nullptr);
  ASSERT_NE(holder->response(), nullptr);
  ASSERT_NE(holder->request()->GetArena(), nullptr);
  EXPECT_EQ(holder->request()->GetArena(), holder->response()->GetArena());
  // What the service builds in place lands on the same arena.
  v1::Tracking* tracking = holder->response()->mutable_tracking();
  EXPECT_EQ(tracking->GetArena(), holder->response()->GetArena());
  (*tracking->mutable_raw()->mutable_fields())["k"].set_string_value(
      std::string(10000, 'x'));  // beyond the first block
  EXPECT_EQ(tracking->raw().GetArena(), holder->response()->GetArena());
  // Releasing frees everything at once (LeakSanitizer checks it in the
  // sanitizer runs of script/test).
  holder->Release();
}

TEST(ArenaMessageAllocatorTest, EachCallGetsItsOwnMessages) {
  Allocator allocator;
  auto* first = allocator.AllocateMessages();
  auto* second = allocator.AllocateMessages();
  EXPECT_NE(first->response(), second->response());
  EXPECT_NE(first->response()->GetArena(), second->response()->GetArena());
  first->response()->mutable_tracking()->set_tracking_number("A");
  EXPECT_EQ(second->response()->tracking().tracking_number(), "");
  first->Release();
  second->Release();
}

}  // namespace
}  // namespace tracktry
