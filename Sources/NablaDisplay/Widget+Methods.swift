import Foundation
import NablaLanguage

/// The methods a widget answers, as ipywidgets names them.
enum WidgetMethods {
    static func names(_ w: Widget) -> [String] {
        var n = ["observe", "unobserve", "unobserve_all", "close", "send_state", "get_state", "on_msg", "send", "add_class", "remove_class"]
        if w.className == "Button" { n.append("on_click") }
        if w.className == "Output" { n += ["clear_output", "append_stdout", "append_stderr", "append_display_data"] }
        return n
    }

    static func names(_ v: Value, _ interp: Interpreter) throws -> Set<String>? {
        switch v {
        case .none: return nil
        case let .string(s): return [s]
        default: return Set(try interp.elements(v, span: .unknown).map { interp.str($0) })
        }
    }

    static func method(_ w: Widget, _ name: String) -> Value? {
        let b: Builtin
        switch name {
        case "observe":
            b = Builtin("observe", [.any("handler"), .any("names", default: nil), .any("type", default: "change")], doc: "Calls handler(change) when an attribute in names changes (all when None); change['new'], change['old'], change['name'], change['owner'].") { [unowned w] a in
                guard let h = a.value("handler") else { throw NablaError(.type, "observe() needs a handler function") }
                w.observers.append((try names(a.value("names") ?? .none, a.interpreter), h))
                return .none
            }
        case "unobserve":
            b = Builtin("unobserve", [.any("handler"), .any("names", default: nil), .any("type", default: "change")], doc: "Stops calling handler for the changes of names (all when None).") { [unowned w] a in
                let h = a.value("handler") ?? .none
                let ns = try names(a.value("names") ?? .none, a.interpreter)
                w.observers.removeAll { WidgetRegistry.same($0.handler, h) && (ns == nil || $0.names == ns) }
                return .none
            }
        case "unobserve_all":
            b = Builtin("unobserve_all", [.any("name", default: nil)], doc: "Removes every observer (of name, when given).") { [unowned w] a in
                if case let .string(n)? = a.value("name") { w.observers.removeAll { $0.names?.contains(n) == true } } else { w.observers = [] }
                return .none
            }
        case "on_click" where w.className == "Button":
            b = Builtin("on_click", [.any("callback"), .bool("remove", default: false)], doc: "Calls callback(button) when the button is clicked (remove=True unregisters it).") { [unowned w] a in
                let h = a.value("callback") ?? .none
                if try a.bool("remove") { w.clickHandlers.removeAll { WidgetRegistry.same($0, h) } } else { w.clickHandlers.append(h) }
                return .none
            }
        case "on_msg":
            b = Builtin("on_msg", [.any("callback"), .bool("remove", default: false)], doc: "Calls callback(widget, content, buffers) for each custom message from the frontend.") { [unowned w] a in
                let h = a.value("callback") ?? .none
                if try a.bool("remove") { w.messageHandlers.removeAll { WidgetRegistry.same($0, h) } } else { w.messageHandlers.append(h) }
                return .none
            }
        case "send":
            b = Builtin("send", [.any("content"), .any("buffers", default: nil)], doc: "Sends a custom message to the frontend model.") { [unowned w] a in
                w.comm?.send(["method": "custom", "content": w.json(a.value("content") ?? .none)])
                return .none
            }
        case "close":
            b = Builtin("close", [], doc: "Closes the widget's comm: its views disappear from the frontend.") { [unowned w] _ in
                w.comm?.close()
                w.registry.widgets[w.id] = nil
                return .none
            }
        case "send_state":
            b = Builtin("send_state", [.any("key", default: nil)], doc: "Sends the state (or one key of it) to the frontend again.") { [unowned w] a in
                let full = w.fullState()
                if let keys = try names(a.value("key") ?? .none, a.interpreter) { w.sync(full.filter { keys.contains($0.key) }) } else { w.sync(full) }
                return .none
            }
        case "get_state":
            b = Builtin("get_state", [.any("key", default: nil)], doc: "The state as the frontend receives it (a dict).") { [unowned w] a in
                var full = w.fullState()
                if let keys = try names(a.value("key") ?? .none, a.interpreter) { full = full.filter { keys.contains($0.key) } }
                return WidgetRegistry.value(fromJSON: full)
            }
        case "add_class", "remove_class":
            b = Builtin(name, [.string("className")], doc: "Adds or removes a CSS class of the widget's element.") { [unowned w] a in
                let c = try a.string("className")
                var cls = (Widget.items(w.state["_dom_classes"] ?? .none) ?? []).filter { !WidgetRegistry.same($0, .string(c)) }
                if name == "add_class" { cls.append(.string(c)) }
                try w.set("_dom_classes", .tuple(cls), interpreter: a.interpreter)
                return .object(w)
            }
        case "clear_output" where w.className == "Output":
            b = Builtin("clear_output", [.bool("wait", default: false)], doc: "Clears the Output (with wait=True, when new output arrives).") { [unowned w] a in
                OutputCapture.of(w).clearOutput(wait: try a.bool("wait"))
                OutputCapture.of(w).flush()
                return .none
            }
        case "append_stdout", "append_stderr":
            guard w.className == "Output" else { return nil }
            b = Builtin(name, [.string("text")], doc: "Appends text to the Output as printed output.") { [unowned w] a in
                OutputCapture.of(w).write(try a.string("text"), stream: name == "append_stdout" ? "stdout" : "stderr")
                OutputCapture.of(w).flush()
                return .none
            }
        case "append_display_data" where w.className == "Output":
            b = Builtin("append_display_data", [.any("value")], doc: "Appends a value to the Output as displayed output.") { [unowned w] a in
                OutputCapture.of(w).display(a.value("value") ?? .none, id: nil, update: false)
                OutputCapture.of(w).flush()
                return .none
            }
        default: return nil
        }
        return .builtin(b)
    }
}
