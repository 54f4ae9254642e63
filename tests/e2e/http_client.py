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
