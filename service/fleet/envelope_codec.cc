// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/envelope_codec.h"

#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "nlohmann/json.hpp"

namespace tracktry::fleet {
namespace {

using nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json EnvelopeJson(const Envelope& envelope) {
  return json{{"c", envelope.meta_code},
              {"t", envelope.meta_type},
              {"m", envelope.meta_message},
              {"d", envelope.data_copy()}};
}

absl::StatusOr<Envelope> EnvelopeFromJson(json& value) {
  if (!value.is_object()) return absl::InvalidArgumentError("not an object");
  auto code = value.find("c");
  auto type = value.find("t");
  auto message = value.find("m");
  auto data = value.find("d");
  if (code == value.end() || !code->is_number_integer() ||
      type == value.end() || !type->is_string() || message == value.end() ||
      !message->is_string() || data == value.end()) {
    return absl::InvalidArgumentError("not an encoded envelope");
  }
  Envelope envelope;
  envelope.meta_code = code->get<int>();
  envelope.meta_type = type->get<std::string>();
  envelope.meta_message = message->get<std::string>();
  envelope.set_data(std::move(*data));
  return envelope;
}

absl::StatusOr<json> Parse(absl::string_view text) {
  json value = json::parse(text.begin(), text.end(), nullptr,
                           /*allow_exceptions=*/false);
  if (value.is_discarded()) return absl::InvalidArgumentError("not JSON");
  return value;
}

}  // namespace

std::string EncodeEnvelope(const Envelope& envelope) {
  return Dump(EnvelopeJson(envelope));
}

absl::StatusOr<Envelope> DecodeEnvelope(absl::string_view text) {
  absl::StatusOr<json> value = Parse(text);
  if (!value.ok()) return value.status();
  return EnvelopeFromJson(*value);
}

std::string EncodeResult(const absl::StatusOr<Envelope>& result) {
  if (result.ok()) return Dump(json{{"e", EnvelopeJson(*result)}});
  json payloads = json::array();
  result.status().ForEachPayload(
      [&payloads](absl::string_view url, const absl::Cord& payload) {
        payloads.push_back(json::array(
            {std::string(url), absl::Base64Escape(std::string(payload))}));
      });
  return Dump(json{{"s", static_cast<int>(result.status().code())},
                   {"m", std::string(result.status().message())},
                   {"p", std::move(payloads)}});
}

absl::StatusOr<absl::StatusOr<Envelope>> DecodeResult(absl::string_view text) {
  absl::StatusOr<json> value = Parse(text);
  if (!value.ok()) return value.status();
  if (!value->is_object()) return absl::InvalidArgumentError("not an object");
  if (auto envelope = value->find("e"); envelope != value->end()) {
    absl::StatusOr<Envelope> decoded = EnvelopeFromJson(*envelope);
    if (!decoded.ok()) return decoded.status();
    return absl::StatusOr<Envelope>(*std::move(decoded));
  }
  auto code = value->find("s");
  auto message = value->find("m");
  auto payloads = value->find("p");
  if (code == value->end() || !code->is_number_integer() ||
      message == value->end() || !message->is_string() ||
      payloads == value->end() || !payloads->is_array()) {
    return absl::InvalidArgumentError("not an encoded result");
  }
  const int code_value = code->get<int>();
  if (code_value <= 0 || code_value > 16) {
    return absl::InvalidArgumentError("bad status code");
  }
  absl::Status status(static_cast<absl::StatusCode>(code_value),
                      message->get<std::string>());
  for (const json& payload : *payloads) {
    std::string bytes;
    if (!payload.is_array() || payload.size() != 2 || !payload[0].is_string() ||
        !payload[1].is_string() ||
        !absl::Base64Unescape(payload[1].get<std::string>(), &bytes)) {
      return absl::InvalidArgumentError("bad status payload");
    }
    status.SetPayload(payload[0].get<std::string>(), absl::Cord(bytes));
  }
  return absl::StatusOr<Envelope>(std::move(status));
}

}  // namespace tracktry::fleet
