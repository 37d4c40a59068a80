// Copyright 2026 The tracktry-grpc Authors.
//
// libFuzzer entry point for the translation layer: the input bytes are a
// response body. They go through ParseEnvelope and, on success, through every
// JSON -> proto function on `data` and on its elements. Every produced proto
// must serialise and parse back (valid UTF-8, bounded nesting); anything else
// aborts. Where JsonTape takes the bytes, its document must be nlohmann's and
// the first tracking read from it the one read from nlohmann's document. The
// bytes are also fed to the page token and time parsers.
//
// Build and run: script/fuzz (a TRACKTRY_SANITIZER=fuzzer CMake build with
// clang++-14: -fsanitize=fuzzer,address,undefined), seeded with
// tests/testdata/*.json.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/message_differencer.h"
#include "nlohmann/json.hpp"
#include "service/translation/batch_translation.h"
#include "service/translation/carrier_translation.h"
#include "service/translation/envelope.h"
#include "service/translation/json_tape.h"
#include "service/translation/json_values.h"
#include "service/translation/list_translation.h"
#include "service/translation/page_token.h"
#include "service/translation/time_formats.h"
#include "service/translation/tracking_translation.h"

namespace {

using json = nlohmann::json;

// Aborts unless `message` survives a serialise/parse round trip.
template <typename Message>
void CheckRoundTrip(const Message& message) {
  std::string bytes;
  if (!message.SerializeToString(&bytes)) std::abort();
  Message parsed;
  if (!parsed.ParseFromString(bytes)) std::abort();
}

void CheckTrackings(const std::vector<tracktry::v1::Tracking>& trackings) {
  for (const tracktry::v1::Tracking& tracking : trackings) {
    tracktry::v1::GetTrackingResponse response;
    *response.mutable_tracking() = tracking;
    CheckRoundTrip(response);
  }
}

void ExerciseTracking(const json& value) {
  const absl::StatusOr<tracktry::v1::Tracking> tracking =
      tracktry::TrackingFromJson(value);
  if (tracking.ok()) CheckTrackings({*tracking});
}

void ExerciseData(const json& data) {
  if (auto trackings = tracktry::TrackingsFromData(data); trackings.ok()) {
    CheckTrackings(*trackings);
  }
  if (auto page = tracktry::ListPageFromData(data); page.ok()) {
    CheckTrackings(page->items);
  }
  if (auto outcome = tracktry::BatchOutcomeFromData(data); outcome.ok()) {
    CheckTrackings(outcome->created);
  }
  if (auto carriers = tracktry::CarriersFromData(data); carriers.ok()) {
    for (const tracktry::v1::Carrier& carrier : *carriers) {
      CheckRoundTrip(carrier);
    }
  }
  ExerciseTracking(data);
  if (data.is_array()) {
    for (const json& element : data.get_ref<const json::array_t&>()) {
      ExerciseTracking(element);
    }
  } else if (const json* items = tracktry::JsonMember(data, "items");
             items != nullptr && items->is_array()) {
    for (const json& element : items->get_ref<const json::array_t&>()) {
      ExerciseTracking(element);
    }
  }
}

// Aborts unless the tape of `body` reads as nlohmann's document of it.
void CheckTape(absl::string_view body) {
  const std::optional<tracktry::JsonTape> tape =
      tracktry::JsonTape::Parse(body);
  if (!tape.has_value()) return;
  const json document = json::parse(body.begin(), body.end(), nullptr,
                                    /*allow_exceptions=*/false);
  if (document.is_discarded() || tape->root().ToJson() != document) {
    std::abort();
  }
  const tracktry::JsonNode* tape_data =
      tracktry::JsonMember(tape->root(), "data");
  const json* data = tracktry::JsonMember(document, "data");
  if ((tape_data == nullptr) != (data == nullptr)) std::abort();
  if (data == nullptr) return;
  for (const auto view :
       {tracktry::v1::TRACKING_VIEW_BASIC, tracktry::v1::TRACKING_VIEW_FULL}) {
    tracktry::v1::Tracking from_tape;
    tracktry::v1::Tracking from_document;
    const absl::StatusOr<bool> tape_found =
        tracktry::FirstTrackingFromData(*tape_data, &from_tape, view);
    const absl::StatusOr<bool> document_found =
        tracktry::FirstTrackingFromData(*data, &from_document, view);
    if (tape_found.status() != document_found.status() ||
        !google::protobuf::util::MessageDifferencer::Equals(from_tape,
                                                            from_document)) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const absl::string_view body(reinterpret_cast<const char*>(bytes), size);

  (void)tracktry::DecodePageToken(body, 0);
  if (size <= 64) {
    (void)tracktry::ParseZonedTimestamp(body);
    (void)tracktry::ParseLocalDateTime(body);
  }

  CheckTape(body);
  const absl::StatusOr<tracktry::Envelope> envelope =
      tracktry::ParseEnvelope(body);
  if (!envelope.ok()) return 0;
  ExerciseData(envelope->data());
  return 0;
}
