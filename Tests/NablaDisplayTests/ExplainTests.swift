import Foundation
import Testing
@testable import NablaDisplay
import NablaAutograd
import NablaLanguage

/// `explain` for every op family of the notes: golden text and LaTeX, and the property that
/// every line that is plain arithmetic works out to the derivation's result.
let explainSetup = """
s = [3.2, 5.1, -1.7]
scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
cats = [4.8, 5.1, 5.3, 4.9]
w = param(0.5)
lr = 0.1
L = mse(sigmoid(w * 2.0 + 0.1), 1.0)
W = param([[0.1, 0.2], [0.3, 0.4]])
b = param([0.0, 0.1])
x = [1.0, 2.0]
z = W @ x + b
a = sigmoid(z)
Lb = bce(a, [1.0, 0.0])
img = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]]
k = [[2, 0, 1], [0, 1, 2], [1, 0, 2]]
"""

/// (golden name, expression): one or more per family the notes derive.
let explainCases: [(String, String)] = [
    ("mse", "mse([0.9, 0.2, 0.1], [1.0, 0.0, 0.0])"),
    ("mae", "mae([0.9, 0.2, 0.1], [1.0, 0.0, 0.0])"),
    ("bce", "bce([0.8, 0.3], [1.0, 0.0])"),
    ("cross_entropy", "cross_entropy([0.7, 0.2, 0.1], 0)"),
    ("cross_entropy_bits", "cross_entropy([0.5, 0.25, 0.25], [0.5, 0.25, 0.25], base=2)"),
    ("cross_entropy_log10", "cross_entropy([0.98, 0.01, 0.01], 0, base=10)"),
    ("cross_entropy_batch", "cross_entropy([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]], [0, 1])"),
    ("softmax", "softmax(s)"),
    ("softmax_then_cross_entropy", "cross_entropy(softmax(s), 0)"),
    ("softmax_cross_entropy", "softmax_cross_entropy(s, 0)"),
    ("hinge", "hinge(s, 0)"),
    ("hinge_batch", "hinge(scores, [0, 1, 2], reduction='mean')"),
    ("l1", "l1([0.5, -0.3, 0.2])"),
    ("l2", "l2([0.5, -0.3, 0.2])"),
    ("elastic_net", "elastic_net([0.5, -0.3], l1=0.1, l2=0.2)"),
    ("entropy_coin", "entropy([0.5, 0.5])"),
    ("entropy_dice_bits", "entropy(ones(6) / 6, base=2)"),
    ("kl", "kl([0.5, 0.5], [0.9, 0.1])"),
    ("normal_pdf", "normal_pdf(5, 4, 0.5)"),
    ("likelihood", "likelihood(cats, 5, 0.5)"),
    ("log_likelihood", "log_likelihood(cats, 5, 0.5)"),
    ("mle_mean", "mean(cats)"),
    ("mle_std", "std(cats)"),
    ("sigmoid", "sigmoid(0.5)"),
    ("tanh", "tanh(0.5)"),
    ("relu", "relu([-1.0, 2.0, 0.5])"),
    ("leaky_relu", "leaky_relu(-2.0, alpha=0.1)"),
    ("linear", "W @ x + b"),
    ("matmul", "W @ x"),
    ("conv2d", "conv2d(img, k)"),
    ("maxpool", "maxpool(img, 2)"),
    ("avgpool", "avgpool(img, 2)"),
    ("arithmetic", "-7 * (1 / 6) * log(1 / 6)"),
    ("grad_scalar_chain", "grad(L, w)"),
    ("gd_step", "w - lr * grad(L, w)"),
    ("grad_layer", "grad(Lb, W)"),
    ("grad_bias", "grad(Lb, b)"),
    ("long_vector", "entropy(ones(1000) / 1000)"),
    ("sgd_step", "opt = sgd([w], lr=0.1)\nbackward(L); opt.step()\nopt"),
    ("momentum_step", "v2 = param([1.0, -2.0])\nopt = momentum([v2], lr=0.1, momentum=0.9)\nfor i in range(2):\n    opt.zero_grad(); backward(sum(v2 ** 2)); opt.step()\nopt"),
    ("adam_step", "u = param([1.0, -2.0])\nopt = adam([u], lr=0.1)\nfor i in range(2):\n    opt.zero_grad(); backward(sum(u ** 2)); opt.step()\nopt"),
]

