import Foundation
import NablaLanguage

/// `import ipywidgets as widgets`: the widget classes, links and `interact`, as ipywidgets
/// names them; the classes are also bare builtins (`FloatSlider(...)`), as in a notebook that
/// ran `from ipywidgets import *`.
public enum WidgetLibrary {
    /// The classes offered by name (styles and links are made through their widgets and jslink).
    static let classes = ["IntSlider", "FloatSlider", "FloatLogSlider", "IntRangeSlider", "FloatRangeSlider", "Dropdown", "RadioButtons",
                          "Select", "ToggleButtons", "SelectionSlider", "Checkbox", "ToggleButton", "Button", "Text", "Textarea", "Label",
                          "HTML", "HTMLMath", "IntText", "FloatText", "BoundedIntText", "BoundedFloatText", "IntProgress", "FloatProgress",
                          "Play", "Output", "Box", "HBox", "VBox", "Layout"]

    public static func register(in i: Interpreter, comms: CommManager) {
        let registry = WidgetRegistry(comms: comms, interpreter: i)
        var members = [String: Value]()
        for cls in classes {
            let b = Builtin(cls, [.args("args"), .kwargs("kwargs")], doc: "ipywidgets' \(cls): keyword arguments set its attributes (value, min, max, step, description, options, …). Show it with display() or as a cell's last value.", example: "\(cls)()") { a in
                .object(try registry.make(cls, a.extraKeywords, positional: a.rest))
            }
            members[cls] = .builtin(b)
            if i.builtins[cls] == nil { i.register(b) }
        }
        for b in links(registry) + Interact.builtins(registry) {
            members[b.name] = .builtin(b)
            if i.builtins[b.name] == nil { i.register(b) }
        }
        members["widgets"] = .module(Module(name: "ipywidgets.widgets", members: members))
        members["__version__"] = .string("8.1.9")
        let module = Module(name: "ipywidgets", members: members)
        i.provideModule("ipywidgets", module)
        i.provideModule("ipywidgets.widgets", module)
        var ipython = [String: Value]()
        for n in ["display", "clear_output", "update"] { if let b = i.builtins[n] { ipython[n] = .builtin(b) } }
        let display = Module(name: "IPython.display", members: ipython)
        i.provideModule("IPython.display", display)
        i.provideModule("IPython", Module(name: "IPython", members: ["display": .module(display)]))
    }

    /// A (widget, attribute) pair of jslink's arguments.
    static func pair(_ v: Value, _ a: Args) throws -> (Widget, String) {
        guard let items = Widget.items(v), items.count == 2, let w = items[0].asWidget, case let .string(name) = items[1] else {
            throw NablaError(.type, "\(a.builtin.name)(): each side is a (widget, 'attribute') pair")
        }
        guard w.model.trait(name) != nil else { throw NablaError(.attribute, "\(w.className) has no synced attribute '\(name)'") }
        return (w, name)
    }

    static func links(_ registry: WidgetRegistry) -> [Builtin] {
        func jslink(_ cls: String, _ doc: String) -> Builtin {
            Builtin(cls == "Link" ? "jslink" : "jsdlink", [.any("source"), .any("target")], doc: doc,
                    example: "a = IntSlider(value=3)\nb = Play()\n\(cls == "Link" ? "jslink" : "jsdlink")((b, 'value'), (a, 'value'))") { a in
                let (s, sn) = try pair(a.value("source") ?? .none, a), (t, tn) = try pair(a.value("target") ?? .none, a)
                let l = try registry.make(cls, [("source", .tuple([.object(s), .string(sn)])), ("target", .tuple([.object(t), .string(tn)]))])
                return .object(l)
            }
        }
        func link(_ both: Bool) -> Builtin {
            Builtin(both ? "link" : "dlink", [.any("source"), .any("target")], doc: both ? "Keeps two widget attributes equal, in the kernel: link((a, 'value'), (b, 'value'))." : "Copies a widget attribute to another whenever it changes, in the kernel.",
                    example: "a = FloatSlider(value=0.1)\nb = FloatSlider()\n\(both ? "link" : "dlink")((a, 'value'), (b, 'value'))\na.value = 0.3\nb.value") { a in
                let (s, sn) = try pair(a.value("source") ?? .none, a), (t, tn) = try pair(a.value("target") ?? .none, a)
                func follow(_ from: Widget, _ fn: String, _ to: Widget, _ tn: String) {
                    from.observers.append(([fn], .builtin(Builtin("link", [.any("change")], doc: "") { [unowned to] b in
                        guard let c = b.value("change"), case let .object(ch as ChangeObject) = c, let new = ch.attribute("new") else { return .none }
                        if !WidgetRegistry.same(to.state[tn] ?? .none, new) { try to.set(tn, new, interpreter: b.interpreter) }
                        return .none
                    })))
                }
                try t.set(tn, s.state[sn] ?? .none, interpreter: a.interpreter)
                follow(s, sn, t, tn)
                if both { follow(t, tn, s, sn) }
                return .none
            }
        }
        return [jslink("Link", "Links two widget attributes in the frontend (no kernel round trip): jslink((play, 'value'), (slider, 'value'))."),
                jslink("DirectionalLink", "Copies a widget attribute to another in the frontend, one way."), link(true), link(false)]
    }
}
