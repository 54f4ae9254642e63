"""End to end for issue #31's "who may do this": a real tacosd, called through real gRPC.

Operator authorization (auth.admin_role): every AdminService call and WorkerService's operator
calls need a bearer JWT, checked as ValidateToken checks one, carrying the role. Without a
header, with another scheme, a bad signature, alg none, or an expired token the call is
UNAUTHENTICATED; a valid token without the role is PERMISSION_DENIED (ERROR_CODE_FORBIDDEN); with
the role it is served. A refused EmergencyAction never runs and leaves an audit line. A node asked
for a role without a key to verify tokens does not start. (The open default is checked in
e2e.logs: its warning at start, and anonymous calls served.)

TLS (grpc.tls_*), with certificates made by openssl here: a python client trusting the node's
self-signed certificate is served and a plaintext client is not (20 failed handshakes write one
line, through the node's logger); with a client CA configured, a client is served only with a
certificate that CA signed, whose identity audit lines name.

TLS in a cluster: three nodes with TLS listeners that ask for client certificates forward to each
other over TLS, each presenting its own certificate (signed by the CA the others trust, named by
cluster.tls_peer_ca_file): a hold made through a node that does not own the sale is served and
reads back through the third. With the peers' CA set to one that did not sign them, a node
does not trust its peers, and the forwarded hold is refused (UNAVAILABLE) while the owner still
serves it directly."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import gateway_pb2, gateway_pb2_grpc  # noqa: E402
from proto.reservation.v1 import worker_pb2, worker_pb2_grpc  # noqa: E402

from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from cluster_process import Cluster, shard_of  # noqa: E402
from node_process import NodeProcess, contract_error, node_now, one_section_event  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
CALL_TIMEOUT = 10
SECRET = "admin-e2e-secret-" + "x" * 32
E = errors_pb2
SC = grpc.StatusCode


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, secret=SECRET, alg="HS256"):
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    if alg == "none":
        return head + "." + body + "."
    sig = hmac.new(secret.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + b64(sig)


def bearer(token):
    return (("authorization", "Bearer " + token),)


class OperatorAuthorization(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent", "--auth.admin_role",
                               "admin", "--auth.jwt_hs256_secret", SECRET).start()
        cls.channel = cls.node.channel()
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)
        cls.worker = worker_pb2_grpc.WorkerServiceStub(cls.channel)
        cls.now = int(node_now(cls.channel))
        cls.admin_token = jwt({"sub": "ops-1", "exp": cls.now + 300, "roles": ["viewer", "admin"]})

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.close()

    def refused(self, method, request, md, code, error_code):
        with self.assertRaises(grpc.RpcError) as caught:
            method(request, metadata=md, timeout=CALL_TIMEOUT)
        self.assertEqual(caught.exception.code(), code, caught.exception.details())
        err = contract_error(caught.exception)
        self.assertEqual(err.code, error_code)
        return err

    def test_admin_calls_without_a_valid_credential_are_unauthenticated(self):
        health = admin_pb2.GetSystemHealthRequest()
        cases = {
            "no header": None,
            "another scheme": (("authorization", "Basic b3BzOnNlY3JldA=="),),
            "not a token": bearer("admin"),
            "wrong key": bearer(jwt({"sub": "ops-1", "exp": self.now + 300, "role": "admin"},
                                    secret="some-other-secret-of-enough-length-000")),
            "alg none": bearer(jwt({"sub": "ops-1", "exp": self.now + 300, "role": "admin"},
                                   alg="none")),
            "expired": bearer(jwt({"sub": "ops-1", "exp": self.now - 3600, "role": "admin"})),
        }
        for name, md in cases.items():
            with self.subTest(name):
                self.refused(self.admin.GetSystemHealth, health, md, SC.UNAUTHENTICATED,
                             E.ERROR_CODE_UNAUTHENTICATED)

    def test_a_valid_token_without_the_role_is_permission_denied(self):
        for claims in ({"roles": ["viewer"]}, {"role": "operator"}, {}):
            with self.subTest(claims=claims):
                token = jwt(dict(sub="user-7", exp=self.now + 300, **claims))
                err = self.refused(self.admin.GetSystemHealth, admin_pb2.GetSystemHealthRequest(),
                                   bearer(token), SC.PERMISSION_DENIED, E.ERROR_CODE_FORBIDDEN)
                self.assertIn("lacks the role admin", err.message)

    def test_a_token_with_the_role_is_served(self):
        reply = self.admin.GetSystemHealth(admin_pb2.GetSystemHealthRequest(),
                                           metadata=bearer(self.admin_token), timeout=CALL_TIMEOUT)
        self.assertNotEqual(reply.overall_status, admin_pb2.SYSTEM_HEALTH_STATUS_UNSPECIFIED)
        single = jwt({"sub": "ops-2", "exp": self.now + 300, "role": "admin"})
        self.admin.GetLogs(admin_pb2.GetLogsRequest(limit=1), metadata=bearer(single),
                           timeout=CALL_TIMEOUT)

    def test_every_admin_method_is_guarded_served_or_not(self):
        # The anonymous caller learns nothing of the metrics; the operator reads them.
        self.refused(self.admin.GetMetrics, admin_pb2.GetMetricsRequest(), None,
                     SC.UNAUTHENTICATED, E.ERROR_CODE_UNAUTHENTICATED)
        metrics = self.admin.GetMetrics(admin_pb2.GetMetricsRequest(service="events"),
                                        metadata=bearer(self.admin_token), timeout=CALL_TIMEOUT)
        self.assertTrue(metrics.metrics)
        for method, request in ((self.admin.UpdateConfig, admin_pb2.UpdateConfigRequest()),
                                (self.admin.TriggerOperation,
                                 admin_pb2.TriggerOperationRequest()),
                                (self.admin.GetLogs, admin_pb2.GetLogsRequest())):
            with self.subTest(method=str(method)):
                self.refused(method, request, None, SC.UNAUTHENTICATED,
                             E.ERROR_CODE_UNAUTHENTICATED)

    def test_worker_operator_calls_are_guarded_and_its_health_check_is_not(self):
        for method, request in (
                (self.worker.GetJobStatus, worker_pb2.GetJobStatusRequest()),
                (self.worker.ProcessReservationExpiry,
                 worker_pb2.ProcessReservationExpiryRequest()),
                (self.worker.ProcessPaymentResult, worker_pb2.ProcessPaymentResultRequest()),
                (self.worker.ProcessCompensation, worker_pb2.ProcessCompensationRequest())):
            with self.subTest(method=str(method)):
                self.refused(method, request, None, SC.UNAUTHENTICATED,
                             E.ERROR_CODE_UNAUTHENTICATED)
        self.worker.GetJobStatus(worker_pb2.GetJobStatusRequest(),
                                 metadata=bearer(self.admin_token), timeout=CALL_TIMEOUT)
        self.worker.HealthCheck(worker_pb2.HealthCheckRequest(), timeout=CALL_TIMEOUT)

    def test_a_refused_emergency_action_never_runs_and_is_audited(self):
        trace_id = "refused-" + uuid.uuid4().hex
        self.refused(self.admin.EmergencyAction, admin_pb2.EmergencyActionRequest(
            action=admin_pb2.EMERGENCY_ACTION_TYPE_MAINTENANCE_MODE, confirm=True),
            (("x-trace-id", trace_id),), SC.UNAUTHENTICATED, E.ERROR_CODE_UNAUTHENTICATED)
        logs = self.admin.GetLogs(admin_pb2.GetLogsRequest(search_query=trace_id),
                                  metadata=bearer(self.admin_token), timeout=CALL_TIMEOUT).logs
        audit = [line for line in logs if line.service == "audit"]
        self.assertEqual(len(audit), 1, logs)
        self.assertEqual(audit[0].level, admin_pb2.LOG_LEVEL_WARN)
        self.assertEqual(audit[0].fields["what"], "/common.v1.AdminService/EmergencyAction")
        self.assertEqual(audit[0].fields["outcome"], "refused: unauthenticated")
        self.assertTrue(audit[0].fields["who"].startswith("peer ipv4:127.0.0.1:"))
        # The handler never ran: no audit line of an executed (or failed) action.
        self.assertFalse([line for line in audit if "done" in line.fields["outcome"]])

    def test_the_audit_line_names_the_token_subject(self):
        trace_id = "authorized-" + uuid.uuid4().hex
        with self.assertRaises(grpc.RpcError):  # the catalog directory does not exist
            self.admin.TriggerOperation(admin_pb2.TriggerOperationRequest(
                operation=admin_pb2.OPERATION_TYPE_REFRESH_CONFIG, dry_run=True),
                metadata=bearer(self.admin_token) + (("x-trace-id", trace_id),),
                timeout=CALL_TIMEOUT)
        logs = self.admin.GetLogs(admin_pb2.GetLogsRequest(search_query=trace_id,
                                                           service="audit"),
                                  metadata=bearer(self.admin_token), timeout=CALL_TIMEOUT).logs
        self.assertEqual(len(logs), 1, logs)
        self.assertTrue(logs[0].fields["who"].startswith("ops-1 (ipv4:127.0.0.1:"),
                        logs[0].fields["who"])
        self.assertTrue(logs[0].fields["outcome"].startswith("failed: not_found"))


class StartChecks(unittest.TestCase):
    def start_fails(self, *flags):
        node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent", *flags)
        try:
            with self.assertRaises(RuntimeError) as caught:
                node.start()
            self.assertEqual(node.proc.returncode, 1)
            return str(caught.exception)
        finally:
            node.close()

    def test_a_role_without_a_key_to_verify_tokens_does_not_start(self):
        self.assertIn("auth.admin_role needs a key", self.start_fails("--auth.admin_role", "admin"))

    def test_a_tls_key_without_its_certificate_does_not_start(self):
        self.assertIn("go together", self.start_fails("--grpc.tls_key_file", "/etc/hostname"))

    def test_a_file_that_is_not_pem_does_not_start(self):
        self.assertIn("cannot read a PEM file from /etc/hostname", self.start_fails(
            "--grpc.tls_key_file", "/etc/hostname", "--grpc.tls_cert_file", "/etc/hostname"))

    def test_tls_in_a_cluster_without_the_peers_ca_does_not_start(self):
        with tempfile.TemporaryDirectory() as d:
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out",
                    "c.pem", "-days", "1", "-subj", "/CN=localhost", cwd=d)
            why = self.start_fails("--cluster.enabled", "true", "--grpc.tls_cert_file",
                                   os.path.join(d, "c.pem"), "--grpc.tls_key_file",
                                   os.path.join(d, "k.pem"))
        self.assertIn("needs cluster.tls_peer_ca_file", why)
        self.assertIn("needs TLS", self.start_fails("--cluster.tls_peer_ca_file", "/etc/hostname"))


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix="tacosd-e2e-tls-")
        d = cls.dir.name
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
                "-out", "server.pem", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", cwd=d)
        for name in ("ca", "stranger"):
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
                    "-out", name + ".pem", "-days", "1", "-subj", "/CN=tt-e2e-" + name, cwd=d)
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out",
                "client.csr", "-subj", "/CN=operator", cwd=d)
        openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "client.pem", "-days", "1", cwd=d)
        cls.server_cert = read(cls.path("server.pem"))

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    @classmethod
    def path(cls, name):
        return os.path.join(cls.dir.name, name)

    def start(self, *flags):
        node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent",
                           "--grpc.tls_cert_file", self.path("server.pem"),
                           "--grpc.tls_key_file", self.path("server.key"), *flags)
        self.addCleanup(node.close)
        return node.start()

    def health(self, channel):
        return gateway_pb2_grpc.GatewayServiceStub(channel).HealthCheck(
            gateway_pb2.HealthCheckRequest(), timeout=CALL_TIMEOUT)

    def secure(self, node, client=None):
        key, chain = (read(self.path(client + ".key")), read(self.path(client + ".pem"))) \
            if client else (None, None)
        creds = grpc.ssl_channel_credentials(root_certificates=self.server_cert,
                                             private_key=key, certificate_chain=chain)
        channel = grpc.secure_channel("127.0.0.1:%d" % node.port, creds)
        self.addCleanup(channel.close)
        return channel

    def assertUnavailable(self, channel):
        with self.assertRaises(grpc.RpcError) as caught:
            self.health(channel)
        self.assertEqual(caught.exception.code(), SC.UNAVAILABLE)

    def test_a_client_trusting_the_certificate_is_served_and_plaintext_is_not(self):
        node = self.start("--log.repeat_interval_ms", "600000")
        self.assertTrue(any("TLS)" in e["msg"] for e in node.log_entries()
                            if e["msg"].startswith("grpc: serving")))
        self.health(self.secure(node))
        for _ in range(20):  # a new connection, and handshake, each (no shared subchannel)
            plain = grpc.insecure_channel("127.0.0.1:%d" % node.port,
                                          options=[("grpc.use_local_subchannel_pool", 1)])
            self.addCleanup(plain.close)
            self.assertUnavailable(plain)
        # gRPC core's complaint goes through the node's logger (every line parses as JSON),
        # once per interval, not once per connection.
        failed = [e for e in node.log_entries() if "Handshake failed" in e["msg"]]
        self.assertEqual(len(failed), 1, failed)
        self.assertEqual(failed[0]["component"], "grpc core")

    def test_with_a_client_ca_only_clients_it_signed_are_served(self):
        node = self.start("--grpc.tls_client_ca_file", self.path("ca.pem"))
        channel = self.secure(node, client="client")
        self.health(channel)
        self.assertUnavailable(self.secure(node))
        self.assertUnavailable(self.secure(node, client="stranger"))
        # The audit line names the certificate's subject among who called.
        trace_id = "mtls-" + uuid.uuid4().hex
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        with self.assertRaises(grpc.RpcError):  # no catalog directory to refresh from
            admin.TriggerOperation(admin_pb2.TriggerOperationRequest(
                operation=admin_pb2.OPERATION_TYPE_REFRESH_CONFIG, dry_run=True),
                metadata=(("x-trace-id", trace_id),), timeout=CALL_TIMEOUT)
        (line,) = admin.GetLogs(admin_pb2.GetLogsRequest(search_query=trace_id, service="audit"),
                                timeout=CALL_TIMEOUT).logs
        self.assertIn("certificate operator", line.fields["who"])



TLS_EVENT = "tls-sale"
TLS_CATALOG = one_section_event(TLS_EVENT, "TLS sale", "1-2", "1-10")


class TlsCluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix="tacosd-e2e-tls-cluster-")
        d = cls.dir.name
        for name in ("ca", "stranger"):
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
                    "-out", name + ".pem", "-days", "1", "-subj", "/CN=tt-e2e-" + name, cwd=d)
        with open(os.path.join(d, "san.cnf"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        # One certificate for the nodes (they all listen on 127.0.0.1), one for the test client.
        for name, extra in (("node", ("-extfile", "san.cnf")), ("client", ())):
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                    name + ".csr", "-subj", "/CN=" + name, cwd=d)
            openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", name + ".pem", "-days", "1", *extra, cwd=d)
        os.mkdir(os.path.join(d, "catalog"))
        with open(os.path.join(d, "catalog", "sale.yaml"), "w") as f:
            f.write(TLS_CATALOG)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def start_cluster(self, peer_ca):
        creds = grpc.ssl_channel_credentials(root_certificates=read(self.path("ca.pem")),
                                             private_key=read(self.path("client.key")),
                                             certificate_chain=read(self.path("client.pem")))
        cluster = Cluster(TACOSD, os.environ["TT_BROKER"], self.path("catalog"), flags=(
            "--grpc.tls_cert_file", self.path("node.pem"),
            "--grpc.tls_key_file", self.path("node.key"),
            "--grpc.tls_client_ca_file", self.path("ca.pem"),
            "--cluster.tls_peer_ca_file", self.path(peer_ca)), credentials=creds)
        self.addCleanup(cluster.close)
        cluster.wait_settled()
        owner = cluster.owner_of(shard_of(TLS_EVENT))
        others = [n for i, n in enumerate(cluster.nodes) if i != owner]
        return cluster.nodes[owner], others

    def hold(self, node, seat):
        return reservation_pb2_grpc.ReservationServiceStub(node.channel()).CreateReservation(
            reservation_pb2.CreateReservationRequest(
                event_id=TLS_EVENT, user_id="tls-user", seat_ids=[seat],
                idempotency_key="k-" + seat), timeout=CALL_TIMEOUT)

    def test_nodes_forward_to_each_other_over_tls(self):
        owner, others = self.start_cluster("ca.pem")
        held = self.hold(others[0], "A-1-1")
        read_back = reservation_pb2_grpc.ReservationServiceStub(others[1].channel()) \
            .GetReservation(reservation_pb2.GetReservationRequest(
                reservation_id=held.reservation_id, user_id="tls-user"), timeout=CALL_TIMEOUT)
        self.assertEqual([s.id for s in read_back.reservation.seats], ["A-1-1"])
        plain = grpc.insecure_channel("127.0.0.1:%d" % others[0].port)
        self.addCleanup(plain.close)
        with self.assertRaises(grpc.RpcError) as caught:
            gateway_pb2_grpc.GatewayServiceStub(plain).HealthCheck(
                gateway_pb2.HealthCheckRequest(), timeout=CALL_TIMEOUT)
        self.assertEqual(caught.exception.code(), SC.UNAVAILABLE)

    def test_peers_signed_by_another_ca_are_not_trusted(self):
        owner, others = self.start_cluster("stranger.pem")
        with self.assertRaises(grpc.RpcError) as caught:
            self.hold(others[0], "A-1-2")
        self.assertEqual(caught.exception.code(), SC.UNAVAILABLE)
        self.assertEqual([s.id for s in self.hold(owner, "A-1-2").reserved_seats], ["A-1-2"])

if __name__ == "__main__":
    unittest.main(verbosity=2)
