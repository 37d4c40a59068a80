// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/tracking_read_combiner.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/errors/upstream_status.h"
#include "service/tracktry_api/operation_call.h"
#include "service/translation/json_values.h"
#include "service/translation/request_translation.h"
#include "service/translation/translation_errors.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

// Page size of a combined call: the largest Tracktry serves (reference
// 2.6), so that a number stored under several carriers cannot push another
// member's tracking to a second page.
constexpr int64_t kCombinedPageLimit = 2000;

// meta.code Tracktry answers a single GET of an unknown tracking with.
constexpr int kMetaCodeTrackingNotFound = 4017;

// What the single GET of a tracking the upstream does not have would have
// given: the status table's row for meta.code 4017.
absl::Status NotFoundAsSingleGet() {
  UpstreamResult result;
  result.http_status = 200;
  result.meta_code = kMetaCodeTrackingNotFound;
  result.meta_message = "Tracking does not exist.";
  return StatusFromUpstream(result);
}

// One item of the list answer, keyed for matching.
struct Item {
  const json* object = nullptr;
  std::string number;
  std::string carrier;
};

// The items of a GET /trackings/get `data`, in the shapes the list
// translation accepts (ListPageFromData): null or an object without items
// (none), an array (the items), {"items": [...] | null, ...}. Items that are
// not usable trackings are left out and counted in `*malformed`.
absl::StatusOr<std::vector<Item>> ListItems(const json& data, int* malformed) {
  std::vector<Item> items;
  const json* array = &data;
  if (data.is_null()) return items;
  if (!data.is_array()) {
    if (!data.is_object()) {
      return MalformedResponseError("list data is not an object");
    }
    array = JsonMember(data, "items");
    if (array == nullptr || array->is_null()) return items;
    if (!array->is_array()) {
      return MalformedResponseError("list data.items is not an array");
    }
  }
  for (const json& element : array->get_ref<const json::array_t&>()) {
    Item item;
    item.object = &element;
    if (element.is_object()) {
      item.number = std::string(absl::StripAsciiWhitespace(
          JsonMemberString(element, "tracking_number")));
      item.carrier = JsonMemberString(element, "carrier_code");
    }
    if (item.number.empty()) {
      ++*malformed;
      continue;
    }
    items.push_back(std::move(item));
  }
  return items;
}

// The item answering `member`: same carrier, same number with an exact-case
// match preferred over a case-insensitive one; null when none.
const Item* FindItem(const std::vector<Item>& items,
                     const UpstreamRequest& member) {
  const std::string& number = member.tracking_numbers.front();
  const Item* folded = nullptr;
  for (const Item& item : items) {
    if (!absl::EqualsIgnoreCase(item.carrier, member.carrier)) continue;
    if (item.number == number) return &item;
    if (folded == nullptr && absl::EqualsIgnoreCase(item.number, number)) {
      folded = &item;
    }
  }
  return folded;
}

}  // namespace

TrackingReadCombiner::TrackingReadCombiner(int max_numbers)
    : max_numbers_(std::clamp(max_numbers, 1, kMaxNumbersPerListCall)) {}

std::string TrackingReadCombiner::CombineKey(
    const UpstreamRequest& request) const {
  if (request.endpoint != Endpoint::kGetTracking ||
      request.tracking_numbers.size() != 1 || request.carrier.empty() ||
      !request.query.empty() || !request.body.empty() ||
      !request.idempotency_key.empty()) {
    return "";
  }
  const std::string& number = request.tracking_numbers.front();
  // A number the comma-separated `numbers` list cannot carry as is.
  if (number.empty() || absl::StrContains(number, ',') ||
      absl::StripAsciiWhitespace(number).size() != number.size()) {
    return "";
  }
  return absl::StrCat("get\n", request.lang);
}

UpstreamRequest TrackingReadCombiner::Combine(
    absl::Span<const UpstreamRequest> members) const {
  v1::ListTrackingsRequest filter;
  UpstreamRequest call;
  call.endpoint = Endpoint::kListTrackings;
  absl::flat_hash_set<std::string> seen;
  for (const UpstreamRequest& member : members) {
    const std::string& number = member.tracking_numbers.front();
    if (!seen.insert(number).second) continue;
    filter.add_tracking_numbers(number);
    call.tracking_numbers.push_back(number);
  }
  if (!members.empty()) {
    filter.set_lang(members.front().lang);
    call.lang = members.front().lang;
  }
  call.query = ListTrackingsQuery(filter, /*page=*/1, kCombinedPageLimit);
  return call;
}

std::vector<absl::StatusOr<Envelope>> TrackingReadCombiner::Split(
    const absl::StatusOr<Envelope>& answer,
    absl::Span<const UpstreamRequest> members) const {
  std::vector<absl::StatusOr<Envelope>> results;
  results.reserve(members.size());
  const auto all = [&](const absl::Status& status) {
    results.assign(members.size(), status);
    return results;
  };
  if (!answer.ok()) return all(answer.status());
  if (IsEmptyAnswer(*answer)) return all(NotFoundAsSingleGet());
  int malformed = 0;
  absl::StatusOr<std::vector<Item>> items =
      ListItems(answer->data(), &malformed);
  if (!items.ok()) return all(items.status());
  // A member missing from an answer that holds every match is not stored
  // upstream. Otherwise its absence proves nothing: a malformed item may
  // have been its tracking, and a full page may have a next one. (`total`
  // cannot tell: Tracktry's own answers report more than they hold.)
  absl::Status missing = NotFoundAsSingleGet();
  if (malformed > 0) {
    missing = MalformedResponseError("list item without a tracking_number");
  } else if (static_cast<int64_t>(items->size()) +
                 static_cast<int64_t>(malformed) >=
             kCombinedPageLimit) {
    missing = MalformedResponseError("list answer filled a whole page");
  }
  for (const UpstreamRequest& member : members) {
    const Item* item = FindItem(*items, member);
    if (item == nullptr) {
      results.push_back(missing);
    } else {
      results.push_back(SuccessEnvelope(*item->object));
    }
  }
  return results;
}

}  // namespace tracktry
