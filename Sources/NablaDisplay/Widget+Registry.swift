import Foundation
import NablaAutograd
import NablaLanguage

/// The session's widgets by model id (they live as long as their comm, as ipywidgets'
/// `_instances`), how they are made, and the comm targets a frontend opens.
public final class WidgetRegistry {
    let comms: CommManager
    weak var interpreter: Interpreter?
    var widgets: [String: Widget] = [:]

    static let selections: Set<String> = ["Dropdown", "RadioButtons", "Select", "ToggleButtons", "SelectionSlider"]
    static let boxes: Set<String> = ["Box", "HBox", "VBox"]

    init(comms: CommManager, interpreter: Interpreter) {
        self.comms = comms; self.interpreter = interpreter
        comms.register(target: "jupyter.widget") { [unowned self] comm, data, buffers in
            try self.openedByFrontend(comm, data, buffers)
        }
        comms.register(target: "jupyter.widget.control") { [unowned self] comm, _, _ in
            comm.onMessage = { [unowned self] data, _ in
                guard data["method"] as? String == "request_states" else { return }
                var states = JSONDict()
                for (id, w) in widgets { states[id] = ["model_name": w.model.name, "model_module": w.model.module,
                                                       "model_module_version": w.model.version, "state": w.fullState()] }
                let (s, paths, bufs) = BufferPaths.split(states)
                comm.send(["method": "update_states", "states": s, "buffer_paths": paths], buffers: bufs)
            }
        }
    }

    func isSelection(_ cls: String) -> Bool { WidgetRegistry.selections.contains(cls) }

    /// A new widget of class `cls` with keyword arguments as ipywidgets takes them; its comm is
    /// opened with the full state (references to its layout and style, opened first).
    func make(_ cls: String, _ kwargs: [(String, Value)], positional: [Value] = []) throws -> Widget {
        guard let model = WidgetModel.all[cls] else { throw NablaError(.name, "no widget class '\(cls)'") }
        let w = Widget(className: cls, model: model, registry: self)
        for t in model.traits {
            if case let .reference(ref) = t.kind { w.state[t.name] = .object(try make(ref, [])) } else { w.state[t.name] = WidgetRegistry.defaultValue(t) }
        }
        var kw = kwargs
        if positional.count > 1 { throw NablaError(.type, "\(cls)() takes at most 1 positional argument (\(positional.count) given)") }
        if let first = positional.first {
            let name = WidgetRegistry.boxes.contains(cls) ? "children" : isSelection(cls) ? "options" : "value"
            guard model.trait(name) != nil || isSelection(cls) else { throw NablaError(.type, "\(cls)() takes no positional arguments") }
            if kw.contains(where: { $0.0 == name }) { throw NablaError(.type, "\(cls)() got multiple values for argument '\(name)'") }
            kw.insert((name, first), at: 0)
        }
        try WidgetRules.initialize(w, &kw)
        // Bounds before the value, so the value is checked against the bounds given.
        let rank = ["min": 0, "max": 1, "base": 1, "options": 2]
        for (k, v) in kw.sorted(by: { rank[$0.0, default: 3] < rank[$1.0, default: 3] }) {
            if w.model.trait(k) != nil || (isSelection(cls) && ["value", "label", "options"].contains(k)) {
                _ = try w.assign(k, v)
            } else {
                let names = model.traits.map(\.name).filter { !$0.hasPrefix("_") }
                let hint = suggest(k, among: names).map { "; did you mean '\($0)'?" } ?? ""
                throw NablaError(.type, "\(cls)() got an unexpected keyword argument '\(k)'\(hint)")
            }
        }
        open(w)
        return w
    }

    /// Opens the widget's comm (protocol 2.1: state and buffer paths in the data).
    func open(_ w: Widget) {
        let (state, paths, buffers) = BufferPaths.split(w.fullState())
        let comm = comms.open(target: "jupyter.widget", data: ["state": state, "buffer_paths": paths],
                              metadata: ["version": "2.1.0"], buffers: buffers, id: w.id)
        attach(w, comm)
    }

