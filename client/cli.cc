// Copyright 2026 The tracktry-grpc Authors.
#include "client/cli.h"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "client/tracking_client.h"
#include "common/error_details.h"
#include "common/status_macros.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/security/credentials.h"
#include "nlohmann/json.hpp"

namespace tracktry {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kDefaultTarget[] = "127.0.0.1:50051";

// One accepted flag. An empty value_name marks a boolean flag, which takes
// no separate argument ("--all", "--all=false").
struct FlagSpec {
  std::string name;
  std::string value_name;
  std::string help;
  bool repeatable = false;
};

// Parsed flag values by name; for non-repeatable flags the last one wins.
struct Flags {
  std::map<std::string, std::vector<std::string>> values;

  bool Has(const std::string& name) const { return values.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
  }
  std::vector<std::string> GetAll(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>() : it->second;
  }
};

struct Invocation {
  const std::string& command;
  const Flags& flags;
  const CliEnvironment& env;
  const TrackingClient::Options& client_options;
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  std::string name;
  std::string summary;
  std::vector<FlagSpec> flags;  // besides --json and --help
  std::function<int(const Invocation&)> run;
};

const FlagSpec kJsonFlag{"json", "JSON|@FILE|-",
                         "request message as proto JSON, read from FILE, or "
                         "from stdin; the flags below override its fields"};

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* const flags = new std::vector<FlagSpec>{
      {"target", "HOST:PORT",
       "server address (default: $TRACKTRY_TARGET, else 127.0.0.1:50051)"},
      {"deadline", "DURATION",
       "deadline of each call, e.g. 10s, 500ms, 1m (default 10s)"},
      {"token", "TOKEN",
       "bearer token sent as \"authorization: Bearer TOKEN\" "
       "(default: $TRACKTRY_TOKEN)"},
      {"tls", "", "use TLS with the system root certificates"},
      {"ca-file", "PEM", "use TLS trusting the roots in PEM (implies --tls)"},
      {"help", "", "show help (also: tracktry COMMAND --help)"},
  };
  return *flags;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& specs,
                         const std::string& name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Value parsers. Errors are usage errors (kInvalidArgument).

absl::StatusOr<bool> ParseBool(const std::string& flag,
                               const std::string& value) {
  const std::string v = absl::AsciiStrToLower(value);
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, ": expected true or false, got \"", value, "\""));
}

absl::StatusOr<int32_t> ParseInt32(const std::string& flag,
                                   const std::string& value) {
  int32_t result = 0;
  if (!absl::SimpleAtoi(value, &result)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": expected an integer, got \"", value, "\""));
  }
  return result;
}

absl::StatusOr<absl::Duration> ParseDeadline(const std::string& value) {
  absl::Duration duration;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    duration = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(value, &duration)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--deadline: expected a duration such as 10s or 500ms, got \"", value,
        "\""));
  }
  if (duration <= absl::ZeroDuration() ||
      duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        "--deadline: must be positive and finite");
  }
  return duration;
}

// Lower-case without '-' and '_', so "not-found", "NOT_FOUND" and "notfound"
// compare equal.
std::string NormalizeWord(absl::string_view value) {
  std::string result;
  for (char c : value) {
    if (c != '-' && c != '_') result.push_back(absl::ascii_tolower(c));
  }
  return result;
}

absl::StatusOr<v1::TrackingStatus> ParseTrackingStatus(
    const std::string& flag, const std::string& value) {
  const std::string normalized = NormalizeWord(value);
  const absl::string_view word =
      absl::StripPrefix(normalized, "trackingstatus");
  for (int i = v1::TrackingStatus_MIN + 1; i <= v1::TrackingStatus_MAX; ++i) {
    if (!v1::TrackingStatus_IsValid(i)) continue;
    std::string name(
        v1::TrackingStatus_Name(static_cast<v1::TrackingStatus>(i)));
    if (NormalizeWord(absl::StripPrefix(name, "TRACKING_STATUS_")) == word) {
      return static_cast<v1::TrackingStatus>(i);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, ": unknown status \"", value,
      "\" (pending, notfound, transit, pickup, delivered, undelivered, "
      "exception, expired)"));
}

absl::StatusOr<v1::StatusChange> ParseStatusChange(const std::string& flag,
                                                   const std::string& value) {
  const std::string normalized = NormalizeWord(value);
  const absl::string_view word = absl::StripPrefix(normalized, "statuschange");
  if (word == "delivered") return v1::STATUS_CHANGE_DELIVERED;
  if (word == "exception") return v1::STATUS_CHANGE_EXCEPTION;
  if (word == "revert") return v1::STATUS_CHANGE_REVERT;
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, ": expected delivered, exception or revert, got \"", value,
      "\""));
}

