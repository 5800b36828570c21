import Testing
@testable import NablaLanguage

/// Every builtin is declared once, typed: these check that what a student is shown (the
/// signature, `help`, completion) and what a call does both come from that one declaration.
@Suite struct BuiltinDeclarationTests {
    /// Every builtin a session can reach: the global ones, the Python modules' and the methods.
    static func allBuiltins() throws -> [(String, Builtin)] {
        let s = Session()
        let i = s.interpreter
        var out = i.builtins.map { ($0.key, $0.value) }
        for module in ["numpy", "numpy.random", "numpy.linalg", "math", "random", "collections", "itertools", "copy", "time"] {
            guard case let .module(m) = try i.importModule(module, span: .unknown) else { continue }
            for (name, v) in m.members { if case let .builtin(b) = v { out.append(("\(module).\(name)", b)) } }
        }
        for (type, methods) in Library.typeMethods(i) { for (name, b) in methods { out.append(("\(type).\(name)", b)) } }
        return out
    }

    @Test func everyBuiltinIsReached() throws {
        #expect(try Self.allBuiltins().count > 300)
    }

    /// The generated signature is Python that declares the same parameters with the same
    /// defaults: `def f(<signature>)` parsed and run gives back each declared default.
    @Test func generatedSignatureIsTheDeclaration() throws {
        for (key, b) in try Self.allBuiltins() {
            let s = Session()
            let params = String(b.signature.dropFirst(b.name.count))
            // A default shown by name (`base=e`) must name the declared number.
            let constants = b.parameters.compactMap { p -> String? in
                if case let .constant(n, d) = p.defaultValue { return "\(n) = \(Interpreter.pyFloat(d))\n" }
                return nil
            }
            guard case .ok = run(s, constants.joined() + "def probe\(params):\n    pass") else {
                Issue.record("\(key): signature \(b.signature) is not valid Python"); continue
            }
            guard case let .function(f) = try value(s, "probe") else { Issue.record("\(key): no function"); continue }
            #expect(f.params.count == b.parameters.count, "\(key): \(b.signature)")
            for (k, (p, d)) in zip(b.parameters, zip(f.params, f.defaults)).enumerated() {
                #expect(p.name == d.0.name, "\(key): parameter \(k) is \(d.0.name) in the signature, \(p.name) declared")
                switch p.mode {
                case .variadic: #expect(d.0.kind == .star, "\(key): *\(p.name)")
                case .keywords: #expect(d.0.kind == .starStar, "\(key): **\(p.name)")
                case .standard, .keywordOnly:
                    if let declared = p.defaultValue.value {
                        guard let shown = d.1 else { Issue.record("\(key): \(p.name) has no default in \(b.signature)"); continue }
                        #expect(s.interpreter.repr(shown) == s.interpreter.repr(declared), "\(key): \(p.name)")
                    } else {
                        #expect(d.1 == nil, "\(key): \(p.name) is required but the signature gives it a default")
                    }
                }
            }
        }
    }

    /// A call that leaves an argument out gets the declared default: the typed accessors read it
    /// from the declaration (a body has no way to restate it).
    @Test func anOmittedArgumentGetsTheDeclaredDefault() throws {
        let s = Session()
        var checked = 0
        for (key, b) in try Self.allBuiltins() {
            let required = b.parameters.filter { $0.mode == .standard && $0.defaultValue == .required }
            guard let a = try? Args(builtin: b, positional: required.map { _ in .none }, keywords: [], span: .unknown, interpreter: s.interpreter) else {
                Issue.record("\(key): cannot bind its required arguments"); continue
            }
            for p in b.parameters where p.mode == .standard || p.mode == .keywordOnly {
                switch (p.kind, p.defaultValue) {
                case let (.number, .float(d)), let (.number, .constant(_, d)): #expect(try a.double(p.name) == d, "\(key): \(p.name)"); checked += 1
                case let (.number, .int(d)): #expect(try a.double(p.name) == Double(d), "\(key): \(p.name)"); checked += 1
                case let (.int, .int(d)): #expect(try a.int(p.name) == d, "\(key): \(p.name)"); checked += 1
                case let (.bool, .bool(d)): #expect(try a.bool(p.name) == d, "\(key): \(p.name)"); checked += 1
                case let (.string, .string(d)), let (.choice, .string(d)): #expect(try a.string(p.name) == d, "\(key): \(p.name)"); checked += 1
                default: break
                }
            }
        }
        #expect(checked > 100)
    }

    @Test func theDefaultHelpShowsIsTheOneUsed() throws {
        let s = Session()
        let b = try #require(s.interpreter.builtins["leaky_relu"])
        #expect(b.signature == "leaky_relu(x, alpha=0.1)")
        #expect(b.docstring.contains("alpha: number = 0.1"))
        let alpha = try #require(b.parameter("alpha")?.defaultValue.value)
        guard case let .float(d) = alpha else { Issue.record("alpha's default is not a float"); return }
        #expect(numbers(try value(s, "leaky_relu(tensor([-2.0]))")) == [-2 * d])
        #expect(s.interpreter.builtins["gradcheck"]?.signature == "gradcheck(f, *inputs, eps=1e-06)")
        #expect(s.interpreter.builtins["print"]?.signature == "print(*values, sep=' ', end='\\n', file=None, flush=False)")
        #expect(s.interpreter.builtins["cross_entropy"]?.signature == "cross_entropy(p, target, base=e, reduction='mean')")
    }

    @Test func argumentsAreCheckedByTheirDeclaredKind() throws {
        let s = Session()
        let wrongType = try #require(error(s, "softmax([1.0, 2.0], axis='last')"))
        #expect(wrongType.kind == .type && wrongType.message.contains("'axis'"))
        let choice = try #require(error(s, "mse([1.0], [2.0], reduction='avg')"))
        #expect(choice.kind == .value && choice.message.contains("'mean', 'sum' or 'none'"))
        let keyword = try #require(error(s, "softmax([1.0], axsi=0)"))
        #expect(keyword.message.contains("did you mean 'axis'"))
        let missing = try #require(error(s, "mse([1.0])"))
        #expect(missing.message.contains("usage: mse(y, t, reduction='mean')"))
    }

    @Test func completionOffersTheCalleesKeywords() throws {
        let s = Session()
        let code = "softmax([1.0, 2.0], ax"
        let c = s.complete(code, cursor: code.unicodeScalars.count)
        #expect(c.matches.first == "axis=")
        let kw = s.complete("whi", cursor: 3)
        #expect(kw.matches.contains("while"))
    }
}
