import Foundation
import NablaLanguage

/// The cross-attribute rules of ipywidgets' widget classes: bounded numbers clamp their value
/// into [min, max] (and refuse min > max), a log slider clamps into [base^min, base^max], a
/// range keeps lower ≤ upper, a selection keeps index, value and label in step with its options.
enum WidgetRules {
    static let bounded: Set<String> = ["IntSlider", "FloatSlider", "BoundedIntText", "BoundedFloatText", "IntProgress", "FloatProgress", "Play"]
    static let ranges: Set<String> = ["IntRangeSlider", "FloatRangeSlider"]

    /// Defaults that depend on other arguments, filled in before the arguments are set.
    static func initialize(_ w: Widget, _ kw: inout [(String, Value)]) throws {
        func given(_ k: String) -> Value? { kw.first { $0.0 == k }?.1 }
        if ranges.contains(w.className), given("value") == nil {
            let lo = Widget.double(given("min") ?? w.state["min"] ?? .int(0)) ?? 0
            let hi = Widget.double(given("max") ?? w.state["max"] ?? .int(100)) ?? 100
            let a = 0.75 * lo + 0.25 * hi, b = 0.25 * lo + 0.75 * hi
            kw.append(("value", w.className == "IntRangeSlider" ? .tuple([.int(Int(a)), .int(Int(b))]) : .tuple([.float(a), .float(b)])))
        }
        if w.registry.isSelection(w.className) {
            if given("options") == nil { kw.append(("options", .tuple([]))) }
            if given("index") == nil, given("value") == nil, given("label") == nil {
                let n = Widget.items(given("options") ?? .none)?.count ?? (given("options").flatMap { if case let .dict(d) = $0 { return d.count }; return nil } ?? 0)
                kw.append(("index", n > 0 ? .int(0) : .none))
            }
        }
    }

    static func number(_ w: Widget, _ k: String) -> Double { Widget.double(w.state[k] ?? .none) ?? 0 }

    /// `v` in the kind (int or float) of `like`.
    static func same(kind like: Value, _ x: Double) -> Value {
        if case .int = like { return .int(x >= 9.2e18 ? Int.max : x <= -9.2e18 ? Int.min : Int(x)) }
        return .float(x)
    }

    /// The changes that setting `name` to `v` makes, or why it cannot be set.
    static func validate(_ w: Widget, _ name: String, _ v: Value) throws -> [(String, Value)] {
        let cls = w.className
        if bounded.contains(cls) || cls == "FloatLogSlider" {
            let log = cls == "FloatLogSlider"
            let base = log ? number(w, "base") : 1
            func bound(_ e: Double) -> Double { log ? Foundation.pow(base, e) : e }
            let lo = number(w, "min"), hi = number(w, "max")
            switch name {
            case "value":
                guard let x = Widget.double(v) else { return [(name, v)] }
                return [(name, same(kind: v, Swift.min(Swift.max(x, bound(lo)), bound(hi))))]
            case "min", "max":
                guard let x = Widget.double(v) else { return [(name, v)] }
                if name == "min", x > hi { throw NablaError(.value, "setting min > max") }
                if name == "max", x < lo { throw NablaError(.value, "setting max < min") }
                let value = w.state["value"] ?? .none
                guard let cur = Widget.double(value) else { return [(name, v)] }
                let clamped = name == "min" ? Swift.max(cur, bound(x)) : Swift.min(cur, bound(x))
                return [(name, v)] + (clamped != cur ? [("value", same(kind: value, clamped))] : [])
            default: return [(name, v)]
            }
        }
        if ranges.contains(cls) {
            let lo = number(w, "min"), hi = number(w, "max")
            switch name {
            case "value":
                guard let items = Widget.items(v), items.count == 2, let a = Widget.double(items[0]), let b = Widget.double(items[1]) else {
                    throw NablaError(.type, "\(cls).value must be a (lower, upper) pair")
                }
                guard a <= b else { throw NablaError(.value, "setting lower > upper") }
                let like: Value = cls == "IntRangeSlider" ? .int(0) : .float(0)
                return [(name, .tuple([same(kind: like, Swift.min(Swift.max(a, lo), hi)), same(kind: like, Swift.min(Swift.max(b, lo), hi))]))]
            case "min", "max":
                guard let x = Widget.double(v) else { return [(name, v)] }
                if name == "min", x > hi { throw NablaError(.value, "setting min > max") }
                if name == "max", x < lo { throw NablaError(.value, "setting max < min") }
                guard case let .tuple(pair)? = w.state["value"], pair.count == 2, let a = Widget.double(pair[0]), let b = Widget.double(pair[1]) else { return [(name, v)] }
                let (nlo, nhi) = name == "min" ? (x, hi) : (lo, x)
                let clamp = { (y: Double) in Swift.min(Swift.max(y, nlo), nhi) }
                let moved: Value = .tuple([same(kind: pair[0], clamp(a)), same(kind: pair[1], clamp(b))])
                return [(name, v)] + (WidgetRegistry.same(moved, .tuple(pair)) ? [] : [("value", moved)])
            default: return [(name, v)]
            }
        }
        if name == "index", w.registry.isSelection(cls), case let .int(i) = v, !w.options.indices.contains(i) {
            throw NablaError(.value, "Invalid selection: index out of bounds (\(i) of \(w.options.count) options)")
        }
        return [(name, v)]
    }

    /// A selection's value and label for index `v`.
    static func selectIndex(_ w: Widget, _ v: Value) throws -> [(String, Value)] {
        guard case let .int(i) = v, w.options.indices.contains(i) else { return [("label", .none), ("value", .none)] }
        return [("label", .string(w.options[i].label)), ("value", w.options[i].value)]
    }

    /// Setting a selection's `value`, `label` or `options` from the language.
    static func select(_ w: Widget, _ name: String, _ v: Value) throws -> [(String, Value)] {
        switch name {
        case "options":
            w.options = try options(v, w.registry.interpreter)
            let previous = w.extra["value"] ?? .none
            let keep = w.options.firstIndex { WidgetRegistry.same($0.value, previous) }
            let index: Value = keep.map { .int($0) } ?? (w.options.isEmpty ? .none : .int(0))
            return [("_options_labels", .tuple(w.options.map { .string($0.label) })), ("index", index)] + (try selectIndex(w, index))
        case "value", "label":
            if case .none = v, w.model.trait("index")?.allowNone == true { return [("index", .none), ("label", .none), ("value", .none)] }
            guard let i = w.options.firstIndex(where: { name == "value" ? WidgetRegistry.same($0.value, v) : WidgetRegistry.same(.string($0.label), v) }) else {
                throw NablaError(.value, "Invalid selection: \(name) not found (\(w.registry.interpreter?.repr(v) ?? "?") is not among the options)")
            }
            return [("index", .int(i))] + (try selectIndex(w, .int(i)))
        default: return []
        }
    }

    /// ipywidgets' options: a list of values (labelled by str), of (label, value) pairs, or a dict.
    static func options(_ v: Value, _ interp: Interpreter?) throws -> [(label: String, value: Value)] {
        func label(_ x: Value) -> String { interp?.str(x) ?? "\(x)" }
        if case let .dict(d) = v { return zip(d.keys, d.values).map { (label($0), $1) } }
        guard let items = Widget.items(v) else { throw NablaError(.type, "options must be a list, a tuple or a dict, got \(v.typeName)") }
        return items.map { x in
            if case let .tuple(p) = x, p.count == 2, case let .string(l) = p[0] { return (l, p[1]) }
            return (label(x), x)
        }
    }
}
