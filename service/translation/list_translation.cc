// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/list_translation.h"

#include <optional>
#include <utility>

#include "service/translation/json_values.h"
#include "service/translation/tracking_translation.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

std::optional<int64_t> MemberInt64(const json& object, absl::string_view key) {
  const json* value = JsonMember(object, key);
  if (value == nullptr) return std::nullopt;
  return JsonToInt64(*value);
}

}  // namespace

absl::StatusOr<ListPage> ListPageFromData(const json& data,
                                          tracktry::v1::TrackingView view) {
  ListPage page;
  if (data.is_null()) return page;
  if (data.is_array()) {
    absl::StatusOr<std::vector<tracktry::v1::Tracking>> items =
        TrackingsFromData(data, view);
    if (!items.ok()) return std::move(items).status();
    page.items = std::move(items).value();
    page.total = static_cast<int64_t>(page.items.size());
    page.count = page.total;
    return page;
  }
  if (!data.is_object()) {
    return MalformedResponseError("list data is not an object");
  }
  page.page = MemberInt64(data, "page").value_or(0);
  page.limit = MemberInt64(data, "limit").value_or(0);
  page.total = MemberInt64(data, "total").value_or(0);
  if (const json* items = JsonMember(data, "items");
      items != nullptr && !items->is_null()) {
    if (!items->is_array()) {
      return MalformedResponseError("list data.items is not an array");
    }
    absl::StatusOr<std::vector<tracktry::v1::Tracking>> trackings =
        TrackingsFromData(*items, view);
    if (!trackings.ok()) return std::move(trackings).status();
    page.items = std::move(trackings).value();
  }
  page.count = MemberInt64(data, "count")
                   .value_or(static_cast<int64_t>(page.items.size()));
  return page;
}

}  // namespace tracktry
