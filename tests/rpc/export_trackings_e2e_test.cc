// Copyright 2026 The tracktry-grpc Authors.
//
// ExportTrackings end to end: walks every page, resumes from a cursor,
// rejects foreign cursors and stops on cancellation.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::IsOk;
using testing::ServiceHarness;

constexpr int kTrackings = 250;

ServerOptions Options() {
  ServerOptions options;
  options.rate_shaping.enabled = false;
  return options;
}

class ExportTrackingsE2eTest : public ::testing::Test {
 protected:
  ExportTrackingsE2eTest() : harness_(Options()) {}
  void SetUp() override { ASSERT_THAT(harness_.Start(), IsOk()); }
  void TearDown() override { harness_.Stop(); }

  v1::TrackingService::Stub& stub() { return harness_.stub(); }

  void CreateAll() {
    v1::BatchCreateTrackingsRequest request;
    for (int i = 0; i < kTrackings; ++i) {
      auto* item = request.add_trackings();
      item->set_carrier_code("dhl");
      item->set_tracking_number(absl::StrCat(2000000000 + i));
    }
    v1::BatchCreateTrackingsResponse response;
    auto context = ServiceHarness::Context(absl::Seconds(30));
    ASSERT_TRUE(
        stub().BatchCreateTrackings(context.get(), request, &response).ok());
    ASSERT_EQ(response.created_count(), kTrackings);
  }

  // Reads the whole export; returns the final status.
  grpc::Status Export(const v1::ExportTrackingsRequest& request,
                      std::vector<v1::ExportTrackingsResponse>* messages) {
    auto context = ServiceHarness::Context(absl::Seconds(30));
    auto reader = stub().ExportTrackings(context.get(), request);
    v1::ExportTrackingsResponse message;
    while (reader->Read(&message)) messages->push_back(message);
    return reader->Finish();
  }

  static v1::ExportTrackingsRequest SmallPages() {
    v1::ExportTrackingsRequest request;
    request.mutable_filter()->set_page_size(20);
    return request;
  }

  ServiceHarness harness_;
};

TEST_F(ExportTrackingsE2eTest, ExportsEveryTrackingOnceThenResumes) {
  CreateAll();
  std::vector<v1::ExportTrackingsResponse> all;
  grpc::Status status = Export(SmallPages(), &all);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(all.size(), static_cast<size_t>(kTrackings));
  std::set<std::string> numbers;
  for (const auto& message : all) {
    numbers.insert(message.tracking().tracking_number());
    EXPECT_FALSE(message.cursor().empty());
    EXPECT_EQ(message.total_size(), kTrackings);
    EXPECT_FALSE(message.tracking().has_raw()) << "the default view is BASIC";
  }
  EXPECT_EQ(numbers.size(), static_cast<size_t>(kTrackings));
  // 13 pages of 20 (the last one short), each one upstream list call.
  EXPECT_EQ(harness_.emulator().stats().requests_by_route["list"], 13);

  // Resume after message 136 (inside page 7): exactly the rest, in order.
  // The view is not a filter: the cursor resumes a FULL export too.
  v1::ExportTrackingsRequest resume = SmallPages();
  resume.set_cursor(all[136].cursor());
  resume.mutable_filter()->set_view(v1::TRACKING_VIEW_FULL);
  std::vector<v1::ExportTrackingsResponse> rest;
  status = Export(resume, &rest);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(rest.size(), static_cast<size_t>(kTrackings - 137));
  for (size_t i = 0; i < rest.size(); ++i) {
    EXPECT_EQ(rest[i].tracking().tracking_number(),
              all[137 + i].tracking().tracking_number());
    EXPECT_TRUE(rest[i].tracking().has_raw());
  }

  // Resuming after the last message yields nothing more.
  v1::ExportTrackingsRequest at_end = SmallPages();
  at_end.set_cursor(all.back().cursor());
  std::vector<v1::ExportTrackingsResponse> none;
  ASSERT_TRUE(Export(at_end, &none).ok());
  EXPECT_TRUE(none.empty());
}

TEST_F(ExportTrackingsE2eTest, EmptyAccountExportsNothing) {
  std::vector<v1::ExportTrackingsResponse> all;
  ASSERT_TRUE(Export(SmallPages(), &all).ok());
  EXPECT_TRUE(all.empty());
}

TEST_F(ExportTrackingsE2eTest, CursorFromOtherFiltersIsInvalid) {
  CreateAll();
  std::vector<v1::ExportTrackingsResponse> first;
  v1::ExportTrackingsRequest request = SmallPages();
  ASSERT_TRUE(Export(request, &first).ok());
  ASSERT_FALSE(first.empty());
  v1::ExportTrackingsRequest other = SmallPages();
  other.mutable_filter()->set_status(v1::TRACKING_STATUS_DELIVERED);
  other.set_cursor(first[5].cursor());
  std::vector<v1::ExportTrackingsResponse> messages;
  EXPECT_EQ(Export(other, &messages).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ExportTrackingsRequest garbage = SmallPages();
  garbage.set_cursor("not-a-cursor");
  EXPECT_EQ(Export(garbage, &messages).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(messages.empty());
}

TEST_F(ExportTrackingsE2eTest, UpstreamErrorEndsTheStream) {
  CreateAll();
  // The list route fails: the stream ends with the mapped error.
  ASSERT_THAT(harness_.emulator().SetFaultsJson(
                  R"({"rules":[{"route":"list","kind":"meta_error",
                      "meta_code":4012,"path":"/trackings/get*"}]})"),
              IsOk());
  std::vector<v1::ExportTrackingsResponse> messages;
  EXPECT_EQ(Export(SmallPages(), &messages).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ExportTrackingsE2eTest, CancellationStopsTheExport) {
  CreateAll();
  ASSERT_THAT(harness_.emulator().SetFaultsJson(
                  R"({"rules":[{"route":"list","kind":"latency",
                      "latency_ms":300}]})"),
              IsOk());
  auto context = ServiceHarness::Context(absl::Seconds(30));
  auto reader = stub().ExportTrackings(context.get(), SmallPages());
  v1::ExportTrackingsResponse message;
  ASSERT_TRUE(reader->Read(&message));
  context->TryCancel();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The export stopped: far fewer pages than the 13 of a full export.
  absl::SleepFor(absl::Milliseconds(700));
  EXPECT_LE(harness_.emulator().stats().requests_by_route["list"], 3);
}

}  // namespace
}  // namespace tracktry
