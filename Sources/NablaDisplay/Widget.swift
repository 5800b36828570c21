import Foundation
import NablaAutograd
import NablaLanguage

/// One synced attribute of a widget model, as ipywidgets declares it.
struct Trait {
    enum Kind {
        case int, float, bool, string, bytes
        /// A tuple of JSON scalars (`_dom_classes`, a range slider's value).
        case array
        /// A list of dicts (Output's outputs).
        case objects
        /// A widget of this class (Layout, a style), given as a widget or a dict of its attributes.
        case reference(String)
        /// A tuple of widgets (a box's children).
        case references
        /// A float or a string (CSS sizes such as a Play's width).
        case number
        case intOrString
    }
    enum Default { case null, bool(Bool), int(Int), float(Double), string(String), strings([String]), ints([Int]), floats([Double]), newInstance }

    let name: String
    let kind: Kind
    let defaultValue: Default
    let allowNone: Bool
    let choices: [String]?

    init(_ name: String, _ kind: Kind, _ d: Default, allowNone: Bool = false, choices: [String]? = nil) {
        self.name = name; self.kind = kind; defaultValue = d; self.allowNone = allowNone; self.choices = choices
    }
}

/// A widget model: its front-end class (module, version, name), its view, and its traits.
struct WidgetModel {
    let name: String, module: String, version: String
    let view: String?, viewModule: String, viewVersion: String
    let traits: [Trait]

    func trait(_ name: String) -> Trait? { traits.first { $0.name == name } }
}

/// Why a value cannot be a widget attribute: traitlets' wording, so it reads as in ipywidgets.
enum TraitError {
    static func wrongType(_ w: Widget, _ t: Trait, _ expected: String, _ v: Value, _ interp: Interpreter?) -> NablaError {
        let article = w.className.first.map { "AEIOU".contains($0) } == true ? "an" : "a"
        let shown = interp.map { " " + $0.repr(v) } ?? ""
        return NablaError(.type, "The '\(t.name)' trait of \(article) \(w.className) instance expected \(expected), not the \(v.typeName)\(shown).")
    }
}

/// A widget: Nabla's half of an ipywidgets model. Its state is kept as language values, each
/// checked against its trait; a change is sent to the frontend (`update`) and to the
/// `observe` handlers; the frontend's `update`, `request_state` and `custom` come back here.
public final class Widget: NablaObject, MutableAttributes, RichObject {
    let className: String
    let model: WidgetModel
    public let id: String
    var state: [String: Value] = [:]
    /// Attributes of the Python object that are not synced (a selection's value and options,
    /// interactive's result).
    var extra: [String: Value] = [:]
    var comm: Comm?
    unowned let registry: WidgetRegistry
    var observers: [(names: Set<String>?, handler: Value)] = []
    var clickHandlers: [Value] = []
    var messageHandlers: [Value] = []
    /// A selection's options: label and value of each.
    var options: [(label: String, value: Value)] = []
    /// Output: the capture in progress (`with out:`), its depth.
    var capture: OutputCapture?
    /// Keys being set from the frontend: not echoed back unless validation changed them.
    var fromFrontend: [String: Any] = [:]

    init(className: String, model: WidgetModel, registry: WidgetRegistry) {
        self.className = className; self.model = model; self.registry = registry
        id = CommManager.newID()
    }

    public var typeName: String { className }

    // MARK: State ⇄ JSON

    /// The full state as sent in comm_open and answers to request_state.
    func fullState() -> JSONDict {
        var s: JSONDict = ["_model_name": model.name, "_model_module": model.module, "_model_module_version": model.version,
                           "_view_name": model.view ?? NSNull(), "_view_module": model.viewModule, "_view_module_version": model.viewVersion]
        for t in model.traits { s[t.name] = json(state[t.name] ?? .none) }
        return s
    }

    /// A language value as JSON (widgets by reference, "IPY_MODEL_<id>").
    func json(_ v: Value) -> Any {
        switch v {
        case let .int(i): return i
        case let .float(d): return d
        case let .bool(b): return b
        case let .string(s): return s
        case .none: return NSNull()
        case let .tensor(t) where t.value.count == 1: return t.value.data[0]
        case let .tuple(xs): return xs.map(json)
        case let .list(l): return l.items.map(json)
        case let .dict(d):
            var o = JSONDict()
            for (k, x) in zip(d.keys, d.values) { if case let .string(s) = k { o[s] = json(x) } }
            return o
        case let .object(w as Widget): return "IPY_MODEL_" + w.id
        default: return registry.interpreter?.str(v) ?? v.typeName
        }
    }

