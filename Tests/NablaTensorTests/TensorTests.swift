import Testing
@testable import NablaTensor

func t(_ shape: [Int], _ data: [Double]) -> Tensor { try! Tensor(shape: shape, data: data) }
func close(_ a: Tensor, _ b: [Double], tol: Double = 1e-9) -> Bool {
    a.data.count == b.count && zip(a.data, b).allSatisfy { Swift.abs($0 - $1) <= tol }
}

@Suite struct BroadcastingTests {
    @Test func columnPlusRow() throws {
        let a = t([3, 1], [1, 2, 3]), b = t([1, 4], [10, 20, 30, 40])
        let c = try a + b
        #expect(c.shape == [3, 4])
        #expect(c.data == [11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43])
    }

    @Test func scalarAndTrailingAxes() throws {
        let a = t([2, 3], [1, 2, 3, 4, 5, 6])
        #expect(try (a * Tensor(2)).data == [2, 4, 6, 8, 10, 12])
        #expect(try (a - t([3], [1, 1, 1])).data == [0, 1, 2, 3, 4, 5])
        #expect(try (t([1], [5]) - t([2, 1, 1], [1, 2])).shape == [2, 1, 1])
    }

    /// The trailing-axes path (b's shape ends a's: a bias per row) matches broadcasting b
    /// explicitly first, for operators where order matters and for a 3-d a with a 2-d b.
    @Test func trailingAxesMatchExplicitBroadcast() throws {
        var rng = Xoshiro256(seed: 3)
        let a = try Tensor.randn([2, 3, 4], using: &rng)
        for b in [try Tensor.randn([4], using: &rng), try Tensor.randn([3, 4], using: &rng)] {
            let full = try b.broadcast(to: a.shape)
            #expect(try (a - b) == (a - full) && (a / b) == (a / full) && (b - a) == (full - a))
            #expect(try (a - b).data != (b - a).data)
        }
    }

    @Test func incompatibleShapesNameBoth() {
        #expect(throws: TensorError.broadcast(op: "add", lhs: [2, 3], rhs: [4])) { try t([2, 3], [Double](repeating: 0, count: 6)) + t([4], [0, 0, 0, 0]) }
        let msg = TensorError.broadcast(op: "add", lhs: [2, 3], rhs: [4]).description
        #expect(msg == "add: shapes (2, 3) and (4,) do not broadcast")
    }

    @Test func sumToShapeUndoesBroadcast() throws {
        let g = try Tensor.ones([2, 3, 4])
        #expect(try g.sumToShape([3, 1]).data == [8, 8, 8])
        #expect(try g.sumToShape([]).data == [24])
        #expect(try g.sumToShape([1, 4]).data == [6, 6, 6, 6])
    }
}

@Suite struct ReductionTests {
    let a = t([2, 3], [1, 5, 3, 4, 2, 6])

    @Test func allAxes() throws {
        #expect(try a.sum().data == [21])
        #expect(try a.sum(axis: 0).data == [5, 7, 9])
        #expect(try a.sum(axis: 1, keepdims: true).shape == [2, 1])
        #expect(try a.mean(axis: -1).data == [3, 4])
        #expect(try a.max(axis: 0).data == [4, 5, 6])
        #expect(try a.min().data == [1])
        #expect(try a.argmax(axis: 1).data == [1, 2])
        #expect(try a.argmin().data == [0])
        #expect(try a.prod(axis: 1).data == [15, 48])
        #expect(close(try a.variance(), [35.0 / 12.0]))
        #expect(close(try t([4], [3, 0, 0, 4]).norm(), [5]))
        #expect(close(try t([2], [3, -4]).norm(ord: 1), [7]))
        #expect(close(try t([2], [3, -4]).norm(ord: .infinity), [4]))
    }

    @Test func firstOfTiedMaximaAndNaN() throws {
        #expect(try t([4], [1, 7, 7, 2]).argmax().data == [1])
        #expect(try t([3], [1, .nan, 2]).max().data[0].isNaN)
    }

    @Test func badAxisAndEmpty() {
        #expect(throws: TensorError.axis(op: "sum", axis: 2, rank: 2)) { try a.sum(axis: 2) }
        #expect(throws: TensorError.self) { try Tensor.zeros([0]).max() }
    }
}

@Suite struct MatmulTests {
    func naive(_ a: Tensor, _ b: Tensor) -> [Double] {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        return (0..<(m * n)).map { idx in (0..<k).reduce(0) { $0 + a.data[idx / n * k + $1] * b.data[$1 * n + idx % n] } }
    }

