// Copyright 2026 The tracktry-grpc Authors.
//
// SetSerializedField: puts already serialized bytes into a response message
// as one of its fields, for gRPC to send without a copy of the message or a
// second serialization.
//
// The bytes become an unknown length-delimited field of `message` (its
// UnknownFieldSet, on the message's arena). Protobuf writes unknown fields
// out verbatim, after the known ones, so a message whose other fields are
// unset serializes to exactly the bytes it would with the typed field set:
// the client reads a normal message. Used for GetTracking, whose answer the
// cache keeps serialized (api::SerializedTracking): serializing then costs
// one copy of the bytes instead of walking the message.
//
// The server-side message then shows the field as unset (only its
// unknown fields hold it); nothing on the server reads a response after
// its handler has filled it.
#ifndef TRACKTRY_SERVICE_RPC_SERIALIZED_FIELD_H_
#define TRACKTRY_SERVICE_RPC_SERIALIZED_FIELD_H_

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace tracktry {

// Appends `bytes` as field `field_number` (wire type LEN) of `message`.
// `bytes` must be the serialization of that field's message type, and
// `message` must not set the typed field as well (it would then appear
// twice, which a parser merges).
void SetSerializedField(google::protobuf::Message* message, int field_number,
                        absl::string_view bytes);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_SERIALIZED_FIELD_H_
