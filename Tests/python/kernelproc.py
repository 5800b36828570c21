"""Kernels started directly (not through a KernelManager), for tests that need their own
connection file, environment, resource limits or stdio: the binary comes from the installed
kernelspec. Every wait is bounded."""
import os
import subprocess
import time

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import get_kernel_spec

from conftest import KERNEL


def binary():
    return get_kernel_spec(KERNEL).argv[0]


def connection_file(tmp_path, name="kernel.json", transport="tcp"):
    path = str(tmp_path / name)
    ip = "127.0.0.1" if transport == "tcp" else str(tmp_path / "ipc")
    write_connection_file(path, ip=ip, transport=transport, key=os.urandom(16).hex().encode())
    return path


class Kernel:
    """A `nabla kernel -f FILE` process and a blocking client connected to it."""

    def __init__(self, cf, env=None, preexec_fn=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
        self.cf = cf
        full_env = dict(os.environ, NABLA_HISTORY_FILE="")
        full_env.update(env or {})
        self.proc = subprocess.Popen([binary(), "kernel", "-f", cf], env=full_env, preexec_fn=preexec_fn,
                                     stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
        self.kc = BlockingKernelClient(connection_file=cf)
        self.kc.load_connection_file()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=30)

    def stop(self, timeout=10):
        try:
            self.kc.shutdown()
            self.proc.wait(timeout=timeout)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=timeout)
        finally:
            self.kc.stop_channels()
        return self.proc.returncode

    def stderr(self):
        return self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""


def collect(kc, msg_id, timeout):
    """iopub messages of one request up to its idle status (excluded); raises on timeout."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out
        if m["msg_type"] != "status":
            out.append(m)


def shell_reply(kc, msg_id, timeout):
    deadline = time.monotonic() + timeout
    while True:
        m = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") == msg_id:
            return m


def read_until(stream, needle, timeout):
    """Bytes read from a pipe until `needle` appears; raises after `timeout` seconds."""
    import select
    data = b""
    deadline = time.monotonic() + timeout
    while needle not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            raise TimeoutError(f"{needle!r} not seen in {timeout} s: {data[-200:]!r}")
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            raise EOFError(f"the pipe closed before {needle!r}: {data[-200:]!r}")
        data += chunk
    return data
