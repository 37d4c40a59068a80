// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/fake_tracking_service.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/error_details.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace tracktry::testing {
namespace {

constexpr int kDefaultPageSize = 100;

absl::Status NotFound(const std::string& carrier_code,
                      const std::string& number) {
  return MakeError(
      absl::StatusCode::kNotFound,
      absl::StrCat("tracking ", carrier_code, "/", number, " does not exist"),
      "TRACKING_NOT_FOUND", {{"metaCode", "4017"}});
}

absl::Status RequireIdentity(const std::string& carrier_code,
                             const std::string& number) {
  if (carrier_code.empty()) {
    return InvalidFieldError("carrier_code", "is required");
  }
  if (number.empty()) {
    return InvalidFieldError("tracking_number", "is required");
  }
  return absl::OkStatus();
}

bool AllDigits(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(c);
  });
}

std::vector<v1::Carrier> AllCarriers() {
  std::vector<v1::Carrier> carriers(4);
  carriers[0].set_code("dhl");
  carriers[0].set_name("DHL");
  carriers[0].set_type("express");
  carriers[1].set_code("ups");
  carriers[1].set_name("UPS");
  carriers[1].set_type("express");
  carriers[2].set_code("4px");
  carriers[2].set_name("4PX");
  carriers[2].set_type("express");
  carriers[3].set_code("china-post");
  carriers[3].set_name("China Post");
  carriers[3].set_type("globalpost");
  carriers[3].set_name_cn("中国邮政");
  return carriers;
}

// Candidate carriers of `number`, most likely first.
std::vector<std::string> Detect(const std::string& number) {
  if (absl::StartsWith(number, "1Z")) return {"ups"};
  if (AllDigits(number)) return {"dhl", "china-post"};
  if (absl::EndsWith(number, "CN")) return {"china-post"};
  return {};
}

absl::Status NotDetected(const std::string& number) {
  return MakeError(absl::StatusCode::kFailedPrecondition,
                   absl::StrCat("no carrier matches ", number),
                   "CARRIER_NOT_DETECTED", {{"metaCode", "4032"}});
}

void SetStatus(v1::Tracking& tracking, v1::TrackingStatus status) {
  tracking.set_status(status);
  const std::string lower =
      absl::AsciiStrToLower(v1::TrackingStatus_Name(status));
  std::string raw(absl::StripPrefix(lower, "tracking_status_"));
  raw.erase(std::remove(raw.begin(), raw.end(), '_'), raw.end());
  tracking.set_raw_status(raw);
}

bool Matches(const v1::ListTrackingsRequest& request,
             const v1::Tracking& tracking) {
  if (request.status() != v1::TRACKING_STATUS_UNSPECIFIED &&
      tracking.status() != request.status()) {
    return false;
  }
  if (request.has_archived() && tracking.archived() != request.archived()) {
    return false;
  }
  if (request.tracking_numbers_size() > 0 &&
      std::find(request.tracking_numbers().begin(),
                request.tracking_numbers().end(), tracking.tracking_number()) ==
          request.tracking_numbers().end()) {
    return false;
  }
  if (request.order_ids_size() > 0 &&
      std::find(request.order_ids().begin(), request.order_ids().end(),
                tracking.order_id()) == request.order_ids().end()) {
    return false;
  }
  return true;
}

}  // namespace

grpc::Status ToGrpcStatusWithDetails(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status proto;
  proto.set_code(static_cast<int>(status.code()));
  proto.set_message(std::string(status.message()));
  status.ForEachPayload(
      [&proto](absl::string_view type_url, const absl::Cord& payload) {
        google::protobuf::Any* any = proto.add_details();
        any->set_type_url(std::string(type_url));
        any->set_value(std::string(payload));
      });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()), proto.SerializeAsString());
}

FakeTrackingService::~FakeTrackingService() {
  CancelDelays();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(delayed_replies_);
  }
  for (std::thread& thread : threads) thread.join();
}

void FakeTrackingService::SetNextError(const absl::Status& status, int times) {
  SetNextGrpcError(ToGrpcStatusWithDetails(status), times);
}

