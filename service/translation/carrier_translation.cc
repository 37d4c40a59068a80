// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/carrier_translation.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "service/translation/json_values.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;
using tracktry::v1::Carrier;

std::string AbsolutePicture(std::string picture) {
  if (absl::StartsWith(picture, "//")) return absl::StrCat("https:", picture);
  return picture;
}

}  // namespace

absl::StatusOr<std::vector<Carrier>> CarriersFromData(const json& data) {
  const json* list = &data;
  if (data.is_object()) {
    list = JsonMember(data, "items");
    if (list == nullptr) {
      return MalformedResponseError("carrier data is not an array");
    }
  }
  std::vector<Carrier> carriers;
  if (list->is_null()) return carriers;
  if (!list->is_array()) {
    return MalformedResponseError("carrier data is not an array");
  }
  const auto& elements = list->get_ref<const json::array_t&>();
  carriers.reserve(elements.size());
  for (const json& element : elements) {
    if (!element.is_object()) continue;
    Carrier carrier;
    carrier.set_code(JsonMemberString(element, "code"));
    if (absl::StripAsciiWhitespace(carrier.code()).empty()) continue;
    carrier.set_name(JsonMemberString(element, "name"));
    carrier.set_phone(JsonMemberString(element, "phone"));
    carrier.set_homepage(JsonMemberString(element, "homepage"));
    carrier.set_type(JsonMemberString(element, "type"));
    carrier.set_picture(AbsolutePicture(JsonMemberString(element, "picture")));
    carrier.set_name_cn(JsonMemberString(element, "name_cn"));
    carriers.push_back(std::move(carrier));
  }
  return carriers;
}

}  // namespace tracktry
