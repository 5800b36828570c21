"""What jupyter_kernel_test never checks: interrupts, restart, heartbeat, stdin, signatures,
garbage on every socket, memory over many executes, jupyter console and nbclient."""
import json
import os
import random
import signal
import subprocess
import sys
import time

import nbformat
import pytest
import zmq
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

from conftest import KERNEL, result_text, run

LOOP = "x = 0\nwhile True:\n    x = x + 1"


def interrupt_and_check(km, kc, how):
    msg_id = kc.execute(LOOP)
    # Wait until the cell is running.
    while True:
        m = kc.get_iopub_msg(timeout=10)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            break
    time.sleep(0.3)
    if how == "message":
        km.interrupt_kernel()   # kernelspec interrupt_mode is "message": interrupt_request on control
    else:
        os.kill(km.provisioner.process.pid, signal.SIGINT)
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    # The variables survive and the kernel answers.
    r, out = run(kc, "x > 0")
    assert result_text(out) == ["True"], (r["content"], out)


@pytest.mark.parametrize("how", ["message", "signal"])
def test_interrupt_keeps_state(kernel, how):
    km, kc = kernel
    interrupt_and_check(km, kc, how)


def test_restart_clears_state(kernel):
    km, kc = kernel
    run(kc, "w = 5")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=30)
    reply, out = run(kc, "w")
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "NameError"
    _, out = run(kc, "1 + 1")
    assert result_text(out) == ["2"]


def test_heartbeat_during_long_cell(kernel):
    km, kc = kernel
    info = km.get_connection_info()
    ctx = zmq.Context.instance()
    hb = ctx.socket(zmq.REQ)
    hb.connect(f"tcp://{info['ip']}:{info['hb_port']}")
    msg_id = kc.execute("s = 0\nfor i in range(3000000):\n    s = s + 1")
    time.sleep(0.3)
    for n in range(3):
        hb.send(b"ping %d" % n)
        assert hb.poll(2000), "heartbeat did not answer while a cell ran"
        assert hb.recv() == b"ping %d" % n
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    assert reply["parent_header"]["msg_id"] == msg_id
    hb.close(0)


def test_stdin_round_trip(kernel):
    km, kc = kernel
    msg_id = kc.execute("name = input('Your name? ')\nprint('hello', name)", allow_stdin=True)
    req = kc.get_stdin_msg(timeout=10)
    assert req["msg_type"] == "input_request" and req["content"]["prompt"] == "Your name? "
    kc.input("Ada")
    reply = kc.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "ok"
    _, out = run(kc, "name")
    assert result_text(out) == ["'Ada'"]
    # Without allow_stdin, input() is an error rather than a hang.
    reply, _ = run(kc, "input('x')", allow_stdin=False)
    assert reply["content"]["status"] == "error"


def raw_shell(km, session_key):
    info = km.get_connection_info()
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.connect(f"tcp://{info['ip']}:{info['shell_port']}")
    return sock, Session(key=session_key)