func explanations() throws -> [(String, Explanation, Value)] {
    let session = Session()
    DisplayLibrary.register(in: session.interpreter)
    let sink = TextSink(interpreter: session.interpreter)
    guard case .ok = session.execute(explainSetup, sink: sink) else { throw NablaError(.value, "setup failed") }
    return try explainCases.map { name, code in
        // A case of several lines sets up first; its last line is the value explained.
        var lines = code.components(separatedBy: "\n")
        let last = lines.removeLast()
        if !lines.isEmpty, case .error = session.execute(lines.joined(separator: "\n"), sink: sink) { throw NablaError(.value, "\(name): setup failed") }
        guard case let .ok(e?) = session.execute("explain(\(last))", sink: sink), case let .object(o) = e, let ex = o as? Explanation,
              case let .ok(v?) = session.execute(last, sink: sink) else { throw NablaError(.value, "\(name) gave no explanation") }
        return (name, ex, v)
    }
}

extension Math {
    /// The numbers of a closed line: one for a scalar, one per element of a vector or matrix.
    var values: [Double]? {
        switch self {
        case let .vector(items): let v = items.compactMap(\.value); return v.count == items.count ? v : nil
        case let .matrix(rows): let v = rows.flatMap { $0 }.compactMap(\.value); return v.count == rows.flatMap({ $0 }).count ? v : nil
        default: return value.map { [$0] }
        }
    }
}

@Suite struct ExplainTests {
    @Test func everyFamilyMatchesItsGolden() throws {
        let record = ProcessInfo.processInfo.environment["NABLA_RECORD"] != nil
        for (name, ex, _) in try explanations() {
            for (mime, text) in ex.mimeData(precision: 4) {
                let ext = mime == "text/latex" ? "tex" : "txt"
                let url = goldenDir.appendingPathComponent("explain_\(name).\(ext)")
                if record { try text.write(to: url, atomically: true, encoding: .utf8); continue }
                #expect((try? String(contentsOf: url, encoding: .utf8)) == text, "explain_\(name).\(ext) differs from its golden file")
            }
        }
    }

