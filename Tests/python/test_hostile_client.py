"""A hostile client: bytes no well-behaved frontend sends, all correctly signed, so the kernel
must parse them. After each assault the kernel must still be alive and answer correctly."""
import json
import time

import pytest
import zmq
from jupyter_client.session import Session

from conftest import result_text, run

INT64 = [-(2**63), 2**63 - 1, -1, -2, 0, 10**9]
JUNK = ["x", 1.5, True, None, [1, 2], {"a": 1}, -(2**63), 2**63 - 1, 10**30, -0.0, "\ud800"]


def raw_socket(km, port="shell_port"):
    info = km.get_connection_info()
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(f"tcp://{info['ip']}:{info[port]}")
    return sock


def signed(km, msg_type, content_bytes, header_extra=b""):
    """Frames of a message whose content is the given raw JSON bytes, correctly signed."""
    s = Session(key=km.session.key)
    header = json.dumps(s.msg_header(msg_type), default=str).encode()
    if header_extra:
        header = header[:-1] + b"," + header_extra + b"}"
    parts = [header, b"{}", b"{}", content_bytes]
    return [b"<IDS|MSG>", s.sign(parts)] + parts, json.loads(header)["msg_id"]


def reply_to(sock, msg_id, timeout=10):
    deadline = time.monotonic() + timeout
    while sock.poll(max(1, int((deadline - time.monotonic()) * 1000))):
        frames = sock.recv_multipart()
        i = frames.index(b"<IDS|MSG>")
        parent = json.loads(frames[i + 3])
        if parent.get("msg_id") == msg_id:
            return json.loads(frames[i + 2]), json.loads(frames[i + 5])
        if time.monotonic() > deadline:
            break
    return None, None


def still_correct(kc):
    reply, out = run(kc, "softmax([3.2, 5.1, -1.7])[1]", timeout=30)
    assert reply["content"]["status"] == "ok"
    assert result_text(out) == ["0.869"]


@pytest.mark.parametrize("escape", [rb"\ud800\u0041", rb"\ud800\ud800", rb"\ud800\u0000", rb"\udc00", rb"\ud800", rb"\udbff\udfff"])
def test_invalid_surrogates_do_not_kill_the_kernel(kernel, escape):
    km, kc = kernel
    sock = raw_socket(km)
    frames, msg_id = signed(km, "execute_request", b'{"code": "s = \'' + escape + b'\'\\nlen(s)", "silent": false, "store_history": true, '
                                                   b'"user_expressions": {}, "allow_stdin": false, "stop_on_error": true}')
    sock.send_multipart(frames)
    header, content = reply_to(sock, msg_id)
    assert header is not None and header["msg_type"] == "execute_reply", "no reply to a message with a bad surrogate"
    assert content["status"] == "ok"
    # The same escapes in the header itself, and in a key.
    frames, msg_id = signed(km, "kernel_info_request", b"{}", header_extra=b'"x' + escape + b'": "' + escape + b'"')
    sock.send_multipart(frames)
    header, content = reply_to(sock, msg_id)
    assert header is not None and header["msg_type"] == "kernel_info_reply"
    sock.close()
    still_correct(kc)


@pytest.mark.parametrize("msg_type", ["complete_request", "inspect_request"])
def test_extreme_cursor_positions(kernel, msg_type):
    km, kc = kernel
    for code in ["x = sigm", "", "é😀 = sof", "a\u0301b"]:
        for pos in INT64 + [len(code), len(code) + 1, 2**64, -(2**64), 1.5, "3", None]:
            content = {"code": code, "cursor_pos": pos, "detail_level": 0}
            msg = kc.session.msg(msg_type, content)
            kc.shell_channel.send(msg)
            reply = kc.get_shell_msg(timeout=10)
            while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                reply = kc.get_shell_msg(timeout=10)
            if isinstance(pos, (float, str)):   # not an integer: refused, naming the field
                assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "TypeError", (code, pos)
                assert "'cursor_pos'" in reply["content"]["evalue"]
                continue
            assert reply["content"]["status"] == "ok", (code, pos)
            if msg_type == "complete_request":
                n = len(code)
                assert 0 <= reply["content"]["cursor_start"] <= reply["content"]["cursor_end"] <= n
    still_correct(kc)