// RFC 3339 ("2024-05-01T10:00:00Z") or a UTC date ("2024-05-01").
absl::Status ParseTimestamp(const std::string& flag, const std::string& value,
                            google::protobuf::Timestamp* timestamp) {
  std::string text = value;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    text += "T00:00:00Z";
  }
  if (!TimeUtil::FromString(text, timestamp)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag,
                     ": expected an RFC 3339 time such as 2024-05-01T10:00:00Z "
                     "or a date such as 2024-05-01, got \"",
                     value, "\""));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Request building.

absl::StatusOr<std::string> ReadJsonArgument(const std::string& value,
                                             const CliEnvironment& env) {
  if (value == "-") {
    std::istream& in = env.in != nullptr ? *env.in : std::cin;
    return std::string(std::istreambuf_iterator<char>(in),
                       std::istreambuf_iterator<char>());
  }
  if (absl::StartsWith(value, "@")) {
    const std::string path = value.substr(1);
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      return absl::InvalidArgumentError(
          absl::StrCat("--json: cannot read file \"", path, "\""));
    }
    return std::string(std::istreambuf_iterator<char>(file),
                       std::istreambuf_iterator<char>());
  }
  return value;
}

absl::Status ApplyJson(const Invocation& inv,
                       google::protobuf::Message& request) {
  std::optional<std::string> value = inv.flags.Get("json");
  if (!value.has_value()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string text, ReadJsonArgument(*value, inv.env));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status =
      google::protobuf::util::JsonStringToMessage(text, &request, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--json: not a valid ", request.GetDescriptor()->full_name(), ": ",
        status.message().ToString()));
  }
  return absl::OkStatus();
}

void SetString(const Flags& flags, const std::string& name,
               std::string* field) {
  if (std::optional<std::string> value = flags.Get(name)) *field = *value;
}

// Convenience flags shared by `create` and `batch-create` items.
const std::vector<FlagSpec>& NewTrackingFlags() {
  static const auto* const flags = new std::vector<FlagSpec>{
      {"carrier", "CODE", "carrier code, e.g. dhl (empty: auto-detect)"},
      {"number", "NUMBER", "tracking number"},
      {"title", "TEXT", "title"},
      {"order-id", "ID", "order id"},
      {"email", "ADDRESS", "customer e-mail for notifications"},
      {"customer-name", "NAME", "customer name"},
      {"phone", "PHONE", "customer phone for SMS notifications"},
      {"destination", "CC", "destination country code (destination_code)"},
      {"logistics-channel", "TEXT", "logistics channel"},
      {"order-create-time", "TIME", "order time as \"YYYY/M/D HH:MM\""},
      {"ship-date", "YYYYMMDD", "ship date (tracking_ship_date)"},
      {"postal-code", "CODE", "receiver postal code"},
      {"account-number", "NUMBER", "account number"},
      {"destination-country", "CC", "tracking_destination_country"},
      {"lang", "LANG", "2-letter language of checkpoints"},
      {"comment", "TEXT", "comment"},
      {"auto-correct", "", "use the carrier code exactly as given"},
  };
  return *flags;
}

absl::Status ApplyCreateFlags(const Flags& flags,
                              v1::CreateTrackingRequest& request) {
  v1::NewTracking& t = *request.mutable_tracking();
  SetString(flags, "carrier", t.mutable_carrier_code());
  SetString(flags, "number", t.mutable_tracking_number());
  SetString(flags, "title", t.mutable_title());
  SetString(flags, "order-id", t.mutable_order_id());
  SetString(flags, "email", t.mutable_customer_email());
  SetString(flags, "customer-name", t.mutable_customer_name());
  SetString(flags, "phone", t.mutable_customer_phone());
  SetString(flags, "destination", t.mutable_destination_code());
  SetString(flags, "logistics-channel", t.mutable_logistics_channel());
  SetString(flags, "order-create-time", t.mutable_order_create_time());
  SetString(flags, "ship-date", t.mutable_tracking_ship_date());
  SetString(flags, "postal-code", t.mutable_tracking_postal_code());
  SetString(flags, "account-number", t.mutable_tracking_account_number());
  SetString(flags, "destination-country",
            t.mutable_tracking_destination_country());
  SetString(flags, "lang", t.mutable_lang());
  SetString(flags, "comment", t.mutable_comment());
  if (std::optional<std::string> value = flags.Get("auto-correct")) {
    ASSIGN_OR_RETURN(bool auto_correct, ParseBool("auto-correct", *value));
    t.set_auto_correct(auto_correct);
  }
  return absl::OkStatus();
}

