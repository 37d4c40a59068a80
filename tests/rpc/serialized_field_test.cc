// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/serialized_field.h"

#include <string>

#include "google/protobuf/arena.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "service/translation/tracking_translation.h"
#include "tests/testing/testdata.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using testing::DataOf;

// A GetTrackingResponse given its tracking as bytes serializes exactly as
// one with the typed field set, so clients read a normal answer.
TEST(SetSerializedFieldTest, SerializesLikeTheTypedField) {
  for (const v1::TrackingView view :
       {v1::TRACKING_VIEW_BASIC, v1::TRACKING_VIEW_FULL}) {
    SCOPED_TRACE(v1::TrackingView_Name(view));
    const auto trackings =
        TrackingsFromData(DataOf("get_cross_border.json"), view);
    ASSERT_TRUE(trackings.ok());
    const v1::Tracking& tracking = trackings->front();
    v1::GetTrackingResponse typed;
    *typed.mutable_tracking() = tracking;

    google::protobuf::Arena arena;
    auto* response =
        google::protobuf::Arena::CreateMessage<v1::GetTrackingResponse>(&arena);
    SetSerializedField(response, v1::GetTrackingResponse::kTrackingFieldNumber,
                       tracking.SerializeAsString());
    EXPECT_FALSE(response->has_tracking());
    EXPECT_EQ(response->ByteSizeLong(), typed.ByteSizeLong());
    const std::string wire = response->SerializeAsString();
    if (view == v1::TRACKING_VIEW_BASIC) {
      // No map fields: the serialization is deterministic byte for byte.
      EXPECT_EQ(wire, typed.SerializeAsString());
    }
    v1::GetTrackingResponse parsed;
    ASSERT_TRUE(parsed.ParseFromString(wire));
    EXPECT_TRUE(MessageDifferencer::Equals(parsed, typed))
        << parsed.DebugString();
    EXPECT_TRUE(parsed.GetReflection()->GetUnknownFields(parsed).empty());
  }
}

TEST(SetSerializedFieldTest, EmptyBytesAreAnEmptyMessage) {
  v1::GetTrackingResponse response;
  SetSerializedField(&response, v1::GetTrackingResponse::kTrackingFieldNumber,
                     "");
  v1::GetTrackingResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(response.SerializeAsString()));
  EXPECT_TRUE(parsed.has_tracking());
  EXPECT_EQ(parsed.tracking().ByteSizeLong(), 0u);
}

}  // namespace
}  // namespace tracktry
