// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/serialized_field.h"

#include <string>

#include "google/protobuf/unknown_field_set.h"

namespace tracktry {

void SetSerializedField(google::protobuf::Message* message, int field_number,
                        absl::string_view bytes) {
  google::protobuf::UnknownFieldSet* unknown =
      message->GetReflection()->MutableUnknownFields(message);
  unknown->AddLengthDelimited(field_number)->assign(bytes.data(), bytes.size());
}

}  // namespace tracktry