void FakeTrackingService::SetNextGrpcError(const grpc::Status& status,
                                           int times) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < times; ++i) scripted_errors_.push_back(status);
}

void FakeTrackingService::SetResponseDelay(absl::Duration delay) {
  std::lock_guard<std::mutex> lock(mu_);
  delay_ = delay;
}

void FakeTrackingService::CancelDelays() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    delays_cancelled_ = true;
  }
  delay_cv_.notify_all();
}

void FakeTrackingService::AddTracking(const v1::Tracking& tracking) {
  std::lock_guard<std::mutex> lock(mu_);
  trackings_[{tracking.carrier_code(), tracking.tracking_number()}] = tracking;
}

std::optional<v1::Tracking> FakeTrackingService::FindTracking(
    absl::string_view carrier_code, absl::string_view number) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = trackings_.find({std::string(carrier_code), std::string(number)});
  if (it == trackings_.end()) return std::nullopt;
  return it->second;
}

std::vector<RecordedCall> FakeTrackingService::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

int FakeTrackingService::CallCount(absl::string_view method) const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(std::count_if(
      calls_.begin(), calls_.end(),
      [method](const RecordedCall& call) { return call.method == method; }));
}

std::optional<RecordedCall> FakeTrackingService::LastCall() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (calls_.empty()) return std::nullopt;
  return calls_.back();
}

std::optional<grpc::Status> FakeTrackingService::Record(
    grpc::CallbackServerContext* context, absl::string_view method,
    const google::protobuf::Message& request) {
  RecordedCall call;
  call.method = std::string(method);
  std::shared_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  call.request = std::move(copy);
  for (const auto& [key, value] : context->client_metadata()) {
    call.metadata.emplace(std::string(key.data(), key.size()),
                          std::string(value.data(), value.size()));
  }
  call.deadline = context->deadline();
  call.received = std::chrono::system_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(std::move(call));
  if (scripted_errors_.empty()) return std::nullopt;
  grpc::Status error = scripted_errors_.front();
  scripted_errors_.pop_front();
  return error;
}

grpc::ServerUnaryReactor* FakeTrackingService::Finish(
    grpc::CallbackServerContext* context, grpc::Status status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::unique_lock<std::mutex> lock(mu_);
  if (delay_ <= absl::ZeroDuration() || delays_cancelled_) {
    lock.unlock();
    reactor->Finish(std::move(status));
    return reactor;
  }
  const auto wake_at =
      std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(delay_);
  delayed_replies_.emplace_back([this, reactor, status, wake_at] {
    {
      std::unique_lock<std::mutex> lock(mu_);
      delay_cv_.wait_until(lock, wake_at, [this] { return delays_cancelled_; });
    }
    reactor->Finish(status);
  });
  return reactor;
}

grpc::ServerUnaryReactor* FakeTrackingService::Finish(
    grpc::CallbackServerContext* context, const absl::Status& status) {
  return Finish(context, ToGrpcStatusWithDetails(status));
}

absl::Status FakeTrackingService::FindLocked(const std::string& carrier_code,
                                             const std::string& number,
                                             v1::Tracking** found) {
  if (absl::Status status = RequireIdentity(carrier_code, number);
      !status.ok()) {
    return status;
  }
  auto it = trackings_.find({carrier_code, number});
  if (it == trackings_.end()) return NotFound(carrier_code, number);
  *found = &it->second;
  return absl::OkStatus();
}

