import Foundation
import NablaLanguage

/// A value `interact` passes to the function unchanged, with no control (ipywidgets' fixed).
final class FixedValue: NablaObject {
    let value: Value
    init(_ v: Value) { value = v }
    var typeName: String { "fixed" }
    var text: String { "fixed(…)" }
    var attributeNames: [String] { ["value"] }
    func attribute(_ name: String) -> Value? { name == "value" ? value : nil }
}

/// `interact`, `interactive`, `interactive_output` and `fixed`, with ipywidgets' abbreviations:
/// (min, max[, step]) → IntSlider or FloatSlider, a list or dict → Dropdown, a bool → Checkbox,
/// a str → Text, a number → a slider around it, a widget → itself.
enum Interact {
    static func builtins(_ r: WidgetRegistry) -> [Builtin] {
        [
            Builtin("interact", [.any("__interact_f", default: nil), .kwargs("kwargs")], doc: "Shows a control for each argument of f and re-runs f into an Output on every change: interact(f, lr=(0.001, 1.0), kind=['sgd', 'adam']). As a decorator: @interact or @interact(x=(0, 10)).", example: "def step(lr=0.1):\n    print('w =', 4 - lr * 8)\ninteract(step, lr=(0.01, 1.0))") { a in
                try interact(r, a.value("__interact_f"), a.extraKeywords, a.interpreter)
            },
            Builtin("interactive", [.any("__interact_f"), .kwargs("kwargs")], doc: "Like interact, but returns the VBox of controls and output without showing it (.children, .result, .kwargs, .out).", example: "w = interactive(lambda x: x * 2, x=5)\nw.result") { a in
                guard let f = a.value("__interact_f") else { throw NablaError(.type, "interactive() needs a function") }
                return .object(try interactive(r, f, a.extraKeywords, autoDisplay: false, a.interpreter))
            },
            Builtin("interactive_output", [.any("f"), .any("controls")], doc: "An Output that re-runs f(**{name: control.value}) whenever a control in the dict changes; lay the controls out yourself.", example: "s = FloatSlider(value=0.5)\nout = interactive_output(lambda a: print('a =', a), {'a': s})\ns.value = 0.75") { a in
                guard let f = a.value("f"), case let .dict(d)? = a.value("controls") else { throw NablaError(.type, "interactive_output(f, controls): controls is a dict of widgets") }
                var controls = [(String, Widget)]()
                for (k, v) in zip(d.keys, d.values) {
                    guard case let .string(name) = k, let w = v.asWidget, w.model.trait("value") != nil || r.isSelection(w.className) else {
                        throw NablaError(.type, "interactive_output(): each control must be a value widget")
                    }
                    controls.append((name, w))
                }
                let out = try r.make("Output", [])
                let run = Builtin("observer", [.any("change", default: nil)], doc: "Re-runs the function.") { b in
                    let kw = controls.map { ($0.0, $0.1.attribute("value") ?? .none) }
                    try into(out, b.interpreter) { _ = try b.interpreter.call(f, [], kw, span: .unknown) }
                    return .none
                }
                for (_, w) in controls { w.observers.append((["value"], .builtin(run))) }
                _ = try a.interpreter.call(.builtin(run), [], [], span: .unknown)
                return .object(out)
            },
            Builtin("fixed", [.any("value")], doc: "An interact argument passed as it is, with no control.", example: "w = interactive(lambda a, b: a + b, a=(0, 5), b=fixed(10))\nw.result") { a in .object(FixedValue(a.value("value") ?? .none)) },
        ]
    }

    /// Runs `body` with its output in `out`, which is cleared when that output arrives.
    static func into(_ out: Widget, _ interp: Interpreter, _ body: () throws -> Void) throws {
        _ = try out.enter(interpreter: interp)
        interp.sink?.clearOutput(wait: true)
        do { try body() } catch let e as NablaError {
            if try out.exit(interpreter: interp, error: e) { return }
            throw e
        }
        _ = try out.exit(interpreter: interp, error: nil)
    }

    static func interact(_ r: WidgetRegistry, _ f: Value?, _ kwargs: [(String, Value)], _ interp: Interpreter) throws -> Value {
        guard let f else {
            // @interact(x=…): a decorator with these abbreviations.
            return .builtin(Builtin("interact", [.any("f")], doc: "Makes f interactive with the abbreviations given.") { a in
                try interact(r, a.value("f"), kwargs, a.interpreter)
            })
        }
        let box = try interactive(r, f, kwargs, autoDisplay: true, interp)
        interp.sink?.display(.object(box), id: nil, update: false)
        return f
    }

