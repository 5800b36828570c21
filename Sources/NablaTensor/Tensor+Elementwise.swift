import Foundation

/// Elementwise arithmetic and math functions, with numpy broadcasting for binary ops.
extension Tensor {
    /// Applies `f` to every element.
    /// Writes straight into a new buffer: copying `data` first would pass over memory twice.
    @inlinable public func map(_ f: (Double) -> Double) -> Tensor { map(concurrent: false, f) }

    /// `map` for an `f` without state that costs a library call an element (exp, log, sin…):
    /// a large tensor is split over the cores (`Parallel`). Each part calls `f` through a
    /// pointer, which the serial loop avoids, so cheap arithmetic stays with `map`.
    @inlinable public func concurrentMap(_ f: (Double) -> Double) -> Tensor { map(concurrent: true, f) }

    @inlinable func map(concurrent: Bool, _ f: (Double) -> Double) -> Tensor {
        switch layout {
        case .scalar(let x): return Tensor(f(x))
        case .array, .view: return Tensor(unchecked: shape, data: withUnsafeElements { Tensor.map($0, concurrent: concurrent, f) })
        }
    }

    /// `f` of each element, into a new array. The loop walks two pointers to an end, so what
    /// it keeps across the call to `f` fits in callee-saved registers (nothing reloaded per element).
    @inlinable static func map(_ p: UnsafeBufferPointer<Double>, concurrent: Bool, _ f: (Double) -> Double) -> [Double] {
        let n = p.count
        return [Double](unsafeUninitializedCapacity: n) { o, done in
            guard let p0 = p.baseAddress, let o0 = o.baseAddress else { done = 0; return }
            @inline(__always) func apply(_ lo: Int, _ hi: Int) {
                var src = p0 + lo, dst = o0 + lo
                let end = p0 + hi
                while src < end {
                    dst.initialize(to: f(src.pointee))
                    src += 1
                    dst += 1
                }
            }
            if concurrent {
                Parallel.chunks(n, elements: n) { r in apply(r.lowerBound, r.upperBound) }
            } else {
                apply(0, n)
            }
            done = n
        }
    }

    /// Combines `a` and `b` elementwise after broadcasting them to a common shape.
    @inlinable public static func zip(_ a: Tensor, _ b: Tensor, op: String,
                                      _ f: (Double, Double) -> Double) throws -> Tensor {
        if case .scalar(let x) = a.layout, case .scalar(let y) = b.layout { return Tensor(f(x, y)) }
        if a.isStrided || b.isStrided { return try zipBroadcast(a, b, op: op, f) }
        if a.shape == b.shape {
            let n = a.count
            let out = a.withUnsafeElements { p in
                b.withUnsafeElements { q in
                    [Double](unsafeUninitializedCapacity: n) { o, done in
                        for i in 0..<n { o.initializeElement(at: i, to: f(p[i], q[i])) }
                        done = n
                    }
                }
            }
            return Tensor(unchecked: a.shape, data: out)
        }
        if b.rank <= a.rank, let y = b.scalar {
            return a.map { f($0, y) }.reshapedUnchecked(try broadcastShape(a.shape, b.shape, op: op))
        }
        if a.rank <= b.rank, let x = a.scalar {
            return b.map { f(x, $0) }.reshapedUnchecked(try broadcastShape(a.shape, b.shape, op: op))
        }
        if b.rank >= 1, b.rank < a.rank, b.data.count > 1, a.shape.suffix(b.rank).elementsEqual(b.shape) {
            return rowwise(a, b, f)
        }
        return try zipBroadcast(a, b, op: op, f)
    }

    /// f(a, b) where b's shape ends a's (a bias on a batch of rows): b repeats along a's leading
    /// axes, one row loop with none of the general broadcast's per-run index bookkeeping.
    @inlinable static func rowwise(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Double) -> Tensor {
        let n = a.data.count, width = b.data.count
        let out = a.data.withUnsafeBufferPointer { p in
            b.data.withUnsafeBufferPointer { q in
                [Double](unsafeUninitializedCapacity: n) { o, done in
                    var row = 0
                    while row < n {
                        for j in 0..<width { o.initializeElement(at: row + j, to: f(p[row + j], q[j])) }
                        row += width
                    }
                    done = n
                }
            }
        }
        return Tensor(unchecked: a.shape, data: out)
    }

