// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_struct.h"

#include <cmath>
#include <string>

#include "service/translation/json_values.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

void FillValue(const json& in, int depth, google::protobuf::Value* out);

// Fills `out` from the members of `object`; `depth` counts `object` itself.
void FillStruct(const json& object, int depth, google::protobuf::Struct* out) {
  auto& fields = *out->mutable_fields();
  for (const auto& [key, member] : object.get_ref<const json::object_t&>()) {
    FillValue(member, depth + 1, &fields[SanitizeUtf8(key)]);
  }
}

// `depth` is the container depth `in` would occupy if it is a container.
void FillValue(const json& in, int depth, google::protobuf::Value* out) {
  switch (in.type()) {
    case json::value_t::boolean:
      out->set_bool_value(in.get<bool>());
      return;
    case json::value_t::number_integer:
      out->set_number_value(
          static_cast<double>(in.get<json::number_integer_t>()));
      return;
    case json::value_t::number_unsigned:
      out->set_number_value(
          static_cast<double>(in.get<json::number_unsigned_t>()));
      return;
    case json::value_t::number_float: {
      const double number = in.get<json::number_float_t>();
      if (std::isfinite(number)) {
        out->set_number_value(number);
      } else {
        out->set_null_value(google::protobuf::NULL_VALUE);
      }
      return;
    }
    case json::value_t::string:
      out->set_string_value(SanitizeUtf8(in.get_ref<const std::string&>()));
      return;
    case json::value_t::object:
      if (depth > kMaxJsonStructDepth) break;
      FillStruct(in, depth, out->mutable_struct_value());
      return;
    case json::value_t::array: {
      if (depth > kMaxJsonStructDepth) break;
      auto* list = out->mutable_list_value();
      for (const json& element : in.get_ref<const json::array_t&>()) {
        FillValue(element, depth + 1, list->add_values());
      }
      return;
    }
    default:
      break;
  }
  out->set_null_value(google::protobuf::NULL_VALUE);
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

}  // namespace tracktry
