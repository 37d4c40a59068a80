// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/health_service.h"

#include <optional>
#include <utility>

#include "service/rpc/rpc_reactor.h"

namespace tracktry {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch call: the status now, then each change; while a write is in
// flight only the newest status waits. Deletes itself in OnDone().
class HealthWatchReactor final : public WriteReactor<HealthCheckResponse>,
                                 public HealthService::Watcher {
 public:
  HealthWatchReactor(RpcContext* context, HealthService* health,
                     std::string service_name)
      : WriteReactor(context),
        health_(health),
        service_name_(std::move(service_name)) {
    const HealthService::ServingStatus now =
        health_->AddWatcher(service_name_, this);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!pending_.has_value()) pending_ = now;
    }
    Pump();
  }

  void OnStatus(HealthService::ServingStatus status) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_ = status;
    }
    Pump();
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      write_in_flight_ = false;
      if (!ok) finish_ = grpc::Status(grpc::StatusCode::CANCELLED, "");
    }
    Pump();
  }

  void OnCancel() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finish_ = grpc::Status(grpc::StatusCode::CANCELLED, "");
    }
    Pump();
  }

  void OnDone() override {
    health_->RemoveWatcher(service_name_, this);
    delete this;
  }

 private:
  // Writes the waiting status, or finishes. Without mu_ held.
  void Pump() {
    std::unique_lock<std::mutex> lock(mu_);
    if (write_in_flight_ || finished_) return;
    if (finish_.has_value()) {
      finished_ = true;
      const grpc::Status status = *finish_;
      lock.unlock();
      Finish(status);
      return;
    }
    if (!pending_.has_value()) return;
    writing_.set_status(*pending_);
    pending_.reset();
    write_in_flight_ = true;
    lock.unlock();
    StartWrite(&writing_);
  }

  HealthService* const health_;
  const std::string service_name_;
  std::mutex mu_;
  std::optional<HealthService::ServingStatus> pending_;
  std::optional<grpc::Status> finish_;
  bool write_in_flight_ = false;
  bool finished_ = false;
  HealthCheckResponse writing_;
};

}  // namespace

HealthService::HealthService() {
  statuses_[""] = HealthCheckResponse::SERVING;
  grpc::health::v1::Health::AsyncService* const service = &service_;
  methods_.AddUnary<HealthCheckRequest, HealthCheckResponse>(
      {[service](grpc::ServerContext* context, HealthCheckRequest* request,
                 grpc::ServerAsyncResponseWriter<HealthCheckResponse>* writer,
                 grpc::ServerCompletionQueue* queue, void* tag) {
         service->RequestCheck(context, request, writer, queue, queue, tag);
       },
       [this](RpcContext* context, const HealthCheckRequest* request,
              HealthCheckResponse* response) {
         const ServingStatus status = Status(request->service());
         if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
           return context->FinishNow(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                                  "service name unknown"));
         }
         response->set_status(status);
         context->FinishNow(grpc::Status::OK);
       }},
      /*armed=*/2);
  methods_.AddServerStream<HealthCheckRequest, HealthCheckResponse>(
      {[service](grpc::ServerContext* context, HealthCheckRequest* request,
                 grpc::ServerAsyncWriter<HealthCheckResponse>* writer,
                 grpc::ServerCompletionQueue* queue, void* tag) {
         service->RequestWatch(context, request, writer, queue, queue, tag);
       },
       [this](RpcContext* context, const HealthCheckRequest* request) {
         new HealthWatchReactor(context, this, request->service());
       }});
}

void HealthService::SetLocked(const std::string& service_name,
                              ServingStatus status) {
  ServingStatus& current = statuses_[service_name];
  if (current == status) return;
  current = status;
  auto [begin, end] = watchers_.equal_range(service_name);
  for (auto it = begin; it != end; ++it) it->second->OnStatus(status);
}

void HealthService::SetServingStatus(const std::string& service_name,
                                     bool serving) {
  std::lock_guard<std::mutex> lock(mu_);
  SetLocked(service_name, serving && !shut_down_
                              ? HealthCheckResponse::SERVING
                              : HealthCheckResponse::NOT_SERVING);
}

void HealthService::SetServingStatus(bool serving) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  for (const auto& [name, status] : statuses_) {
    SetLocked(name, serving ? HealthCheckResponse::SERVING
                            : HealthCheckResponse::NOT_SERVING);
  }
}

void HealthService::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  shut_down_ = true;
  for (const auto& [name, status] : statuses_) {
    SetLocked(name, HealthCheckResponse::NOT_SERVING);
  }
}

HealthService::ServingStatus HealthService::Status(
    const std::string& service_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = statuses_.find(service_name);
  return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN
                               : it->second;
}

HealthService::ServingStatus HealthService::AddWatcher(
    const std::string& service_name, Watcher* watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.emplace(service_name, watcher);
  auto it = statuses_.find(service_name);
  return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN
                               : it->second;
}

void HealthService::RemoveWatcher(const std::string& service_name,
                                  Watcher* watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [begin, end] = watchers_.equal_range(service_name);
  for (auto it = begin; it != end; ++it) {
    if (it->second == watcher) {
      watchers_.erase(it);
      return;
    }
  }
}

}  // namespace tracktry