// --full: TRACKING_VIEW_FULL (the trackings' `raw` too); --full=false:
// BASIC. Without the flag the request's view stays as given (unset = BASIC).
template <typename Request>
absl::Status ApplyViewFlag(const Flags& flags, Request& request) {
  if (std::optional<std::string> value = flags.Get("full")) {
    ASSIGN_OR_RETURN(bool full, ParseBool("full", *value));
    request.set_view(full ? v1::TRACKING_VIEW_FULL : v1::TRACKING_VIEW_BASIC);
  }
  return absl::OkStatus();
}

absl::Status ApplyGetFlags(const Flags& flags,
                           v1::GetTrackingRequest& request) {
  SetString(flags, "carrier", request.mutable_carrier_code());
  SetString(flags, "number", request.mutable_tracking_number());
  SetString(flags, "lang", request.mutable_lang());
  return ApplyViewFlag(flags, request);
}

// The updatable fields of UpdateTrackingRequest.tracking that hold a
// non-default value: what an empty update_mask means server-side.
std::vector<std::string> ImplicitUpdatePaths(const v1::Tracking& t) {
  std::vector<std::string> paths;
  if (!t.title().empty()) paths.push_back("title");
  if (!t.logistics_channel().empty()) paths.push_back("logistics_channel");
  if (!t.customer_name().empty()) paths.push_back("customer_name");
  if (t.customer_emails_size() > 0) paths.push_back("customer_emails");
  if (!t.customer_phone().empty()) paths.push_back("customer_phone");
  if (!t.order_id().empty()) paths.push_back("order_id");
  if (!t.destination_code().empty()) paths.push_back("destination_code");
  if (t.archived()) paths.push_back("archived");
  return paths;
}

void AddPath(google::protobuf::FieldMask& mask, const std::string& path) {
  for (const std::string& existing : mask.paths()) {
    if (existing == path) return;
  }
  mask.add_paths(path);
}

absl::Status ApplyUpdateFlags(const Flags& flags,
                              v1::UpdateTrackingRequest& request) {
  SetString(flags, "carrier", request.mutable_carrier_code());
  SetString(flags, "number", request.mutable_tracking_number());
  // Field flags name their field in update_mask explicitly, so that values
  // equal to the default (--archived false, --title "") are still sent. An
  // empty mask from --json is first made explicit so its fields survive.
  struct StringField {
    const char* flag;
    const char* path;
    std::string* (v1::Tracking::*mutable_field)();
  };
  static const StringField kStringFields[] = {
      {"title", "title", &v1::Tracking::mutable_title},
      {"logistics-channel", "logistics_channel",
       &v1::Tracking::mutable_logistics_channel},
      {"customer-name", "customer_name", &v1::Tracking::mutable_customer_name},
      {"phone", "customer_phone", &v1::Tracking::mutable_customer_phone},
      {"order-id", "order_id", &v1::Tracking::mutable_order_id},
      {"destination", "destination_code",
       &v1::Tracking::mutable_destination_code},
  };
  bool any_field_flag = flags.Has("email") || flags.Has("archived");
  for (const StringField& field : kStringFields) {
    any_field_flag = any_field_flag || flags.Has(field.flag);
  }
  google::protobuf::FieldMask& mask = *request.mutable_update_mask();
  v1::Tracking& tracking = *request.mutable_tracking();
  if (any_field_flag && mask.paths().empty()) {
    for (const std::string& path : ImplicitUpdatePaths(tracking)) {
      mask.add_paths(path);
    }
  }
  for (const StringField& field : kStringFields) {
    if (std::optional<std::string> value = flags.Get(field.flag)) {
      *(tracking.*field.mutable_field)() = *value;
      AddPath(mask, field.path);
    }
  }
  if (std::optional<std::string> value = flags.Get("email")) {
    tracking.clear_customer_emails();
    if (!value->empty()) tracking.add_customer_emails(*value);
    AddPath(mask, "customer_emails");
  }
  if (std::optional<std::string> value = flags.Get("archived")) {
    ASSIGN_OR_RETURN(bool archived, ParseBool("archived", *value));
    tracking.set_archived(archived);
    AddPath(mask, "archived");
  }
  if (std::optional<std::string> value = flags.Get("update-mask")) {
    mask.clear_paths();
    for (absl::string_view path :
         absl::StrSplit(*value, ',', absl::SkipWhitespace())) {
      mask.add_paths(std::string(absl::StripAsciiWhitespace(path)));
    }
  }
  if (std::optional<std::string> value = flags.Get("status-change")) {
    ASSIGN_OR_RETURN(v1::StatusChange change,
                     ParseStatusChange("status-change", *value));
    request.set_status_change(change);
  }
  if (!request.has_tracking() || request.tracking().ByteSizeLong() == 0) {
    request.clear_tracking();
  }
  if (request.update_mask().paths().empty()) request.clear_update_mask();
  return absl::OkStatus();
}

