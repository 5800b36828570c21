import Foundation
import Testing
@testable import NablaDisplay
import NablaLanguage

/// A session whose comm messages are recorded instead of sent.
final class WidgetHarness {
    let session = Session()
    let comms = CommManager()
    var sent: [(type: String, content: JSONDict, metadata: JSONDict)] = []
    let sink: TextSink

    init() {
        DisplayLibrary.register(in: session.interpreter, comms: comms)
        sink = TextSink(interpreter: session.interpreter)
        comms.emit = { [unowned self] type, content, metadata, _ in sent.append((type, content, metadata)) }
    }

    @discardableResult func run(_ code: String) throws -> Value? {
        switch session.execute(code, sink: sink) {
        case let .ok(v): return v
        case let .error(e): throw e
        }
    }

    /// The frontend sends `data` on the comm of the widget named `name`.
    func frontend(_ name: String, _ data: JSONDict) throws {
        let id = try #require(session.interpreter.variable(name)?.asWidget?.id)
        var thrown: Error?
        if let e = session.perform(sink: sink, { [comms] _ in
            do { try comms.receiveMessage(["comm_id": id, "data": data], buffers: []) } catch { thrown = error }
        }) { throw e }
        if let thrown { throw thrown }
    }

    func opens(_ model: String) -> [JSONDict] {
        sent.filter { $0.type == "comm_open" && (($0.content["data"] as? JSONDict)?["state"] as? JSONDict)?["_model_name"] as? String == model }
            .compactMap { ($0.content["data"] as? JSONDict)?["state"] as? JSONDict }
    }

    /// The states of the `method` messages (update, echo_update) sent since `start`.
    func states(_ method: String, since start: Int = 0) -> [JSONDict] {
        sent[start...].filter { $0.type == "comm_msg" }.compactMap { $0.content["data"] as? JSONDict }
            .filter { $0["method"] as? String == method }.compactMap { $0["state"] as? JSONDict }
    }
}

@Suite struct WidgetTests {
    @Test func aSliderOpensWithIpywidgetsModelAndDefaults() throws {
        let h = WidgetHarness()
        try h.run("import ipywidgets as widgets\ns = widgets.FloatSlider(description='lr')")
        let state = try #require(h.opens("FloatSliderModel").first)
        #expect(state["_model_module"] as? String == "@jupyter-widgets/controls")
        #expect(state["_model_module_version"] as? String == "2.0.0")
        #expect(state["_view_name"] as? String == "FloatSliderView")
        #expect(state["max"] as? Double == 100 && state["step"] as? Double == 0.1 && state["readout_format"] as? String == ".2f")
        #expect(state["description"] as? String == "lr")
        // Layout and style are widgets of their own, opened first and referenced.
        let layout = try #require(state["layout"] as? String)
        let layoutOpen = try #require(h.sent.firstIndex { ($0.content["comm_id"] as? String).map { "IPY_MODEL_" + $0 } == layout })
        let sliderOpen = try #require(h.sent.firstIndex { ((($0.content["data"] as? JSONDict)?["state"] as? JSONDict)?["_model_name"] as? String) == "FloatSliderModel" })
        #expect(layoutOpen < sliderOpen)
        #expect(h.opens("SliderStyleModel").count == 1 && h.opens("LayoutModel").count == 1)
        #expect(h.sent[sliderOpen].metadata["version"] as? String == "2.1.0")
        #expect(h.sent[sliderOpen].content["target_name"] as? String == "jupyter.widget")
    }

    @Test func kernelSideSetClampsAndSendsAnUpdate() throws {
        let h = WidgetHarness()
        try h.run("s = FloatSlider(value=0.5, min=0, max=1)\nseen = []\ns.observe(lambda c: seen.append((c['old'], c.new, c['name'])), names='value')")
        let start = h.sent.count
        try h.run("s.value = 7")
        #expect(h.states("update", since: start).map { $0["value"] as? Double } == [1.0])
        #expect(h.session.interpreter.repr(try #require(try h.run("seen"))) == "[(0.5, 1.0, 'value')]")
        #expect(throws: NablaError.self) { try h.run("s.min = 2") }
        #expect(throws: NablaError.self) { try h.run("s.value = 'abc'") }
        #expect(h.session.interpreter.repr(try #require(try h.run("s.value"))) == "1.0")
    }