def test_wrong_signature_is_not_executed(kernel):
    km, kc = kernel
    run(kc, "flag = 0")
    sock, _ = raw_shell(km, b"")
    forged = Session(key=b"not-the-key")
    forged.send(sock, "execute_request", {"code": "flag = 1", "silent": False, "store_history": True,
                                          "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    unsigned = Session(key=b"")
    unsigned.send(sock, "execute_request", {"code": "flag = 2", "silent": False})
    time.sleep(0.5)
    assert not sock.poll(200), "the kernel answered a forged message"
    _, out = run(kc, "flag")
    assert result_text(out) == ["0"]
    sock.close(0)


def test_random_frames_on_every_socket(kernel):
    km, kc = kernel
    info = km.get_connection_info()
    ctx = zmq.Context.instance()
    rng = random.Random(7)
    key = km.session.key
    delim = b"<IDS|MSG>"

    def frames():
        kind = rng.randrange(6)
        junk = lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        if kind == 0:
            return [junk() for _ in range(rng.randrange(1, 8))]
        if kind == 1:
            return [delim] + [junk() for _ in range(rng.randrange(0, 6))]
        if kind == 2:  # valid signature over bad JSON
            parts = [junk() for _ in range(4)]
            return [delim, Session(key=key).sign(parts)] + parts
        if kind == 3:  # valid signature, JSON of the wrong types
            parts = [json.dumps(rng.choice([[], 1, "s", None, {"msg_type": 5}])).encode() for _ in range(4)]
            return [delim, Session(key=key).sign(parts)] + parts
        if kind == 4:  # valid, signed, unknown or malformed content
            s = Session(key=key)
            msg = s.msg(rng.choice(["execute_request", "complete_request", "nonsense", "inspect_request", "history_request",
                                    "comm_open", "is_complete_request", "kernel_info_request"]),
                        content=rng.choice([{}, {"code": 5}, {"code": None, "cursor_pos": "x"}, {"cursor_pos": -5, "code": "ab"},
                                            {"hist_access_type": "range", "session": "a"}, {"code": "1+1", "cursor_pos": 10**9}]))
            return s.serialize(msg)
        return [junk() * 1000]

    sockets = []
    for port in ("shell_port", "control_port", "stdin_port"):
        s = ctx.socket(zmq.DEALER)
        s.connect(f"tcp://{info['ip']}:{info[port]}")
        sockets.append(s)
    hb = ctx.socket(zmq.DEALER)
    hb.connect(f"tcp://{info['ip']}:{info['hb_port']}")
    sub = ctx.socket(zmq.XSUB)
    sub.connect(f"tcp://{info['ip']}:{info['iopub_port']}")
    for i in range(10000):
        for s in sockets:
            s.send_multipart(frames())
        hb.send_multipart([b""] + [bytes(rng.randrange(256) for _ in range(rng.randrange(20)))])
        sub.send(bytes([rng.randrange(256)]) + bytes(rng.randrange(256) for _ in range(rng.randrange(10))))
    time.sleep(1.0)
    # Still alive and still correct.
    assert km.is_alive()
    _, out = run(kc, "softmax([3.2, 5.1, -1.7])[1]", timeout=60)
    assert result_text(out) == ["0.869"]
    for s in sockets + [hb, sub]:
        s.close(0)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_thousand_executes_bounded_memory(kernel):
    km, kc = kernel
    pid = km.provisioner.process.pid
    for i in range(100):
        run(kc, f"W = randn(20, 20)\nL = sum(W @ W)\nprint({i})")
    before = rss_kb(pid)
    for i in range(1000):
        run(kc, f"W = randn(20, 20)\nL = sum(W @ W)\nprint({i})")
    after = rss_kb(pid)
    # History and sources grow a little per cell; a leak of the 3 KB tensors would be far more.
    assert after - before < 20_000, f"RSS grew from {before} kB to {after} kB"


def test_stop_on_error_aborts_queued_cells(kernel):
    km, kc = kernel
    # The failing cell runs long enough that the second one is surely queued behind it (a cell
    # that arrives after the failure has been answered is not queued, and runs).
    first = kc.execute("import time\ntime.sleep(0.5)\nundefined_thing")
    second = kc.execute("ran = 1")
    replies = {}
    while len(replies) < 2:
        m = kc.get_shell_msg(timeout=10)
        replies[m["parent_header"]["msg_id"]] = m["content"]["status"]
    assert replies[first] == "error"
    assert replies[second] == "aborted"
    reply, _ = run(kc, "ran")
    assert reply["content"]["status"] == "error"


def test_jupyter_console(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path))
    child = pexpect.spawn(os.path.join(os.path.dirname(sys.executable), "jupyter"),
                          ["console", "--kernel", KERNEL, "--simple-prompt"], env=env, encoding="utf-8", timeout=60)
    child.expect(r"In \[1\]: ")
    child.sendline("softmax([3.2, 5.1, -1.7])")
    child.expect(r"Out\[1\]: .*0\.869")
    child.expect(r"In \[2\]: ")
    child.sendline("print('hello from nabla')")
    child.expect("hello from nabla")
    child.expect(r"In \[3\]: ")
    child.sendline("exit()")
    child.expect(pexpect.EOF)


def test_nbclient_executes_a_notebook():
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Nabla", "language": "nabla"}
    nb.cells = [nbformat.v4.new_code_cell("W = param([[0.1, 0.2], [0.3, 0.4]])\nL = (W ** 2).sum()\ngrad(L, W)"),
                nbformat.v4.new_code_cell("print('loss', L)"),
                nbformat.v4.new_code_cell("display([1, 2], id='d')\nupdate('d', [3, 4])")]
    NotebookClient(nb, timeout=60, kernel_name=KERNEL).execute()
    out0 = nb.cells[0].outputs[0]
    assert out0.output_type == "execute_result" and "bmatrix" in out0.data["text/latex"]
    assert nb.cells[1].outputs[0].text == "loss 0.30000000000000004\n"   # as numpy prints it
    assert nb.cells[2].outputs[0].output_type == "display_data"


def test_blas_core_matches_the_cpu_even_when_misdetected():
    """`nabla --version` names the BLAS core and its instruction set beside the CPU's; with
    OpenBLAS forced onto a core of the wrong level (as Debian's OpenBLAS misdetects some CPUs),
    the executable re-runs itself on the right one."""
    import re
    from pathlib import Path
    exe = str(Path(__file__).resolve().parents[2] / ".build" / "debug" / "nabla")
    for forced in [None, "Prescott", "SkylakeX"]:
        env = dict(os.environ)
        env.pop("NABLA_BLAS_REEXEC", None)
        if forced:
            env["OPENBLAS_CORETYPE"] = forced
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, timeout=30).stdout
        m = re.search(r"core (\S+) \[([^\]]+)\] \(CPU: ([^)]+)\), (\d+) thread", out)
        assert m, out
        assert m.group(2) == m.group(3), f"forced {forced}: {out}"
    env = dict(os.environ, NABLA_THREADS="1")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env, timeout=30).stdout
    assert "1 thread" in out