    @Test func matrixVectorAndDot() throws {
        let a = t([2, 3], [1, 2, 3, 4, 5, 6]), b = t([3, 2], [7, 8, 9, 10, 11, 12])
        #expect(try Tensor.matmul(a, b).data == naive(a, b))
        let v = t([3], [1, 0, -1])
        #expect(try Tensor.matmul(a, v).data == [-2, -2])
        #expect(try Tensor.matmul(v, b).shape == [2])
        #expect(try Tensor.matmul(v, b).data == [-4, -4])
        #expect(try Tensor.matmul(v, v).shape == [])
        #expect(try Tensor.matmul(v, v).data == [2])
    }

    @Test func transposedOperandsAndBatches() throws {
        let a = t([3, 2], [1, 2, 3, 4, 5, 6]), b = t([3, 2], [1, 0, 0, 1, 1, 1])
        #expect(try Tensor.gemm(a, b, transA: true, transB: false).data == naive(try a.transposed(), b))
        #expect(try Tensor.gemm(a, b, transA: false, transB: true).data == naive(a, try b.transposed()))
        let batch = try Tensor.stack([a, a * 2])  // (2, 3, 2)
        let out = try Tensor.matmul(batch, t([2, 1], [1, 1]))
        #expect(out.shape == [2, 3, 1])
        #expect(out.data == [3, 7, 11, 6, 14, 22])
    }

    @Test func emptyOperands() throws {
        #expect(try Tensor.matmul(Tensor.zeros([2, 0, 3]), Tensor.zeros([3, 4])).shape == [2, 0, 4])
        #expect(try Tensor.matmul(Tensor.zeros([2, 3, 0]), Tensor.zeros([0, 4])).data == [Double](repeating: 0, count: 24))
        #expect(try Tensor.matmul(Tensor.zeros([0, 3]), Tensor.zeros([3, 2])).shape == [0, 2])
    }

    @Test func mismatchSaysBothShapes() {
        let e = TensorError.matmul(lhs: [3], rhs: [2], inner: 3, other: 2)
        #expect(throws: e) { try Tensor.matmul(t([3], [1, 2, 3]), t([2], [1, 2])) }
        #expect(e.description == "matmul: (3,) @ (2,) — inner dimensions 3 and 2 differ")
    }
}

@Suite struct ShapeAndIndexTests {
    let a = t([3, 4], (0..<12).map(Double.init))

    @Test func reshapeTransposeConcat() throws {
        #expect(try a.reshaped([2, -1]).shape == [2, 6])
        #expect(throws: TensorError.self) { try a.reshaped([5, -1]) }
        #expect(try a.transposed().data[0..<4] == [0, 4, 8, 1])
        #expect(try Tensor.concat([a, a], axis: 1).shape == [3, 8])
        #expect(try Tensor.concat([t([2], [1, 2]), t([1], [3])]).data == [1, 2, 3])
        #expect(try Tensor.stack([t([2], [1, 2]), t([2], [3, 4])], axis: 1).data == [1, 3, 2, 4])
        #expect(try t([2, 2], [1, 2, 3, 4]).padded(1).data == [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0])
    }

    @Test func pythonSlices() throws {
        #expect(try a[[.at(-1)]].data == [8, 9, 10, 11])
        #expect(try a[[.all, .at(1)]].data == [1, 5, 9])
        #expect(try a[[.slice(nil, nil, -1), .slice(nil, nil, 2)]].data == [8, 10, 4, 6, 0, 2])
        #expect(try a[[.slice(1, 100, nil), .slice(-2, nil, nil)]].data == [6, 7, 10, 11])
        #expect(try a[[.slice(5, 1, nil)]].shape == [0, 4])
        #expect(try a[[.at(0), .slice(nil, nil, -3)]].data == [3, 0])
        #expect(try a[[.newAxis, .at(0)]].shape == [1, 4])
        #expect(try a[[.list([2, 0, 2])]].data == [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11])
        #expect(try a[[.at(1), .at(2)]].shape == [])
    }

    @Test func indexErrors() {
        #expect(throws: TensorError.index(op: "index", index: 3, axis: 0, size: 3)) { try a[[.at(3)]] }
        #expect(throws: TensorError.self) { try a[[.at(0), .at(0), .at(0)]] }
        #expect(throws: TensorError.self) { try a[[.slice(nil, nil, 0)]] }
    }

    @Test func assignment() throws {
        var b = a
        try b.assign([.at(0)], Tensor(-1))
        try b.assign([.all, .at(3)], t([3], [7, 8, 9]))
        #expect(b.data[0..<4] == [-1, -1, -1, 7])
        #expect(b[flat: 11] == 9)
        #expect(a.data[0] == 0)  // value semantics: the original is untouched
        var c = try Tensor.zeros([3])
        try c.add(at: [.list([0, 0, 2])], t([3], [1, 2, 3]))
        #expect(c.data == [3, 0, 3])
    }
}

