"""End to end for issue #31's logs: a real tacosd, called through real gRPC.

- Bad input does not flood the log: 2,000 requests whose string field is invalid UTF-8 each get
  INVALID_ARGUMENT, and protobuf's complaint about them reaches the node's output once, then once
  more with the count of the 1,999 left out (written when the node stops, its interval open).
- GetLogs finds a failed call's line by the trace id the client sent, with its level, component
  and time; filters by level, component, time and text; pages newest first with a cursor (sent
  back in the x-cursor header) that neither repeats nor skips a line while new ones arrive; and
  refuses malformed queries with INVALID_ARGUMENT naming the field.
- Every TriggerOperation and EmergencyAction, done or refused, leaves an audit line (who, what,
  parameters, outcome, trace id) that GetLogs finds.
- A node whose admin calls are open says so at start.
- The JSON log lines carry the same fields (component, trace_id, fields)."""
import os
import sys
import tempfile
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from google.protobuf import timestamp_pb2  # noqa: E402
from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, contract_error  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
CALL_TIMEOUT = 10
E = errors_pb2
SC = grpc.StatusCode
# ValidateTokenRequest{token = "\xff\xfe"}: field 1, length 2, two bytes that are not UTF-8.
INVALID_UTF8_REQUEST = b"\x0a\x02\xff\xfe"
FLOOD = 2000


def trace_md(trace_id):
    return (("x-trace-id", trace_id),)


