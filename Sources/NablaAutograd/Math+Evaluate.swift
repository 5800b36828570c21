import Foundation

/// Numbers put into a formula, and the formula worked out one level at a time, as on paper.
extension Math {
    /// `self` with each symbol (by its plain spelling) replaced.
    public func substituting(_ values: [String: Math]) -> Math {
        if case let .symbol(_, plain) = self { return values[plain] ?? self }
        return mapChildren { $0.substituting(values) }
    }

    /// The number this stands for, when it is closed arithmetic over numbers.
    public var value: Double? {
        switch self {
        case let .number(x): return x
        case let .add(t): return t.reduce(Optional(0.0)) { acc, m in acc.flatMap { a in m.value.map { a + $0 } } }
        case let .sub(a, b): return a.value.flatMap { x in b.value.map { x - $0 } }
        case let .mul(t), let .apply(t): return t.reduce(Optional(1.0)) { acc, m in acc.flatMap { a in m.value.map { a * $0 } } }
        case let .hadamard(a, b): return a.value.flatMap { x in b.value.map { x * $0 } }
        case let .div(a, b): return a.value.flatMap { x in b.value.map { x / $0 } }
        case let .neg(a): return a.value.map { -$0 }
        case let .pow(a, b): return a.value.flatMap { x in b.value.map { Foundation.pow(x, $0) } }
        case let .exp(a): return a.value.map { Foundation.exp($0) }
        case let .sqrt(a): return a.value.map { Foundation.sqrt($0) }
        case let .abs(a): return a.value.map { Swift.abs($0) }
        case let .call(_, name, args):
            let xs = args.compactMap(\.value)
            guard xs.count == args.count, let f = Math.functions[name], let r = f(xs) else { return nil }
            return r
        case let .symbol(_, plain) where plain == "π": return Double.pi
        default: return nil
        }
    }

    /// The functions `value` knows, by their plain name.
    static let functions: [String: @Sendable ([Double]) -> Double?] = [
        "ln": { $0.count == 1 ? Foundation.log($0[0]) : nil },
        "log₂": { $0.count == 1 ? Foundation.log2($0[0]) : nil },
        "log₁₀": { $0.count == 1 ? Foundation.log10($0[0]) : nil },
        "max": { $0.max() }, "min": { $0.min() },
        "σ": { $0.count == 1 ? 1 / (1 + Foundation.exp(-$0[0])) : nil },
        "tanh": { $0.count == 1 ? Foundation.tanh($0[0]) : nil },
        "erf": { $0.count == 1 ? Foundation.erf($0[0]) : nil },
        "sin": { $0.count == 1 ? Foundation.sin($0[0]) : nil },
        "cos": { $0.count == 1 ? Foundation.cos($0[0]) : nil },
        "N": { $0.count == 3 && $0[2] > 0 ? Foundation.exp(-0.5 * Foundation.pow(($0[0] - $0[1]) / $0[2], 2)) / ($0[2] * Foundation.sqrt(2 * Double.pi)) : nil },
        "ln N": { $0.count == 3 && $0[2] > 0 ? -0.5 * Foundation.pow(($0[0] - $0[1]) / $0[2], 2) - Foundation.log($0[2]) - 0.5 * Foundation.log(2 * Double.pi) : nil },
        "sign": { $0.count == 1 ? ($0[0] > 0 ? 1 : ($0[0] < 0 ? -1 : 0)) : nil },
    ]

    /// A number, or a negated number (written the same way).
    var isNumber: Bool {
        switch self {
        case .number: return true
        case let .neg(a): return a.isNumber
        default: return false
        }
    }

    /// Products, quotients and powers of numbers, which a student works out in one go.
    var isProductOfNumbers: Bool {
        switch self {
        case .number: return true
        case let .mul(t), let .apply(t): return t.allSatisfy(\.isProductOfNumbers)
        case let .div(a, b), let .pow(a, b): return a.isProductOfNumbers && b.isProductOfNumbers
        case let .neg(a): return a.isProductOfNumbers
        default: return false
        }
    }

    /// One step of working out: each part whose arguments are numbers becomes its value, and
    /// a product or quotient of numbers is worked out at once; sums wait for their terms.
    public func workedOneLevel() -> Math {
        if case .number = self { return self }
        switch self {
        case let .vector(v): return .vector(v.map { $0.workedOneLevel() })
        case let .matrix(m): return .matrix(m.map { $0.map { $0.workedOneLevel() } })
        case .text, .ellipsis, .symbol, .sum, .equation: return self
        default: break
        }
        if children.allSatisfy({ $0.isNumber || $0.isConstantSymbol }), let v = value { return .number(v) }
        switch self {
        case .mul, .div, .pow, .apply: if isProductOfNumbers, let v = value { return .number(v) }
        default: break
        }
        return mapChildren { $0.workedOneLevel() }
    }

    /// Every line from `self` to its value: the substituted form, each level, the number.
    public func workedSteps(limit: Int = 8) -> [Math] {
        var steps = [self], cur = self
        while steps.count < limit {
            let next = cur.workedOneLevel()
            if next == cur { break }
            steps.append(next)
            cur = next
        }
        if steps.count == limit, let v = cur.value, !cur.isNumber { steps.append(.number(v)) }
        return steps
    }

    var isConstantSymbol: Bool { if case let .symbol(_, p) = self { return p == "π" }; return false }

    var children: [Math] {
        switch self {
        case .number, .symbol, .text, .ellipsis: return []
        case let .add(t), let .mul(t), let .apply(t), let .vector(t): return t
        case let .sub(a, b), let .hadamard(a, b), let .div(a, b), let .pow(a, b), let .equation(a, b): return [a, b]
        case let .neg(a), let .exp(a), let .sqrt(a), let .abs(a), let .transpose(a): return [a]
        case let .call(_, _, args): return args
        case let .sum(_, body): return [body]
        case let .matrix(m): return m.flatMap { $0 }
        }
    }

    func mapChildren(_ f: (Math) -> Math) -> Math {
        switch self {
        case .number, .symbol, .text, .ellipsis: return self
        case let .add(t): return .add(t.map(f))
        case let .sub(a, b): return .sub(f(a), f(b))
        case let .mul(t): return .mul(t.map(f))
        case let .hadamard(a, b): return .hadamard(f(a), f(b))
        case let .div(a, b): return .div(f(a), f(b))
        case let .neg(a): return .neg(f(a))
        case let .pow(a, b): return .pow(f(a), f(b))
        case let .call(l, p, args): return .call(latex: l, plain: p, args.map(f))
        case let .exp(a): return .exp(f(a))
        case let .sqrt(a): return .sqrt(f(a))
        case let .abs(a): return .abs(f(a))
        case let .sum(i, body): return .sum(index: i, body: f(body))
        case let .vector(v): return .vector(v.map(f))
        case let .matrix(m): return .matrix(m.map { $0.map(f) })
        case let .equation(a, b): return .equation(f(a), f(b))
        case let .transpose(a): return .transpose(f(a))
        case let .apply(t): return .apply(t.map(f))
        }
    }
}
