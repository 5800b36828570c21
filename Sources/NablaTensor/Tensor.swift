import Foundation
import Synchronization

/// A float64 n-d array: contiguous row-major storage with value semantics (copy-on-write,
/// through Swift's Array). Rank 0 is a scalar.
public struct Tensor: Sendable, Equatable {
    /// Extent of each axis; `[]` for a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `data.count` is the product of `shape`.
    public internal(set) var data: [Double]

    /// A tensor from a shape and matching row-major elements.
    public init(shape: [Int], data: [Double]) throws {
        let n = try Tensor.checkedCount(shape, op: "tensor")
        guard n == data.count else {
            throw TensorError.shape(op: "tensor", message: "shape \(formatShape(shape)) needs \(n) elements, got \(data.count)")
        }
        self.shape = shape
        self.data = data
    }

    /// Internal initializer for callers that already guarantee `data.count == product(shape)`.
    @usableFromInline init(unchecked shape: [Int], data: [Double]) {
        self.shape = shape
        self.data = data
    }

    /// A 0-d tensor.
    public init(_ scalar: Double) {
        self.shape = []
        self.data = [scalar]
    }

    /// A 1-d tensor.
    public init(_ values: [Double]) {
        self.shape = [values.count]
        self.data = values
    }

    public var rank: Int { shape.count }
    public var count: Int { data.count }
    public var isScalar: Bool { shape.isEmpty }

    /// The single element of a one-element tensor, else nil.
    public var scalar: Double? { data.count == 1 ? data[0] : nil }

    /// Element `i` of the row-major data (for engine code that has checked `i < count`).
    public subscript(flat i: Int) -> Double {
        get { data[i] }
        set { data[i] = newValue }
    }

    /// Row-major strides (in elements) of a contiguous tensor of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc &*= shape[i]
        }
        return s
    }

    /// Normalizes a possibly negative axis against `rank`.
    public static func normalizeAxis(_ axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw TensorError.axis(op: op, axis: axis, rank: rank) }
        return a
    }
}

// MARK: - Size limits

/// Process-wide limits that keep a bad cell from exhausting memory.
public enum TensorLimits {
    /// Largest tensor, in bytes, the engine allocates. Defaults to half of physical memory.
    nonisolated(unsafe) public static var maxBytes: Int = {   // set at start-up (or by a test) before any work
        let half = ProcessInfo.processInfo.physicalMemory / 2
        return half > UInt64(Int.max) ? Int.max : Int(half)
    }()
}

extension Tensor {
    /// Element count of `shape`, refusing negative extents, overflow, and tensors over the limit.
    public static func checkedCount(_ shape: [Int], op: String) throws -> Int {
        try checkedCount(shape, op: op, limit: TensorLimits.maxBytes)
    }

    static func checkedCount(_ shape: [Int], op: String, limit: Int) throws -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else { throw TensorError.shape(op: op, message: "negative dimension \(d) in \(formatShape(shape))") }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o else { throw TensorError.tooLarge(op: op, shape: shape, limitBytes: Int.max) }
            n = p
        }
        let (bytes, o) = n.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        guard !o, bytes <= limit else {
            throw TensorError.tooLarge(op: op, shape: shape, limitBytes: limit)
        }
        return n
    }
}

// MARK: - Cancellation

/// A flag another thread can raise to stop long engine work (matmul batches, convolutions,
/// large elementwise loops) between chunks. The interpreter polls the same token.
public final class CancellationToken: Sendable {
    private let raised = Atomic<Bool>(false)
    public init() {}
    public var isCancelled: Bool { raised.load(ordering: .relaxed) }
    public func cancel() { raised.store(true, ordering: .relaxed) }
    public func reset() { raised.store(false, ordering: .relaxed) }
}

public enum Cancellation {
    private static let local = ThreadLocal<CancellationToken?> { nil }

    /// The token engine operations on this thread poll; a session installs its own.
    public static var current: CancellationToken? {
        get { local.value }
        set { local.value = newValue }
    }

    /// Throws `TensorError.interrupted` if the current token has been raised.
    @inline(__always) public static func check() throws {
        if let t = current, t.isCancelled { throw TensorError.interrupted }
    }
}
