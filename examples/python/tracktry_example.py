"""Creates, gets and lists trackings through tracktry.v1.TrackingService.

Usage: run.sh [TARGET] [BEARER_TOKEN]   (run.sh generates the stubs first)
"""
import sys
import time

import grpc

from tracktry.v1 import tracking_service_pb2 as pb
from tracktry.v1 import tracking_service_pb2_grpc as pb_grpc


def main() -> int:
    target = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
    metadata = []
    if len(sys.argv) > 2:
        metadata.append(("authorization", f"Bearer {sys.argv[2]}"))
    number = f"PY{int(time.time() * 1000)}"
    with grpc.insecure_channel(target) as channel:
        stub = pb_grpc.TrackingServiceStub(channel)
        created = stub.CreateTracking(
            pb.CreateTrackingRequest(
                tracking=pb.NewTracking(
                    carrier_code="dhl", tracking_number=number, title="python example")),
            timeout=10, metadata=metadata)
        print(f"created {created.tracking.carrier_code}/{created.tracking.tracking_number}")

        got = stub.GetTracking(
            pb.GetTrackingRequest(carrier_code="dhl", tracking_number=number),
            timeout=10, metadata=metadata)
        print(f"got {got.tracking.tracking_number} title={got.tracking.title}")

        listed = stub.ListTrackings(pb.ListTrackingsRequest(page_size=50),
                                    timeout=10, metadata=metadata)
        found = any(t.tracking_number == number for t in listed.trackings)
        print(f"listed {len(listed.trackings)} trackings, ours {'included' if found else 'missing'}")

        try:
            stub.GetTracking(
                pb.GetTrackingRequest(carrier_code="dhl", tracking_number="0000000000"),
                timeout=10, metadata=metadata)
            print("expected NOT_FOUND")
            return 1
        except grpc.RpcError as error:
            print(f"missing tracking -> {error.code().name}")
            if error.code() != grpc.StatusCode.NOT_FOUND:
                return 1
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