    /// JSON from the frontend as a language value (references resolved for reference traits).
    func value(fromJSON j: Any, trait: Trait) -> Value {
        switch trait.kind {
        case .reference, .references:
            if let s = j as? String, s.hasPrefix("IPY_MODEL_"), let w = registry.widgets[String(s.dropFirst(10))] { return .object(w) }
            if let a = j as? [Any] { return .tuple(a.map { value(fromJSON: $0, trait: trait) }) }
        default: break
        }
        return WidgetRegistry.value(fromJSON: j)
    }

    // MARK: Setting attributes

    /// Sets `name` (already known to be a trait) after checking it; sends and notifies the changes.
    func set(_ name: String, _ raw: Value, interpreter: Interpreter?) throws {
        guard let t = model.trait(name) else { return }
        let v = try coerce(raw, t, interpreter)
        var changes = try WidgetRules.validate(self, name, v)
        if name == "index", registry.isSelection(className) { changes += try WidgetRules.selectIndex(self, changes.last?.1 ?? v) }
        try apply(changes)
    }

    /// Stores each change, sends those that differ from what the frontend already shows, and
    /// runs the observers.
    func apply(_ changes: [(String, Value)]) throws {
        var notices = [(String, Value, Value)]()
        var send = JSONDict()
        for (k, v) in changes {
            let old = state[k] ?? extra[k] ?? .none
            if model.trait(k) != nil {
                let j = json(v)
                if case let .float(d) = v, !d.isFinite { throw NablaError(.value, "\(className).\(k) must be a finite number, got \(d)") }
                state[k] = v
                if let shown = fromFrontend[k], WidgetRegistry.jsonEqual(shown, j) {} else { send[k] = j }
            } else {
                extra[k] = v
            }
            if !WidgetRegistry.same(old, v) { notices.append((k, old, v)) }
        }
        if !send.isEmpty { sync(send) }
        for (k, old, new) in notices { try notify(k, old: old, new: new) }
    }

    /// An `update` of these keys to the frontend.
    func sync(_ state: JSONDict) {
        let (s, paths, buffers) = BufferPaths.split(state)
        comm?.send(["method": "update", "state": s, "buffer_paths": paths], buffers: buffers)
    }

    func notify(_ name: String, old: Value, new: Value) throws {
        guard let interp = registry.interpreter else { return }
        for o in observers where o.names == nil || o.names!.contains(name) {
            let change = ChangeObject(name: name, old: old, new: new, owner: .object(self))
            _ = try interp.call(o.handler, [.object(change)], [], span: .unknown)
        }
    }

