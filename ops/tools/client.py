#!/usr/bin/python3
"""A small command-line client for a running node (python3-grpcio + the stubs the build generates).

  ops/tools/client.py [--target localhost:8080] services     # list services by gRPC reflection
  ops/tools/client.py [--target localhost:8080] health       # gateway.v1.GatewayService/HealthCheck
  ops/tools/client.py [--target localhost:8080] system-health  # common.v1.AdminService/GetSystemHealth

Errors are printed with the common.v1.Error the node put in grpc-status-details-bin."""
import argparse
import os
import sys

import grpc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUBS = os.environ.get("TT_PY_STUBS", os.path.join(ROOT, "build", "python"))
sys.path.insert(0, STUBS)
grpc.__path__.append(os.path.join(STUBS, "grpc"))  # health/reflection stubs live in grpc.*

from google.protobuf import json_format  # noqa: E402
from grpc.reflection.v1alpha import reflection_pb2, reflection_pb2_grpc  # noqa: E402
from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import gateway_pb2, gateway_pb2_grpc  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402


def list_services(channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    reply = next(stub.ServerReflectionInfo(iter([request])))
    for service in sorted(s.name for s in reply.list_services_response.service):
        print(service)


def show(message):
    print(json_format.MessageToJson(message, preserving_proto_field_name=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--target", default="localhost:8080")
    parser.add_argument("command", choices=["services", "health", "system-health"])
    args = parser.parse_args()
    with grpc.insecure_channel(args.target) as channel:
        try:
            if args.command == "services":
                list_services(channel)
            elif args.command == "health":
                show(gateway_pb2_grpc.GatewayServiceStub(channel).HealthCheck(
                    gateway_pb2.HealthCheckRequest(), timeout=5))
            else:
                show(admin_pb2_grpc.AdminServiceStub(channel).GetSystemHealth(
                    admin_pb2.GetSystemHealthRequest(include_dependencies=True), timeout=5))
        except grpc.RpcError as e:
            print("error: %s %s" % (e.code().name, e.details()), file=sys.stderr)
            details = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin")
            if details:
                err = errors_pb2.Error()
                status_pb2.Status.FromString(details).details[0].Unpack(err)
                show(err)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