absl::Status FakeTrackingService::CreateLocked(const v1::NewTracking& input,
                                               v1::Tracking* created) {
  if (input.tracking_number().empty()) {
    return InvalidFieldError("tracking.tracking_number", "is required");
  }
  std::string carrier = input.carrier_code();
  if (carrier.empty()) {
    std::vector<std::string> candidates = Detect(input.tracking_number());
    if (candidates.empty()) return NotDetected(input.tracking_number());
    carrier = candidates.front();
  }
  const Key key{carrier, input.tracking_number()};
  if (trackings_.count(key) > 0) {
    return MakeError(absl::StatusCode::kAlreadyExists,
                     absl::StrCat("tracking ", carrier, "/",
                                  input.tracking_number(), " already exists"),
                     "TRACKING_ALREADY_EXISTS", {{"metaCode", "4016"}});
  }
  v1::Tracking tracking;
  char id[33];
  std::snprintf(id, sizeof(id), "%032x", next_id_++);
  tracking.set_id(id);
  tracking.set_tracking_number(input.tracking_number());
  tracking.set_carrier_code(carrier);
  SetStatus(tracking, v1::TRACKING_STATUS_PENDING);
  *tracking.mutable_create_time() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  tracking.set_destination_code(input.destination_code());
  tracking.set_title(input.title());
  tracking.set_logistics_channel(input.logistics_channel());
  tracking.set_customer_name(input.customer_name());
  if (!input.customer_email().empty()) {
    tracking.add_customer_emails(input.customer_email());
  }
  tracking.set_customer_phone(input.customer_phone());
  tracking.set_order_id(input.order_id());
  tracking.set_order_create_time(input.order_create_time());
  tracking.set_comment(input.comment());
  trackings_[key] = tracking;
  *created = std::move(tracking);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* FakeTrackingService::CreateTracking(
    grpc::CallbackServerContext* context,
    const v1::CreateTrackingRequest* request,
    v1::CreateTrackingResponse* response) {
  if (auto error = Record(context, "CreateTracking", *request)) {
    return Finish(context, *error);
  }
  std::unique_lock<std::mutex> lock(mu_);
  absl::Status status =
      CreateLocked(request->tracking(), response->mutable_tracking());
  lock.unlock();
  return Finish(context, status);
}

grpc::ServerUnaryReactor* FakeTrackingService::GetTracking(
    grpc::CallbackServerContext* context, const v1::GetTrackingRequest* request,
    v1::GetTrackingResponse* response) {
  if (auto error = Record(context, "GetTracking", *request)) {
    return Finish(context, *error);
  }
  std::unique_lock<std::mutex> lock(mu_);
  v1::Tracking* found = nullptr;
  absl::Status status =
      FindLocked(request->carrier_code(), request->tracking_number(), &found);
  if (status.ok()) *response->mutable_tracking() = *found;
  lock.unlock();
  return Finish(context, status);
}

grpc::ServerUnaryReactor* FakeTrackingService::UpdateTracking(
    grpc::CallbackServerContext* context,
    const v1::UpdateTrackingRequest* request,
    v1::UpdateTrackingResponse* response) {
  if (auto error = Record(context, "UpdateTracking", *request)) {
    return Finish(context, *error);
  }
  std::unique_lock<std::mutex> lock(mu_);
  v1::Tracking* found = nullptr;
  absl::Status status =
      FindLocked(request->carrier_code(), request->tracking_number(), &found);
  if (status.ok()) {
    const v1::Tracking& in = request->tracking();
    std::vector<std::string> paths(request->update_mask().paths().begin(),
                                   request->update_mask().paths().end());
    if (paths.empty()) {
      if (!in.title().empty()) paths.push_back("title");
      if (!in.logistics_channel().empty()) paths.push_back("logistics_channel");
      if (!in.customer_name().empty()) paths.push_back("customer_name");
      if (in.customer_emails_size() > 0) paths.push_back("customer_emails");
      if (!in.customer_phone().empty()) paths.push_back("customer_phone");
      if (!in.order_id().empty()) paths.push_back("order_id");
      if (!in.destination_code().empty()) paths.push_back("destination_code");
      if (in.archived()) paths.push_back("archived");
    }
    v1::Tracking updated = *found;
    for (const std::string& path : paths) {
      if (path == "title") {
        updated.set_title(in.title());
      } else if (path == "logistics_channel") {
        updated.set_logistics_channel(in.logistics_channel());
      } else if (path == "customer_name") {
        updated.set_customer_name(in.customer_name());
      } else if (path == "customer_emails") {
        *updated.mutable_customer_emails() = in.customer_emails();
      } else if (path == "customer_phone") {
        updated.set_customer_phone(in.customer_phone());
      } else if (path == "order_id") {
        updated.set_order_id(in.order_id());
      } else if (path == "destination_code") {
        updated.set_destination_code(in.destination_code());
      } else if (path == "archived") {
        updated.set_archived(in.archived());
      } else {
        status = InvalidFieldError(
            "update_mask", absl::StrCat("cannot update \"", path, "\""));
        break;
      }
    }
    switch (request->status_change()) {
      case v1::STATUS_CHANGE_DELIVERED:
        SetStatus(updated, v1::TRACKING_STATUS_DELIVERED);
        break;
      case v1::STATUS_CHANGE_EXCEPTION:
        SetStatus(updated, v1::TRACKING_STATUS_EXCEPTION);
        break;
      case v1::STATUS_CHANGE_REVERT:
        SetStatus(updated, v1::TRACKING_STATUS_TRANSIT);
        break;
      default:
        break;
    }
    if (status.ok()) {
      *found = updated;
      *response->mutable_tracking() = updated;
    }
  }
  lock.unlock();
  return Finish(context, status);
}

grpc::ServerUnaryReactor* FakeTrackingService::DeleteTracking(
    grpc::CallbackServerContext* context,
    const v1::DeleteTrackingRequest* request,
    v1::DeleteTrackingResponse* response) {
  if (auto error = Record(context, "DeleteTracking", *request)) {
    return Finish(context, *error);
  }
  std::unique_lock<std::mutex> lock(mu_);
  v1::Tracking* found = nullptr;
  absl::Status status =
      FindLocked(request->carrier_code(), request->tracking_number(), &found);
  if (status.ok()) {
    trackings_.erase({request->carrier_code(), request->tracking_number()});
  }
  lock.unlock();
  return Finish(context, status);
}

grpc::ServerUnaryReactor* FakeTrackingService::BatchCreateTrackings(
    grpc::CallbackServerContext* context,
    const v1::BatchCreateTrackingsRequest* request,
    v1::BatchCreateTrackingsResponse* response) {
  if (auto error = Record(context, "BatchCreateTrackings", *request)) {
    return Finish(context, *error);
  }
  if (request->trackings_size() == 0) {
    return Finish(context,
                  InvalidFieldError("trackings", "at least one is required"));
  }
  std::unique_lock<std::mutex> lock(mu_);
  for (int i = 0; i < request->trackings_size(); ++i) {
    const v1::NewTracking& item = request->trackings(i);
    v1::BatchCreateResult* result = response->add_results();
    result->set_index(i);
    result->set_tracking_number(item.tracking_number());
    result->set_carrier_code(item.carrier_code());
    absl::Status status = CreateLocked(item, result->mutable_tracking());
    result->mutable_status()->set_code(static_cast<int>(status.code()));
    result->mutable_status()->set_message(std::string(status.message()));
    if (status.ok()) {
      result->set_carrier_code(result->tracking().carrier_code());
      response->set_created_count(response->created_count() + 1);
    } else {
      result->clear_tracking();
      response->set_failed_count(response->failed_count() + 1);
      if (std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status)) {
        result->mutable_status()->set_reason(info->reason());
        auto meta = info->metadata().find("metaCode");
        int meta_code = 0;
        if (meta != info->metadata().end() &&
            absl::SimpleAtoi(meta->second, &meta_code)) {
          result->mutable_status()->set_meta_code(meta_code);
        }
      }
    }
  }
  lock.unlock();
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* FakeTrackingService::ListTrackings(
    grpc::CallbackServerContext* context,
    const v1::ListTrackingsRequest* request,
    v1::ListTrackingsResponse* response) {
  if (auto error = Record(context, "ListTrackings", *request)) {
    return Finish(context, *error);
  }
  if (request->page_size() < 0) {
    return Finish(context,
                  InvalidFieldError("page_size", "must not be negative"));
  }
  size_t offset = 0;
  if (!request->page_token().empty()) {
    absl::string_view token = request->page_token();
    if (!absl::ConsumePrefix(&token, "offset:") ||
        !absl::SimpleAtoi(token, &offset)) {
      return Finish(context, InvalidFieldError("page_token", "is not valid"));
    }
  }
  const size_t page_size =
      request->page_size() == 0 ? kDefaultPageSize : request->page_size();
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<const v1::Tracking*> matching;
  for (const auto& [key, tracking] : trackings_) {
    if (Matches(*request, tracking)) matching.push_back(&tracking);
  }
  for (size_t i = offset; i < matching.size() && i < offset + page_size; ++i) {
    *response->add_trackings() = *matching[i];
  }
  response->set_total_size(static_cast<int64_t>(matching.size()));
  if (offset + page_size < matching.size()) {
    response->set_next_page_token(absl::StrCat("offset:", offset + page_size));
  }
  lock.unlock();
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* FakeTrackingService::GetRealtimeTracking(
    grpc::CallbackServerContext* context,
    const v1::GetRealtimeTrackingRequest* request,
    v1::GetRealtimeTrackingResponse* response) {
  if (auto error = Record(context, "GetRealtimeTracking", *request)) {
    return Finish(context, *error);
  }
  if (absl::Status status =
          RequireIdentity(request->carrier_code(), request->tracking_number());
      !status.ok()) {
    return Finish(context, status);
  }
  std::unique_lock<std::mutex> lock(mu_);
  auto it =
      trackings_.find({request->carrier_code(), request->tracking_number()});
  if (it != trackings_.end()) {
    *response->mutable_tracking() = it->second;
  } else {
    v1::Tracking& tracking = *response->mutable_tracking();
    tracking.set_carrier_code(request->carrier_code());
    tracking.set_tracking_number(request->tracking_number());
    SetStatus(tracking, v1::TRACKING_STATUS_TRANSIT);
    v1::Checkpoint* checkpoint =
        tracking.mutable_origin_info()->add_checkpoints();
    checkpoint->set_time("2024-05-01 10:00");
    checkpoint->set_status_description("In transit");
    checkpoint->set_status(v1::TRACKING_STATUS_TRANSIT);
    checkpoint->set_raw_status("transit");
    *tracking.mutable_latest_checkpoint() = *checkpoint;
    tracking.set_last_event("In transit");
  }
  lock.unlock();
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* FakeTrackingService::ListCarriers(
    grpc::CallbackServerContext* context,
    const v1::ListCarriersRequest* request,
    v1::ListCarriersResponse* response) {
  if (auto error = Record(context, "ListCarriers", *request)) {
    return Finish(context, *error);
  }
  for (const v1::Carrier& carrier : AllCarriers()) {
    *response->add_carriers() = carrier;
  }
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* FakeTrackingService::DetectCarrier(
    grpc::CallbackServerContext* context,
    const v1::DetectCarrierRequest* request,
    v1::DetectCarrierResponse* response) {
  if (auto error = Record(context, "DetectCarrier", *request)) {
    return Finish(context, *error);
  }
  if (request->tracking_number().empty()) {
    return Finish(context, InvalidFieldError("tracking_number", "is required"));
  }
  std::vector<std::string> codes = Detect(request->tracking_number());
  if (codes.empty()) {
    return Finish(context, NotDetected(request->tracking_number()));
  }
  auto preferred =
      std::find(codes.begin(), codes.end(), request->carrier_code());
  if (preferred != codes.end()) {
    std::rotate(codes.begin(), preferred, preferred + 1);
  }
  const std::vector<v1::Carrier> carriers = AllCarriers();
  for (const std::string& code : codes) {
    for (const v1::Carrier& carrier : carriers) {
      if (carrier.code() != code) continue;
      v1::Carrier* out = response->add_carriers();
      out->set_code(carrier.code());
      out->set_name(carrier.name());
    }
  }
  return Finish(context, absl::OkStatus());
}

std::unique_ptr<FakeTrackingServer> FakeTrackingServer::Start() {
  std::unique_ptr<FakeTrackingServer> server(new FakeTrackingServer());
  server->service_ = std::make_unique<FakeTrackingService>();
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) return nullptr;
  return server;
}

FakeTrackingServer::~FakeTrackingServer() {
  if (service_ != nullptr) service_->CancelDelays();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
    server_->Wait();
  }
}

std::string FakeTrackingServer::target() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::shared_ptr<grpc::Channel> FakeTrackingServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

}  // namespace tracktry::testing
