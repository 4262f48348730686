"""
Processes the integration tests start and stop themselves: a throw-away redis-server, a Django development server
of the host under given settings.
"""
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, what, *, timeout):
    """Wait until something accepts connections on the loopback ``port``; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {timeout} s")


class RedisServer:
    """A throw-away redis-server on loopback that keeps nothing on disk."""

    def __init__(self, port, workdir):
        self.port, self.workdir, self.process = port, workdir, None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, "redis-server", timeout=5)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class HostServer:
    """``manage.py runserver`` of the host (no autoreload, one process), with the given settings and environment."""

    def __init__(self, settings_module, env, log_path):
        self.settings_module, self.env, self.log_path = settings_module, env, log_path
        self.port, self.process, self.log = free_port(), None, None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload",
             "--settings", self.settings_module],
            cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.process, f"the host server ({self.log_path})", timeout=60)

    def get(self, path, headers=None):
        """``(status, headers, body)`` of a GET."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        if self.log:
            self.log.close()


def manage(settings_module, env, *args, timeout=300):
    """Run ``manage.py ARGS --settings SETTINGS`` in a process of its own; the completed process."""
    return subprocess.run([sys.executable, "manage.py", *args, "--settings", settings_module], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout, check=False)