    @Test func frontendUpdateRunsObserversAndIsNotSentBack() throws {
        let h = WidgetHarness()
        try h.run("s = IntSlider(value=3, max=10)\nseen = []\ndef h(change):\n    seen.append(change['new'])\ns.observe(h, 'value')")
        let start = h.sent.count
        try h.frontend("s", ["method": "update", "state": ["value": 7], "buffer_paths": [Any]()])
        #expect(h.session.interpreter.repr(try #require(try h.run("seen"))) == "[7]")
        #expect(h.states("update", since: start).isEmpty)
        #expect(h.states("echo_update", since: start).map { $0["value"] as? Int } == [7])
        // Out of range: clamped like ipywidgets, and the frontend is told the clamped value.
        let next = h.sent.count
        try h.frontend("s", ["method": "update", "state": ["value": 1e300]])
        #expect(h.states("update", since: next).map { $0["value"] as? Int } == [10])
    }

    @Test func frontendValuesOfTheWrongTypeAreRefusedAndCorrected() throws {
        let h = WidgetHarness()
        try h.run("c = Checkbox(value=True)\nt = Text(value='a')")
        let start = h.sent.count
        #expect(throws: NablaError.self) { try h.frontend("c", ["method": "update", "state": ["value": "yes"]]) }
        #expect(h.states("update", since: start).map { $0["value"] as? Bool } == [true])
        #expect(throws: NablaError.self) { try h.frontend("t", ["method": "update", "state": ["nonexistent": 1]]) }
        #expect(throws: NablaError.self) { try h.frontend("t", ["method": "bogus"]) }
        #expect(h.session.interpreter.repr(try #require(try h.run("(c.value, t.value)"))) == "(True, 'a')")
    }

    @Test func selectionKeepsIndexValueAndLabelTogether() throws {
        let h = WidgetHarness()
        try h.run("d = Dropdown(options=[('SGD', 'sgd'), ('Adam', 'adam')])")
        #expect((h.opens("DropdownModel").first?["_options_labels"] as? [Any])?.compactMap { $0 as? String } == ["SGD", "Adam"])
        #expect(h.opens("DropdownModel").first?["index"] as? Int == 0)
        try h.frontend("d", ["method": "update", "state": ["index": 1]])
        #expect(h.session.interpreter.repr(try #require(try h.run("(d.value, d.label, d.index)"))) == "('adam', 'Adam', 1)")
        #expect(throws: NablaError.self) { try h.run("d.value = 'rmsprop'") }
        #expect(throws: NablaError.self) { try h.frontend("d", ["method": "update", "state": ["index": 5]]) }
    }

    @Test func requestStateSendsTheWholeState() throws {
        let h = WidgetHarness()
        try h.run("p = Play(max=5)")
        let start = h.sent.count
        try h.frontend("p", ["method": "request_state"])
        let s = try #require(h.states("update", since: start).first)
        #expect(s["_model_name"] as? String == "PlayModel" && s["max"] as? Int == 5 && s["interval"] as? Int == 100)
    }

    @Test func buttonClicksCallTheirHandlers() throws {
        let h = WidgetHarness()
        try h.run("b = Button(description='step')\nclicks = []\nb.on_click(lambda w: clicks.append(w.description))")
        try h.frontend("b", ["method": "custom", "content": ["event": "click"]])
        try h.frontend("b", ["method": "custom", "content": ["event": "click"]])
        #expect(h.session.interpreter.repr(try #require(try h.run("clicks"))) == "['step', 'step']")
    }

    @Test func outputCapturesPrintsDisplaysAndErrors() throws {
        let h = WidgetHarness()
        try h.run("out = Output()\nwith out:\n    print('a')\n    print('b')\n    display(table(x=[1, 2]))\n    1 / 0\nprint('after')")
        let outputs = try #require(h.states("update").last?["outputs"] as? [JSONDict])
        #expect(outputs.map { $0["output_type"] as? String } == ["stream", "display_data", "error"])
        #expect(outputs[0]["text"] as? String == "a\nb\n")
        #expect(((outputs[1]["data"] as? JSONDict)?["text/html"] as? String)?.contains("<table") == true)
        #expect(outputs[2]["ename"] as? String == "ZeroDivisionError")
        #expect(h.sink.stdout.contains("after") && !h.sink.stdout.contains("a\nb"))
    }