    /// A value checked against its trait, cast as traitlets' CInt/CFloat do.
    func coerce(_ v: Value, _ t: Trait, _ interp: Interpreter?) throws -> Value {
        if case .none = v {
            if t.allowNone { return .none }
            throw TraitError.wrongType(self, t, expectation(t.kind), v, interp)
        }
        switch t.kind {
        case .int:
            switch v {
            case let .int(i): return .int(i)
            case let .bool(b): return .int(b ? 1 : 0)
            case let .bigint(b): return .int(b.description.hasPrefix("-") ? Int.min : Int.max)
            case .float, .tensor:
                guard let d = Widget.double(v) else { break }
                guard !d.isNaN else { throw NablaError(.value, "cannot convert float NaN to integer (\(className).\(t.name))") }
                return .int(d >= 9.2e18 ? Int.max : d <= -9.2e18 ? Int.min : Int(d))
            case let .string(s): if let i = Int(s.trimmingCharacters(in: .whitespaces)) { return .int(i) }
            default: break
            }
            throw TraitError.wrongType(self, t, "an int", v, interp)
        case .float, .number:
            if case let .string(s) = v, case .number = t.kind { return .string(s) }
            if case let .string(s) = v, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return .float(d) }
            guard let d = Widget.double(v) else { throw TraitError.wrongType(self, t, "a float", v, interp) }
            guard !d.isNaN else { throw NablaError(.value, "\(className).\(t.name) cannot be NaN") }
            return .float(d)
        case .intOrString:
            if case .string = v { return v }
            return try coerce(v, Trait(t.name, .int, .null), interp)
        case .bool:
            guard case .bool = v else { throw TraitError.wrongType(self, t, "a boolean", v, interp) }
            return v
        case .string:
            guard case let .string(s) = v else { throw TraitError.wrongType(self, t, "a unicode string", v, interp) }
            if let choices = t.choices, !choices.contains(s) {
                throw NablaError(.value, "The '\(t.name)' trait of \(className) must be one of \(choices.map { "'\($0)'" }.joined(separator: ", ")), not '\(s)'.")
            }
            return v
        case .bytes:
            throw TraitError.wrongType(self, t, "bytes", v, interp)
        case .array:
            guard let items = Widget.items(v) else { throw TraitError.wrongType(self, t, "a tuple", v, interp) }
            return .tuple(items)
        case .objects:
            guard let items = Widget.items(v), items.allSatisfy({ if case .dict = $0 { return true }; return false }) else {
                throw TraitError.wrongType(self, t, "a tuple of dicts", v, interp)
            }
            return .tuple(items)
        case let .reference(cls):
            if case let .object(w as Widget) = v, w.className == cls || (cls.hasSuffix("Style") && w.className.hasSuffix("Style")) { return v }
            if case let .dict(d) = v {
                var kw = [(String, Value)]()
                for (k, x) in zip(d.keys, d.values) { guard case let .string(s) = k else { continue }; kw.append((s, x)) }
                return .object(try registry.make(cls, kw))
            }
            throw TraitError.wrongType(self, t, "a \(cls)", v, interp)
        case .references:
            guard let items = Widget.items(v) else { throw TraitError.wrongType(self, t, "a tuple of widgets", v, interp) }
            for x in items { guard case .object(_ as Widget) = x else { throw TraitError.wrongType(self, t, "a tuple of widgets (one item is not)", x, interp) } }
            return .tuple(items)
        }
    }

    func expectation(_ k: Trait.Kind) -> String {
        switch k {
        case .int: return "an int"
        case .float, .number: return "a float"
        case .bool: return "a boolean"
        case .string: return "a unicode string"
        default: return "a value"
        }
    }

    static func double(_ v: Value) -> Double? {
        switch v {
        case let .int(i): return Double(i)
        case let .float(d): return d
        case let .bool(b): return b ? 1 : 0
        case let .tensor(t) where t.value.count == 1: return t.value.data[0]
        default: return nil
        }
    }

    static func items(_ v: Value) -> [Value]? {
        switch v {
        case let .tuple(xs): return xs
        case let .list(l): return l.items
        default: return nil
        }
    }

    // MARK: Messages from the frontend

    /// A comm_msg: `update` (state from the frontend), `request_state`, `custom` (a click).
    func receive(_ data: JSONDict, buffers: [Data]) throws {
        switch data["method"] as? String {
        case "update":
            guard var s = data["state"] as? JSONDict else { throw NablaError(.value, "\(className) update without a 'state' object; ignored") }
            if let paths = data["buffer_paths"] as? [Any], !buffers.isEmpty { s = BufferPaths.insert(buffers, at: paths, into: s) }
            try update(fromFrontend: s)
        case "request_state":
            sync(fullState())
        case "custom":
            let content = data["content"] as? JSONDict ?? [:]
            if className == "Button", content["event"] as? String == "click" {
                for h in clickHandlers { _ = try registry.interpreter.map { try $0.call(h, [.object(self)], [], span: .unknown) } }
            }
            for h in messageHandlers {
                _ = try registry.interpreter.map { try $0.call(h, [.object(self), WidgetRegistry.value(fromJSON: content), .list(ListRef([]))], [], span: .unknown) }
            }
        case let m:
            throw NablaError(.value, "unknown widget message method \(m.map { "'\($0)'" } ?? "(none)") for \(className); ignored")
        }
    }

    /// Applies the frontend's state, key by key as ipywidgets' set_state: a key that fails its
    /// check is reported and skipped (the frontend is sent the kernel's value back).
    func update(fromFrontend s: JSONDict) throws {
        var failures = [String]()
        var echo = JSONDict()
        for (k, j) in s.sorted(by: { $0.key < $1.key }) {
            guard let t = model.trait(k) else { failures.append("'\(k)' is not an attribute of \(className)"); continue }
            fromFrontend = [k: j]
            defer { fromFrontend = [:] }
            do {
                try set(k, value(fromJSON: j, trait: t), interpreter: registry.interpreter)
                echo[k] = json(state[k] ?? .none)
            } catch let e as NablaError where e.kind == .keyboardInterrupt {
                throw e
            } catch let e as NablaError {
                if e.kind != .type && e.kind != .value { throw e }
                failures.append(e.message)
                fromFrontend = [:]
                if let cur = state[k] { sync([k: json(cur)]) }
            }
        }
        if !echo.isEmpty { comm?.send(["method": "echo_update", "state": echo, "buffer_paths": [Any]()]) }
        if !failures.isEmpty { throw NablaError(.value, failures.joined(separator: "; ")) }
    }

    // MARK: The language's view

    public var text: String {
        var keys = [String]()
        if model.trait("value") != nil { keys.append("value") }
        for t in model.traits.sorted(by: { $0.name < $1.name }) where !t.name.hasPrefix("_") && t.name != "value" {
            let v = state[t.name] ?? .none
            if case let .object(w as Widget) = v, w.isDefault { continue }
            if registry.isSelection(className), t.name == "index" { continue }
            if case .reference = t.kind, case .object = v, t.name == "layout" || t.name == "style" {
                if (v.asWidget?.isDefault ?? true) { continue }
            }
            if WidgetRegistry.same(v, WidgetRegistry.defaultValue(t)) { continue }
            if case let .tuple(xs) = v, xs.isEmpty { continue }
            keys.append(t.name)
        }
        if registry.isSelection(className) { keys.insert("options", at: 0); keys.insert("value", at: 1) }
        let interp = registry.interpreter
        let parts = keys.map { k -> String in
            let v = state[k] ?? extra[k] ?? (k == "options" ? .tuple(options.map { .string($0.label) }) : .none)
            return k + "=" + (interp?.repr(v) ?? "…")
        }
        return className + "(" + parts.joined(separator: ", ") + ")"
    }

    /// Every trait at its default (a Layout or style nobody set).
    var isDefault: Bool {
        model.traits.allSatisfy { WidgetRegistry.same(state[$0.name] ?? .none, WidgetRegistry.defaultValue($0)) }
    }

    public func mimeData(precision: Int) -> [String: String] {
        var d = ["text/plain": text.count > 110 ? String(text.prefix(110)) + "…" : text]
        if model.view != nil {
            d["application/vnd.jupyter.widget-view+json"] = "{\"version_major\": 2, \"version_minor\": 0, \"model_id\": \"\(id)\"}"
        }
        return d
    }

    public var attributeNames: [String] {
        model.traits.map(\.name).filter { !$0.hasPrefix("_") } + Array(extra.keys) + WidgetMethods.names(self)
    }

    public func attribute(_ name: String) -> Value? {
        if let v = state[name] { return v }
        if let v = extra[name] { return v }
        switch name {
        case "model_id": return .string(id)
        case "keys": return .list(ListRef(model.traits.map { .string($0.name) }))
        case "options" where registry.isSelection(className): return .tuple(options.map { $0.value })
        default: return WidgetMethods.method(self, name)
        }
    }

    public func setAttribute(_ name: String, _ value: Value, interpreter: Interpreter) throws -> Bool {
        try assign(name, value)
    }

    /// `w.name = value`: a trait (checked, synced, observed), a selection's value, label or
    /// options, or a Python-side attribute already there; false for anything else.
    func assign(_ name: String, _ value: Value) throws -> Bool {
        if model.trait(name) != nil { try set(name, value, interpreter: registry.interpreter); return true }
        if registry.isSelection(className), ["value", "label", "options"].contains(name) {
            try apply(try WidgetRules.select(self, name, value))
            return true
        }
        if extra[name] != nil || name == "description" { extra[name] = value; return true }
        return false
    }
}