@Suite struct ConstructorTests {
    @Test func ranges() throws {
        #expect(try Tensor.arange(0, 1, 0.25).data == [0, 0.25, 0.5, 0.75])
        #expect(try Tensor.arange(5, 0, -2).data == [5, 3, 1])
        #expect(try Tensor.linspace(0, 1, 5).data == [0, 0.25, 0.5, 0.75, 1])
        #expect(try Tensor.eye(2, 3).data == [1, 0, 0, 0, 1, 0])
        #expect(try Tensor.onehot(t([2], [2, 0]), classes: 3).data == [0, 0, 1, 1, 0, 0])
        #expect(throws: TensorError.self) { try Tensor.onehot(t([1], [3]), classes: 3) }
        #expect(throws: TensorError.self) { try Tensor.onehot(t([1], [0.5]), classes: 3) }
        #expect(throws: TensorError.self) { try Tensor.arange(0, .infinity) }
    }

    /// Values from an independent Python implementation of splitmix64 + xoshiro256**.
    @Test func seededGeneratorIsPortable() throws {
        var g = Xoshiro256(seed: 42)
        #expect(g.next() == 1_546_998_764_402_558_742)
        #expect(g.nextDouble() == 0.3789802506626686)
        var a = Xoshiro256(seed: 7), b = Xoshiro256(seed: 7)
        #expect(try Tensor.randn([5], using: &a) == Tensor.randn([5], using: &b))
    }

    @Test func gaussianMoments() throws {
        var g = Xoshiro256(seed: 1)
        let x = try Tensor.randn([20000], using: &g)
        #expect(Swift.abs(try x.mean().data[0]) < 0.03)
        #expect(Swift.abs(try x.std().data[0] - 1) < 0.03)
    }
}

@Suite struct LimitTests {
    @Test func hugeShapesAreRefusedBeforeAllocation() {
        #expect(throws: TensorError.self) { try Tensor.zeros([1 << 40, 1 << 40]) }   // overflows Int
        #expect(throws: TensorError.self) { try Tensor.zeros([1 << 62]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([-1]) }
        #expect(throws: TensorError.self) { try Tensor.matmul(Tensor.zeros([1, 1 << 20]), Tensor.zeros([1 << 20, 1])).reshaped([3]) }
    }

    @Test func configuredLimitApplies() throws {
        #expect(throws: TensorError.tooLarge(op: "full", shape: [200], limitBytes: 1024)) { try Tensor.checkedCount([200], op: "full", limit: 1024) }
        #expect(try Tensor.checkedCount([128], op: "full", limit: 1024) == 128)
        #expect(TensorError.tooLarge(op: "full", shape: [200], limitBytes: 1024).description.contains("1.0 KiB"))
    }
}

/// A 0-d tensor keeps its element inline, apart from the array of rank ≥ 1; every way in and
/// out of that element has to agree with the one-element tensors of other ranks.
@Suite struct ScalarStorageTests {
    @Test func reshapingMovesTheElementBetweenRanks() throws {
        let s = Tensor(2.5)
        let one = try s.reshaped([1]), grid = try s.reshaped([1, 1])
        #expect(one.shape == [1] && one.data == [2.5] && grid.data == [2.5])
        let back = try grid.reshaped([])
        #expect(back.shape == [] && back.scalar == 2.5 && back.count == 1 && back == s)
        #expect(try Tensor(shape: [], data: [-4]).data == [-4])
        #expect(throws: TensorError.self) { try Tensor(shape: [], data: [1, 2]) }
    }

    @Test func equalityComparesShapeAndValue() throws {
        #expect(Tensor(3) == Tensor(3))
        #expect(Tensor(3) != Tensor(4))
        #expect(try Tensor(3) != Tensor(3).reshaped([1]))
        #expect(Tensor(.nan) != Tensor(.nan))
    }

    @Test func writesReachTheElement() throws {
        var s = Tensor(1)
        s[flat: 0] = 7
        #expect(s.scalar == 7)
        try s.assign([], Tensor(9))
        #expect(s.data == [9])
        try s.addScaled(Tensor(2), -0.5)
        #expect(s.scalar == 8)
        try s.add(at: [], Tensor(1))
        #expect(s.scalar == 9 && s.shape == [])
    }

    @Test func scalarOperandsBroadcastAndReduce() throws {
        let m = t([2, 3], [1, 2, 3, 4, 5, 6])
        #expect(try (Tensor(10) - m).data == [9, 8, 7, 6, 5, 4])
        #expect(try (m / Tensor(2)).shape == [2, 3])
        #expect(try (Tensor(3) * Tensor(4)).scalar == 12)
        #expect((-Tensor(3)).data == [-3])
        let total = try m.sum()
        #expect(total.shape == [] && total.scalar == 21)
        #expect(try Tensor(5).sum(axis: nil, keepdims: false).scalar == 5)
        #expect(try Tensor(5).broadcast(to: [2]).data == [5, 5])
        Tensor(6).withUnsafeElements { #expect(Array($0) == [6]) }
    }
}