class Logs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.catalog = tempfile.TemporaryDirectory(prefix="tacosd-e2e-catalog-")
        cls.node = NodeProcess(TACOSD, "--catalog.dir", cls.catalog.name).start()
        cls.channel = cls.node.channel()
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)
        cls.res = reservation_pb2_grpc.ReservationServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.close()
        cls.catalog.cleanup()

    def get_logs(self, cursor=None, **fields):
        md = (("x-cursor", cursor),) if cursor else None
        return self.admin.GetLogs(admin_pb2.GetLogsRequest(**fields), metadata=md,
                                  timeout=CALL_TIMEOUT)

    def refused(self, code, **fields):
        with self.assertRaises(grpc.RpcError) as caught:
            self.get_logs(**fields)
        self.assertEqual(caught.exception.code(), code)
        return contract_error(caught.exception)

    def failed_call(self, trace_id):
        """A GetReservation that fails INVALID_ARGUMENT (not a minted id) under `trace_id`."""
        with self.assertRaises(grpc.RpcError) as caught:
            self.res.GetReservation(reservation_pb2.GetReservationRequest(
                reservation_id="not-an-id", user_id="u"),
                metadata=trace_md(trace_id), timeout=CALL_TIMEOUT)
        self.assertEqual(caught.exception.code(), SC.INVALID_ARGUMENT)

    def test_get_logs_finds_a_failed_call_by_its_trace_id(self):
        trace_id = "e2e-" + uuid.uuid4().hex
        self.failed_call(trace_id)
        reply = self.get_logs(search_query=trace_id)
        self.assertEqual(len(reply.logs), 1, reply)
        line = reply.logs[0]
        self.assertEqual(line.trace_id, trace_id)
        self.assertEqual(line.service, "grpc")
        self.assertEqual(line.level, admin_pb2.LOG_LEVEL_DEBUG)
        self.assertIn("/reservation.v1.ReservationService/GetReservation failed, invalid_argument",
                      line.message)
        self.assertFalse(reply.has_more)
        self.assertEqual(reply.next_cursor, "")
        # The other filters select it or not.
        self.assertEqual(len(self.get_logs(search_query=trace_id, service="grpc").logs), 1)
        self.assertEqual(len(self.get_logs(search_query=trace_id, service="kafka").logs), 0)
        self.assertEqual(len(self.get_logs(search_query=trace_id,
                                           level=admin_pb2.LOG_LEVEL_INFO).logs), 0)
        at = line.timestamp.ToNanoseconds()
        window = dict(start_time=timestamp_pb2.Timestamp(seconds=at // 10**9),
                      end_time=timestamp_pb2.Timestamp(seconds=at // 10**9 + 1))
        self.assertEqual(len(self.get_logs(search_query=trace_id, **window).logs), 1)
        after = dict(start_time=timestamp_pb2.Timestamp(seconds=at // 10**9 + 1))
        self.assertEqual(len(self.get_logs(search_query=trace_id, **after).logs), 0)

    def test_level_filter_is_that_level_and_above(self):
        reply = self.get_logs(level=admin_pb2.LOG_LEVEL_WARN, limit=1000)
        levels = {line.level for line in reply.logs}
        self.assertIn(admin_pb2.LOG_LEVEL_WARN, levels)  # the open-admin warning at least
        self.assertLessEqual(levels, {admin_pb2.LOG_LEVEL_WARN, admin_pb2.LOG_LEVEL_ERROR,
                                      admin_pb2.LOG_LEVEL_FATAL})

    def test_the_cursor_pages_newest_first_without_repeats_while_lines_arrive(self):
        tag = "page-" + uuid.uuid4().hex
        made = []
        for i in range(7):
            made.append("%s-%d" % (tag, i))
            self.failed_call(made[-1])
        seen, cursor = [], None
        for _ in range(10):
            reply = self.get_logs(search_query=tag, limit=3, cursor=cursor)
            seen += [line.trace_id for line in reply.logs]
            # A new matching line between pages is newer than the cursor: not in later pages.
            self.failed_call("%s-late-%d" % (tag, len(seen)))
            if not reply.has_more:
                self.assertEqual(reply.next_cursor, "")
                break
            cursor = reply.next_cursor
        self.assertEqual(seen, list(reversed(made)))

    def test_malformed_queries_are_invalid_argument_naming_the_field(self):
        cases = [
            (dict(limit=-1), "limit"),
            (dict(limit=1001), "limit"),
            (dict(level=99), "level"),
            (dict(start_time=timestamp_pb2.Timestamp(seconds=20),
                  end_time=timestamp_pb2.Timestamp(seconds=10)), "start_time"),
            (dict(end_time=timestamp_pb2.Timestamp(seconds=1, nanos=-5)), "end_time"),
            (dict(service="x" * 65), "service"),
            (dict(search_query="x" * 513), "search_query"),
            (dict(cursor="0000.1"), "x-cursor"),
            (dict(cursor="not a cursor"), "x-cursor"),
        ]
        for fields, field in cases:
            with self.subTest(field=field, fields=str(fields)[:60]):
                err = self.refused(SC.INVALID_ARGUMENT, **fields)
                self.assertEqual(err.code, E.ERROR_CODE_INVALID_ARGUMENT)
                self.assertEqual(err.details[0].field, field)

    def audit_line(self, trace_id):
        reply = self.get_logs(search_query=trace_id, service="audit")
        self.assertEqual(len(reply.logs), 1, reply)
        return reply.logs[0]

    def test_every_trigger_operation_and_emergency_action_leaves_an_audit_line(self):
        done = "audit-" + uuid.uuid4().hex
        reply = self.admin.EmergencyAction(admin_pb2.EmergencyActionRequest(
            action=admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS, confirm=True, reason="drill",
            parameters={"mode": "on"}), metadata=trace_md(done), timeout=CALL_TIMEOUT)
        self.assertEqual(reply.action_id, done)
        line = self.audit_line(done)
        self.assertEqual(line.trace_id, done)
        self.assertEqual(line.level, admin_pb2.LOG_LEVEL_INFO)
        self.assertEqual(line.fields["what"], "/common.v1.AdminService/EmergencyAction")
        self.assertTrue(line.fields["who"].startswith("anonymous (ipv4:127.0.0.1:"),
                        line.fields["who"])
        self.assertIn("action=EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS", line.fields["parameters"])
        self.assertIn("mode=on", line.fields["parameters"])
        self.assertIn("reason=drill", line.fields["parameters"])
        self.assertTrue(line.fields["outcome"].startswith("done: "), line.fields["outcome"])
        self.admin.EmergencyAction(admin_pb2.EmergencyActionRequest(
            action=admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS, confirm=True,
            parameters={"mode": "off"}), timeout=CALL_TIMEOUT)

        unconfirmed = "audit-" + uuid.uuid4().hex
        with self.assertRaises(grpc.RpcError) as caught:
            self.admin.EmergencyAction(admin_pb2.EmergencyActionRequest(
                action=admin_pb2.EMERGENCY_ACTION_TYPE_MAINTENANCE_MODE),
                metadata=trace_md(unconfirmed), timeout=CALL_TIMEOUT)
        self.assertEqual(caught.exception.code(), SC.FAILED_PRECONDITION)
        line = self.audit_line(unconfirmed)
        self.assertTrue(line.fields["outcome"].startswith("failed: failed_precondition"),
                        line.fields["outcome"])
        self.assertIn("confirm=false", line.fields["parameters"])

        op = "audit-" + uuid.uuid4().hex
        reply = self.admin.TriggerOperation(admin_pb2.TriggerOperationRequest(
            operation=admin_pb2.OPERATION_TYPE_REFRESH_CONFIG, dry_run=True, reason="check"),
            metadata=trace_md(op), timeout=CALL_TIMEOUT)
        self.assertEqual(reply.operation_id, op)
        line = self.audit_line(reply.operation_id)
        self.assertEqual(line.fields["what"], "/common.v1.AdminService/TriggerOperation")
        self.assertIn("operation=OPERATION_TYPE_REFRESH_CONFIG", line.fields["parameters"])
        self.assertIn("dry_run=true", line.fields["parameters"])
        self.assertTrue(line.fields["outcome"].startswith("done: OPERATION_STATUS_COMPLETED"),
                        line.fields["outcome"])

        malformed = "audit-" + uuid.uuid4().hex
        with self.assertRaises(grpc.RpcError):
            self.admin.TriggerOperation(admin_pb2.TriggerOperationRequest(
                operation=admin_pb2.OPERATION_TYPE_DRAIN_QUEUE),
                metadata=trace_md(malformed), timeout=CALL_TIMEOUT)
        line = self.audit_line(malformed)
        self.assertTrue(line.fields["outcome"].startswith("failed: invalid_argument"),
                        line.fields["outcome"])

    def test_open_admin_calls_are_warned_about_at_start(self):
        reply = self.get_logs(service="admin", level=admin_pb2.LOG_LEVEL_WARN)
        self.assertEqual(len(reply.logs), 1, reply)
        self.assertIn("OPEN to anyone", reply.logs[0].message)

    def test_json_lines_carry_component_trace_id_and_fields(self):
        trace_id = "json-" + uuid.uuid4().hex
        self.admin.TriggerOperation(admin_pb2.TriggerOperationRequest(
            operation=admin_pb2.OPERATION_TYPE_REFRESH_CONFIG, dry_run=True),
            metadata=trace_md(trace_id), timeout=CALL_TIMEOUT)
        lines = [e for e in self.node.log_entries() if e.get("trace_id") == trace_id]
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(lines[0]["component"], "audit")
        self.assertEqual(lines[0]["fields"]["what"], "/common.v1.AdminService/TriggerOperation")
        self.assertIn("outcome", lines[0]["fields"])


class ProtobufFlood(unittest.TestCase):
    def test_invalid_utf8_requests_do_not_flood_the_log(self):
        node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent",
                           "--log.repeat_interval_ms", "600000").start()
        try:
            with node.channel() as channel:
                call = channel.unary_unary("/gateway.v1.GatewayService/ValidateToken")
                for _ in range(FLOOD):
                    with self.assertRaises(grpc.RpcError) as caught:
                        call(INVALID_UTF8_REQUEST, timeout=CALL_TIMEOUT)
                    self.assertEqual(caught.exception.code(), SC.INVALID_ARGUMENT)
                # While the interval is open: one line, carrying the first call's trace id.
                complaints = [e for e in node.log_entries() if "invalid UTF-8" in e["msg"]]
                self.assertEqual(len(complaints), 1, complaints)
                self.assertEqual(complaints[0]["component"], "protobuf")
                self.assertIn("trace_id", complaints[0])
            self.assertEqual(node.stop(), 0)
            complaints = [e["msg"] for e in node.log_entries() if "invalid UTF-8" in e["msg"]]
            self.assertEqual(len(complaints), 2, complaints)
            self.assertIn("repeated %d more times" % (FLOOD - 1), complaints[1])
        finally:
            node.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
