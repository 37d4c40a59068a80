// Copyright 2026 The tracktry-grpc Authors.
#include "service/errors/grpc_status.h"

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"
#include "common/error_details.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "service/errors/safe_text.h"
#include "service/errors/secret_redaction.h"

namespace tracktry {
namespace {

using SecretList = std::vector<std::string>;

// Readers copy the shared_ptr under the lock and scan without it, so the
// lock is held for a pointer copy only. std::mutex rather than absl::Mutex:
// the packaged Abseil is not TSan-instrumented, so TSan builds would report
// false races.
class SecretRegistry {
 public:
  void Set(SecretList secrets) {
    auto list = std::make_shared<SecretList>();
    for (std::string& secret : secrets) {
      if (!secret.empty()) list->push_back(std::move(secret));
    }
    std::lock_guard<std::mutex> lock(mu_);
    secrets_ = std::move(list);
  }

  // Copy-on-write: conversions already running keep their snapshot.
  void Add(std::string secret) {
    if (secret.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& known : *secrets_) {
      if (known == secret) return;
    }
    auto list = std::make_shared<SecretList>(*secrets_);
    list->push_back(std::move(secret));
    secrets_ = std::move(list);
  }

  std::shared_ptr<const SecretList> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return secrets_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const SecretList> secrets_ = std::make_shared<SecretList>();
};

SecretRegistry& Registry() {
  static auto* const registry = new SecretRegistry();
  return *registry;
}

std::string Redact(std::string text, const SecretList& secrets) {
  return RedactSecretTokens(std::move(text), secrets);
}

// Redacted, valid UTF-8 text for a proto3 string field.
std::string CleanField(const std::string& text, const SecretList& secrets,
                       size_t max_bytes = kMaxGrpcMessageBytes) {
  return SafeText(Redact(text, secrets), max_bytes, /*replace_control=*/false);
}

void CleanErrorInfo(google::rpc::ErrorInfo& info, const SecretList& secrets) {
  info.set_reason(CleanField(info.reason(), secrets));
  info.set_domain(info.domain().empty() ? kErrorDomain
                                        : CleanField(info.domain(), secrets));
  google::protobuf::Map<std::string, std::string> cleaned;
  for (const auto& [key, value] : info.metadata()) {
    cleaned[CleanField(key, secrets)] = CleanField(value, secrets);
  }
  *info.mutable_metadata() = std::move(cleaned);
}

void CleanBadRequest(google::rpc::BadRequest& bad_request,
                     const SecretList& secrets) {
  for (auto& violation : *bad_request.mutable_field_violations()) {
    violation.set_field(CleanField(violation.field(), secrets));
    violation.set_description(CleanField(violation.description(), secrets));
  }
}

// Appends `message` to `details` as an Any with `type_url`.
void AddDetail(google::rpc::Status& rpc_status, const std::string& type_url,
               const google::protobuf::Message& message) {
  google::protobuf::Any* any = rpc_status.add_details();
  any->set_type_url(type_url);
  any->set_value(message.SerializeAsString());
}

}  // namespace

void SetSecretsToRedact(std::vector<std::string> secrets) {
  Registry().Set(std::move(secrets));
}

void AddSecretToRedact(std::string secret) {
  Registry().Add(std::move(secret));
}

std::string RedactSecrets(std::string text) {
  return Redact(std::move(text), *Registry().Get());
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const std::shared_ptr<const SecretList> secrets = Registry().Get();

  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int32_t>(status.code()));
  rpc_status.set_message(CleanField(std::string(status.message()), *secrets));

  // Exactly one ErrorInfo, first, as clients look there. An absent or
  // unreadable one is replaced by one derived from the code.
  google::rpc::ErrorInfo info;
  const auto info_payload = status.GetPayload(kErrorInfoUrl);
  if (info_payload.has_value() &&
      info.ParseFromString(std::string(*info_payload))) {
    CleanErrorInfo(info, *secrets);
  } else {
    info.Clear();
    info.set_reason(absl::StatusCodeToString(status.code()));
    info.set_domain(kErrorDomain);
  }
  AddDetail(rpc_status, kErrorInfoUrl, info);

  status.ForEachPayload(
      [&](absl::string_view type_url, const absl::Cord& payload) {
        const std::string url(type_url);
        if (url == kErrorInfoUrl) return;
        const std::string bytes(payload);
        if (url == kBadRequestUrl) {
          google::rpc::BadRequest bad_request;
          if (!bad_request.ParseFromString(bytes)) return;
          CleanBadRequest(bad_request, *secrets);
          AddDetail(rpc_status, url, bad_request);
        } else if (url == kRetryInfoUrl) {
          google::rpc::RetryInfo retry;
          if (!retry.ParseFromString(bytes)) return;
          AddDetail(rpc_status, url, retry);
        } else if (!ContainsSecretSubstring(bytes, *secrets)) {
          // Another detail type: copied as is unless it would leak a secret
          // (its bytes cannot be edited without knowing its schema, and
          // binary bytes next to a secret can be anything, so any
          // occurrence counts, not only whole tokens).
          google::protobuf::Any* any = rpc_status.add_details();
          any->set_type_url(url);
          any->set_value(bytes);
        }
      });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      rpc_status.message(), rpc_status.SerializeAsString());
}

}  // namespace tracktry