    /// The result of the last derivation is the expression's own value.
    @Test func theLastNumberIsTheValue() throws {
        for (name, ex, v) in try explanations() {
            guard let last = ex.derivations.last?.steps.last, let shown = last.values else { Issue.record("\(name): no final value"); continue }
            // An optimizer's last line is its param's new value.
            guard case let .tensor(t) = v else {
                if case let .object(o) = v, case let .list(ps)? = o.attribute("params"), case let .tensor(p)? = ps.items.last {
                    #expect(shown == p.value.data, "\(name): \(shown) ≠ \(p.value.data)")
                } else { Issue.record("\(name): neither a tensor nor an optimizer") }
                continue
            }
            let value = t.value
            if value.count <= Derive.maxTerms || shown.count == value.count {
                #expect(shown.count == value.count, "\(name): \(shown.count) numbers for \(value.count) values")
                for (s, x) in zip(shown, value.data) { #expect(Swift.abs(s - x) <= 1e-12 * max(1, Swift.abs(x)), "\(name): \(s) ≠ \(x)") }
            }
        }
    }

    /// Every step that is closed arithmetic works out to the derivation's result: the numbers
    /// substituted into the formula are the right ones and each level is worked out correctly.
    @Test func everyWorkedLineEqualsTheResult() throws {
        for (name, ex, _) in try explanations() {
            for d in ex.derivations {
                guard let result = d.steps.last?.values else { continue }
                for step in d.steps.dropLast() {
                    guard let xs = step.values, xs.count == result.count else { continue }
                    for (x, r) in zip(xs, result) {
                        #expect(Swift.abs(x - r) <= 1e-9 * max(1, Swift.abs(r)), "\(name): a line of \(ex.text.prefix(80)) gives \(x), not \(r)")
                    }
                }
            }
        }
    }

    @Test func noInternalNamesAndBoundedSize() throws {
        for (name, ex, _) in try explanations() {
            let all = ex.mimeData(precision: 4).values.joined()
            for word in ["t1 =", "const(", "mul(", "clip(", "addScalar", "mulScalar"] {
                #expect(!all.contains(word), "\(name) shows the internal name \(word)")
            }
            #expect(all.utf8.count <= 2 * Explanation.maxBytes + 4096, "\(name) is \(all.utf8.count) bytes")
        }
    }

    /// Random inputs for the scalar and vector families: the worked lines still agree.
    @Test func randomInputsStillAgree() throws {
        let session = Session()
        DisplayLibrary.register(in: session.interpreter)
        let sink = TextSink(interpreter: session.interpreter)
        var g = SystemRandomNumberGenerator()
        let templates = ["sigmoid(A)", "tanh(A)", "entropy(softmax([A, B, C]))", "hinge([A, B, C], 1)", "mse([A, B], [C, 0.5])",
                         "normal_pdf(A, B, 1.5)", "kl(softmax([A, B]), softmax([C, 0.3]))", "bce(sigmoid(A), 1.0)",
                         "softmax_cross_entropy([A, B, C], 2)", "l2([A, B, C]) * 0.1 + l1([A, C])", "std([A, B, C, 1.0])",
                         "leaky_relu(A, alpha=0.1)", "log_likelihood([A, B, C], 0.5, 2.0)"]
        for _ in 0..<20 {
            for t in templates {
                var code = t
                for p in ["A", "B", "C"] { code = code.replacingOccurrences(of: p, with: String(format: "%.3f", Double.random(in: -3...3, using: &g))) }
                guard case let .ok(e?) = session.execute("explain(\(code))", sink: sink), case let .object(o) = e, let ex = o as? Explanation else {
                    Issue.record("explain(\(code)) failed"); continue
                }
                for d in ex.derivations {
                    guard let result = d.steps.last?.values else { continue }
                    for step in d.steps.dropLast() {
                        guard let xs = step.values, xs.count == result.count else { continue }
                        for (x, r) in zip(xs, result) { #expect(Swift.abs(x - r) <= 1e-9 * max(1, Swift.abs(r)), "\(code): \(x) ≠ \(r)") }
                    }
                }
            }
        }
    }

    /// docs/language.md's explain section shows what `explain` prints.
    /// The reference in docs/language.md is the one generated from every builtin's declaration,
    /// the display layer's included, and each of those declares an example.
    @Test func referenceIsCurrent() throws {
        let url = goldenDir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/language.md")
        let doc = try String(contentsOf: url, encoding: .utf8)
        guard let a = doc.range(of: "<!-- reference:start -->\n"), let b = doc.range(of: "<!-- reference:end -->") else {
            Issue.record("docs/language.md has no reference markers"); return
        }
        #expect(String(doc[a.upperBound..<b.lowerBound]) == Reference.markdown { DisplayLibrary.register(in: $0) }, "run `make reference`")
        let session = Session()
        DisplayLibrary.register(in: session.interpreter)
        let missing = session.interpreter.builtins.filter { $0.value.example == nil && $0.key != "append" }.keys.sorted()
        #expect(missing.isEmpty, "builtins without an example: \(missing)")
    }

    @Test func docsExamplesRunAsShown() throws {
        let url = goldenDir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/language.md")
        let doc = try String(contentsOf: url, encoding: .utf8)
        guard let a = doc.range(of: "<!-- explain:start -->"), let b = doc.range(of: "<!-- explain:end -->") else { Issue.record("no explain section"); return }
        let session = Session()
        DisplayLibrary.register(in: session.interpreter)
        var checked = 0
        for block in doc[a.upperBound..<b.lowerBound].components(separatedBy: "```python\n").dropFirst() {
            let code = block.components(separatedBy: "\n```")[0]
            let expected = block.components(separatedBy: "```text\n").dropFirst().first?.components(separatedBy: "\n```")[0]
            guard case let .ok(v?) = session.execute(code, sink: TextSink(interpreter: session.interpreter)) else { Issue.record("failed: \(code)"); continue }
            #expect(session.interpreter.repr(v) == expected, "example:\n\(code)")
            checked += 1
        }
        #expect(checked >= 3)
    }

    @Test func badInputGivesAClearError() throws {
        let session = Session()
        DisplayLibrary.register(in: session.interpreter)
        let sink = TextSink(interpreter: session.interpreter)
        for code in ["explain('text')", "explain(None)", "explain()", "explain([1, 'a'])"] {
            guard case let .error(err) = session.execute(code, sink: sink) else { Issue.record("\(code) did not fail"); continue }
            #expect(!err.message.isEmpty && !err.message.contains("\n"), "\(code): \(err.message)")
        }
        // Empty tensors: an answer, not a crash.
        for code in ["explain(mse(zeros(0), zeros(0)))", "explain(maxpool(zeros(0, 4, 4), 2))", "explain(conv2d(zeros(0, 1, 4, 4), ones(1, 1, 3, 3)))",
                     "explain(softmax(zeros(0)))", "explain(entropy(zeros(2, 0)))", "explain(hinge(zeros(0, 3), zeros(0)))",
                     "e = param(zeros(0))\nexplain(grad(sum(sigmoid(e)), e))", "explain(normal_pdf(zeros(0), 0, 1))"] {
            switch session.execute(code, sink: sink) {
            case .ok, .error: break
            }
        }
        // A plain number and a large tensor still give an answer, bounded in size.
        guard case let .ok(v?) = session.execute("explain(3)", sink: sink), case let .object(o) = v else { Issue.record("explain(3)"); return }
        #expect(o.text.contains("3"))
        guard case let .ok(big?) = session.execute("explain(exp(ones(1000000)) * 2)", sink: sink), case let .object(ob) = big,
              let ex = ob as? Explanation else { Issue.record("explain of a large tensor"); return }
        #expect(ex.mimeData(precision: 4).values.joined().utf8.count < 60_000)
    }
}