    @Test func interactBuildsControlsFromAbbreviationsAndReruns() throws {
        let h = WidgetHarness()
        try h.run("""
        def f(lr, beta=0.9, kind='sgd', steps=(1, 10, 2), on=True, opt=['sgd', 'adam']):
            print(lr, beta, kind, steps, on, opt)
        w = interactive(f, lr=(0.001, 1.0))
        """)
        let repr = h.session.interpreter.repr(try #require(try h.run("[type(c).__name__ for c in w.children]")))
        #expect(repr == "['FloatSlider', 'FloatSlider', 'Text', 'IntSlider', 'Checkbox', 'Dropdown', 'Output']")
        let lr = try #require(h.opens("FloatSliderModel").first)
        #expect(lr["min"] as? Double == 0.001 && lr["max"] as? Double == 1.0 && lr["value"] as? Double == 0.5005 && lr["description"] as? String == "lr")
        let beta = try #require(h.opens("FloatSliderModel").last)
        #expect(beta["min"] as? Double == -0.9 && (beta["max"] as? Double).map { abs($0 - 2.7) < 1e-12 } == true)
        let steps = try #require(h.opens("IntSliderModel").first)
        #expect(steps["value"] as? Int == 5 && steps["step"] as? Int == 2)
        try h.run("w.children[0].value = 0.25")
        let outputs = try #require(h.states("update").last?["outputs"] as? [JSONDict])
        #expect(outputs.first?["text"] as? String == "0.25 0.9 sgd 5 True sgd\n")
        #expect(throws: NablaError.self) { try h.run("interactive(f)") }
        #expect(throws: NablaError.self) { try h.run("interactive(f, lr=1.0, nope=2)") }
    }

    @Test func commManagerRoutesAndRefuses() throws {
        let m = CommManager()
        var sent = [(String, JSONDict)]()
        m.emit = { t, c, _, _ in sent.append((t, c)) }
        var got = [JSONDict]()
        m.register(target: "echo") { comm, data, _ in got.append(data); comm.onMessage = { d, _ in got.append(d) } }
        try m.receiveOpen(["comm_id": "c1", "target_name": "echo", "data": ["x": 1]], buffers: [])
        try m.receiveMessage(["comm_id": "c1", "data": ["y": 2]], buffers: [])
        #expect(got.count == 2)
        #expect((m.info(target: "echo")["c1"] as? JSONDict)?["target_name"] as? String == "echo")
        #expect(m.info(target: "other").isEmpty)
        #expect(throws: CommError.self) { try m.receiveMessage(["comm_id": "nope", "data": [:] as JSONDict], buffers: []) }
        #expect(throws: CommError.self) { try m.receiveMessage(["data": [:] as JSONDict], buffers: []) }
        #expect(throws: CommError.self) { try m.receiveOpen(["comm_id": "c2", "target_name": "unknown"], buffers: []) }
        #expect(sent.last?.0 == "comm_close" && sent.last?.1["comm_id"] as? String == "c2")
        try m.receiveClose(["comm_id": "c1"])
        #expect(m.info(target: nil).isEmpty)
    }

    @Test func bufferPathsRoundTrip() {
        let a = Data([1, 2, 3]), b = Data([4])
        let state: JSONDict = ["x": a, "y": ["z": [b, 7] as [Any]] as JSONDict, "n": 1]
        let (s, paths, buffers) = BufferPaths.split(state)
        #expect(s["x"] == nil && buffers.count == 2)
        #expect((((s["y"] as? JSONDict)?["z"] as? [Any])?.first is NSNull))
        let back = BufferPaths.insert(buffers, at: paths, into: s)
        #expect(back["x"] as? Data == a)
        #expect(((back["y"] as? JSONDict)?["z"] as? [Any])?.first as? Data == b)
        #expect(back["n"] as? Int == 1)
    }

    /// docs/language.md's widgets section shows what its examples give.
    @Test func docsExamplesRunAsShown() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/language.md")
        let doc = try String(contentsOf: url, encoding: .utf8)
        let a = try #require(doc.range(of: "<!-- widgets:start -->")), b = try #require(doc.range(of: "<!-- widgets:end -->"))
        let h = WidgetHarness()
        var checked = 0
        for block in doc[a.upperBound..<b.lowerBound].components(separatedBy: "```python\n").dropFirst() {
            let code = block.components(separatedBy: "\n```")[0]
            let expected = block.components(separatedBy: "```text\n").dropFirst().first?.components(separatedBy: "\n```")[0]
            let v = try #require(try h.run(code))
            #expect(h.session.interpreter.repr(v) == expected, "example:\n\(code)")
            checked += 1
        }
        #expect(checked == 3)
    }
}