    func attach(_ w: Widget, _ comm: Comm) {
        w.comm = comm
        widgets[w.id] = w
        comm.onMessage = { [unowned w] data, buffers in try w.receive(data, buffers: buffers) }
        comm.onClose = { [unowned self, id = w.id] in widgets[id] = nil }
    }

    /// A model the frontend created (comm_open to jupyter.widget): built from its state when
    /// it is one of ours; refused otherwise.
    func openedByFrontend(_ comm: Comm, _ data: JSONDict, _ buffers: [Data]) throws {
        var state = data["state"] as? JSONDict ?? [:]
        if let paths = data["buffer_paths"] as? [Any] { state = BufferPaths.insert(buffers, at: paths, into: state) }
        guard let name = state["_model_name"] as? String, let cls = WidgetModel.all.first(where: { $0.value.name == name })?.key,
              let model = WidgetModel.all[cls] else {
            comm.close()
            throw NablaError(.value, "the frontend opened a widget of unknown model \(state["_model_name"].map { "\($0)" } ?? "(none)"); closed")
        }
        let w = Widget(className: cls, model: model, registry: self)
        for t in model.traits { w.state[t.name] = WidgetRegistry.defaultValue(t) }
        attach(w, comm)
        var rest = state
        for k in rest.keys where k.hasPrefix("_model_") || k.hasPrefix("_view_") { rest[k] = nil }
        try w.update(fromFrontend: rest)
    }

    // MARK: Values

    static func defaultValue(_ t: Trait) -> Value {
        switch t.defaultValue {
        case .null, .newInstance: return .none
        case let .bool(b): return .bool(b)
        case let .int(i): return .int(i)
        case let .float(d): return .float(d)
        case let .string(s): return .string(s)
        case let .strings(xs): return .tuple(xs.map { .string($0) })
        case let .ints(xs): return .tuple(xs.map { .int($0) })
        case let .floats(xs): return .tuple(xs.map { .float($0) })
        }
    }

    /// JSON as a language value: objects as dicts, arrays as lists.
    static func value(fromJSON j: Any) -> Value {
        switch j {
        case let b as Bool where type(of: j) == Bool.self: return .bool(b)
        case let i as Int: return .int(i)
        case let d as Double: return .float(d)
        case let s as String: return .string(s)
        case let a as [Any]: return .list(ListRef(a.map(value(fromJSON:))))
        case let o as JSONDict:
            let d = DictRef()
            for (k, v) in o.sorted(by: { $0.key < $1.key }) { d.set(.str(k), .string(k), value(fromJSON: v)) }
            return .dict(d)
        default: return .none
        }
    }

    /// Equal as JSON (what the frontend shows is what we would send).
    static func jsonEqual(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as Bool, y as Bool) where type(of: a) == Bool.self && type(of: b) == Bool.self: return x == y
        case let (x as Int, y as Int): return x == y
        case let (x as Double, y as Double): return x == y
        case let (x as Int, y as Double), let (y as Double, x as Int): return Double(x) == y
        case let (x as String, y as String): return x == y
        case (is NSNull, is NSNull): return true
        case let (x as [Any], y as [Any]): return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case let (x as JSONDict, y as JSONDict): return x.count == y.count && x.allSatisfy { k, v in y[k].map { jsonEqual(v, $0) } ?? false }
        default: return false
        }
    }

    /// Whether a change happened (traitlets compares with ==; objects by identity).
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case let (.string(x), .string(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case let (.tuple(x), .tuple(y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (.list(x), .list(y)): return x === y
        case let (.dict(x), .dict(y)): return x === y
        case let (.object(x), .object(y)): return x === y
        case let (.function(x), .function(y)): return x === y
        case let (.builtin(x), .builtin(y)): return x === y
        case let (.method(s, f), .method(t, g)): return f === g && same(s, t)
        default:
            if case .bool = a { return false }
            if case .bool = b { return false }
            if let x = Widget.double(a), let y = Widget.double(b) { return x == y }
            return false
        }
    }
}
