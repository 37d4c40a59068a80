// Copyright 2026 The tracktry-grpc Authors.
#include "common/error_details.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"

namespace tracktry {
namespace {

template <typename Message>
std::optional<Message> GetPayload(const absl::Status& status,
                                  absl::string_view url) {
  auto payload = status.GetPayload(url);  // absl::optional here
  if (!payload.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

}  // namespace

absl::Status MakeError(absl::StatusCode code, absl::string_view message,
                       absl::string_view reason,
                       const std::map<std::string, std::string>& metadata) {
  absl::Status status(code, message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[key] = value;
  }
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration retry_delay) {
  if (status.ok()) return status;
  if (retry_delay < absl::ZeroDuration()) retry_delay = absl::ZeroDuration();
  google::rpc::RetryInfo retry;
  const int64_t nanos = absl::ToInt64Nanoseconds(retry_delay);
  retry.mutable_retry_delay()->set_seconds(nanos / 1000000000);
  retry.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(nanos % 1000000000));
  status.SetPayload(kRetryInfoUrl, absl::Cord(retry.SerializeAsString()));
  return status;
}

absl::Status WithFieldViolation(absl::Status status, absl::string_view field,
                                absl::string_view description) {
  if (status.ok()) return status;
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  status.SetPayload(kBadRequestUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view description) {
  return WithFieldViolation(
      MakeError(absl::StatusCode::kInvalidArgument,
                absl::StrCat("invalid ", field, ": ", description),
                "INVALID_ARGUMENT", {{"field", std::string(field)}}),
      field, description);
}

absl::Status TrackingNotFoundError(absl::string_view carrier_code,
                                   absl::string_view tracking_number) {
  return MakeError(absl::StatusCode::kNotFound,
                   absl::StrCat("tracking ", carrier_code, "/", tracking_number,
                                " not found"),
                   "TRACKING_NOT_FOUND",
                   {{"carrierCode", std::string(carrier_code)},
                    {"trackingNumber", std::string(tracking_number)}});
}

std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  return GetPayload<google::rpc::ErrorInfo>(status, kErrorInfoUrl);
}

std::optional<absl::Duration> GetRetryDelay(const absl::Status& status) {
  auto retry = GetPayload<google::rpc::RetryInfo>(status, kRetryInfoUrl);
  if (!retry.has_value()) return std::nullopt;
  return absl::Seconds(retry->retry_delay().seconds()) +
         absl::Nanoseconds(retry->retry_delay().nanos());
}

std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status) {
  return GetPayload<google::rpc::BadRequest>(status, kBadRequestUrl);
}

}  // namespace tracktry
