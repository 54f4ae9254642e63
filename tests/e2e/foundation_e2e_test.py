"""End to end: a real tacosd process, called by python3-grpcio (stubs generated from our protos and
from Debian's grpc-proto), checks reflection, health, error mapping, limits and shutdown."""
import os
import shutil
import signal
import sys
import unittest

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])
# The health/reflection stubs live in package grpc.*, beside the installed grpc package.
grpc.__path__.append(os.path.join(os.environ["TT_PY_STUBS"], "grpc"))

from grpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from grpc.reflection.v1alpha import reflection_pb2, reflection_pb2_grpc  # noqa: E402
from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import gateway_pb2, gateway_pb2_grpc  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402

from node_process import NodeProcess, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
CONTRACT_SERVICES = {
    "common.v1.AdminService", "payment.v1.PaymentService", "reservation.v1.InventoryService",
    "reservation.v1.ReservationService", "gateway.v1.GatewayService", "gateway.v1.QueueService",
    "gateway.v1.WebhookService", "gateway.v1.WebSocketService", "reservation.v1.WorkerService",
}
MAX_MESSAGE = 64 * 1024


def contract_error(rpc_error):
    """The common.v1.Error carried in grpc-status-details-bin (google.rpc.Status)."""
    md = dict(rpc_error.trailing_metadata() or ())
    status = status_pb2.Status.FromString(md["grpc-status-details-bin"])
    assert status.code == rpc_error.code().value[0]
    err = errors_pb2.Error()
    assert status.details[0].Unpack(err)
    return err


