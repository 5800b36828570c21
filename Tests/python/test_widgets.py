"""The ipywidgets comm protocol (version 2) driven by a raw client, as the @jupyter-widgets front
end speaks it: comm_open from the kernel, update both ways, echo_update, request_state, custom
clicks, Output capture, interact; bad messages are ignored or answered clearly and the kernel
lives on. A notebook executed by nbclient keeps the widget state in its metadata."""
import time

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KERNEL, result_text, run

VIEW = "application/vnd.jupyter.widget-view+json"


def send(kc, msg_type, content, timeout=30, buffers=None):
    """Sends a shell message; returns the iopub messages it caused (status aside), up to idle."""
    msg = kc.session.msg(msg_type, content)
    kc.session.send(kc.shell_channel.socket, msg, buffers=buffers or [])
    out = []
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out
        if m["msg_type"] != "status":
            out.append(m)


def opens(outputs, model=None):
    return [m for m in outputs if m["msg_type"] == "comm_open"
            and (model is None or m["content"]["data"]["state"]["_model_name"] == model)]


def updates(outputs, method="update"):
    return [m for m in outputs if m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == method]


def update(kc, comm_id, state):
    return send(kc, "comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}})


def alive(kc):
    _, out = run(kc, "1 + 1")
    assert result_text(out) == ["2"]


def slider(kc, code="import ipywidgets as widgets\ns = widgets.FloatSlider(value=0.5, min=0, max=1, step=0.01, description='lr')\ns"):
    reply, out = run(kc, code)
    assert reply["content"]["status"] == "ok", reply["content"]
    (o,) = opens(out, "FloatSliderModel")
    return o["content"]["comm_id"], out


def test_open_display_and_comm_info(kernel):
    _, kc = kernel
    sid, out = slider(kc)
    o = opens(out, "FloatSliderModel")[0]
    assert o["content"]["target_name"] == "jupyter.widget"
    assert o["metadata"]["version"] == "2.1.0"
    state = o["content"]["data"]["state"]
    assert state["_model_module"] == "@jupyter-widgets/controls" and state["_view_name"] == "FloatSliderView"
    assert (state["value"], state["min"], state["max"], state["step"], state["description"]) == (0.5, 0, 1, 0.01, "lr")
    # Layout and style are models of their own, opened before the slider that names them.
    layout = opens(out, "LayoutModel")[0]
    assert state["layout"] == "IPY_MODEL_" + layout["content"]["comm_id"]
    assert out.index(layout) < out.index(o)
    (result,) = [m for m in out if m["msg_type"] == "execute_result"]
    view = result["content"]["data"][VIEW]
    assert view == {"version_major": 2, "version_minor": 0, "model_id": sid}
    assert result["content"]["data"]["text/plain"].startswith("FloatSlider(value=0.5")
    # comm_info_request, filtered by target.
    info = kc.comm_info(target_name="jupyter.widget")
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == info
    assert sid in reply["content"]["comms"] and reply["content"]["comms"][sid]["target_name"] == "jupyter.widget"
    kc.comm_info(target_name="no.such.target")
    assert kc.get_shell_msg(timeout=10)["content"]["comms"] == {}


def test_frontend_update_runs_observers_and_kernel_set_updates(kernel):
    _, kc = kernel
    sid, _ = slider(kc)
    run(kc, "seen = []\ndef on_change(change):\n    seen.append((change['old'], change['new']))\ns.observe(on_change, names='value')")
    out = update(kc, sid, {"value": 0.25})
    assert [m["content"]["data"]["state"] for m in updates(out, "echo_update")] == [{"value": 0.25}]
    assert updates(out) == []       # the frontend already shows 0.25
    _, out = run(kc, "seen, s.value")
    assert result_text(out) == ["([(0.5, 0.25)], 0.25)"]
    # Kernel-side assignment: an update on iopub, its parent the execute request.
    _, out = run(kc, "s.value = 0.75")
    (u,) = updates(out)
    assert u["content"]["comm_id"] == sid and u["content"]["data"]["state"] == {"value": 0.75}
    # request_state: the whole state back.
    out = send(kc, "comm_msg", {"comm_id": sid, "data": {"method": "request_state"}})
    (u,) = updates(out)
    assert u["content"]["data"]["state"]["value"] == 0.75 and u["content"]["data"]["state"]["_model_name"] == "FloatSliderModel"


def test_button_click_and_dropdown_index(kernel):
    _, kc = kernel
    _, out = run(kc, "b = Button(description='go')\nclicks = []\nb.on_click(lambda w: clicks.append(w.description))\n"
                     "d = Dropdown(options=['sgd', 'adam'])\nb, d")
    bid = opens(out, "ButtonModel")[0]["content"]["comm_id"]
    did = opens(out, "DropdownModel")[0]["content"]["comm_id"]
    send(kc, "comm_msg", {"comm_id": bid, "data": {"method": "custom", "content": {"event": "click"}}})
    update(kc, did, {"index": 1})
    _, out = run(kc, "clicks, d.value")
    assert result_text(out) == ["(['go'], 'adam')"]


def test_interact_reruns_into_its_output(kernel):
    _, kc = kernel
    _, out = run(kc, "def f(lr=0.1, kind='sgd'):\n    print('lr', lr, kind)\n    return lr * 2\n"
                     "interact(f, lr=(0.0, 1.0, 0.1), kind=['sgd', 'adam'])")
    (box,) = [m for m in out if m["msg_type"] == "display_data" and VIEW in m["content"]["data"]]
    slider_id = opens(out, "FloatSliderModel")[0]["content"]["comm_id"]
    output_id = opens(out, "OutputModel")[0]["content"]["comm_id"]
    vbox = opens(out, "VBoxModel")[0]
    assert box["content"]["data"][VIEW]["model_id"] == vbox["content"]["comm_id"]
    assert vbox["content"]["data"]["state"]["children"][-1] == "IPY_MODEL_" + output_id
    out = update(kc, slider_id, {"value": 0.3})
    outs = [m["content"]["data"]["state"]["outputs"] for m in updates(out) if m["content"]["comm_id"] == output_id]
    assert outs, out
    last = outs[-1]
    assert last[0] == {"output_type": "stream", "name": "stdout", "text": "lr 0.3 sgd\n"}
    # interact shows f's result (auto_display), as a display_data in the Output.
    assert last[1]["output_type"] == "display_data" and last[1]["data"]["text/plain"] == "0.6"
    # An error in f shows as a traceback in the Output; the kernel goes on.
    run(kc, "def g(x=1):\n    return 1 / (x - 1)\nw = interactive(g, x=(0, 2))")
    _, out = run(kc, "w.children[0].value = 1\nw.out.outputs[-1]['ename']")
    assert result_text(out) == ["'ZeroDivisionError'"]
    alive(kc)


def test_output_captures_prints_and_displays(kernel):
    _, kc = kernel
    _, out = run(kc, "out = Output()\nwith out:\n    print('inside')\n    display(plot([0, 1, 2], [0, 1, 4]))\nprint('outside')\nout")
    oid = opens(out, "OutputModel")[0]["content"]["comm_id"]
    last = [m for m in updates(out) if m["content"]["comm_id"] == oid][-1]["content"]["data"]["state"]["outputs"]
    assert last[0]["text"] == "inside\n"
    assert "image/svg+xml" in last[1]["data"]
    streams = [m["content"]["text"] for m in out if m["msg_type"] == "stream"]
    assert streams == ["outside\n"]


def test_bad_messages_are_ignored_and_the_kernel_lives(kernel):
    _, kc = kernel
    sid, _ = slider(kc)
    run(kc, "t = IntSlider(value=5, max=10)")
    _, out = run(kc, "t.model_id")
    tid = result_text(out)[0].strip("'")
    assert send(kc, "comm_msg", {"comm_id": "no-such-comm", "data": {"method": "update", "state": {"value": 1}}}) == []
    assert send(kc, "comm_msg", {"data": {}}) == []
    send(kc, "comm_msg", {"comm_id": sid, "data": "not a dict"})
    send(kc, "comm_msg", {"comm_id": sid, "data": {"method": "update", "state": [1, 2]}})
    send(kc, "comm_msg", {"comm_id": sid, "data": {"method": "update", "state": {"value": 1}, "buffer_paths": [["x", 3, None]]}},
         buffers=[b"\x00\x01"])
    send(kc, "comm_msg", {"comm_id": sid, "data": {"method": "no_such_method"}})
    send(kc, "comm_close", {"comm_id": "no-such-comm"})
    # Wrong types are refused, with the kernel's value sent back to the frontend.
    out = update(kc, sid, {"value": "abc"})
    assert [m["content"]["data"]["state"] for m in updates(out)] == [{"value": 1.0}]
    assert any("expected a float" in m["content"]["text"] for m in out if m["msg_type"] == "stream")
    # Huge and non-finite values are clamped into [min, max] as ipywidgets does.
    out = update(kc, tid, {"value": 1e300})
    assert [m["content"]["data"]["state"] for m in updates(out)] == [{"value": 10}]
    update(kc, sid, {"value": -1e308})
    _, out = run(kc, "s.value, t.value")
    assert result_text(out) == ["(0.0, 10)"]
    # A comm to a target nobody registered is closed at once.
    out = send(kc, "comm_open", {"comm_id": "c-1", "target_name": "no.such.target", "data": {}})
    assert [m["msg_type"] for m in out] == ["comm_close"]
    # A failing observer: its traceback on stderr, the value kept, the kernel alive.
    run(kc, "def bad(change):\n    raise ValueError('boom')\nt.observe(bad, 'value')")
    out = update(kc, tid, {"value": 3})
    assert any("boom" in m["content"]["text"] for m in out if m["msg_type"] == "stream")
    _, out = run(kc, "t.value")
    assert result_text(out) == ["3"]
    alive(kc)


def test_a_callback_can_be_interrupted(kernel):
    km, kc = kernel
    run(kc, "t = IntSlider()\ndef spin(change):\n    while True:\n        pass\nt.observe(spin, 'value')")
    _, out = run(kc, "t.model_id")
    tid = result_text(out)[0].strip("'")
    msg = kc.session.msg("comm_msg", {"comm_id": tid, "data": {"method": "update", "state": {"value": 7}}})
    kc.session.send(kc.shell_channel.socket, msg)
    time.sleep(0.5)
    km.interrupt_kernel()
    while True:
        m = kc.get_iopub_msg(timeout=10)
        if m["parent_header"].get("msg_id") == msg["header"]["msg_id"] and m["msg_type"] == "status" \
                and m["content"]["execution_state"] == "idle":
            break
    alive(kc)


def test_nbclient_keeps_widget_state_in_metadata():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as widgets\ns = widgets.IntSlider(value=3, description='n')\ns"),
                nbformat.v4.new_code_cell("s.value = 7")]
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Nabla", "language": "nabla"}
    NotebookClient(nb, timeout=60, kernel_name=KERNEL).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert state["version_major"] == 2
    models = state["state"]
    view = nb.cells[0].outputs[0]["data"][VIEW]
    model = models[view["model_id"]]
    assert model["model_name"] == "IntSliderModel" and model["model_module"] == "@jupyter-widgets/controls"
    assert model["state"]["value"] == 7 and model["state"]["description"] == "n"
    assert any(m["model_name"] == "LayoutModel" for m in models.values())


def test_control_comm_sends_every_state(kernel):
    """JupyterLab reopening a notebook asks for all widget states at once (jupyter.widget.control)."""
    _, kc = kernel
    sid, _ = slider(kc)
    out = send(kc, "comm_open", {"comm_id": "ctl-1", "target_name": "jupyter.widget.control", "data": {}})
    assert [m["msg_type"] for m in out] == []
    out = send(kc, "comm_msg", {"comm_id": "ctl-1", "data": {"method": "request_states"}})
    (u,) = updates(out, "update_states")
    states = u["content"]["data"]["states"]
    assert states[sid]["model_name"] == "FloatSliderModel" and states[sid]["state"]["value"] == 0.5
    assert any(s["model_name"] == "LayoutModel" for s in states.values())
