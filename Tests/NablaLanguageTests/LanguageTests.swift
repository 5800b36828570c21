import Foundation
import Testing
import NablaTensor
@testable import NablaLanguage

func run(_ s: Session, _ code: String) -> Outcome { s.execute(code, sink: TextSink(interpreter: s.interpreter)) }

func value(_ s: Session, _ code: String) throws -> Value {
    switch run(s, code) {
    case let .ok(v?): return v
    case .ok(nil): throw NablaError(.value, "no value")
    case let .error(e): throw e
    }
}

func error(_ s: Session, _ code: String) -> NablaError? {
    if case let .error(e) = run(s, code) { return e }
    return nil
}

func numbers(_ v: Value) -> [Double] {
    switch v {
    case let .tensor(t): return t.value.data
    case let .int(i): return [Double(i)]
    case let .float(d): return [d]
    case let .list(l): return l.items.flatMap(numbers)
    default: return []
    }
}

@Suite struct ParserTests {
    @Test func precedence() throws {
        let s = Session()
        #expect(numbers(try value(s, "-2 ** 2")) == [-4])
        #expect(numbers(try value(s, "2 ** -1")) == [0.5])
        #expect(numbers(try value(s, "2 ** 3 ** 2")) == [512])
        #expect(numbers(try value(s, "1 + 2 * 3 - 4 / 2")) == [5])
        #expect(numbers(try value(s, "[[1, 2], [3, 4]] @ [1, 1] * 2")) == [6, 14])
        #expect(numbers(try value(s, "1 if 0 else 2 if 1 else 3")) == [2])
        if case let .bool(b) = try value(s, "not 1 < 2 and 3 > 2 or False") { #expect(b == false) } else { Issue.record("not a bool") }
    }

    @Test func positionsOfTokensAndErrors() throws {
        let toks = try Lexer.tokenize("x = 1\n  θ2")
        #expect(toks[0].span == Span(line: 1, column: 1, endLine: 1, endColumn: 2))
        #expect(toks[2].span == Span(line: 1, column: 5, endLine: 1, endColumn: 6))
        #expect(toks.contains { $0.kind == .indent })
        #expect(toks.contains { $0.kind == .name("θ2") })
        do { _ = try Parser.parse("a = (1 +\n 2))"); Issue.record("parsed") } catch let e as NablaError {
            #expect(e.kind == .syntax && e.span.line == 2 && e.span.column == 4)
        }
    }

    @Test func everyStatementForm() throws {
        let code = """
        a = b = 1; c, d = 2, 3
        a += 1
        if a > 1:
            e = 1
        elif a < 0:
            e = 2
        else:
            e = 3
        while False: pass
        for i, v in [(0, 1)]:
            continue
        def f(x, y=2):
            return x + y
        g = lambda x: x * 2
        assert True, "never"
        with no_grad():
            h = 1
        w = [1, 2]
        w[0] = 5
        """
        #expect(try Parser.parse(code).count == 12)
        let s = Session()
        if case let .error(e) = run(s, code) { Issue.record("\(e)") }
        #expect(numbers(s.interpreter.variable("w") ?? .none) == [5, 2])
        #expect(numbers(s.interpreter.variable("a") ?? .none) == [2])
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        do { _ = try Parser.parse(deep); Issue.record("parsed") } catch let e as NablaError { #expect(e.kind == .recursion) } catch { Issue.record("\(error)") }
        let s = Session()
        #expect(error(s, String(repeating: "-", count: 100_000) + "1")?.kind == .recursion)
        #expect(error(s, String(repeating: "[", count: 100_000))?.kind == .recursion)
    }
}

@Suite struct SemanticsTests {
    @Test func variablesPersistAndFailuresLeaveNoHalfAssignment() throws {
        let s = Session()
        _ = run(s, "x = 1\ny = 2")
        #expect(error(s, "x = 10\ny = undefined\nz = 3")?.kind == .name)
        #expect(numbers(s.interpreter.variable("x") ?? .none) == [10])   // before the failure: kept
        #expect(numbers(s.interpreter.variable("y") ?? .none) == [2])    // the failing one: untouched
        #expect(s.interpreter.variable("z") == nil)                       // after: never ran
        #expect(error(s, "x, y = 1, 2, 3")?.kind == .value)
        #expect(numbers(s.interpreter.variable("x") ?? .none) == [10])
    }

    @Test func paramsStayParamsUnderAugmentedAssignment() throws {
        let s = Session()
        _ = run(s, "W = param([1.0, 2.0])\nW0 = W\nW -= 0.5 * W")
        guard case let .tensor(w) = s.interpreter.variable("W") ?? .none, case let .tensor(w0) = s.interpreter.variable("W0") ?? .none else {
            Issue.record("missing"); return
        }
        #expect(w.requiresGrad && w.isLeaf && w === w0)
        #expect(w.value.data == [0.5, 1])
        #expect(error(s, "W += [1, 2, 3]")?.kind == .shape)
        #expect(w.value.data == [0.5, 1])
    }

    @Test func wholeNumbersAreRequired() {
        let s = Session()
        #expect(error(s, "range(2.5)")?.kind == .type)
        #expect(error(s, "zeros(float('nan'))")?.kind == .value)
        // As in Python: float indices are TypeErrors; ints are unbounded, but an index or a count must fit 64 bits.
        #expect(error(s, "[1, 2][float('inf')]")?.kind == .type)
        #expect(error(s, "ones(3)[1e300]")?.kind == .type)
        #expect(error(s, "99999999999999999999999999 + 1") == nil)
        #expect(error(s, "x = 2 ** 64\nassert x == 18446744073709551616 and x // 2 ** 63 == 2") == nil)
        #expect(error(s, "range(2 ** 64)")?.kind == .overflow)
        #expect(error(s, "[1][2 ** 70]")?.kind == .overflow)
        #expect(error(s, "2 ** 10 ** 9")?.kind == .memory)
        #expect(error(s, "list(range(10 ** 12))")?.kind == .memory)
        #expect(error(s, "if ones(2): pass")?.kind == .value)
        #expect(error(s, "if [1, 2]: pass") == nil)
    }

    @Test func lectureValuesThroughTheLanguage() throws {
        let s = Session()
        let close = { (code: String, expect: [Double]) throws in
            let got = numbers(try value(s, code))
            #expect(got.count == expect.count && zip(got, expect).allSatisfy { Swift.abs($0 - $1) < 1e-4 }, "\(code) = \(got)")
        }
        try close("softmax([3.2, 5.1, -1.7])", [0.1300, 0.8690, 0.0010])
        try close("hinge([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], [0, 1, 2])", [2.9, 0, 12.9])
        try close("entropy([0.5, 0.5])", [0.6931])
        try close("normal_pdf(5, 4, 0.5)", [0.1080])
        try close("softmax_cross_entropy([10, 9, 9], 0)", [0.5514])
        try close("p = param([-3.0, 4.0])\nfor i in range(2):\n    p -= 0.1 * grad(sum(p ** 2), p)\np", [-1.92, 2.56])
    }

    /// Locals live in slots and names cache where they were found: the caches must follow
    /// closures made from one `def`, globals bound after a first failed lookup, and `del`.
    @Test func namesResolveAsPythonsDoWhenRunAgain() throws {
        let s = Session()
        _ = run(s, "def f():\n    return later\n")
        #expect(error(s, "f()")?.kind == .name)
        #expect(numbers(try value(s, "later = 5\nf()")) == [5])
        _ = run(s, "def make(k):\n    def add(x):\n        return x + k\n    return add\na, b = make(1), make(10)")
        #expect(numbers(try value(s, "[a(1), b(1), a(2)]")) == [2, 11, 3])
        _ = run(s, "def g(n):\n    if n:\n        y = n\n    return y\n")
        #expect(numbers(try value(s, "g(3)")) == [3])
        #expect(error(s, "g(0)")?.kind == .unboundLocal)
        #expect(error(s, "del later\nf()")?.kind == .name)
        _ = run(s, "def h():\n    global later\n    later = 7\n    return later\n")
        #expect(numbers(try value(s, "[h(), f()]")) == [7, 7])
    }

    @Test func printAndInputGoThroughTheSink() throws {
        let s = Session()
        let sink = TextSink(interpreter: s.interpreter, inputs: ["7"])
        let out = s.execute("print('a', 1, sep='-')\nn = float(input('n? '))\nn * 2", sink: sink)
        #expect(sink.stdout == "a-1\nn? ")
        if case let .ok(v?) = out { #expect(numbers(v) == [14]) } else { Issue.record("\(out)") }
        #expect(error(s, "input()")?.kind == .value)   // no input available: an error, not a hang
    }
}

@Suite struct InterruptTests {
    @Test func infiniteLoopStopsAndStateSurvives() throws {
        let s = Session()
        _ = run(s, "x = 0")
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { s.interrupt() }
        let e = error(s, "while True:\n    x = x + 1")
        #expect(e?.kind == .keyboardInterrupt && e?.description == "KeyboardInterrupt")
        #expect(Date().timeIntervalSince(started) < 5)
        let x = numbers(s.interpreter.variable("x") ?? .none)
        #expect(x.count == 1 && x[0] > 0)
        #expect(numbers(try value(s, "x - x")) == [0])   // still usable
    }

    @Test func longEngineOperationStops() throws {
        let s = Session()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { s.interrupt() }
        let e = error(s, "x = randn(64, 3, 64, 64)\nk = randn(8, 3, 5, 5)\nfor i in range(100000):\n    y = conv2d(x, k)")
        #expect(e?.kind == .keyboardInterrupt)
    }

    /// As in Python: the interrupt is a KeyboardInterrupt raised where the code is, which
    /// `except KeyboardInterrupt` catches (and the code after it runs), `except Exception` does
    /// not, and `finally` sees; inside a function it carries the call in its traceback.
    @Test func interruptIsACatchableKeyboardInterrupt() throws {
        let s = Session()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { s.interrupt() }
        _ = run(s, """
        log = []
        def train():
            n = 0
            while True:
                n += 1
        try:
            try:
                train()
            except Exception:
                log.append('Exception')
            finally:
                log.append('finally')
        except KeyboardInterrupt as e:
            log.append(type(e).__name__)
        after = sum(range(10))
        """)
        guard case let .string(log) = try value(s, "'|'.join(log)") else { Issue.record("log is not a string"); return }
        #expect(log == "finally|KeyboardInterrupt")
        #expect(numbers(try value(s, "after")) == [45])   // the handler used the interrupt up
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { s.interrupt() }
        let e = error(s, "def spin():\n    while True:\n        pass\nspin()")
        #expect(e?.kind == .keyboardInterrupt && e?.stack.first?.function == "spin")
        #expect(error(s, "raise KeyboardInterrupt")?.kind == .keyboardInterrupt)   // the same class as the interrupt's
    }
}

@Suite struct IntrospectionTests {
    @Test func completion() {
        let s = Session()
        _ = run(s, "weights = param([1.0])\nwidth = 3")
        let c = s.complete("x = soft", cursor: 8)
        #expect(c.matches.contains("softmax") && c.matches.contains("softplus") && c.matches.contains("softmax_cross_entropy"))
        #expect(c.start == 4 && c.end == 8)
        #expect(s.complete("w", cursor: 1).matches.contains("weights"))
        #expect(s.complete("wh", cursor: 2).matches == ["while"])
        let attr = s.complete("weights.gr", cursor: 10)
        #expect(attr.matches == ["grad"] && attr.start == 8)
        #expect(s.complete("θ = 1; θ", cursor: 8).start == 7)
    }

    @Test func inspection() {
        let s = Session()
        _ = run(s, "W = param([[1.0, 2.0]])")
        let doc = s.inspect("softmax(x)", cursor: 3) ?? ""
        #expect(doc.contains("softmax(x, axis=-1)") && doc.contains("e^zⱼ / Σₖ e^zₖ"))
        #expect(s.inspect("softmax(", cursor: 8)?.contains("softmax(x, axis=-1)") == true)
        let w = s.inspect("W", cursor: 1) ?? ""
        #expect(w.contains("param") && w.contains("(1, 2)"))
        #expect(s.inspect("nothing_here", cursor: 3) == nil)
    }

    @Test func completeness() {
        #expect(Session.isComplete("x = 1") == .complete)
        #expect(Session.isComplete("for i in range(3):") == .incomplete(indent: "    "))
        #expect(Session.isComplete("for i in range(3):\n    x = i") == .incomplete(indent: "    "))
        #expect(Session.isComplete("for i in range(3):\n    x = i\n\n") == .complete)
        #expect(Session.isComplete("x = (1 +") == .incomplete(indent: ""))
        #expect(Session.isComplete("x = )") == .invalid)
        #expect(Session.isComplete("try:\n    x = 1\n") == .incomplete(indent: "    "))
        #expect(Session.isComplete("try:\n    x = 1\nexcept ValueError:") == .incomplete(indent: "    "))
        #expect(Session.isComplete("class A:") == .incomplete(indent: "    "))
        #expect(Session.isComplete("@staticmethod") == .incomplete(indent: ""))
        #expect(Session.isComplete("d = {'a': 1,") == .incomplete(indent: ""))
        #expect(Session.isComplete("s = f'{x'") == .invalid)
    }
}

/// Random programs assembled from the grammar's pieces and from byte noise: none may crash
/// the process; each ends as a value or a typed error. (The libFuzzer target in Fuzz/ runs
/// the same check for millions of inputs.)
@Suite struct PropertyTests {
    static let pieces = ["x", "W", "1", "-", "+", "*", "/", "**", "@", "(", ")", "[", "]", ",", ":", "=", "\n", "    ",
                         "if", "for", "in", "range(", "def", "return", "lambda", "softmax(", "grad(", "param(", "[1, 2]",
                         "[[1, 2], [3, 4]]", "0.5", "1e308", "-1", "None", "'s'", ".T", ".shape", "[0]", "[::-1]", "sum(",
                         "while", "break", "zeros(", "1e18", "nan", "float('inf')", "conv2d(", "hinge(", "θ", ";", "#", "\\",
                         // Python's statements and values
                         "try:", "except", "ValueError", "as e", "finally:", "raise", "class C:", "self", "super()", "yield",
                         "f'{x:.3f}'", "f'{", "}'", "'%d' % ", "{'a': 1}", "{1, 2}", "*", "**", "2 ** 70", "10 ** 30", "//", "%",
                         "global", "nonlocal", "del", "import numpy as np", "np.", "max(0, ", "x > 0", "x[x > 0]", "np.array(",
                         "[0] * 3", "sorted(", "key=len", "-9223372036854775808", "<<", ">>", "&", "|", "~", "not", "is", "and"]

    @Test func randomProgramsNeverCrash() {
        var rng = Xoshiro256(seed: 2026)
        let s = Session()
        _ = run(s, "x = [1.0, 2.0]\nW = param([[1.0, 0.5], [0.2, 0.1]])")
        for _ in 0..<3000 {
            let n = Int(rng.next() % 12) + 1
            var code = ""
            for _ in 0..<n { code += PropertyTests.pieces[Int(rng.next() % UInt64(PropertyTests.pieces.count))] + (rng.next() % 3 == 0 ? " " : "") }
            if code.contains("while") { continue }   // loops that never end are the interrupt test's job
            _ = run(s, code)
            _ = Session.isComplete(code)
            _ = s.complete(code, cursor: Int(rng.next() % UInt64(code.unicodeScalars.count + 1)))
            _ = s.inspect(code, cursor: Int(rng.next() % UInt64(code.unicodeScalars.count + 1)))
        }
        for _ in 0..<500 {
            let bytes = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = run(s, String(decoding: bytes, as: UTF8.self))
        }
        #expect(numbers((try? value(s, "x")) ?? .none).count >= 0)
    }
}
