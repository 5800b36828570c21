"""The kernel's life: floods of output, ports already taken, history faults, several kernels
on one history, closed pipes, starting without a connection file, shutdown while busy."""
import json
import os
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import time

import pytest
import zmq

from kernelproc import Kernel, binary, collect, connection_file, read_until, shell_reply


def stream_text(outputs, name="stdout"):
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == name)


@pytest.mark.parametrize("n", [20_000, 100_000])
def test_print_flood_arrives_complete_in_order(kernel, n):
    km, kc = kernel
    msg_id = kc.execute(f"for i in range({n}):\n    print(i)\n'done'")
    outputs = collect(kc, msg_id, timeout=240)
    assert stream_text(outputs) == "".join(f"{i}\n" for i in range(n))
    assert [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"] == ["'done'"]
    streams = [m for m in outputs if m["msg_type"] == "stream"]
    assert len(streams) < n / 10, "prints were not coalesced"
    assert shell_reply(kc, msg_id, 30)["content"]["status"] == "ok"


def test_fifty_megabyte_line(kernel):
    km, kc = kernel
    msg_id = kc.execute("s = 'ab' * 25000000\nprint(s)\nlen(s)")
    outputs = collect(kc, msg_id, timeout=240)
    text = stream_text(outputs)
    assert len(text) == 50_000_001 and text == "ab" * 25_000_000 + "\n"
    assert [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"] == ["50000000"]


def test_second_kernel_on_the_same_connection_file_exits_at_once(tmp_path):
    cf = connection_file(tmp_path)
    first = Kernel(cf)
    try:
        start = time.monotonic()
        second = subprocess.run([binary(), "kernel", "-f", cf], env=dict(os.environ, NABLA_HISTORY_FILE=""),
                                capture_output=True, timeout=10)
        elapsed = time.monotonic() - start
        assert second.returncode != 0
        assert elapsed < 1.0, f"took {elapsed:.2f} s to give up"
        assert b"already in use" in second.stderr
        # The first kernel is untouched.
        msg_id = first.kc.execute("1 + 1")
        assert shell_reply(first.kc, msg_id, 10)["content"]["status"] == "ok"
    finally:
        first.stop()


@pytest.mark.parametrize("port", ["shell_port", "hb_port"])
def test_port_taken_by_another_process(tmp_path, port):
    cf = connection_file(tmp_path)
    info = json.load(open(cf))
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", info[port]))
    squatter.listen(1)
    try:
        start = time.monotonic()
        r = subprocess.run([binary(), "kernel", "-f", cf], env=dict(os.environ, NABLA_HISTORY_FILE=""), capture_output=True, timeout=10)
        assert time.monotonic() - start < 1.0
        assert r.returncode != 0
        assert re.search(rb"cannot bind the \w+ socket to tcp://127.0.0.1:%d: the address is already in use" % info[port], r.stderr), r.stderr
    finally:
        squatter.close()


def test_ipc_transport_and_a_second_kernel_on_it(tmp_path):
    cf = connection_file(tmp_path, transport="ipc")
    first = Kernel(cf)
    try:
        msg_id = first.kc.execute("print('over ipc')")
        assert stream_text(collect(first.kc, msg_id, 30)) == "over ipc\n"
        start = time.monotonic()
        r = subprocess.run([binary(), "kernel", "-f", cf], env=dict(os.environ, NABLA_HISTORY_FILE=""), capture_output=True, timeout=10)
        assert time.monotonic() - start < 1.0 and r.returncode != 0 and b"already in use" in r.stderr
        msg_id = first.kc.execute("2 * 21")
        assert shell_reply(first.kc, msg_id, 10)["content"]["status"] == "ok"
    finally:
        first.stop()


def history_of(kc, timeout=10, **kw):
    msg_id = kc.history(**kw)
    return shell_reply(kc, msg_id, timeout)["content"]


def run_cells(kc, cells):
    for code in cells:
        msg_id = kc.execute(code)
        assert shell_reply(kc, msg_id, 30)["content"]["status"] == "ok"


def warnings(text):
    return [l for l in text.splitlines() if "history:" in l]


@pytest.mark.parametrize("fault", ["directory", "corrupt_database", "file_size_limit"])
def test_history_faults_fall_back_to_memory(tmp_path, fault):
    path = tmp_path / "history.sqlite"
    preexec = None
    if fault == "directory":
        path.mkdir()
    elif fault == "corrupt_database":
        path.write_bytes(b"not a database " * 1000)
    else:
        # The database may grow to 48 KiB: the WAL outgrows that after a few cells.
        def preexec():
            resource.setrlimit(resource.RLIMIT_FSIZE, (48 << 10, 48 << 10))
    k = Kernel(connection_file(tmp_path), env={"NABLA_HISTORY_FILE": str(path)}, preexec_fn=preexec)
    cells = [f"c{i} = {i}  # " + "x" * 2000 for i in range(40)]
    try:
        run_cells(k.kc, cells)
        content = history_of(k.kc, hist_access_type="tail", n=100, output=False, raw=True)
        assert [h[2] for h in content["history"]][-40:] == cells, "a cell was lost from history"
        content = history_of(k.kc, hist_access_type="range", session=0, start=1, stop=100, output=False, raw=True)
        assert [h[2] for h in content["history"]] == cells
    finally:
        assert k.stop() == 0
    assert len(warnings(k.stderr())) == 1


def test_corrupt_last_line_of_the_old_history_is_skipped(tmp_path):
    legacy = tmp_path / "nabla_history.jsonl"
    legacy.write_bytes(b'[1, 1, "a = 1"]\n[1, 2, "b = \\ud800\\u0041"]\n[1, 3, "\\ud800\\ud800"]\n[2, 1, "tru')
    k = Kernel(connection_file(tmp_path), env={"NABLA_HISTORY_FILE": str(tmp_path / "nabla_history.sqlite")})
    try:
        content = history_of(k.kc, hist_access_type="tail", n=10, output=False, raw=True)
        assert [h[2] for h in content["history"]] == ["a = 1", "b = \ufffdA", "\ufffd\ufffd"]
    finally:
        k.stop()


def test_concurrent_kernels_share_one_history(tmp_path):
    db = tmp_path / "shared.sqlite"
    kernels = [Kernel(connection_file(tmp_path, f"k{i}.json"), env={"NABLA_HISTORY_FILE": str(db)}) for i in range(3)]
    try:
        pending = []
        for n in range(30):
            for i, k in enumerate(kernels):
                pending.append((k, k.kc.execute(f"v = {n}  # kernel {i} cell {n}")))
        for k, msg_id in pending:
            assert shell_reply(k.kc, msg_id, 60)["content"]["status"] == "ok"
        tail = history_of(kernels[0].kc, hist_access_type="search", pattern="v = *", unique=False, output=False, raw=True)
        assert len(tail["history"]) == 90
        unique = history_of(kernels[0].kc, hist_access_type="search", pattern="v = 3  # kernel *", unique=True, output=False, raw=True)
        assert len(unique["history"]) == 3
    finally:
        for k in kernels:
            assert k.stop() == 0
    con = sqlite3.connect(db)
    sessions = [r[0] for r in con.execute("SELECT DISTINCT session FROM history")]
    assert len(sessions) == 3
    assert con.execute("SELECT COUNT(*) FROM history").fetchone()[0] == 90
    for s in sessions:
        lines = [r[0] for r in con.execute("SELECT line FROM history WHERE session = ? ORDER BY line", (s,))]
        assert lines == list(range(1, 31))
    assert con.execute("SELECT COUNT(*) FROM sessions WHERE end IS NOT NULL").fetchone()[0] == 3
    con.close()


def test_closed_stdout_and_stderr_are_not_fatal(tmp_path):
    cf = connection_file(tmp_path)
    k = Kernel(cf)
    try:
        k.proc.stdout.close()
        k.proc.stderr.close()
        info = json.load(open(cf))
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(f"tcp://127.0.0.1:{info['shell_port']}")
        for _ in range(50):  # each is logged on the (closed) stderr: EPIPE
            sock.send_multipart([b"<IDS|MSG>", b"bad", b"{}", b"{}", b"{}", b"{}"])
        sock.close()
        time.sleep(0.5)
        msg_id = k.kc.execute("print('still here')")
        out = collect(k.kc, msg_id, 10)
        assert stream_text(out) == "still here\n"
        assert k.proc.poll() is None
    finally:
        k.proc.stderr = None
        assert k.stop() == 0


def test_kernel_without_a_connection_file(tmp_path):
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), NABLA_HISTORY_FILE="")
    proc = subprocess.Popen([binary(), "kernel"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = read_until(proc.stdout, b".json\n", 10)
        path = out.split(b"--existing", 1)[1].strip().decode()
        assert path == str(tmp_path / f"kernel-{proc.pid}.json")
        info = json.load(open(path))
        assert len(info["key"]) >= 32 and info["signature_scheme"] == "hmac-sha256"
        assert all(0 < info[p] < 65536 for p in ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"])
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        from jupyter_client import BlockingKernelClient
        kc = BlockingKernelClient(connection_file=path)
        kc.load_connection_file()
        kc.start_channels()
        kc.wait_for_ready(timeout=30)
        msg_id = kc.execute("6 * 7")
        assert shell_reply(kc, msg_id, 10)["content"]["status"] == "ok"
        kc.shutdown()
        assert proc.wait(timeout=10) == 0
        kc.stop_channels()
        assert not os.path.exists(path), "the connection file the kernel wrote was left behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_shutdown_while_busy(tmp_path):
    k = Kernel(connection_file(tmp_path))
    k.kc.execute("x = 0\nwhile True:\n    x = x + 1")
    time.sleep(0.5)
    start = time.monotonic()
    k.kc.shutdown()
    assert k.proc.wait(timeout=10) == 0
    assert time.monotonic() - start < 5
    k.kc.stop_channels()


def test_dead_client_does_not_stall_the_kernel(tmp_path):
    cf = connection_file(tmp_path)
    k = Kernel(cf)
    try:
        info = json.load(open(cf))
        from jupyter_client.session import Session
        for _ in range(5):
            s = Session(key=info["key"].encode())
            ctx = zmq.Context()
            shell = ctx.socket(zmq.DEALER)
            sub = ctx.socket(zmq.SUB)
            sub.setsockopt(zmq.SUBSCRIBE, b"")
            sub.connect(f"tcp://127.0.0.1:{info['iopub_port']}")
            shell.connect(f"tcp://127.0.0.1:{info['shell_port']}")
            s.send(shell, "execute_request", {"code": "for i in range(3000):\n    print(i)", "silent": False,
                                             "store_history": True, "user_expressions": {}, "allow_stdin": True, "stop_on_error": True})
            ctx.destroy(linger=0)   # gone before reading anything
        msg_id = k.kc.execute("'alive'")
        out = collect(k.kc, msg_id, 60)
        assert [m["content"]["data"]["text/plain"] for m in out if m["msg_type"] == "execute_result"] == ["'alive'"]
    finally:
        k.stop()


def test_output_before_the_first_subscription_is_kept(tmp_path):
    """A frontend can run a cell before its iopub subscription reaches the kernel (jupyter
    console shows its prompt once kernel_info is answered on shell). What the cell published
    reaches the first subscriber, after its welcome: the console waits for that idle status."""
    from jupyter_client.session import Session
    cf = connection_file(tmp_path)
    info = json.load(open(cf))
    proc = subprocess.Popen([binary(), "kernel", "-f", cf], env=dict(os.environ, NABLA_HISTORY_FILE=""),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ctx = zmq.Context()
    try:
        s = Session(key=info["key"].encode())
        shell = ctx.socket(zmq.DEALER)
        shell.linger = 0
        shell.connect(f"tcp://127.0.0.1:{info['shell_port']}")
        msg = s.send(shell, "execute_request", {"code": "print('early')", "silent": False, "store_history": True,
                                               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        assert shell.poll(30000), "no execute_reply"
        assert s.recv(shell)[1]["msg_type"] == "execute_reply"
        iopub = ctx.socket(zmq.SUB)
        iopub.linger = 0
        iopub.setsockopt(zmq.SUBSCRIBE, b"")
        iopub.connect(f"tcp://127.0.0.1:{info['iopub_port']}")
        first, seen = None, []
        while iopub.poll(5000):
            m = s.recv(iopub)[1]
            first = first or m["msg_type"]
            if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                c = m["content"]
                seen.append((m["msg_type"], c.get("execution_state") or c.get("text") or c.get("code")))
                if seen[-1] == ("status", "idle"):
                    break
        assert first == "iopub_welcome"
        assert seen == [("status", "busy"), ("execute_input", "print('early')"), ("stream", "early\n"), ("status", "idle")]
    finally:
        proc.kill()
        proc.wait(timeout=10)
        ctx.destroy(linger=0)


def test_curve_encryption(tmp_path):
    server_public, server_secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()
    cf = connection_file(tmp_path)
    info = json.load(open(cf))
    info.update(curve_publickey=server_public.decode(), curve_secretkey=server_secret.decode())
    json.dump(info, open(cf, "w"))
    env = dict(os.environ, NABLA_HISTORY_FILE="")
    proc = subprocess.Popen([binary(), "kernel", "-f", cf], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ctx = zmq.Context()
    try:
        from jupyter_client.session import Session
        s = Session(key=info["key"].encode())

        def sock(kind, port, encrypted=True):
            z = ctx.socket(kind)
            z.linger = 0
            if encrypted:
                z.curve_serverkey, z.curve_publickey, z.curve_secretkey = server_public, client_public, client_secret
            z.connect(f"tcp://127.0.0.1:{info[port]}")
            return z

        shell = sock(zmq.DEALER, "shell_port")
        iopub = sock(zmq.SUB, "iopub_port")
        iopub.setsockopt(zmq.SUBSCRIBE, b"")
        hb = sock(zmq.REQ, "hb_port")
        deadline = time.monotonic() + 30
        while True:  # the kernel is up once an encrypted kernel_info is answered
            s.send(shell, "kernel_info_request", {})
            if shell.poll(500):
                break
            assert time.monotonic() < deadline and proc.poll() is None
        reply = s.recv(shell)[1]
        assert reply["msg_type"] == "kernel_info_reply"
        # iopub is live once the kernel welcomes the subscription (protocol 5.5).
        welcomed = False
        while not welcomed and time.monotonic() < deadline and iopub.poll(1000):
            welcomed = s.recv(iopub)[1]["msg_type"] == "iopub_welcome"
        assert welcomed, "no iopub_welcome over the encrypted iopub"
        hb.send(b"ping")
        assert hb.poll(5000) and hb.recv() == b"ping"
        msg = s.send(shell, "execute_request", {"code": "print('secret')", "silent": False, "store_history": True,
                                               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        seen = []
        end = time.monotonic() + 10
        while time.monotonic() < end and iopub.poll(1000):
            m = s.recv(iopub)[1]
            if m and m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                seen.append(m["msg_type"])
                if m["msg_type"] == "stream":
                    assert m["content"]["text"] == "secret\n"
                if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    break
        assert "stream" in seen and seen[-1] == "status"
        # Without the server's key, nothing is answered.
        plain = sock(zmq.DEALER, "shell_port", encrypted=False)
        s.send(plain, "kernel_info_request", {})
        assert not plain.poll(1000)
        wrong_public, wrong_secret = zmq.curve_keypair()
        wrong = ctx.socket(zmq.DEALER)
        wrong.linger = 0
        wrong.curve_serverkey, wrong.curve_publickey, wrong.curve_secretkey = wrong_public, client_public, client_secret
        wrong.connect(f"tcp://127.0.0.1:{info['shell_port']}")
        s.send(wrong, "kernel_info_request", {})
        assert not wrong.poll(1000)
        assert proc.poll() is None
    finally:
        ctx.destroy(linger=0)
        proc.kill()
        proc.wait(timeout=10)


def test_bad_curve_key_is_refused_at_start(tmp_path):
    cf = connection_file(tmp_path)
    info = json.load(open(cf))
    info["curve_secretkey"] = "not a key"
    json.dump(info, open(cf, "w"))
    r = subprocess.run([binary(), "kernel", "-f", cf], env=dict(os.environ, NABLA_HISTORY_FILE=""), capture_output=True, timeout=10)
    assert r.returncode != 0 and b"CurveZMQ: curve_secretkey is not a 40-character Z85 key" in r.stderr


def test_kernel_writes_curve_keys_when_asked(tmp_path):
    path = tmp_path / "fresh.json"
    proc = subprocess.Popen([binary(), "kernel", "--curve", "-f", str(path)], env=dict(os.environ, NABLA_HISTORY_FILE=""),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        read_until(proc.stdout, b".json\n", 10)
        info = json.load(open(path))
        assert len(info["curve_publickey"]) == 40 and len(info["curve_secretkey"]) == 40
        assert zmq.curve_public(info["curve_secretkey"].encode()) == info["curve_publickey"].encode()
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_jupyter_client_with_transport_encryption_required():
    """jupyter_client provisions CurveZMQ keys (the kernelspec declares support); its own client
    talks encrypted; a plain client on the same ports gets no answer."""
    from jupyter_client.manager import KernelManager
    from conftest import run, result_text
    km = KernelManager(kernel_name="nabla", transport_encryption="required")
    km.start_kernel(env=dict(os.environ, NABLA_HISTORY_FILE=""))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        info = km.get_connection_info()
        assert info.get("curve_publickey") and info.get("curve_secretkey")
        reply, out = run(kc, "print('over curve')\n1 + 1")
        assert reply["content"]["status"] == "ok" and result_text(out) == ["2"]
        assert "over curve\n" in stream_text(out)
        plain = zmq.Context.instance().socket(zmq.DEALER)
        plain.linger = 0
        plain.connect(f"tcp://{info['ip']}:{info['shell_port']}")
        kc.session.send(plain, "kernel_info_request", {})
        assert not plain.poll(1000)
        plain.close()
        assert km.is_alive()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_is_complete_unique_history_and_help_links(kernel):
    """Items 9 and 11 over the wire: is_complete answers as IPython, history_request honours
    unique, help_links name no path of the machine that built the kernel."""
    from conftest import run
    km, kc = kernel
    cases = {"def f(x):\n    return x\n": ("complete", None), "def f(x):": ("incomplete", "    "),
             "for i in r:": ("incomplete", "    "), "x = (1 +": ("incomplete", ""), "x = = 1": ("invalid", None),
             "x = 1": ("complete", None)}
    for code, (status, indent) in cases.items():
        kc.is_complete(code)
        reply = kc.get_shell_msg(timeout=10)["content"]
        assert reply["status"] == status, code
        if indent is not None:
            assert reply["indent"] == indent, code
    for code in ["u = 1", "u = 2", "u = 1", "u = 1"]:
        run(kc, code)
    kc.history(hist_access_type="search", pattern="u = *", unique=True, output=False, raw=True)
    unique = [e[2] for e in kc.get_shell_msg(timeout=10)["content"]["history"]]
    assert sorted(unique) == ["u = 1", "u = 2"]
    kc.history(hist_access_type="search", pattern="u = *", unique=False, output=False, raw=True)
    assert len(kc.get_shell_msg(timeout=10)["content"]["history"]) == 4
    kc.kernel_info()
    links = kc.get_shell_msg(timeout=10)["content"]["help_links"]
    assert links and all(not l["url"].startswith(("file:", "/")) for l in links)


def test_oversized_message_is_answered(kernel):
    """A 16 MB signed execute_request (one huge string) is read, run and answered; the kernel stays correct."""
    from conftest import run, result_text
    km, kc = kernel
    reply, out = run(kc, "s = '" + "x" * (16 << 20) + "'\nlen(s)", timeout=120)
    assert reply["content"]["status"] == "ok" and result_text(out) == [str(16 << 20)]
    reply, out = run(kc, "1 + 1")
    assert result_text(out) == ["2"]
