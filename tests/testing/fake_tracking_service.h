// Copyright 2026 The tracktry-grpc Authors.
//
// A hand-written, in-memory fake of tracktry.v1.TrackingService for client
// and CLI tests, plus FakeTrackingServer, which serves it on a real
// grpc::Server bound to 127.0.0.1:0.
//
// EXAMPLE:
//   auto server = FakeTrackingServer::Start();
//   ASSERT_NE(server, nullptr);
//   server->service().SetNextError(
//       MakeError(absl::StatusCode::kNotFound, "gone", "TRACKING_NOT_FOUND"));
//   // ... call server->target() ...
//   auto request = server->service().LastRequest<v1::GetTrackingRequest>();
#ifndef TRACKTRY_TESTS_TESTING_FAKE_TRACKING_SERVICE_H_
#define TRACKTRY_TESTS_TESTING_FAKE_TRACKING_SERVICE_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "grpcpp/support/status.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::testing {

// Converts an absl::Status whose payloads are google.rpc detail messages
// keyed by type URL (common/error_details.h) into a grpc::Status
// whose error_details() is a serialized google.rpc.Status holding one Any
// per payload. The fake's own edge conversion, kept separate from the
// server's so client tests do not depend on it.
grpc::Status ToGrpcStatusWithDetails(const absl::Status& status);

// One call as the fake received it.
struct RecordedCall {
  // RPC method name, e.g. "GetTracking".
  std::string method;
  // A copy of the request message.
  std::shared_ptr<const google::protobuf::Message> request;
  // Client metadata (keys lower-case, as on the wire).
  std::multimap<std::string, std::string> metadata;
  // The call's deadline; time_point::max() (or close) when none was sent.
  std::chrono::system_clock::time_point deadline;
  // When the call arrived.
  std::chrono::system_clock::time_point received;
};

// In-memory TrackingService. Trackings are keyed by (carrier_code,
// tracking_number). Behaviour, loosely like the real server:
// - Create/BatchCreate: INVALID_ARGUMENT (with BadRequest) for an empty
//   tracking number, ALREADY_EXISTS (reason TRACKING_ALREADY_EXISTS,
//   metaCode 4016) for a duplicate; an empty carrier is detected as in
//   DetectCarrier. New trackings are PENDING.
// - Get/Update/Delete: INVALID_ARGUMENT for empty identity fields,
//   NOT_FOUND (reason TRACKING_NOT_FOUND, metaCode 4017) when unknown.
// - List: filters status, archived, tracking_numbers, order_ids; pages in
//   key order; page tokens are "offset:N"; page_size 0 means 100.
// - Realtime: the stored tracking, or a synthesized TRANSIT one.
// - ListCarriers: dhl, ups, 4px, china-post.
// - DetectCarrier: "1Z..." -> ups; all digits -> dhl, china-post; "...CN"
//   -> china-post; otherwise FAILED_PRECONDITION (CARRIER_NOT_DETECTED,
//   metaCode 4032). A preferred carrier_code among them moves first.
// Every call is recorded first; a scripted error (SetNextError) then
// replaces the normal behaviour.
//
// Thread safety: all methods are thread-safe. Must outlive the server
// serving it.
class FakeTrackingService final : public v1::TrackingService::CallbackService {
 public:
  FakeTrackingService() = default;
  // Wakes and joins delayed replies (see SetResponseDelay).
  ~FakeTrackingService() override;

  FakeTrackingService(const FakeTrackingService&) = delete;
  FakeTrackingService& operator=(const FakeTrackingService&) = delete;

  // The next `times` calls, of any method, fail with `status` (which must
  // not be OK), converted by ToGrpcStatusWithDetails. Queued after errors
  // already scripted.
  void SetNextError(const absl::Status& status, int times = 1);
  // As SetNextError, with a raw grpc::Status sent as is.
  void SetNextGrpcError(const grpc::Status& status, int times = 1);
  // Every following reply (success or error) is sent `delay` after the call
  // arrived, from a separate thread. Zero (the default) replies inline.
  void SetResponseDelay(absl::Duration delay);
  // Ends pending delays early; later calls reply immediately.
  void CancelDelays();

  // Stores `tracking` (replacing one with the same key).
  void AddTracking(const v1::Tracking& tracking);
  // The stored tracking, if any.
  std::optional<v1::Tracking> FindTracking(absl::string_view carrier_code,
                                           absl::string_view number) const;