FIELDS = {
    "execute_request": ["code", "silent", "store_history", "user_expressions", "allow_stdin", "stop_on_error"],
    "complete_request": ["code", "cursor_pos"],
    "inspect_request": ["code", "cursor_pos", "detail_level"],
    "is_complete_request": ["code"],
    "history_request": ["hist_access_type", "output", "raw", "session", "start", "stop", "n", "pattern", "unique"],
    "comm_info_request": ["target_name"],
    "kernel_info_request": [],
}


KINDS = {"code": str, "silent": bool, "store_history": bool, "user_expressions": dict, "allow_stdin": bool,
         "stop_on_error": bool, "cursor_pos": int, "detail_level": int, "hist_access_type": str, "output": bool,
         "raw": bool, "session": int, "start": int, "stop": int, "n": int, "pattern": str, "unique": bool,
         "target_name": str}


def fits(value, kind):
    """Whether the kernel must accept the value for a field of this kind (None reads as absent)."""
    if value is None:
        return True
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, float) and abs(value) >= 2**63 and value == int(value))
    if kind is dict:
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, kind) and (kind is not int or not isinstance(value, bool))


def test_every_field_with_wrong_types_and_extreme_values(kernel):
    km, kc = kernel
    sock = raw_socket(km)
    answered = 0
    for msg_type, fields in FIELDS.items():
        for field in fields:
            for value in JUNK:
                content = json.dumps({field: value}).encode()
                frames, msg_id = signed(km, msg_type, content)
                sock.send_multipart(frames)
                header, reply = reply_to(sock, msg_id)
                assert header is not None, f"no reply to {msg_type} with {field}={value!r}"
                assert header["msg_type"] == msg_type.replace("_request", "_reply")
                refused = reply["status"] == "error" and reply.get("evalue", "").startswith(msg_type + ":")
                assert refused == (not fits(value, KINDS[field])), f"{msg_type} with {field}={value!r}: {reply}"
                if refused:
                    assert reply["ename"] == "TypeError" and f"'{field}" in reply["evalue"]
                answered += 1
    assert answered == sum(len(f) for f in FIELDS.values()) * len(JUNK)
    # Headers whose fields have the wrong types: msg_type, msg_id, session not strings.
    for bad in [b'{"msg_type": 5, "msg_id": "a"}', b'{"msg_type": null}', b'{"msg_type": ["execute_request"]}',
                b'{"msg_type": "execute_request", "msg_id": 7}', b'{}']:
        s = Session(key=km.session.key)
        parts = [bad, b"{}", b"{}", b'{"code": "1"}']
        sock.send_multipart([b"<IDS|MSG>", s.sign(parts)] + parts)
    sock.close()
    still_correct(kc)


