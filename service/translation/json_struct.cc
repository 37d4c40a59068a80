// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_struct.h"

#include <cmath>
#include <string>

#include "service/translation/json_values.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

template <typename Value>
void FillValue(const Value& in, int depth, google::protobuf::Value* out);

// Fills `out` from the members of `object`; `depth` counts `object` itself.
void FillStruct(const json& object, int depth, google::protobuf::Struct* out) {
  auto& fields = *out->mutable_fields();
  for (const auto& [key, member] : object.get_ref<const json::object_t&>()) {
    FillValue(member, depth + 1, &fields[SanitizeUtf8(key)]);
  }
}
void FillStruct(const JsonNode& object, int depth,
                google::protobuf::Struct* out) {
  auto& fields = *out->mutable_fields();
  object.ForEachMember([&](absl::string_view key, const JsonNode& member) {
    // A repeated key: the last member's value, as in nlohmann's document.
    google::protobuf::Value& field = fields[SanitizeUtf8(key)];
    field.Clear();
    FillValue(member, depth + 1, &field);
  });
}

double NumberOf(const json& in) { return in.get<double>(); }
double NumberOf(const JsonNode& in) {
  if (in.is_number_unsigned()) {
    return static_cast<double>(in.unsigned_value());
  }
  if (in.is_number_integer()) return static_cast<double>(in.integer());
  return in.number_float();
}

// `depth` is the container depth `in` would occupy if it is a container.
template <typename Value>
void FillValue(const Value& in, int depth, google::protobuf::Value* out) {
  if (in.is_boolean()) {
    out->set_bool_value(JsonToBool(in).value_or(false));
  } else if (in.is_number()) {
    const double number = NumberOf(in);
    if (std::isfinite(number)) {
      out->set_number_value(number);
    } else {
      out->set_null_value(google::protobuf::NULL_VALUE);
    }
  } else if (in.is_string()) {
    out->set_string_value(SanitizeUtf8(JsonText(in)));
  } else if (in.is_object() && depth <= kMaxJsonStructDepth) {
    FillStruct(in, depth, out->mutable_struct_value());
  } else if (in.is_array() && depth <= kMaxJsonStructDepth) {
    auto* list = out->mutable_list_value();
    ForEachJsonElement(in, [&](const Value& element) {
      FillValue(element, depth + 1, list->add_values());
    });
  } else {
    out->set_null_value(google::protobuf::NULL_VALUE);
  }
}

}  // namespace

google::protobuf::Value JsonToProtoValue(const json& json_value) {
  google::protobuf::Value value;
  FillValue(json_value, 1, &value);
  return value;
}

google::protobuf::Struct JsonToProtoStruct(const json& object) {
  google::protobuf::Struct result;
  FillProtoStruct(object, &result);
  return result;
}

void FillProtoStruct(const json& object, google::protobuf::Struct* out) {
  if (object.is_object()) FillStruct(object, 1, out);
}

void FillProtoStruct(const JsonNode& object, google::protobuf::Struct* out) {
  if (object.is_object()) FillStruct(object, 1, out);
}

}  // namespace tracktry
