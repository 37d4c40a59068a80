// Copyright 2026 The tracktry-grpc Authors.
//
// Tracktry's response envelope {"meta":{"code","type","message"},"data"} and
// the meta.code table (type and message texts as the real API sends them).
#ifndef TRACKTRY_EMULATOR_ENVELOPE_H_
#define TRACKTRY_EMULATOR_ENVELOPE_H_

#include <string>

#include "nlohmann/json.hpp"

namespace tracktry::emulator {

using OrderedJson = nlohmann::ordered_json;

// meta.type for `code` ("Success", "Bad Request", "Unauthorized", ...).
std::string MetaType(int code);

// meta.message for `code`, e.g. 4001 -> "Invalid API key.".
std::string MetaMessage(int code);

// {"code":code,"type":MetaType(code),"message":MetaMessage(code)}.
OrderedJson MetaObject(int code);

// The serialized envelope {"meta":MetaObject(code),"data":data}.
std::string EnvelopeBody(int code, const OrderedJson& data);

// The serialized error envelope with "data":[] (Tracktry's shape for every
// non-200 answer).
std::string ErrorEnvelopeBody(int code);

// Serializes `json` without throwing (invalid UTF-8 is replaced).
std::string DumpJson(const OrderedJson& json);

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_ENVELOPE_H_