    /// The VBox of controls and Output, with f run once.
    static func interactive(_ r: WidgetRegistry, _ f: Value, _ kwargs: [(String, Value)], autoDisplay: Bool, _ interp: Interpreter) throws -> Widget {
        var given = kwargs
        var abbreviations = [(name: String, abbrev: Value, defaultValue: Value?)]()
        if case let .function(fn) = f {
            for (k, p) in fn.params.enumerated() {
                switch p.kind {
                case .normal:
                    let d = k < fn.defaults.count ? fn.defaults[k] : nil
                    if let j = given.firstIndex(where: { $0.0 == p.name }) {
                        abbreviations.append((p.name, given.remove(at: j).1, d))
                    } else if let d {
                        abbreviations.append((p.name, d, nil))
                    } else {
                        throw NablaError(.value, "cannot find widget or abbreviation for argument: '\(p.name)'")
                    }
                case .starStar:
                    abbreviations += given.map { ($0.0, $0.1, nil) }
                    given = []
                case .star: break
                }
            }
            if let extra = given.first { throw NablaError(.type, "\(fn.name)() got an unexpected keyword argument '\(extra.0)'") }
        } else {
            abbreviations = kwargs.map { ($0.0, $0.1, nil) }
        }
        var controls = [(String, Value)]()
        for (name, abbrev, d) in abbreviations {
            if case let .object(fx as FixedValue) = abbrev { controls.append((name, .object(fx))); continue }
            let w = try widget(r, abbrev, interp, description: name)
            if let d, !(abbrev.asWidget != nil) { _ = try? w.assign("value", d) }
            if w.model.trait("description") != nil, case .string("")? = w.state["description"] { try w.set("description", .string(name), interpreter: interp) }
            controls.append((name, .object(w)))
        }
        let out = try r.make("Output", [])
        let children = controls.compactMap { $0.1.asWidget } + [out]
        let box = try r.make("VBox", [("children", .tuple(children.map { .object($0) })), ("_dom_classes", .tuple([.string("widget-interact")]))])
        box.extra["out"] = .object(out)
        box.extra["result"] = Value.none
        box.extra["kwargs"] = .dict(DictRef())
        box.extra["f"] = f
        let update = Builtin("update", [.args("args")], doc: "Calls the function with the controls' values and shows its output.") { [unowned box] b in
            let kw = controls.map { ($0.0, $0.1.asWidget?.attribute("value") ?? ($0.1.asWidgetFixed ?? .none)) }
            let d = DictRef()
            for (k, v) in kw { d.set(.str(k), .string(k), v) }
            box.extra["kwargs"] = .dict(d)
            try into(out, b.interpreter) {
                let result = try b.interpreter.call(f, [], kw, span: .unknown)
                box.extra["result"] = result
                if autoDisplay, !(result.isNone) { b.interpreter.sink?.display(result, id: nil, update: false) }
            }
            return .none
        }
        box.extra["update"] = .builtin(update)
        for case let (_, .object(w as Widget)) in controls { w.observers.append((["value"], .builtin(update))) }
        _ = try interp.call(.builtin(update), [], [], span: .unknown)
        return box
    }

    /// The control an abbreviation stands for.
    static func widget(_ r: WidgetRegistry, _ abbrev: Value, _ interp: Interpreter, description: String) throws -> Widget {
        let named: [(String, Value)] = [("description", .string(description))]
        if let w = abbrev.asWidget {
            guard w.model.trait("value") != nil || r.isSelection(w.className) else { throw NablaError(.type, "\(w.text) is not a ValueWidget") }
            return w
        }
        func isInt(_ v: Value) -> Bool { if case .int = v { return true }; return false }
        switch abbrev {
        case let .tuple(items) where (2...3).contains(items.count) && items.allSatisfy({ Widget.double($0) != nil && !$0.isBool }):
            let nums = items.map { Widget.double($0)! }
            let ints = items.allSatisfy(isInt)
            let (lo, hi) = (nums[0], nums[1])
            var value = ints ? Double(Int(lo) + (Int(hi) - Int(lo)) / 2) : lo + (hi - lo) / 2
            var kw: [(String, Value)] = []
            if items.count == 3 {
                let step = nums[2]
                guard step > 0 else { throw NablaError(.value, "step must be >= 0, not \(interp.repr(items[2]))") }
                value = lo + Double(Int((value - lo) / step)) * step
                kw.append(("step", items[2]))
            }
            guard lo <= value, value <= hi else { throw NablaError(.value, "value must be between min and max (min=\(interp.repr(items[0])), value=\(value), max=\(interp.repr(items[1])))") }
            let num = { (x: Double) -> Value in ints ? .int(Int(x)) : .float(x) }
            return try r.make(ints ? "IntSlider" : "FloatSlider", [("min", num(lo)), ("max", num(hi)), ("value", num(value))] + kw + named)
        case .string: return try r.make("Text", [("value", abbrev)] + named)
        case .bool: return try r.make("Checkbox", [("value", abbrev)] + named)
        case let .int(v):
            let (lo, hi) = v == 0 ? (0, 1) : v > 0 ? (-v, 3 * v) : (3 * v, -v)
            return try r.make("IntSlider", [("value", abbrev), ("min", .int(lo)), ("max", .int(hi))] + named)
        case let .float(v):
            let (lo, hi) = v == 0 ? (0.0, 1.0) : v > 0 ? (-v, 3 * v) : (3 * v, -v)
            return try r.make("FloatSlider", [("value", .float(v)), ("min", .float(lo)), ("max", .float(hi))] + named)
        case .list, .dict:
            return try r.make("Dropdown", [("options", abbrev)] + named)
        default: break
        }
        if case let .tensor(t) = abbrev, t.value.rank == 0 {
            return try widget(r, .float(t.value.data[0]), interp, description: description)
        }
        throw NablaError(.value, "\(interp.repr(abbrev)) cannot be transformed to a widget")
    }
}

extension Value {
    var isNone: Bool { if case .none = self { return true }; return false }
    var isBool: Bool { if case .bool = self { return true }; return false }
    var asWidgetFixed: Value? { if case let .object(f as FixedValue) = self { return f.value }; return nil }
}
