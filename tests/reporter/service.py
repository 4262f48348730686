"""
A stand-in openedx-cc service on a local port (``http.server`` in a thread), for the reporter's HTTP tests: it
records every request and gives the answers a test scripts, in order (the last one again when they run out).
"""
import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "s3cret-for-tests"


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes

    def signed_with(self, secret, payload=None):
        """Whether X-CC-Signature-256 is the HMAC-SHA256 of ``payload`` (default: the body) under ``secret``."""
        payload = self.body if payload is None else payload
        expected = "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("x-cc-signature-256", ""), expected)


@dataclass
class Answer:
    status: int
    body: object = None  # JSON, or bytes as they are
    headers: dict = field(default_factory=dict)


class Service:
    """The running stand-in: ``url``, the ``requests`` received, the ``answers`` to give."""

    def __init__(self):
        self.requests = []
        self.answers = [Answer(201, {"id": "ok"})]
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                service.requests.append(Request(self.command, self.path, {k.lower(): v for k, v in
                                                                          self.headers.items()},
                                                self.rfile.read(length)))
                answer = service.answers.pop(0) if len(service.answers) > 1 else service.answers[0]
                body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)
        self._thread.start()

    def answer(self, *answers):
        self.answers = list(answers)

    @property
    def posts(self):
        """The reports received (the POST requests), without the requests for heads."""
        return [request for request in self.requests if request.method == "POST"]

    def close(self):
        self._server.shutdown()
        self._server.server_close()


def heads_answer(heads=None, environment="production"):
    """The answer to ``GET deployments/heads/``: ``heads`` maps ``owner/name`` to ``(sha, deployment_id)``."""
    return Answer(200, {"environment": environment, "heads": {
        name: {"sha": sha, "deployment_id": deployment_id, "deployed_at": "2026-11-20T10:00:00Z"}
        for name, (sha, deployment_id) in (heads or {}).items()}})


def refused_url():
    """A URL where nothing listens: a port bound, then let go."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
