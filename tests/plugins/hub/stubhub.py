"""
A stub hub for the forwarding tests: a real HTTP server on 127.0.0.1, in a thread, that records every request as it
arrived (headers and raw body) and answers as a test scripts it -- by default as a hub does: it checks the instance
and the signature (401), and answers ``{"accepted", "duplicates"}``, de-duplicating by event id.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from openedx_cc.lib.signing import BadSignature, check_signature
from openedx_cc.plugins.hub.wire import EVENTS_PATH, INSTANCE_HEADER, SIGNATURE_HEADER

HANG = "hang"  # a scripted answer: read the request, then answer nothing until the test ends


class Request:
    """One request the stub received."""

    def __init__(self, path, headers, body):
        self.path, self.headers, self.body = path, headers, body
        self.status = None  # the status answered; None: none (hung)

    @property
    def events(self):
        return json.loads(self.body)["events"]

    @property
    def event_ids(self):
        return [event["event_id"] for event in self.events]


class StubHub:
    def __init__(self, *, instance="acme", secret="hub-given-secret"):
        self.instance, self.secret = instance, secret
        self.requests: list[Request] = []
        # Answers to give, in order, before answering as a hub: status, (status, body[, headers]), HANG.
        self.script: list = []
        self.seen: set[str] = set()
        self.delay = 0.0  # seconds to wait before each answer
        self.released = threading.Event()
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = Request(self.path, dict(self.headers), body)
                with stub._lock:
                    stub.requests.append(request)
                    scripted = stub.script.pop(0) if stub.script else None
                if stub.delay:
                    stub.released.wait(stub.delay)
                if scripted == HANG:
                    stub.released.wait(60)
                    self.close_connection = True
                    return
                headers = {}
                if scripted is None:
                    status, answer = stub.answer(self.path, self.headers, body)
                elif isinstance(scripted, int):
                    status, answer = scripted, {"detail": f"scripted {scripted}"}
                elif len(scripted) == 3:
                    status, answer, headers = scripted
                else:
                    status, answer = scripted
                raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                request.status = status
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format, *args):  # noqa: A002 - quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def setting(self, **overrides):
        """The OPENEDX_CC_HUB of an instance registered with this stub."""
        return {"url": self.url, "instance": self.instance, "secret": self.secret, **overrides}

    def answer(self, path, headers, body):
        if path != EVENTS_PATH:
            return 404, {"detail": "Not found."}
        if headers.get(INSTANCE_HEADER) != self.instance:
            return 401, {"detail": "unknown or revoked instance"}
        try:
            check_signature(body, headers.get(SIGNATURE_HEADER), secret=self.secret, header_name=SIGNATURE_HEADER)
        except BadSignature as exc:
            return 401, {"detail": str(exc)}
        ids = [event["event_id"] for event in json.loads(body)["events"]]
        with self._lock:
            duplicates = sum(1 for event_id in ids if event_id in self.seen)
            self.seen.update(ids)
        return 200, {"accepted": len(ids) - duplicates, "duplicates": duplicates}

    @property
    def received_ids(self):
        """Every event id in every request, in the order they arrived."""
        return [event_id for request in self.requests for event_id in request.event_ids]

    @property
    def accepted_ids(self):
        """The event ids of the requests answered 200, in the order they arrived."""
        return [event_id for request in self.requests if request.status == 200 for event_id in request.event_ids]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
