"""A real HTTP client for the gateway's end-to-end tests: python's http.client on one keep-alive
connection, JSON in and out."""
import http.client
import json
import uuid


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def error(self):
        return self.body["error"]


class Api:
    """One keep-alive connection; each call returns the status, headers and parsed JSON."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)

    def call(self, method, path, body=None, token=None, key=None, headers=None, raw=None):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        if key:
            h["Idempotency-Key"] = key
        self.conn.request(method, path, body=data, headers=h)
        r = self.conn.getresponse()
        text = r.read()
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()},
                     json.loads(text) if text else None)

    def close(self):
        self.conn.close()


def new_key():
    return str(uuid.uuid4())


def event_doc(event_id, room=None, rows="1-5", seats="1-10"):
    """A catalog file's event: one section A of `rows` x `seats` at 1000 KRW, on sale now, with
    a waiting room when `room` (its settings) is given."""
    doc = {"event_id": event_id, "name": "HTTP " + event_id, "venue": "Hall",
           "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
           "currency": "KRW",
           "sections": [{"section": "A", "name": "Floor A", "price": 1000,
                         "rows": [{"rows": rows, "seats": seats}]}]}
    if room:
        doc["waiting_room"] = room
    return doc
