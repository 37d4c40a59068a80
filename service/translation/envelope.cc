// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/envelope.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "service/translation/json_values.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

absl::Status Malformed(absl::string_view what) {
  return MalformedResponseError(what);
}

// The JSON text `body` as a document; discarded when it is not JSON. Only
// for bodies JsonTape::Parse does not take (a byte order mark, which nlohmann
// skips, or 1e400), so both accept the same texts.
json ParseJson(absl::string_view body) {
  try {
    return json::parse(body.begin(), body.end(), /*cb=*/nullptr,
                       /*allow_exceptions=*/false);
  } catch (...) {  // parse does not throw when asked not to; be certain
    return json(json::value_t::discarded);
  }
}

// Reads meta.code, meta.type and meta.message of the parsed body `document`
// (a JsonNode or an nlohmann document) into `envelope`.
template <typename Value>
absl::Status ReadMeta(const Value& document, Envelope* envelope) {
  if (!document.is_object()) return Malformed("body is not a JSON object");
  const Value* meta = JsonMember(document, "meta");
  if (meta == nullptr || !meta->is_object()) {
    return Malformed("meta is missing");
  }
  const Value* code = JsonMember(*meta, "code");
  if (code == nullptr) return Malformed("meta.code is missing");
  if (!code->is_number() && !code->is_string()) {
    return Malformed("meta.code is not an integer");
  }
  const std::optional<int32_t> meta_code = JsonToInt32(*code);
  if (!meta_code.has_value()) return Malformed("meta.code is not an integer");
  envelope->meta_code = *meta_code;
  if (const Value* type = JsonMember(*meta, "type");
      type != nullptr && type->is_string()) {
    envelope->meta_type = SanitizeUtf8(JsonText(*type));
  }
  if (const Value* message = JsonMember(*meta, "message");
      message != nullptr && message->is_string()) {
    envelope->meta_message = SanitizeUtf8(JsonText(*message));
  }
  return absl::OkStatus();
}

}  // namespace

// What copies of an Envelope share: the tape of the body with its `data`
// node, and the document, built from the tape on first use; or the document
// alone.
class Envelope::Data {
 public:
  explicit Data(json document) : document_(std::move(document)) {
    built_.store(true, std::memory_order_relaxed);
  }
  Data(JsonTape tape, const JsonNode* data)
      : tape_(std::move(tape)), data_(data) {}

  const JsonNode* tape_data() const {
    return tape_.has_value() ? data_ : nullptr;
  }

  const json& document() const {
    if (!built_.load(std::memory_order_acquire)) {
      // std::call_once: pthread_once, which TSan sees (unlike the inside
      // of Debian's uninstrumented absl::call_once).
      std::call_once(build_, [this] {
        document_ = data_->ToJson();
        built_.store(true, std::memory_order_release);
      });
    }
    return document_;
  }

  const json* document_if_built() const {
    return built_.load(std::memory_order_acquire) ? &document_ : nullptr;
  }

  size_t tape_bytes() const {
    return tape_.has_value() ? tape_->heap_bytes() : 0;
  }

 private:
  std::optional<JsonTape> tape_;
  const JsonNode* data_ = &JsonNode::Null();
  mutable std::once_flag build_;
  mutable std::atomic<bool> built_{false};
  mutable json document_;
};

const json& Envelope::data() const {
  static const json* const kNull = new json();
  return data_ == nullptr ? *kNull : data_->document();
}

const JsonNode* Envelope::data_tape() const {
  return data_ == nullptr ? nullptr : data_->tape_data();
}

json Envelope::data_copy() const {
  if (const JsonNode* tape = data_tape()) return tape->ToJson();
  return data();
}

void Envelope::set_data(json data) {
  data_ = std::make_shared<const Data>(std::move(data));
}

const json* Envelope::data_if_built() const {
  return data_ == nullptr ? nullptr : data_->document_if_built();
}

size_t Envelope::data_tape_bytes() const {
  return data_ == nullptr ? 0 : sizeof(Data) + data_->tape_bytes();
}

absl::StatusOr<Envelope> ParseEnvelope(absl::string_view body,
                                       EnvelopeData form) {
  Envelope envelope;
  if (std::optional<JsonTape> tape = JsonTape::Parse(body)) {
    const JsonNode& document = tape->root();
    RETURN_IF_ERROR(ReadMeta(document, &envelope));
    const JsonNode* data = document.Find("data");
    if (form == EnvelopeData::kDocument) {
      envelope.set_data(data == nullptr ? json() : data->ToJson());
      return envelope;
    }
    // The nodes stay where they are when the tape moves.
    envelope.data_ = std::make_shared<const Envelope::Data>(
        *std::move(tape), data == nullptr ? &JsonNode::Null() : data);
    return envelope;
  }
  json document = ParseJson(body);
  if (document.is_discarded()) return Malformed("body is not JSON");
  RETURN_IF_ERROR(ReadMeta(document, &envelope));
  auto& members = document.get_ref<json::object_t&>();
  if (auto data = members.find("data"); data != members.end()) {
    envelope.set_data(std::move(data->second));
  }
  return envelope;
}

Envelope SuccessEnvelope(nlohmann::json data) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.meta_type = "Success";
  envelope.meta_message = "Success";
  envelope.set_data(std::move(data));
  return envelope;
}

}  // namespace tracktry