absl::Status ApplyDeleteFlags(const Flags& flags,
                              v1::DeleteTrackingRequest& request) {
  SetString(flags, "carrier", request.mutable_carrier_code());
  SetString(flags, "number", request.mutable_tracking_number());
  return absl::OkStatus();
}

absl::Status ApplyBatchCreateFlags(const Flags& flags,
                                   v1::BatchCreateTrackingsRequest& request) {
  for (const std::string& item : flags.GetAll("item")) {
    v1::NewTracking* tracking = request.add_trackings();
    std::pair<std::string, std::string> parts =
        absl::StrSplit(item, absl::MaxSplits(':', 1));
    if (item.find(':') == std::string::npos) {
      tracking->set_tracking_number(item);
    } else {
      tracking->set_carrier_code(parts.first);
      tracking->set_tracking_number(parts.second);
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyListFlags(const Flags& flags,
                            v1::ListTrackingsRequest& request) {
  if (std::optional<std::string> value = flags.Get("status")) {
    ASSIGN_OR_RETURN(v1::TrackingStatus status,
                     ParseTrackingStatus("status", *value));
    request.set_status(status);
  }
  if (std::optional<std::string> value = flags.Get("page-size")) {
    ASSIGN_OR_RETURN(int32_t page_size, ParseInt32("page-size", *value));
    request.set_page_size(page_size);
  }
  SetString(flags, "page-token", request.mutable_page_token());
  SetString(flags, "lang", request.mutable_lang());
  for (const std::string& number : flags.GetAll("number")) {
    request.add_tracking_numbers(number);
  }
  for (const std::string& order_id : flags.GetAll("order-id")) {
    request.add_order_ids(order_id);
  }
  if (std::optional<std::string> value = flags.Get("archived")) {
    ASSIGN_OR_RETURN(bool archived, ParseBool("archived", *value));
    request.set_archived(archived);
  }
  RETURN_IF_ERROR(ApplyViewFlag(flags, request));
  struct TimeFlag {
    const char* flag;
    google::protobuf::Timestamp* (v1::ListTrackingsRequest::*mutable_field)();
  };
  const TimeFlag kTimeFlags[] = {
      {"created-after", &v1::ListTrackingsRequest::mutable_create_time_min},
      {"created-before", &v1::ListTrackingsRequest::mutable_create_time_max},
      {"updated-after", &v1::ListTrackingsRequest::mutable_update_time_min},
      {"updated-before", &v1::ListTrackingsRequest::mutable_update_time_max},
  };
  for (const TimeFlag& time_flag : kTimeFlags) {
    if (std::optional<std::string> value = flags.Get(time_flag.flag)) {
      RETURN_IF_ERROR(ParseTimestamp(time_flag.flag, *value,
                                     (request.*time_flag.mutable_field)()));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyRealtimeFlags(const Flags& flags,
                                v1::GetRealtimeTrackingRequest& request) {
  SetString(flags, "carrier", request.mutable_carrier_code());
  SetString(flags, "number", request.mutable_tracking_number());
  SetString(flags, "lang", request.mutable_lang());
  SetString(flags, "destination", request.mutable_destination_code());
  SetString(flags, "ship-date", request.mutable_tracking_ship_date());
  SetString(flags, "postal-code", request.mutable_tracking_postal_code());
  SetString(flags, "account-number", request.mutable_tracking_account_number());
  SetString(flags, "destination-country",
            request.mutable_tracking_destination_country());
  SetString(flags, "order-create-time", request.mutable_order_create_time());
  return ApplyViewFlag(flags, request);
}

absl::Status ApplyCarriersFlags(const Flags& flags,
                                v1::ListCarriersRequest& request) {
  return absl::OkStatus();
}

absl::Status ApplyDetectFlags(const Flags& flags,
                              v1::DetectCarrierRequest& request) {
  SetString(flags, "number", request.mutable_tracking_number());
  SetString(flags, "carrier", request.mutable_carrier_code());
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Output.

std::string UsageLine(const std::string& command) {
  if (command.empty()) {
    return "usage: tracktry [global flags] <command> [flags]  "
           "(run \"tracktry --help\")";
  }
  return absl::StrCat("usage: tracktry [global flags] ", command,
                      " [flags]  (run \"tracktry ", command, " --help\")");
}

int UsageFailure(std::ostream& err, const std::string& command,
                 const absl::Status& status) {
  err << "tracktry: " << status.message() << "\n" << UsageLine(command) << "\n";
  return kCliUsageExitCode;
}

std::string FormatProtoDuration(absl::Duration duration) {
  google::protobuf::Duration proto;
  const int64_t nanos = absl::ToInt64Nanoseconds(duration);
  proto.set_seconds(nanos / 1000000000);
  proto.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return TimeUtil::ToString(proto);
}

// Prints `status` as one JSON object and returns its code as exit status.
int RpcFailure(std::ostream& err, const absl::Status& status) {
  nlohmann::ordered_json error;
  error["code"] = absl::StatusCodeToString(status.code());
  error["message"] = std::string(status.message());
  if (std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status)) {
    error["reason"] = info->reason();
    error["domain"] = info->domain();
    // google::protobuf::Map iterates in no particular order; sort it.
    std::map<std::string, std::string> metadata(info->metadata().begin(),
                                                info->metadata().end());
    if (!metadata.empty()) error["metadata"] = metadata;
  }
  if (std::optional<absl::Duration> delay = GetRetryDelay(status)) {
    error["retryDelay"] = FormatProtoDuration(*delay);
  }
  if (std::optional<google::rpc::BadRequest> bad = GetBadRequest(status)) {
    nlohmann::ordered_json violations = nlohmann::ordered_json::array();
    for (const auto& violation : bad->field_violations()) {
      violations.push_back({{"field", violation.field()},
                            {"description", violation.description()}});
    }
    error["fieldViolations"] = std::move(violations);
  }
  err << error.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
      << "\n";
  const int code = static_cast<int>(status.code());
  return code == 0 ? static_cast<int>(absl::StatusCode::kUnknown) : code;
}

int PrintResponse(const google::protobuf::Message& response, std::ostream& out,
                  std::ostream& err) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(response, &json, options);
  if (!status.ok()) {
    return RpcFailure(err, absl::InternalError(absl::StrCat(
                               "cannot print the response as JSON: ",
                               status.message().ToString())));
  }
  out << json;
  if (json.empty() || json.back() != '\n') out << "\n";
  return 0;
}

// ---------------------------------------------------------------------------
// Commands.

template <typename Request, typename Response>
using ClientMethod = absl::StatusOr<Response> (TrackingClient::*)(
    const Request&, const TrackingCallOptions&) const;

template <typename Request>
using FlagApplier = absl::Status (*)(const Flags&, Request&);

template <typename Request>
absl::Status BuildRequest(const Invocation& inv, FlagApplier<Request> apply,
                          Request& request) {
  RETURN_IF_ERROR(ApplyJson(inv, request));
  return apply(inv.flags, request);
}

absl::StatusOr<std::unique_ptr<TrackingClient>> MakeClient(
    const Invocation& inv) {
  return TrackingClient::Create(inv.client_options);
}

template <typename Request, typename Response>
std::function<int(const Invocation&)> UnaryRunner(
    FlagApplier<Request> apply, ClientMethod<Request, Response> method) {
  return [apply, method](const Invocation& inv) {
    Request request;
    absl::Status built = BuildRequest(inv, apply, request);
    if (!built.ok()) return UsageFailure(inv.err, inv.command, built);
    absl::StatusOr<std::unique_ptr<TrackingClient>> client = MakeClient(inv);
    if (!client.ok())
      return UsageFailure(inv.err, inv.command, client.status());
    absl::StatusOr<Response> response = ((**client).*method)(request, {});
    if (!response.ok()) return RpcFailure(inv.err, response.status());
    return PrintResponse(*response, inv.out, inv.err);
  };
}

int RunList(const Invocation& inv) {
  v1::ListTrackingsRequest request;
  absl::Status built =
      BuildRequest<v1::ListTrackingsRequest>(inv, &ApplyListFlags, request);
  bool all = false;
  if (built.ok()) {
    if (std::optional<std::string> value = inv.flags.Get("all")) {
      absl::StatusOr<bool> parsed = ParseBool("all", *value);
      if (parsed.ok()) all = *parsed;
      built = parsed.status();
    }
  }
  if (!built.ok()) return UsageFailure(inv.err, inv.command, built);
  absl::StatusOr<std::unique_ptr<TrackingClient>> client = MakeClient(inv);
  if (!client.ok()) return UsageFailure(inv.err, inv.command, client.status());
  if (!all) {
    absl::StatusOr<v1::ListTrackingsResponse> response =
        (*client)->ListTrackings(request);
    if (!response.ok()) return RpcFailure(inv.err, response.status());
    return PrintResponse(*response, inv.out, inv.err);
  }
  v1::ListTrackingsResponse merged;
  bool first_page = true;
  absl::Status status = (*client)->ListAllTrackings(
      request, [&](const v1::ListTrackingsResponse& page) {
        if (first_page) merged.set_total_size(page.total_size());
        first_page = false;
        merged.mutable_trackings()->MergeFrom(page.trackings());
        return absl::OkStatus();
      });
  if (!status.ok()) return RpcFailure(inv.err, status);
  return PrintResponse(merged, inv.out, inv.err);
}

const std::vector<Command>& Commands() {
  static const auto* const commands = [] {
    auto* list = new std::vector<Command>;
    list->push_back(
        {"create", "Register a parcel for tracking (CreateTracking).",
         NewTrackingFlags(),
         UnaryRunner<v1::CreateTrackingRequest, v1::CreateTrackingResponse>(
             &ApplyCreateFlags, &TrackingClient::CreateTracking)});
    list->push_back(
        {"get",
         "Show a stored tracking with its checkpoints (GetTracking).",
         {{"carrier", "CODE", "carrier code, e.g. dhl"},
          {"number", "NUMBER", "tracking number"},
          {"lang", "LANG", "2-letter language of checkpoints"},
          {"full", "",
           "also return raw, the upstream object as sent (view FULL)"}},
         UnaryRunner<v1::GetTrackingRequest, v1::GetTrackingResponse>(
             &ApplyGetFlags, &TrackingClient::GetTracking)});
    list->push_back(
        {"update",
         "Update a tracking's fields, archive flag or status "
         "(UpdateTracking). Each field flag is added to update_mask.",
         {{"carrier", "CODE", "carrier code of the tracking"},
          {"number", "NUMBER", "tracking number of the tracking"},
          {"title", "TEXT", "new title"},
          {"order-id", "ID", "new order id"},
          {"email", "ADDRESS", "new customer e-mail (\"\" clears it)"},
          {"customer-name", "NAME", "new customer name"},
          {"phone", "PHONE", "new customer phone"},
          {"destination", "CC", "new destination country code"},
          {"logistics-channel", "TEXT", "new logistics channel"},
          {"archived", "true|false", "archive or unarchive"},
          {"status-change", "delivered|exception|revert",
           "manual status change"},
          {"update-mask", "PATHS",
           "comma-separated update_mask paths (replaces the computed mask)"}},
         UnaryRunner<v1::UpdateTrackingRequest, v1::UpdateTrackingResponse>(
             &ApplyUpdateFlags, &TrackingClient::UpdateTracking)});
    list->push_back(
        {"delete",
         "Delete a tracking (DeleteTracking).",
         {{"carrier", "CODE", "carrier code"},
          {"number", "NUMBER", "tracking number"}},
         UnaryRunner<v1::DeleteTrackingRequest, v1::DeleteTrackingResponse>(
             &ApplyDeleteFlags, &TrackingClient::DeleteTracking)});
    list->push_back(
        {"batch-create",
         "Create many trackings (BatchCreateTrackings). Exits 0 even when "
         "some items failed: check failed_count and each results[].status.",
         {{"item", "[CARRIER:]NUMBER",
           "add one tracking to `trackings` (repeatable)", true}},
         UnaryRunner<v1::BatchCreateTrackingsRequest,
                     v1::BatchCreateTrackingsResponse>(
             &ApplyBatchCreateFlags, &TrackingClient::BatchCreateTrackings)});
    list->push_back(
        {"list",
         "List trackings with filters and paging (ListTrackings).",
         {{"status", "STATUS",
           "only this status: pending, notfound, transit, pickup, delivered, "
           "undelivered, exception, expired"},
          {"page-size", "N", "page size (server default 100)"},
          {"page-token", "TOKEN", "next_page_token of a previous page"},
          {"all", "",
           "follow next_page_token and print every tracking in one "
           "response (no next_page_token)"},
          {"number", "NUMBER", "only this tracking number (repeatable)", true},
          {"order-id", "ID", "only this order id (repeatable)", true},
          {"archived", "true|false", "only archived / unarchived trackings"},
          {"lang", "LANG", "2-letter language of checkpoints"},
          {"created-after", "TIME", "create_time_min (RFC 3339 or date)"},
          {"created-before", "TIME", "create_time_max (RFC 3339 or date)"},
          {"updated-after", "TIME", "update_time_min (RFC 3339 or date)"},
          {"updated-before", "TIME", "update_time_max (RFC 3339 or date)"},
          {"full", "",
           "also return raw, the upstream object as sent (view FULL)"}},
         &RunList});
    list->push_back(
        {"realtime",
         "Query the carrier live for one parcel (GetRealtimeTracking).",
         {{"carrier", "CODE", "carrier code"},
          {"number", "NUMBER", "tracking number"},
          {"lang", "LANG", "2-letter language"},
          {"destination", "CC", "destination country code"},
          {"ship-date", "YYYYMMDD", "ship date"},
          {"postal-code", "CODE", "receiver postal code"},
          {"account-number", "NUMBER", "account number"},
          {"destination-country", "CC", "tracking_destination_country"},
          {"order-create-time", "TIME", "order time as \"YYYY/M/D HH:MM\""},
          {"full", "",
           "also return raw, the upstream object as sent (view FULL)"}},
         UnaryRunner<v1::GetRealtimeTrackingRequest,
                     v1::GetRealtimeTrackingResponse>(
             &ApplyRealtimeFlags, &TrackingClient::GetRealtimeTracking)});
    list->push_back(
        {"carriers",
         "List every supported carrier (ListCarriers).",
         {},
         UnaryRunner<v1::ListCarriersRequest, v1::ListCarriersResponse>(
             &ApplyCarriersFlags, &TrackingClient::ListCarriers)});
    list->push_back(
        {"detect",
         "Guess the carrier of a tracking number (DetectCarrier).",
         {{"number", "NUMBER", "tracking number"},
          {"carrier", "CODE", "preferred carrier, moved first if detected"}},
         UnaryRunner<v1::DetectCarrierRequest, v1::DetectCarrierResponse>(
             &ApplyDetectFlags, &TrackingClient::DetectCarrier)});
    return list;
  }();
  return *commands;
}

const Command* FindCommand(const std::string& name) {
  for (const Command& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

void PrintFlagList(std::ostream& out, const std::vector<FlagSpec>& flags) {
  for (const FlagSpec& flag : flags) {
    std::string left = absl::StrCat("  --", flag.name);
    if (!flag.value_name.empty()) absl::StrAppend(&left, " ", flag.value_name);
    if (left.size() < 30) {
      left.resize(30, ' ');
      out << left << flag.help << "\n";
    } else {
      out << left << "\n" << std::string(30, ' ') << flag.help << "\n";
    }
  }
}

void PrintGlobalHelp(std::ostream& out) {
  out << "usage: tracktry [global flags] <command> [flags]\n\n"
         "Calls tracktry.v1.TrackingService and prints the response as JSON "
         "(proto field names).\n\nCommands:\n";
  for (const Command& command : Commands()) {
    std::string name = absl::StrCat("  ", command.name);
    name.resize(16, ' ');
    // The first sentence only; `tracktry COMMAND --help` shows the rest.
    const std::string summary = command.summary;
    const size_t end = summary.find(". ");
    out << name
        << (end == std::string::npos ? summary : summary.substr(0, end + 1))
        << "\n";
  }
  out << "\nGlobal flags (before or after the command):\n";
  PrintFlagList(out, GlobalFlags());
  out << "\nEvery command accepts --json JSON|@FILE|- (the request message as "
         "proto JSON;\nits flags override the fields) and --help.\n\n"
         "Exit status:\n"
         "  0      success\n"
         "  1..16  the call failed; the value is the gRPC status code "
         "(5 NOT_FOUND,\n"
         "         14 UNAVAILABLE, ...) and stderr holds a JSON object:\n"
         "         {\"code\":\"NOT_FOUND\",\"message\":...,\"reason\":...,"
         "\"domain\":...,\n"
         "          \"metadata\":{...},\"retryDelay\":\"120s\","
         "\"fieldViolations\":[...]}\n"
         "  64     usage error (unknown command or flag, bad flag value, "
         "unreadable\n"
         "         or invalid --json); stderr holds a message and a "
         "\"usage:\" line\n\n"
         "Environment: TRACKTRY_TARGET (default --target), TRACKTRY_TOKEN "
         "(default --token).\n";
}

void PrintCommandHelp(std::ostream& out, const Command& command) {
  out << "usage: tracktry [global flags] " << command.name << " [flags]\n\n"
      << command.summary << "\n\nFlags:\n";
  std::vector<FlagSpec> flags = {kJsonFlag};
  flags.insert(flags.end(), command.flags.begin(), command.flags.end());
  PrintFlagList(out, flags);
  out << "\nRun \"tracktry --help\" for global flags and exit codes.\n";
}

// ---------------------------------------------------------------------------
// Argument parsing.

struct ParsedArgs {
  const Command* command = nullptr;
  Flags global;
  Flags command_flags;
};

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     std::string& command_name) {
  ParsedArgs parsed;
  std::vector<FlagSpec> command_specs;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h") arg = "--help";
    if (!absl::StartsWith(arg, "--") || arg == "--") {
      if (parsed.command != nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument \"", arg, "\""));
      }
      parsed.command = FindCommand(arg);
      if (parsed.command == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown command \"", arg, "\""));
      }
      command_name = arg;
      command_specs = {kJsonFlag};
      command_specs.insert(command_specs.end(), parsed.command->flags.begin(),
                           parsed.command->flags.end());
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    Flags* target = &parsed.command_flags;
    const FlagSpec* spec = FindFlag(command_specs, name);
    if (spec == nullptr) {
      spec = FindFlag(GlobalFlags(), name);
      target = &parsed.global;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          parsed.command == nullptr
              ? absl::StrCat("unknown flag --", name)
              : absl::StrCat("unknown flag --", name, " for command ",
                             parsed.command->name));
    }
    if (spec->value_name.empty()) {
      if (value.has_value()) {
        ASSIGN_OR_RETURN(bool flag_value, ParseBool(name, *value));
        value = flag_value ? "true" : "false";
      } else {
        value = "true";
      }
    } else if (!value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "flag --", name, " needs a value (", spec->value_name, ")"));
      }
      value = args[++i];
    }
    std::vector<std::string>& values = target->values[name];
    if (!spec->repeatable) values.clear();
    values.push_back(*value);
  }
  return parsed;
}

