// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/account_operations.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/error_details.h"
#include "service/translation/carrier_translation.h"
#include "service/translation/extended_translation.h"
#include "service/translation/request_translation.h"

namespace tracktry {
namespace api {
namespace {

UpstreamRequest CallTo(Endpoint endpoint, std::string body = std::string()) {
  UpstreamRequest call;
  call.endpoint = endpoint;
  call.body = std::move(body);
  return call;
}

}  // namespace

UpstreamCaller::CallId ListCarriers(UpstreamCaller* upstream,
                                    const v1::ListCarriersRequest& request,
                                    absl::Time deadline,
                                    v1::ListCarriersResponse* out,
                                    StatusCallback done) {
  UpstreamRequest call = CallTo(Endpoint::kListCarriers);
  call.bypass_cache = request.bypass_cache();
  return SendAndRead(
      upstream, std::move(call), deadline,
      [out](const Envelope& envelope) -> absl::Status {
        if (IsEmptyAnswer(envelope)) return absl::OkStatus();
        absl::StatusOr<std::vector<v1::Carrier>> carriers =
            CarriersFromData(envelope.data());
        if (!carriers.ok()) return carriers.status();
        for (v1::Carrier& carrier : *carriers) {
          *out->add_carriers() = std::move(carrier);
        }
        return absl::OkStatus();
      },
      std::move(done));
}

UpstreamCaller::CallId DetectCarrier(UpstreamCaller* upstream,
                                     const v1::DetectCarrierRequest& request,
                                     absl::Time deadline,
                                     v1::DetectCarrierResponse* out,
                                     StatusCallback done) {
  UpstreamRequest call = CallTo(Endpoint::kDetectCarrier,
                                SerializeBody(DetectCarrierBody(request)));
  call.tracking_numbers.push_back(request.tracking_number());
  return SendAndRead(
      upstream, std::move(call), deadline,
      [&request, out](const Envelope& envelope) -> absl::Status {
        absl::StatusOr<std::vector<v1::Carrier>> carriers =
            IsEmptyAnswer(envelope) ? std::vector<v1::Carrier>()
                                    : CarriersFromData(envelope.data());
        if (!carriers.ok()) return carriers.status();
        if (carriers->empty()) {
          return MakeError(
              absl::StatusCode::kFailedPrecondition,
              "no carrier matches this tracking number; pass carrier_code",
              "CARRIER_UNDETECTABLE");
        }
        // A preferred carrier among the candidates goes first.
        const std::string hint = absl::AsciiStrToLower(request.carrier_code());
        std::stable_partition(carriers->begin(), carriers->end(),
                              [&hint](const v1::Carrier& carrier) {
                                return !hint.empty() && carrier.code() == hint;
                              });
        for (v1::Carrier& carrier : *carriers) {
          *out->add_carriers() = std::move(carrier);
        }
        return absl::OkStatus();
      },
      std::move(done));
}

UpstreamCaller::CallId GetAccountInfo(UpstreamCaller* upstream,
                                      absl::Time deadline,
                                      v1::GetAccountInfoResponse* out,
                                      StatusCallback done) {
  return SendAndRead(
      upstream, CallTo(Endpoint::kUserInfo), deadline,
      [out](const Envelope& envelope) {
        return AccountInfoFromData(envelope.data(), out);
      },
      std::move(done));
}

UpstreamCaller::CallId CheckRemoteAreas(
    UpstreamCaller* upstream, const v1::CheckRemoteAreasRequest& request,
    absl::Time deadline, v1::CheckRemoteAreasResponse* out,
    StatusCallback done) {
  return SendAndRead(
      upstream,
      CallTo(Endpoint::kRemote, SerializeBody(RemoteAreasBody(request))),
      deadline,
      [out](const Envelope& envelope) {
        return RemoteAreasFromData(envelope.data(), out);
      },
      std::move(done));
}

UpstreamCaller::CallId GetTransitTimes(
    UpstreamCaller* upstream, const v1::GetTransitTimesRequest& request,
    absl::Time deadline, v1::GetTransitTimesResponse* out,
    StatusCallback done) {
  return SendAndRead(
      upstream,
      CallTo(Endpoint::kCostTime, SerializeBody(TransitTimesBody(request))),
      deadline,
      [out](const Envelope& envelope) {
        if (IsEmptyAnswer(envelope)) return absl::OkStatus();
        return TransitTimesFromData(envelope.data(), out);
      },
      std::move(done));
}

}  // namespace api
}  // namespace tracktry
