// Copyright 2026 The tracktry-grpc Authors.
//
// Conversion of nlohmann::json values into google.protobuf.Value/Struct, used
// to keep the raw upstream object next to the normalised proto fields.
//
// Mapping: null -> null_value; bool -> bool_value; every number ->
// number_value (integers beyond 2^53 lose precision; non-finite numbers become
// null_value); string -> string_value (invalid UTF-8 replaced by U+FFFD);
// array -> list_value; object -> struct_value. Discarded and binary values
// become null_value.
//
// Nesting is capped at kMaxJsonStructDepth container levels; deeper
// containers become null_value. The cap keeps the result serialisable and
// parseable by every protobuf runtime (default recursion limit 100) even when
// the Struct sits a few messages deep in a response, and bounds recursion on
// hostile input. Pure, never throws, thread-safe.
#ifndef TRACKTRY_SERVICE_TRANSLATION_JSON_STRUCT_H_
#define TRACKTRY_SERVICE_TRANSLATION_JSON_STRUCT_H_

#include "google/protobuf/struct.pb.h"
#include "nlohmann/json.hpp"
#include "service/translation/json_tape.h"

namespace tracktry {

// Maximum number of nested JSON containers (objects/arrays) kept, counting
// the outermost one.
inline constexpr int kMaxJsonStructDepth = 20;

// `json` as a google.protobuf.Value.
google::protobuf::Value JsonToProtoValue(const nlohmann::json& json);

// `object` as a google.protobuf.Struct; an empty Struct if `object` is not a
// JSON object.
google::protobuf::Struct JsonToProtoStruct(const nlohmann::json& object);

// The same, written into `*out` (which should be empty; keys already there
// are overwritten), e.g. a Struct that lives on the response's arena.
void FillProtoStruct(const nlohmann::json& object,
                     google::protobuf::Struct* out);
// The same from a tape node: the Struct of the document of the same text.
void FillProtoStruct(const JsonNode& object, google::protobuf::Struct* out);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_JSON_STRUCT_H_