std::optional<std::string> LookupEnv(const CliEnvironment& env,
                                     const std::string& name) {
  std::optional<std::string> value;
  if (env.get_env) {
    value = env.get_env(name);
  } else if (const char* raw = std::getenv(name.c_str())) {
    value = std::string(raw);
  }
  if (value.has_value() && value->empty()) value.reset();
  return value;
}

absl::StatusOr<TrackingClient::Options> BuildClientOptions(
    const Flags& global, const CliEnvironment& env) {
  TrackingClient::Options options;
  if (std::optional<std::string> target = global.Get("target")) {
    options.target = *target;
  } else {
    options.target = LookupEnv(env, "TRACKTRY_TARGET").value_or(kDefaultTarget);
  }
  if (options.target.empty()) {
    return absl::InvalidArgumentError("--target: must not be empty");
  }
  if (std::optional<std::string> deadline = global.Get("deadline")) {
    ASSIGN_OR_RETURN(options.default_deadline, ParseDeadline(*deadline));
  }
  if (std::optional<std::string> token = global.Get("token")) {
    options.bearer_token = *token;
  } else {
    options.bearer_token = LookupEnv(env, "TRACKTRY_TOKEN").value_or("");
  }
  std::optional<std::string> ca_file = global.Get("ca-file");
  if (global.Get("tls").value_or("false") == "true" || ca_file.has_value()) {
    grpc::SslCredentialsOptions ssl;
    if (ca_file.has_value()) {
      std::ifstream file(*ca_file, std::ios::binary);
      if (!file) {
        return absl::InvalidArgumentError(
            absl::StrCat("--ca-file: cannot read \"", *ca_file, "\""));
      }
      ssl.pem_root_certs.assign(std::istreambuf_iterator<char>(file),
                                std::istreambuf_iterator<char>());
    }
    options.credentials = grpc::SslCredentials(ssl);
  }
  return options;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  return RunCli(args, CliEnvironment(), out, err);
}

int RunCli(const std::vector<std::string>& args, const CliEnvironment& env,
           std::ostream& out, std::ostream& err) {
  std::string command_name;
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, command_name);
  if (!parsed.ok()) return UsageFailure(err, command_name, parsed.status());
  if (parsed->global.Get("help").value_or("false") == "true") {
    if (parsed->command != nullptr) {
      PrintCommandHelp(out, *parsed->command);
    } else {
      PrintGlobalHelp(out);
    }
    return 0;
  }
  if (parsed->command == nullptr) {
    return UsageFailure(err, "", absl::InvalidArgumentError("missing command"));
  }
  absl::StatusOr<TrackingClient::Options> options =
      BuildClientOptions(parsed->global, env);
  if (!options.ok()) return UsageFailure(err, command_name, options.status());
  Invocation invocation{command_name, parsed->command_flags, env, *options, out,
                        err};
  return parsed->command->run(invocation);
}

}  // namespace tracktry