def test_deep_nesting_and_huge_numbers(kernel):
    km, kc = kernel
    sock = raw_socket(km)
    for content in [b'{"code": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                    b'{"code": "1", "user_expressions": ' + b'{"a":' * 600 + b"1" + b"}" * 600 + b"}",
                    b'{"code": "1", "n": 1' + b"0" * 100_000 + b"}",
                    b'{"code": "1", "n": 1e999999, "m": -1e-999999}',
                    b'{"code": "1", "n": ' + b"-" * 10 + b"}"]:
        frames, _ = signed(km, "execute_request", content)
        sock.send_multipart(frames)
    # A truncated message (signed, but the JSON stops) and an oversized code string.
    frames, _ = signed(km, "execute_request", b'{"code": "1 + ')
    sock.send_multipart(frames)
    frames, msg_id = signed(km, "is_complete_request", json.dumps({"code": "x" * 2_000_000}).encode())
    sock.send_multipart(frames)
    header, content = reply_to(sock, msg_id, timeout=60)
    assert header is not None and content["status"] in ("complete", "incomplete", "invalid")
    sock.close()
    still_correct(kc)


def test_replayed_and_out_of_order_messages(kernel):
    km, kc = kernel
    sock = raw_socket(km)
    s = Session(key=km.session.key)
    msg = s.msg("execute_request", {"code": "k = 1", "silent": False, "store_history": True, "user_expressions": {},
                                    "allow_stdin": False, "stop_on_error": True})
    frames = s.serialize(msg)
    for _ in range(3):
        sock.send_multipart(frames)   # the same signed message, three times
    # Replies to requests that were never sent, and a shell reply type sent as a request.
    for t in ["execute_reply", "input_reply", "shutdown_reply", "status"]:
        sock.send_multipart(s.serialize(s.msg(t, {"status": "ok", "value": "x"})))
    replies = 0
    deadline = time.monotonic() + 10
    while replies < 3 and sock.poll(max(1, int((deadline - time.monotonic()) * 1000))):
        f = sock.recv_multipart()
        i = f.index(b"<IDS|MSG>")
        if json.loads(f[i + 2])["msg_type"] == "execute_reply":
            replies += 1
    assert replies == 3
    # Stray input_reply messages on stdin while no input() waits are dropped.
    stdin = raw_socket(km, "stdin_port")
    for _ in range(100):
        stdin.send_multipart(s.serialize(s.msg("input_reply", {"value": "stray"})))
    time.sleep(0.3)
    stdin.close()
    sock.close()
    still_correct(kc)


def test_stray_stale_and_late_input_replies(kernel):
    km, kc = kernel
    kc.input("stale")   # no input() waits: dropped
    time.sleep(0.2)
    msg_id = kc.execute("name = input('? ')", allow_stdin=True)
    assert kc.get_stdin_msg(timeout=10)["msg_type"] == "input_request"
    # A reply naming another request as its parent is not taken for this one.
    kc.stdin_channel.send(kc.session.msg("input_reply", {"value": "wrong"}, parent={"msg_id": "another-request"}))
    time.sleep(0.2)
    kc.input("right")
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
    _, out = run(kc, "name")
    assert result_text(out) == ["'right'"]
    # Interrupted while input() waits; the reply that comes late is not given to the next input().
    msg_id = kc.execute("late = input('? ')", allow_stdin=True)
    kc.get_stdin_msg(timeout=10)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "error"
    kc.input("too late")
    time.sleep(0.2)
    msg_id = kc.execute("again = input('? ')", allow_stdin=True)
    kc.get_stdin_msg(timeout=10)
    kc.input("fresh")
    reply = kc.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "ok"
    _, out = run(kc, "again")
    assert result_text(out) == ["'fresh'"]


def test_stop_on_error_answers_each_queued_request_once(kernel):
    km, kc = kernel
    # The failing cell runs a while, so every later request is queued when it fails.
    ids = [kc.execute("for i in range(50000):\n    pass\nundefined_thing")] + [kc.execute(f"q{i} = {i}") for i in range(5)] + [kc.kernel_info()]
    replies = {}
    deadline = time.monotonic() + 20
    while len(replies) < len(ids) and time.monotonic() < deadline:
        m = kc.get_shell_msg(timeout=10)
        pid = m["parent_header"]["msg_id"]
        assert pid not in replies, "a request was answered twice"
        replies[pid] = m["content"]["status"]
    assert [replies[i] for i in ids] == ["error"] + ["aborted"] * 5 + ["ok"]
    assert not kc.shell_channel.msg_ready()
    reply, out = run(kc, "q0")
    assert reply["content"]["status"] == "error"


def test_many_frames_identities_and_wrong_channels(kernel):
    km, kc = kernel
    s = Session(key=km.session.key)
    sock = raw_socket(km)
    msg = s.msg("kernel_info_request", {})
    frames = s.serialize(msg)
    # 10,000 buffers after the content, and 1,000 routing identities before the delimiter.
    sock.send_multipart(frames + [b"buf"] * 10_000)
    header, _ = reply_to(sock, msg["header"]["msg_id"])
    assert header is not None and header["msg_type"] == "kernel_info_reply"
    msg = s.msg("kernel_info_request", {})
    sock.send_multipart([b"id%d" % i for i in range(1000)] + s.serialize(msg))
    # Shell requests sent on control are refused there, not run.
    control = raw_socket(km, "control_port")
    s.send(control, "execute_request", {"code": "ran_on_control = 1", "silent": False, "store_history": True,
                                       "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    assert not control.poll(500)
    control.close()
    sock.close()
    reply, _ = run(kc, "ran_on_control")
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "NameError"
    still_correct(kc)