extension Value {
    var asWidget: Widget? { if case let .object(w as Widget) = self { return w }; return nil }
}

/// The change an `observe` handler receives: `change['new']` or `change.new`, as traitlets' Bunch.
final class ChangeObject: NablaObject, SubscriptableObject {
    let fields: [(String, Value)]
    init(name: String, old: Value, new: Value, owner: Value) {
        fields = [("name", .string(name)), ("old", old), ("new", new), ("owner", owner), ("type", .string("change"))]
    }
    var typeName: String { "Bunch" }
    var text: String { "{" + fields.map { "'\($0.0)': …" }.joined(separator: ", ") + "}" }
    var attributeNames: [String] { fields.map(\.0) }
    func attribute(_ name: String) -> Value? {
        if let v = fields.first(where: { $0.0 == name })?.1 { return v }
        if name == "get" {
            return .builtin(Builtin("get", [.any("key"), .any("default", default: nil)], doc: "The field, or default.") { [fields] a in
                guard case let .string(k)? = a.value("key") else { return a.value("default") ?? .none }
                return fields.first { $0.0 == k }?.1 ?? a.value("default") ?? .none
            })
        }
        if name == "keys" { return .builtin(Builtin("keys", [], doc: "The field names.") { [fields] _ in .list(ListRef(fields.map { .string($0.0) })) }) }
        return nil
    }
    func item(_ key: Value, interpreter: Interpreter) throws -> Value {
        guard case let .string(k) = key, let v = fields.first(where: { $0.0 == k })?.1 else {
            throw NablaError(.key, interpreter.repr(key))
        }
        return v
    }
}