    /// f(a, b) over the broadcast shape, each operand read from its storage through its own
    /// strides: a broadcast, a transpose or a strided slice is never gathered first.
    @usableFromInline
    static func zipBroadcast(_ a: Tensor, _ b: Tensor, op: String,
                             _ f: (Double, Double) -> Double) throws -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape, op: op)
        let n = try checkedCount(shape, op: op)
        var out = [Double](repeating: 0, count: n)
        let (sa, offsetA) = a.withStrides { own, offset in (a.broadcastStrides(own, to: shape), offset) }
        let (sb, offsetB) = b.withStrides { own, offset in (b.broadcastStrides(own, to: shape), offset) }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { o in
                    var k = 0
                    forEachRun(shape: shape, strides: sa, sb, offsets: offsetA, offsetB) { ia, ib, len, da, db in
                        var i = ia, j = ib
                        for _ in 0..<len { o[k] = f(pa[i], pb[j]); k += 1; i += da; j += db }
                    }
                }
            }
        }
        return Tensor(unchecked: shape, data: out)
    }

    // MARK: Binary operators

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try zip(a, b, op: "add") { $0 + $1 } }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try zip(a, b, op: "subtract") { $0 - $1 } }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try zip(a, b, op: "multiply") { $0 * $1 } }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try zip(a, b, op: "divide") { $0 / $1 } }
    public static func + (a: Tensor, b: Double) -> Tensor { a.map { $0 + b } }
    public static func - (a: Tensor, b: Double) -> Tensor { a.map { $0 - b } }
    public static func * (a: Tensor, b: Double) -> Tensor { a.map { $0 * b } }
    public static func / (a: Tensor, b: Double) -> Tensor { a.map { $0 / b } }
    public static func + (a: Double, b: Tensor) -> Tensor { b.map { a + $0 } }
    public static func - (a: Double, b: Tensor) -> Tensor { b.map { a - $0 } }
    public static func * (a: Double, b: Tensor) -> Tensor { b.map { a * $0 } }
    public static func / (a: Double, b: Tensor) -> Tensor { b.map { a / $0 } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// Elementwise power `a ** b`.
    public static func pow(_ a: Tensor, _ b: Tensor) throws -> Tensor { try zip(a, b, op: "power", Foundation.pow) }
    /// Python's floored modulo: the result has the sign of the divisor.
    public static func mod(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try zip(a, b, op: "mod") { x, y in
            let r = fmod(x, y)
            return (r != 0 && (r < 0) != (y < 0)) ? r + y : r
        }
    }
    /// Elementwise larger of two tensors (NaN propagates).
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try zip(a, b, op: "maximum") { x, y in x.isNaN || y.isNaN ? .nan : Swift.max(x, y) }
    }
    /// Elementwise smaller of two tensors (NaN propagates).
    public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try zip(a, b, op: "minimum") { x, y in x.isNaN || y.isNaN ? .nan : Swift.min(x, y) }
    }

    // MARK: Comparisons (1 where true, 0 where false)

    public static func eq(_ a: Tensor, _ b: Tensor) throws -> Tensor { try zip(a, b, op: "==") { $0 == $1 ? 1 : 0 } }
    public static func ne(_ a: Tensor, _ b: Tensor) throws -> Tensor { try zip(a, b, op: "!=") { $0 != $1 ? 1 : 0 } }
    public static func lt(_ a: Tensor, _ b: Tensor) throws -> Tensor { try zip(a, b, op: "<") { $0 < $1 ? 1 : 0 } }
    public static func le(_ a: Tensor, _ b: Tensor) throws -> Tensor { try zip(a, b, op: "<=") { $0 <= $1 ? 1 : 0 } }
    public static func gt(_ a: Tensor, _ b: Tensor) throws -> Tensor { try zip(a, b, op: ">") { $0 > $1 ? 1 : 0 } }
    public static func ge(_ a: Tensor, _ b: Tensor) throws -> Tensor { try zip(a, b, op: ">=") { $0 >= $1 ? 1 : 0 } }

    // MARK: Unary math

    public func exp() -> Tensor { concurrentMap(Foundation.exp) }
    public func log() -> Tensor { concurrentMap(Foundation.log) }
    public func log2() -> Tensor { concurrentMap(Foundation.log2) }
    public func log10() -> Tensor { concurrentMap(Foundation.log10) }
    public func sqrt() -> Tensor { map(Foundation.sqrt) }
    public func abs() -> Tensor { map(Swift.abs) }
    /// -1, 0 or 1 (0 at 0, NaN stays NaN).
    public func sign() -> Tensor { map { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) } }
    public func tanh() -> Tensor { concurrentMap(Foundation.tanh) }
    public func sin() -> Tensor { concurrentMap(Foundation.sin) }
    public func cos() -> Tensor { concurrentMap(Foundation.cos) }
    /// Elements limited to `[lo, hi]`.
    public func clip(_ lo: Double, _ hi: Double) -> Tensor { map { Swift.min(Swift.max($0, lo), hi) } }
    /// `1 / (1 + e^-x)`, computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        concurrentMap { x in x >= 0 ? 1 / (1 + Foundation.exp(-x)) : { let e = Foundation.exp(x); return e / (1 + e) }() }
    }
}
