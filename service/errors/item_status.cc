// Copyright 2026 The tracktry-grpc Authors.
#include "service/errors/item_status.h"

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "common/error_details.h"
#include "service/errors/grpc_status.h"
#include "service/errors/safe_text.h"

namespace tracktry {
namespace {

// Largest ItemStatus.message, as for a whole RPC's message.
constexpr size_t kMaxItemMessageBytes = 1024;

std::optional<int> IntMetadata(const absl::Status& status,
                               absl::string_view key) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  if (!info.has_value()) return std::nullopt;
  auto it = info->metadata().find(std::string(key));
  int value = 0;
  if (it == info->metadata().end() || !absl::SimpleAtoi(it->second, &value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<int> UpstreamMetaCodeOf(const absl::Status& status) {
  return IntMetadata(status, "metaCode");
}

std::optional<int> UpstreamHttpStatusOf(const absl::Status& status) {
  return IntMetadata(status, "httpStatus");
}

v1::ItemStatus ToItemStatus(const absl::Status& status) {
  v1::ItemStatus item;
  item.set_code(static_cast<int32_t>(status.code()));
  if (status.ok()) return item;
  item.set_message(SafeText(RedactSecrets(std::string(status.message())),
                            kMaxItemMessageBytes, /*replace_control=*/false));
  if (std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status)) {
    item.set_reason(info->reason());
  }
  if (std::optional<int> meta_code = UpstreamMetaCodeOf(status)) {
    item.set_meta_code(*meta_code);
  }
  return item;
}

}  // namespace tracktry
