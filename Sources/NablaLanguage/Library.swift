import Foundation
import NablaAutograd
import NablaTensor

/// The builtins every session starts with. Each has a signature, a docstring and, for the
/// math, its formula: that is what `help(name)` and `inspect` show.
enum Library {
    static func registerAll(in i: Interpreter) {
        core(i)
        tensors(i)
        autograd(i)
        functions(i)
        python(i)
        keras(i)
    }

    static func t(_ v: Variable) -> Value { .tensor(v) }

    // MARK: Core

    static func core(_ i: Interpreter) {
        i.register(Builtin("print(*values, sep=' ', end='\\n')", doc: "Writes the values as text, separated by `sep` and followed by `end`.") { a in
            let text = a.rest.map { a.interpreter.str($0) }.joined(separator: try a.string("sep", default: " ")) + (try a.string("end", default: "\n"))
            a.interpreter.sink?.write(text, stream: "stdout")
            return .none
        })
        i.register(Builtin("len(x)", doc: "The number of items of a list, tuple, string or range, or the length of a tensor's first axis.") { a in
            let v = a.value("x") ?? .none
            switch v {
            case let .tensor(t):
                guard t.value.rank > 0 else { throw NablaError(.type, "len() of a number (a 0-d tensor)") }
                return .number(Double(t.value.shape[0]))
            case let .range(r): return .number(Double(r.count))
            default: return .number(Double(try a.interpreter.elements(v, span: a.span).count))
            }
        })
        i.register(Builtin("range(start, stop=None, step=1)", doc: "Whole numbers from start (default 0) up to but not including stop, by step. Lazy: nothing is stored.") { a in
            var start = try a.int("start"), stop = 0
            if let s = try a.optionalInt("stop") { stop = s } else { stop = start; start = 0 }
            let step = try a.int("step", default: 1)
            guard step != 0 else { throw NablaError(.value, "range() step must not be zero") }
            return .range(RangeValue(start: start, stop: stop, step: step))
        })
        i.register(Builtin("shape(x)", doc: "The shape of a tensor as a tuple, e.g. (2, 3).") { a in
            .tuple(try a.tensor("x").value.shape.map { .number(Double($0)) })
        })
        i.register(Builtin("help(name)", doc: "Shows the documentation of a builtin or function: its signature, what it does, and its formula.") { a in
            let text: String
            switch a.value("name") ?? .none {
            case let .builtin(b): text = b.docstring
            case let .function(f): text = f.signature + (f.doc.map { "\n\n" + $0 } ?? "")
            case let .string(s): text = a.interpreter.builtins[s]?.docstring ?? "no builtin named '\(s)'"
            case let v: text = "\(v.typeName): " + a.interpreter.repr(v)
            }
            a.interpreter.sink?.page(text)
            return .none
        })
        for name in ["exit", "quit"] {
            i.register(Builtin("\(name)()", doc: "Closes a console session (jupyter console); in a notebook it does nothing.") { a in
                a.interpreter.sink?.requestExit()
                return .none
            })
        }
        i.register(Builtin("warn(message)", doc: "Writes a warning to the error stream (shown apart from printed output).") { a in
            a.interpreter.sink?.write("Warning: " + a.interpreter.str(a.value("message") ?? .none) + "\n", stream: "stderr")
            return .none
        })
        i.register(Builtin("input(prompt='', password=False)", doc: "Asks the user for a line of text (through the notebook, or standard input under `nabla run`).") { a in
            guard let sink = a.interpreter.sink else { throw NablaError(.value, "input() is not available here") }
            return .string(try sink.readInput(prompt: try a.string("prompt", default: ""), password: try a.bool("password", default: false)))
        })
        i.register(Builtin("display(value, id=None, update=False)", doc: "Shows a value now, as rich output. With `id`, later `update(id, value)` calls replace it in place.") { a in
            let id = a.has("id") ? try a.string("id") : nil
            a.interpreter.sink?.display(a.value("value") ?? .none, id: id, update: try a.bool("update", default: false))
            return id.map { .string($0) } ?? .none
        })
        i.register(Builtin("update(id, value)", doc: "Replaces the output shown by `display(..., id=id)` with `value` (for live progress).") { a in
            a.interpreter.sink?.display(a.value("value") ?? .none, id: try a.string("id"), update: true)
            return .none
        })
        i.register(Builtin("clear_output(wait=False)", doc: "Clears this cell's output; with wait=True, only when new output arrives (no flicker).") { a in
            a.interpreter.sink?.clearOutput(wait: try a.bool("wait", default: false))
            return .none
        })
        i.register(Builtin("precision(digits)", doc: "Sets how many significant digits numbers are shown with (default 4).") { a in
            let d = try a.int("digits")
            guard (1...17).contains(d) else { throw NablaError(.value, "precision must be between 1 and 17, got \(d)") }
            a.interpreter.precision = d
            return .none
        })
        i.register(Builtin("str(x)", doc: "The text form of a value.") { a in .string(a.interpreter.str(a.value("x") ?? .none)) })
        i.register(Builtin("float(x)", doc: "A one-element tensor (or numeric string) as a plain number.") { a in
            if case let .string(s)? = a.value("x") {
                guard let d = Double(s.trimmed(" ")) else { throw NablaError(.value, "could not convert '\(s)' to a number") }
                return .number(d)
            }
            return .number(try a.double("x"))
        })
        i.register(Builtin("int(x)", doc: "A number truncated toward zero.") { a in
            let d = try a.double("x")
            guard d.isFinite, Swift.abs(d) < 9.0e15 else { throw NablaError(.value, "cannot convert \(Tensor.formatNumber(d)) to a whole number") }
            return .number(d.rounded(.towardZero))
        })
        i.register(Builtin("round(x, digits=0)", doc: "x rounded to `digits` decimal places (half away from zero).") { a in
            let scale = Foundation.pow(10.0, Double(try a.int("digits", default: 0)))
            return t(Variable(try a.tensor("x").value.map { ($0 * scale).rounded() / scale }))
        })
        i.register(Builtin("list(x)", doc: "The items of a tuple, range, string or tensor (first axis) as a list.") { a in
            .list(ListRef(try a.sequence("x")))
        })
        i.register(Builtin("tuple(x)", doc: "The items of a list, range, string or tensor as a tuple.") { a in .tuple(try a.sequence("x")) })
        i.register(Builtin("type(x)", doc: "The name of a value's type.") { a in .string((a.value("x") ?? .none).typeName) })
        i.register(Builtin("isclose(a, b, tol=1e-6)", doc: "True when every element of a and b differs by at most tol.") { a in
            let d = try (a.tensor("a").value - a.tensor("b").value).abs()
            let tol = try a.double("tol", default: 1e-6)
            return .bool(d.data.allSatisfy { $0 <= tol })
        })
        i.register(Builtin("any(x)", doc: "True when any element is non-zero.") { a in .bool(try a.tensor("x").value.data.contains { $0 != 0 }) })
        i.register(Builtin("all(x)", doc: "True when every element is non-zero.") { a in .bool(try a.tensor("x").value.data.allSatisfy { $0 != 0 }) })
        i.register(Builtin("item(x)", doc: "The single element of a one-element tensor, as a number.") { a in
            let x = try a.tensor("x").value
            guard x.count == 1 else { throw NablaError(.value, "item() needs a one-element tensor, got shape \(formatShape(x.shape))") }
            return .number(x.data[0])
        })
        i.register(Builtin("tolist(x)", doc: "A tensor as nested lists of numbers.") { a in
            func build(_ x: Tensor) throws -> Value {
                if x.rank == 0 { return .number(x.data[0]) }
                return .list(ListRef(try (0..<x.shape[0]).map { try build(x[[.at($0)]]) }))
            }
            return try build(a.tensor("x").value)
        })
    }
}