class Foundation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeProcess(TACOSD, "--grpc.max_message_bytes", str(MAX_MESSAGE)).start()
        cls.channel = cls.node.channel()
        cls.gateway = gateway_pb2_grpc.GatewayServiceStub(cls.channel)
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.close()

    def test_reflection_lists_every_contract_service(self):
        stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        reply = next(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
            list_services="")])))
        names = {s.name for s in reply.list_services_response.service}
        self.assertLessEqual(CONTRACT_SERVICES, names)
        self.assertIn("grpc.health.v1.Health", names)
        # The descriptors themselves are served too (what grpcurl and Postman use).
        reply = next(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
            file_containing_symbol="reservation.v1.ReservationService")])))
        self.assertTrue(reply.file_descriptor_response.file_descriptor_proto)

    def test_standard_health_service_is_serving(self):
        reply = health_pb2_grpc.HealthStub(self.channel).Check(health_pb2.HealthCheckRequest())
        self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING)

    def test_gateway_health_check_reports_real_components(self):
        reply, call = self.gateway.HealthCheck.with_call(gateway_pb2.HealthCheckRequest())
        self.assertEqual(reply.status, gateway_pb2.HEALTH_STATUS_HEALTHY)
        self.assertEqual(set(reply.services),
                         {"actor_system", "snapshot_store", "storage", "kafka"})
        self.assertEqual(reply.services["storage"].version, "0.1.0")
        self.assertGreater(reply.timestamp.seconds, 0)
        self.assertEqual(len(dict(call.initial_metadata())["x-trace-id"]), 32)

    def test_health_check_of_one_component_and_of_an_unknown_one(self):
        reply = self.gateway.HealthCheck(gateway_pb2.HealthCheckRequest(service="storage"))
        self.assertEqual(list(reply.services), ["storage"])
        with self.assertRaises(grpc.RpcError) as cm:
            self.gateway.HealthCheck(gateway_pb2.HealthCheckRequest(service="nope"),
                                     metadata=[("x-trace-id", "trace-abc-123")])
        self.assertEqual(cm.exception.code(), grpc.StatusCode.NOT_FOUND)
        err = contract_error(cm.exception)
        self.assertEqual(err.code, errors_pb2.ERROR_CODE_NOT_FOUND)
        self.assertEqual(err.trace_id, "trace-abc-123")
        self.assertEqual((err.details[0].field, err.details[0].value), ("service", "nope"))

    def test_system_health_lists_services_and_dependencies(self):
        reply = self.admin.GetSystemHealth(admin_pb2.GetSystemHealthRequest())
        self.assertEqual(reply.overall_status, admin_pb2.SYSTEM_HEALTH_STATUS_HEALTHY)
        self.assertEqual([s.service_name for s in reply.services],
                         ["actor_system", "snapshot_store"])
        self.assertGreaterEqual(int(reply.services[0].metrics["scheduler_threads"]), 1)
        # A new data directory: recovery found nothing.
        store = reply.services[1].metrics
        self.assertEqual(store["recovered_reservations"], "0")
        self.assertIn("commits", store)
        self.assertIn("recovery_ms", store)
        self.assertEqual(len(reply.dependencies), 0)
        reply = self.admin.GetSystemHealth(admin_pb2.GetSystemHealthRequest(
            include_dependencies=True))
        self.assertEqual([d.name for d in reply.dependencies], ["storage", "kafka"])
        self.assertEqual(reply.dependencies[0].endpoint, self.node.data_dir)
        self.assertEqual(reply.dependencies[1].status, admin_pb2.HEALTH_STATUS_HEALTHY)

    def test_system_health_rejects_unknown_and_too_many_names(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.admin.GetSystemHealth(admin_pb2.GetSystemHealthRequest(services=["ghost"]))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.NOT_FOUND)
        with self.assertRaises(grpc.RpcError) as cm:
            self.admin.GetSystemHealth(admin_pb2.GetSystemHealthRequest(services=["x"] * 33))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(contract_error(cm.exception).details[0].field, "services")

    def test_overlong_field_is_invalid_argument(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.gateway.HealthCheck(gateway_pb2.HealthCheckRequest(service="s" * 65))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        err = contract_error(cm.exception)
        self.assertEqual(err.code, errors_pb2.ERROR_CODE_INVALID_ARGUMENT)
        self.assertEqual(err.details[0].field, "service")
        self.assertEqual(len(err.trace_id), 32)

    def test_malformed_protobuf_is_invalid_argument(self):
        raw = self.channel.unary_unary("/gateway.v1.GatewayService/HealthCheck")
        with self.assertRaises(grpc.RpcError) as cm:
            raw(b"\x0a\xff\xff\xff\xff\x0f")  # field 1, length far past the end
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(contract_error(cm.exception).code, errors_pb2.ERROR_CODE_INVALID_ARGUMENT)

    def test_unknown_method_and_service_are_unimplemented(self):
        for path in ("/gateway.v1.GatewayService/NoSuchMethod", "/nope.v1.Nothing/Call"):
            with self.assertRaises(grpc.RpcError) as cm:
                self.channel.unary_unary(path)(b"")
            self.assertEqual(cm.exception.code(), grpc.StatusCode.UNIMPLEMENTED, path)

    def test_oversized_message_is_rejected_and_the_node_keeps_serving(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.gateway.HealthCheck(gateway_pb2.HealthCheckRequest(service="x" * MAX_MESSAGE))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertEqual(self.gateway.HealthCheck(gateway_pb2.HealthCheckRequest()).status,
                         gateway_pb2.HEALTH_STATUS_HEALTHY)

    def test_logs_are_json_lines(self):
        entries = self.node.log_entries()
        self.assertTrue(any(e["msg"].startswith("storage: data directory") for e in entries))
        self.assertTrue(all({"ts", "level", "msg"} <= set(e) for e in entries))


class Lifecycle(unittest.TestCase):
    def test_storage_loss_turns_health_unhealthy(self):
        node = NodeProcess(TACOSD).start()
        try:
            with node.channel() as ch:
                stub = gateway_pb2_grpc.GatewayServiceStub(ch)
                self.assertEqual(stub.HealthCheck(gateway_pb2.HealthCheckRequest()).status,
                                 gateway_pb2.HEALTH_STATUS_HEALTHY)
                shutil.rmtree(node.data_dir)
                # A storage probe answers for one second; the next one must see the loss.
                reply = eventually("health to see the loss", lambda: stub.HealthCheck(
                    gateway_pb2.HealthCheckRequest()), until=lambda r: r.status !=
                    gateway_pb2.HEALTH_STATUS_HEALTHY, timeout=5, step=0.1)
                self.assertEqual(reply.status, gateway_pb2.HEALTH_STATUS_UNHEALTHY)
                self.assertEqual(reply.services["storage"].status, gateway_pb2.HEALTH_STATUS_UNHEALTHY)
                admin = admin_pb2_grpc.AdminServiceStub(ch).GetSystemHealth(
                    admin_pb2.GetSystemHealthRequest())
                self.assertEqual(admin.overall_status, admin_pb2.SYSTEM_HEALTH_STATUS_UNHEALTHY)
        finally:
            node.close()

    def test_two_nodes_cannot_share_a_data_directory(self):
        first = NodeProcess(TACOSD).start()
        second = NodeProcess(TACOSD, data_dir=first.data_dir)
        try:
            with self.assertRaises(RuntimeError) as cm:
                second.start()
            self.assertIn("in use by another node", str(cm.exception))
        finally:
            second.close()
            first.close()

    def test_sigterm_drains_and_exits_cleanly(self):
        node = NodeProcess(TACOSD).start()
        try:
            self.assertEqual(node.stop(signal.SIGTERM), 0)
            messages = [e["msg"] for e in node.log_entries()]
            self.assertTrue(any(m.startswith("shutdown: Terminated received") for m in messages))
            self.assertIn("shutdown: gRPC and the worker stopped; stopping actors", messages)
            with node.channel() as ch:
                with self.assertRaises(grpc.RpcError) as cm:
                    gateway_pb2_grpc.GatewayServiceStub(ch).HealthCheck(
                        gateway_pb2.HealthCheckRequest(), timeout=2)
                self.assertEqual(cm.exception.code(), grpc.StatusCode.UNAVAILABLE)
        finally:
            node.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