  // Every call received so far, oldest first.
  std::vector<RecordedCall> calls() const;
  // Number of calls received for `method`, e.g. "GetTracking".
  int CallCount(absl::string_view method) const;
  // The latest call, if any.
  std::optional<RecordedCall> LastCall() const;
  // The request of the latest call whose request type is Request.
  template <typename Request>
  std::optional<Request> LastRequest() const {
    std::vector<RecordedCall> all = calls();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (const auto* typed = dynamic_cast<const Request*>(it->request.get())) {
        return *typed;
      }
    }
    return std::nullopt;
  }

  // TrackingService.
  grpc::ServerUnaryReactor* CreateTracking(
      grpc::CallbackServerContext* context,
      const v1::CreateTrackingRequest* request,
      v1::CreateTrackingResponse* response) override;
  grpc::ServerUnaryReactor* GetTracking(
      grpc::CallbackServerContext* context,
      const v1::GetTrackingRequest* request,
      v1::GetTrackingResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTracking(
      grpc::CallbackServerContext* context,
      const v1::UpdateTrackingRequest* request,
      v1::UpdateTrackingResponse* response) override;
  grpc::ServerUnaryReactor* DeleteTracking(
      grpc::CallbackServerContext* context,
      const v1::DeleteTrackingRequest* request,
      v1::DeleteTrackingResponse* response) override;
  grpc::ServerUnaryReactor* BatchCreateTrackings(
      grpc::CallbackServerContext* context,
      const v1::BatchCreateTrackingsRequest* request,
      v1::BatchCreateTrackingsResponse* response) override;
  grpc::ServerUnaryReactor* ListTrackings(
      grpc::CallbackServerContext* context,
      const v1::ListTrackingsRequest* request,
      v1::ListTrackingsResponse* response) override;
  grpc::ServerUnaryReactor* GetRealtimeTracking(
      grpc::CallbackServerContext* context,
      const v1::GetRealtimeTrackingRequest* request,
      v1::GetRealtimeTrackingResponse* response) override;
  grpc::ServerUnaryReactor* ListCarriers(
      grpc::CallbackServerContext* context,
      const v1::ListCarriersRequest* request,
      v1::ListCarriersResponse* response) override;
  grpc::ServerUnaryReactor* DetectCarrier(
      grpc::CallbackServerContext* context,
      const v1::DetectCarrierRequest* request,
      v1::DetectCarrierResponse* response) override;

 private:
  using Key = std::pair<std::string, std::string>;

  // Records the call; returns the scripted error to send, if any.
  std::optional<grpc::Status> Record(grpc::CallbackServerContext* context,
                                     absl::string_view method,
                                     const google::protobuf::Message& request);
  // Finishes the call now or after the configured delay.
  grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                   grpc::Status status);
  grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                   const absl::Status& status);

  // Store operations; mu_ must be held.
  absl::Status CreateLocked(const v1::NewTracking& tracking,
                            v1::Tracking* created);
  absl::Status FindLocked(const std::string& carrier_code,
                          const std::string& number, v1::Tracking** found);

  mutable std::mutex mu_;
  std::condition_variable delay_cv_;
  std::map<Key, v1::Tracking> trackings_;
  std::vector<RecordedCall> calls_;
  std::deque<grpc::Status> scripted_errors_;
  absl::Duration delay_ = absl::ZeroDuration();
  bool delays_cancelled_ = false;
  int next_id_ = 1;
  std::vector<std::thread> delayed_replies_;
};

// A grpc::Server on 127.0.0.1 (port chosen by the OS) serving a
// FakeTrackingService that it owns. The destructor ends pending delays and
// shuts the server down.
class FakeTrackingServer final {
 public:
  // Starts the server; nullptr if it could not be started.
  static std::unique_ptr<FakeTrackingServer> Start();
  ~FakeTrackingServer();

  FakeTrackingServer(const FakeTrackingServer&) = delete;
  FakeTrackingServer& operator=(const FakeTrackingServer&) = delete;

  FakeTrackingService& service() { return *service_; }
  int port() const { return port_; }
  // "127.0.0.1:<port>".
  std::string target() const;
  // A channel that reaches the server without sockets.
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  FakeTrackingServer() = default;

  std::unique_ptr<FakeTrackingService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FAKE_TRACKING_SERVICE_H_
