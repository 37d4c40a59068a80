// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/envelope.h"

#include <optional>
#include <utility>

#include "service/translation/json_values.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

absl::Status Malformed(absl::string_view what) {
  return MalformedResponseError(what);
}

}  // namespace

absl::StatusOr<Envelope> ParseEnvelope(absl::string_view body) {
  json document;
  try {
    document = json::parse(body.begin(), body.end(), /*cb=*/nullptr,
                           /*allow_exceptions=*/false);
  } catch (...) {  // parse does not throw when asked not to; be certain
    return Malformed("body is not JSON");
  }
  if (document.is_discarded()) return Malformed("body is not JSON");
  if (!document.is_object()) return Malformed("body is not a JSON object");

  const json* meta = JsonMember(document, "meta");
  if (meta == nullptr || !meta->is_object()) {
    return Malformed("meta is missing");
  }
  const json* code = JsonMember(*meta, "code");
  if (code == nullptr) return Malformed("meta.code is missing");
  if (!code->is_number() && !code->is_string()) {
    return Malformed("meta.code is not an integer");
  }
  const std::optional<int32_t> meta_code = JsonToInt32(*code);
  if (!meta_code.has_value()) return Malformed("meta.code is not an integer");

  Envelope envelope;
  envelope.meta_code = *meta_code;
  if (const json* type = JsonMember(*meta, "type");
      type != nullptr && type->is_string()) {
    envelope.meta_type = SanitizeUtf8(type->get_ref<const std::string&>());
  }
  if (const json* message = JsonMember(*meta, "message");
      message != nullptr && message->is_string()) {
    envelope.meta_message =
        SanitizeUtf8(message->get_ref<const std::string&>());
  }
  auto& members = document.get_ref<json::object_t&>();
  if (auto data = members.find("data"); data != members.end()) {
    envelope.data = std::move(data->second);
  }
  return envelope;
}

Envelope SuccessEnvelope(nlohmann::json data) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.meta_type = "Success";
  envelope.meta_message = "Success";
  envelope.data = std::move(data);
  return envelope;
}

}  // namespace tracktry
