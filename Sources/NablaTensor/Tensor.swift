import Foundation
import Synchronization

/// A float64 n-d array with value semantics (copy-on-write, through Swift's Array). Rank 0 is
/// a scalar, whose one element is held inline: no heap array to allocate, and nothing to
/// retain or release when it is copied. A transpose or a basic slice is a view: it reads
/// the elements of the tensor it came from through strides, and copies only when written.
public struct Tensor: Sendable {
    /// Where the elements live: a scalar's inline; the shape (rank ≥ 1) and the elements in
    /// row-major order (`elements.count` is the product of `shape`); or a strided window onto
    /// another tensor's elements.
    @usableFromInline enum Layout: Sendable {
        case scalar(Double)
        case array(shape: [Int], elements: [Double])
        case view(TensorView)
    }
    @usableFromInline var layout: Layout

    /// Extent of each axis; `[]` for a scalar.
    public var shape: [Int] {
        @inlinable get {
            switch layout {
            case .scalar: return []
            case .array(let s, _): return s
            case .view(let v): return v.shape
            }
        }
    }

    /// The elements in row-major order; `data.count` is the product of `shape`. A scalar's
    /// is built on each read, a view's gathered once: engine code reads elements with
    /// `withUnsafeElements` or `scalar`.
    public internal(set) var data: [Double] {
        @inlinable get {
            switch layout {
            case .scalar(let x): return [x]
            case .array(_, let e): return e
            case .view(let v): return v.elements()
            }
        }
        set {
            switch layout {
            case .scalar(let x): layout = .scalar(newValue.first ?? x)
            case .array(let s, _): layout = .array(shape: s, elements: newValue)
            case .view(let v): layout = .array(shape: v.shape, elements: newValue)
            }
        }
        _modify {
            switch layout {
            case .scalar(let x):
                var one = [x]
                defer { layout = .scalar(one.first ?? x) }
                yield &one
            case .array(let s, var e):
                layout = .scalar(0)   // leaves `e` the only reference: writes through it copy nothing
                defer { layout = .array(shape: s, elements: e) }
                yield &e
            case .view(let v):
                // Writing to a view gives it elements of its own (the tensor it came from keeps its).
                var e = v.elementsToOwn()
                layout = .scalar(0)
                defer { layout = .array(shape: v.shape, elements: e) }
                yield &e
            }
        }
    }

    /// A tensor from a shape and matching row-major elements.
    public init(shape: [Int], data: [Double]) throws {
        let n = try Tensor.checkedCount(shape, op: "tensor")
        guard n == data.count else {
            throw TensorError.shape(op: "tensor", message: "shape \(formatShape(shape)) needs \(n) elements, got \(data.count)")
        }
        self.init(unchecked: shape, data: data)
    }

    /// A tensor of `model`'s shape with new elements, one for each of `model`'s (an
    /// element-wise result built outside NablaTensor).
    public init(shapeOf model: Tensor, data: [Double]) {
        precondition(data.count == model.count, "Tensor(shapeOf:data:) needs one element for each of the model's")
        self.init(unchecked: model.shape, data: data)
    }

    /// Internal initializer for callers that already guarantee `data.count == product(shape)`.
    @usableFromInline init(unchecked shape: [Int], data: [Double]) {
        layout = shape.isEmpty ? .scalar(data.first ?? 0) : .array(shape: shape, elements: data)
    }

    /// A 0-d tensor.
    @inlinable public init(_ scalar: Double) {
        layout = .scalar(scalar)
    }

    /// A 1-d tensor.
    public init(_ values: [Double]) {
        layout = .array(shape: [values.count], elements: values)
    }

    @inlinable public var rank: Int {
        switch layout {
        case .scalar: return 0
        case .array(let s, _): return s.count
        case .view(let v): return v.shape.count
        }
    }

    @inlinable public var count: Int {
        switch layout {
        case .scalar: return 1
        case .array(_, let e): return e.count
        case .view(let v): return v.count
        }
    }

    @inlinable public var isScalar: Bool {
        if case .scalar = layout { return true }
        return false
    }

    /// The single element of a one-element tensor, else nil.
    @inlinable public var scalar: Double? {
        switch layout {
        case .scalar(let x): return x
        case .array(_, let e): return e.count == 1 ? e[0] : nil
        case .view(let v): return v.count == 1 ? v.base[v.offset] : nil
        }
    }

    /// Calls `body` with the row-major elements, without building an array for a scalar, nor
    /// for a view whose elements lie in row-major order in its base (a run of rows).
    @inlinable public func withUnsafeElements<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        switch layout {
        case .scalar(let x): return try withUnsafePointer(to: x) { try body(UnsafeBufferPointer(start: $0, count: 1)) }
        case .array(_, let e): return try e.withUnsafeBufferPointer(body)
        case .view(let v): return try v.withUnsafeElements(body)
        }
    }

    /// Calls `body` with the row-major elements to write in place (copied first only when
    /// another tensor shares the storage), as an optimizer's state and param updates need.
    public mutating func withUnsafeMutableElements<R>(_ body: (UnsafeMutableBufferPointer<Double>) throws -> R) rethrows -> R {
        try data.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Element `i` of the row-major data (for engine code that has checked `i < count`).
    public subscript(flat i: Int) -> Double {
        get {
            switch layout {
            case .scalar(let x): precondition(i == 0, "Index out of range"); return x
            case .array(_, let e): return e[i]
            case .view(let v): return v.base[v.position(ofFlat: i)]
            }
        }
        set {
            if case .scalar = layout { precondition(i == 0, "Index out of range"); layout = .scalar(newValue) } else { data[i] = newValue }
        }
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
