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
        i.register(Builtin("print", [.args("values"), .string("sep", default: " "), .string("end", default: "\n")], doc: "Writes the values as text, separated by `sep` and followed by `end`.", example: "print('loss', 0.25, sep=' = ')") { a in
            let text = a.rest.map { a.interpreter.str($0) }.joined(separator: try a.string("sep")) + (try a.string("end"))
            a.interpreter.sink?.write(text, stream: "stdout")
            return .none
        })
        i.register(Builtin("len", [.any("x")], doc: "The number of items of a list, tuple, string or range, or the length of a tensor's first axis.", example: "len([[1, 2], [3, 4], [5, 6]])") { a in
            let v = a.value("x") ?? .none
            switch v {
            case let .tensor(t):
                guard t.value.rank > 0 else { throw NablaError(.type, "len() of a number (a 0-d tensor)") }
                return .number(Double(t.value.shape[0]))
            case let .range(r): return .number(Double(r.count))
            default: return .number(Double(try a.interpreter.elements(v, span: a.span).count))
            }
        })
        i.register(Builtin("range", [.int("start"), .int("stop", default: nil), .int("step", default: 1)], doc: "Whole numbers from start (default 0) up to but not including stop, by step. Lazy: nothing is stored.", example: "list(range(2, 10, 3))") { a in
            var start = try a.int("start"), stop = 0
            if let s = try a.optionalInt("stop") { stop = s } else { stop = start; start = 0 }
            let step = try a.int("step")
            guard step != 0 else { throw NablaError(.value, "range() step must not be zero") }
            return .range(RangeValue(start: start, stop: stop, step: step))
        })
        i.register(Builtin("shape", [.tensor("x")], doc: "The shape of a tensor as a tuple, e.g. (2, 3).", example: "shape(zeros(2, 3))") { a in
            .tuple(try a.tensor("x").value.shape.map { .number(Double($0)) })
        })
        i.register(Builtin("help", [.any("name")], doc: "Shows the documentation of a builtin or function: its signature, what it does, and its formula.", example: "help(relu)") { a in
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
            i.register(Builtin(name, doc: "Closes a console session (jupyter console); in a notebook it does nothing.", example: "\(name)()") { a in
                a.interpreter.sink?.requestExit()
                return .none
            })
        }
        i.register(Builtin("warn", [.any("message")], doc: "Writes a warning to the error stream (shown apart from printed output).", example: "warn('the learning rate is large')") { a in
            a.interpreter.sink?.write("Warning: " + a.interpreter.str(a.value("message") ?? .none) + "\n", stream: "stderr")
            return .none
        })
        i.register(Builtin("input", [.string("prompt", default: ""), .bool("password", default: false)], doc: "Asks the user for a line of text (through the notebook, or standard input under `nabla run`).", example: "# input('Your guess: ') asks the notebook user for a line\nprecision(4)") { a in
            guard let sink = a.interpreter.sink else { throw NablaError(.value, "input() is not available here") }
            return .string(try sink.readInput(prompt: try a.string("prompt"), password: try a.bool("password")))
        })
        i.register(Builtin("display", [.any("value"), .string("id", default: nil), .bool("update", default: false)], doc: "Shows a value now, as rich output. With `id`, later `update(id, value)` calls replace it in place.", example: "display([1, 2])") { a in
            let id = a.has("id") ? try a.string("id") : nil
            a.interpreter.sink?.display(a.value("value") ?? .none, id: id, update: try a.bool("update"))
            return id.map { .string($0) } ?? .none
        })
        i.register(Builtin("update", [.string("id"), .any("value")], doc: "Replaces the output shown by `display(..., id=id)` with `value` (for live progress).", example: "display(0, id='loss')\nupdate('loss', 0.5)") { a in
            a.interpreter.sink?.display(a.value("value") ?? .none, id: try a.string("id"), update: true)
            return .none
        })
        i.register(Builtin("clear_output", [.bool("wait", default: false)], doc: "Clears this cell's output; with wait=True, only when new output arrives (no flicker).", example: "clear_output(wait=True)") { a in
            a.interpreter.sink?.clearOutput(wait: try a.bool("wait"))
            return .none
        })
        i.register(Builtin("precision", [.int("digits")], doc: "Sets how many significant digits numbers are shown with (default 4).", example: "precision(2)\npi = 3.14159\npi") { a in
            let d = try a.int("digits")
            guard (1...17).contains(d) else { throw NablaError(.value, "precision must be between 1 and 17, got \(d)") }
            a.interpreter.precision = d
            return .none
        })
        i.register(Builtin("str", [.any("x")], doc: "The text form of a value.", example: "str(1.5) + '!'") { a in .string(a.interpreter.str(a.value("x") ?? .none)) })
        i.register(Builtin("float", [.any("x")], doc: "A one-element tensor (or numeric string) as a plain number.", example: "float('2.5')") { a in
            if case let .string(s)? = a.value("x") {
                guard let d = Double(s.trimmed(" ")) else { throw NablaError(.value, "could not convert '\(s)' to a number") }
                return .number(d)
            }
            return .number(try a.double("x"))
        })
        i.register(Builtin("int", [.number("x")], doc: "A number truncated toward zero.", example: "int(-2.7), int('42'), 7 // 2") { a in
            let d = try a.double("x")
            guard d.isFinite, Swift.abs(d) < 9.0e15 else { throw NablaError(.value, "cannot convert \(Tensor.formatNumber(d)) to a whole number") }
            return .number(d.rounded(.towardZero))
        })
        i.register(Builtin("round", [.tensor("x"), .int("digits", default: 0)], doc: "x rounded to `digits` decimal places (half away from zero).", example: "round(2.71828, 2), round(2.5), round(3.5)") { a in
            let scale = Foundation.pow(10.0, Double(try a.int("digits")))
            return t(Variable(try a.tensor("x").value.map { ($0 * scale).rounded() / scale }))
        })
        i.register(Builtin("list", [.sequence("x")], doc: "The items of a tuple, range, string or tensor (first axis) as a list.", example: "list(range(3))") { a in
            .list(ListRef(try a.sequence("x")))
        })
        i.register(Builtin("tuple", [.sequence("x")], doc: "The items of a list, range, string or tensor as a tuple.", example: "tuple([1, 2])") { a in .tuple(try a.sequence("x")) })
        i.register(Builtin("type", [.any("x")], doc: "The name of a value's type.", example: "type(3), type(2.5), type([1]), type(zeros(2)).__name__") { a in .string((a.value("x") ?? .none).typeName) })
        i.register(Builtin("isclose", [.tensor("a"), .tensor("b"), .number("tol", default: 1e-6)], doc: "True when every element of a and b differs by at most tol.", example: "isclose(0.1 + 0.2, 0.3)") { a in
            let d = try (a.tensor("a").value - a.tensor("b").value).abs()
            let tol = try a.double("tol")
            return .bool(d.data.allSatisfy { $0 <= tol })
        })
        i.register(Builtin("any", [.tensor("x")], doc: "True when any element is non-zero.", example: "any([0, 0, 1])") { a in .bool(try a.tensor("x").value.data.contains { $0 != 0 }) })
        i.register(Builtin("all", [.tensor("x")], doc: "True when every element is non-zero.", example: "all([1, 2, 0])") { a in .bool(try a.tensor("x").value.data.allSatisfy { $0 != 0 }) })
        i.register(Builtin("item", [.tensor("x")], doc: "The single element of a one-element tensor, as a number.", example: "item([[5]])") { a in
            let x = try a.tensor("x").value
            guard x.count == 1 else { throw NablaError(.value, "item() needs a one-element tensor, got shape \(formatShape(x.shape))") }
            return .number(x.data[0])
        })
        i.register(Builtin("tolist", [.tensor("x")], doc: "A tensor as nested lists of numbers.", example: "tolist([1, 2])") { a in
            func build(_ x: Tensor) throws -> Value {
                if x.rank == 0 { return .number(x.data[0]) }
                return .list(ListRef(try (0..<x.shape[0]).map { try build(x[[.at($0)]]) }))
            }
            return try build(a.tensor("x").value)
        })
    }
}
