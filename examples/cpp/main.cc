// Copyright 2026 The tracktry-grpc Authors.
//
// tracktry_example TARGET [BEARER_TOKEN]: creates a tracking, reads it back
// and lists trackings through the installed C++ client library. Exits 0 on
// success and prints one line per step.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/tracking_client.h"
#include "common/error_details.h"

namespace {

int Fail(const char* step, const absl::Status& status) {
  std::string reason;
  if (auto info = tracktry::GetErrorInfo(status)) reason = info->reason();
  std::fprintf(stderr, "%s failed: %s %s\n", step,
               std::string(status.ToString()).c_str(), reason.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s TARGET [BEARER_TOKEN]\n", argv[0]);
    return 2;
  }
  tracktry::TrackingClient::Options options;
  options.target = argv[1];
  if (argc > 2) options.bearer_token = argv[2];
  options.default_deadline = absl::Seconds(10);
  auto client = tracktry::TrackingClient::Create(options);
  if (!client.ok()) return Fail("connect", client.status());

  const std::string number =
      absl::StrCat("CPP", absl::ToUnixMillis(absl::Now()));
  tracktry::v1::CreateTrackingRequest create;
  create.mutable_tracking()->set_carrier_code("dhl");
  create.mutable_tracking()->set_tracking_number(number);
  create.mutable_tracking()->set_title("cpp example");
  auto created = (*client)->CreateTracking(create);
  if (!created.ok()) return Fail("CreateTracking", created.status());
  std::printf("created %s/%s\n", created->tracking().carrier_code().c_str(),
              created->tracking().tracking_number().c_str());

  tracktry::v1::GetTrackingRequest get;
  get.set_carrier_code("dhl");
  get.set_tracking_number(number);
  auto got = (*client)->GetTracking(get);
  if (!got.ok()) return Fail("GetTracking", got.status());
  std::printf("got %s title=%s\n", got->tracking().tracking_number().c_str(),
              got->tracking().title().c_str());

  tracktry::v1::ListTrackingsRequest list;
  list.set_page_size(50);
  auto listed = (*client)->ListTrackings(list);
  if (!listed.ok()) return Fail("ListTrackings", listed.status());
  bool found = false;
  for (const auto& tracking : listed->trackings()) {
    found |= tracking.tracking_number() == number;
  }
  std::printf("listed %d trackings, ours %s\n", listed->trackings_size(),
              found ? "included" : "missing");
  return found ? 0 : 1;
}
