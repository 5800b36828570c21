import Testing
@testable import NablaTensor

/// A row-major array read by explicit multi-indices: the reference the views are checked
/// against, written without strides.
private struct Reference {
    var shape: [Int]
    var values: [Double]

    static func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
        var rest = flat, idx = [Int](repeating: 0, count: shape.count)
        for ax in stride(from: shape.count - 1, through: 0, by: -1) { idx[ax] = rest % shape[ax]; rest /= shape[ax] }
        return idx
    }

    func at(_ idx: [Int]) -> Double {
        var flat = 0
        for (ax, i) in idx.enumerated() { flat = flat * shape[ax] + i }
        return values[flat]
    }

    /// Builds a tensor of `shape` whose element at each multi-index is `source(index)`.
    static func make(_ shape: [Int], _ source: ([Int]) -> Double) -> Reference {
        let n = shape.reduce(1, *)
        return Reference(shape: shape, values: (0..<n).map { source(multiIndex($0, shape)) })
    }

    func transposed(_ perm: [Int]) -> Reference {
        Reference.make(perm.map { shape[$0] }) { out in
            var idx = [Int](repeating: 0, count: shape.count)
            for (k, ax) in perm.enumerated() { idx[ax] = out[k] }
            return at(idx)
        }
    }

    /// numpy basic indexing, with each slice spelled out as its list of positions.
    func indexed(_ index: [TensorIndex]) throws -> Reference {
        enum Axis { case fixed(Int), positions([Int]), new }
        let consumed = index.filter { $0 != .newAxis }.count
        var plan: [Axis] = [], axis = 0
        for entry in index + [TensorIndex](repeating: .all, count: shape.count - consumed) {
            switch entry {
            case .newAxis: plan.append(.new)
            case let .at(i): plan.append(.fixed(i < 0 ? i + shape[axis] : i)); axis += 1
            case .all: plan.append(.positions(Array(0..<shape[axis]))); axis += 1
            case let .slice(a, b, s):
                let (start, c, step) = try Tensor.resolveSlice(a, b, s, size: shape[axis])
                plan.append(.positions((0..<c).map { start + $0 * step })); axis += 1
            case .list: Issue.record("the reference has no lists")
            }
        }
        let outShape = plan.compactMap { p -> Int? in
            switch p { case .fixed: return nil; case .new: return 1; case let .positions(ps): return ps.count }
        }
        return Reference.make(outShape) { out in
            var src = [Int](), k = 0
            for p in plan {
                switch p {
                case let .fixed(i): src.append(i)
                case .new: k += 1
                case let .positions(ps): src.append(ps[out[k]]); k += 1
                }
            }
            return at(src)
        }
    }
}

@Suite struct ViewTests {
    let a = try! Tensor(shape: [3, 4], data: (0..<12).map(Double.init))

    @Test func transposesSlicesAndBroadcastsShareStorage() throws {
        let views = [try a.transposed(), try a[[.slice(1, 3, nil)]], try a[[.all, .at(2)]],
                     try a[[.slice(nil, nil, -1), .slice(nil, nil, 2)]], try a[[.newAxis, .at(0)]],
                     try a[[.at(1)]].broadcast(to: [2, 4])]
        for v in views {
            #expect(v.isView && v.sharesStorage(with: a))
        }
        // A run of whole rows is read where it lies: no gather, not even once.
        let rows = try a[[.slice(1, 3, nil)]]
        let start = a.withUnsafeElements { $0.baseAddress! }
        rows.withUnsafeElements { #expect($0.baseAddress == start + 4 && Array($0) == [4, 5, 6, 7, 8, 9, 10, 11]) }
        // A reshape of whole rows is still a view; of a transpose, a copy (as in numpy).
        #expect(try rows.reshaped([8]).sharesStorage(with: a))
        #expect(try !a.transposed().reshaped([12]).sharesStorage(with: a))
        // Nothing to share: list indexing copies, and a view of everything in order is the array.
        #expect(try !a[[.list([0, 1])]].sharesStorage(with: a))
        #expect(try !a[[.all]].isView && a[[.all]].sharesStorage(with: a))
        #expect(try a[[.at(1), .at(2)]].isScalar)
    }

    @Test func writingToAViewOrItsBaseChangesOnlyThatOne() throws {
        var base = a
        var row = try base[[.at(1)]]
        var col = try base.transposed()[[.at(3)]]
        row[flat: 0] = -1
        try col.assign([.at(0)], Tensor(-2))
        #expect(row.data == [-1, 5, 6, 7] && !row.isView)
        #expect(col.data == [-2, 7, 11])
        #expect(base == a)
        let seen = try base[[.slice(nil, nil, 2)]]
        try base.addScaled(Tensor.ones([3, 4]), 10)
        #expect(seen.data == [0, 1, 2, 3, 8, 9, 10, 11])
        #expect(try base[[.at(0)]].data == [10, 11, 12, 13])
    }

    /// Random chains of transposes, basic indices and reshapes, checked element by element
    /// against the stride-free reference, and then through every kind of reader.
    @Test func randomChainsMatchTheReference() throws {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<400 {
            let rank = Int.random(in: 1...4, using: &rng)
            let shape = (0..<rank).map { _ in Int.random(in: 1...5, using: &rng) }
            let values = (0..<shape.reduce(1, *)).map { _ in Double(Int.random(in: -50...50, using: &rng)) }
            var x = try Tensor(shape: shape, data: values), ref = Reference(shape: shape, values: values)
            var steps: [String] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where x.rank >= 2:
                    let perm = Array(0..<x.rank).shuffled(using: &rng)
                    x = try x.transposed(perm); ref = ref.transposed(perm)
                    steps.append("T\(perm)")
                case 1 where x.rank >= 1:
                    var index: [TensorIndex] = []
                    for ax in 0..<Int.random(in: 1...x.rank, using: &rng) {
                        let n = x.shape[ax]
                        switch Int.random(in: 0..<5, using: &rng) {
                        case 0 where n > 0: index.append(.at(Int.random(in: -n..<n, using: &rng)))
                        case 1: index.append(.newAxis); index.append(.all)
                        case 2: index.append(.all)
                        default:
                            let step = [1, 2, 3, -1, -2].randomElement(using: &rng)!
                            index.append(.slice(Bool.random(using: &rng) ? Int.random(in: -n...n, using: &rng) : nil,
                                                Bool.random(using: &rng) ? Int.random(in: -n...n, using: &rng) : nil, step))
                        }
                    }
                    x = try x[index]; ref = try ref.indexed(index)
                    steps.append("\(index)")
                default:
                    // Flat, split in two, or the same axes with axes of length 1 added or removed
                    // (a strided view keeps its storage for the last kinds, as numpy's does).
                    let n = ref.shape.reduce(1, *)
                    var s = [n]
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0 where n > 1 && n % 2 == 0: s = [2, n / 2]
                    case 1 where n > 1 && n % 2 == 0: s = [n / 2, 2]
                    case 2: s = ref.shape; s.insert(1, at: Int.random(in: 0...s.count, using: &rng))
                    case 3: s = ref.shape.filter { $0 != 1 }
                    default: break
                    }
                    x = try x.reshaped(s); ref = Reference(shape: s, values: ref.values)
                    steps.append("reshape\(s)")
                }
            }
            let what = "trial \(trial): \(shape) \(steps)"
            #expect(x.shape == ref.shape, "\(what)")
            #expect(x.data == ref.values, "\(what)")
            #expect(x.count == ref.values.count && (0..<x.count).allSatisfy { x[flat: $0] == ref.values[$0] }, "\(what)")
            #expect(x.withUnsafeElements { Array($0) } == ref.values, "\(what)")
            #expect(x == (try Tensor(shape: ref.shape, data: ref.values)), "\(what)")
            #expect((x * 2).data == ref.values.map { $0 * 2 }, "\(what)")
            #expect(try (x + x).data == ref.values.map { $0 + $0 }, "\(what)")
            if x.rank >= 1 {
                let row = try Tensor(shape: [x.shape[x.rank - 1]], data: (0..<x.shape[x.rank - 1]).map(Double.init))
                #expect(try (x - row).data == ref.values.enumerated().map { $1 - Double($0 % x.shape[x.rank - 1]) }, "\(what)")
                #expect(try x.sum().scalar == ref.values.reduce(0, +), "\(what)")
            }
            if x.rank == 2 {
                let dense = try Tensor(shape: ref.shape, data: ref.values)
                let (m, k) = (x.shape[0], x.shape[1])
                let other = try Tensor(shape: [k, 3], data: (0..<(k * 3)).map { Double($0 % 7) - 3 })
                #expect(try Tensor.matmul(x, other) == Tensor.matmul(dense, other), "\(what)")
                #expect(try Tensor.gemm(x, x, transA: true, transB: false) == Tensor.gemm(dense, dense, transA: true, transB: false), "\(what)")
                #expect(try Tensor.gemm(other, x, transA: true, transB: true).shape == [3, m], "\(what)")
                #expect(try Tensor.gemm(other, x, transA: true, transB: true) == Tensor.gemm(other, dense, transA: true, transB: true), "\(what)")
            }
        }
    }

    /// Writes through random basic indices (`x[1:, ::-2] = v`, `x[..] += v`), with the value
    /// broadcast and itself a view; the reference finds the positions by indexing a tensor of
    /// positions.
    @Test func randomAssignmentsMatchTheReference() throws {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<300 {
            let rank = Int.random(in: 1...3, using: &rng)
            let shape = (0..<rank).map { _ in Int.random(in: 1...5, using: &rng) }
            let n = shape.reduce(1, *)
            var index: [TensorIndex] = []
            for ax in 0..<Int.random(in: 1...rank, using: &rng) {
                let d = shape[ax]
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: index.append(.at(Int.random(in: -d..<d, using: &rng)))
                case 1: index.append(.all)
                default: index.append(.slice(Int.random(in: -d...d, using: &rng), nil, [1, 2, -1, -3].randomElement(using: &rng)!))
                }
            }
            let positions = try Reference(shape: shape, values: (0..<n).map(Double.init)).indexed(index)
            // The value: a transposed view of random numbers, of the window's shape reversed.
            let wshape = positions.shape
            let source = try Tensor(shape: wshape.reversed(), data: (0..<positions.values.count).map { _ in Double(Int.random(in: -9...9, using: &rng)) })
            let value = try source.transposed()
            // The tensor written: an array, or (as often) a view whose elements are the same.
            var x = try Tensor(shape: shape, data: (0..<n).map { Double($0) * 10 })
            if Bool.random(using: &rng) {
                x = try Tensor(shape: shape.reversed(), data: x.transposed().data).transposed()
                #expect(x.isView || shape.filter { $0 > 1 }.count <= 1)   // else the transpose is the array itself
            }
            var expected = x.data
            let add = Bool.random(using: &rng)
            for (k, p) in positions.values.enumerated() {
                expected[Int(p)] = add ? expected[Int(p)] + value.data[k] : value.data[k]
            }
            if add { try x.add(at: index, value) } else { try x.assign(index, value) }
            #expect(x.data == expected, "trial \(trial): \(shape) \(index) add: \(add)")
        }
        // A value that is a view of the tensor written (numpy copies it first).
        var r = a
        try r.assign([.all, .slice(nil, nil, -1)], r)
        #expect(r.data == [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8])
        var s = try Tensor(shape: [3, 3], data: (0..<9).map(Double.init))
        try s.assign([], s.transposed())
        #expect(s.data == [0, 3, 6, 1, 4, 7, 2, 5, 8])
    }

    @Test func reshapesOfStridedViewsShareStorageWhenStridesAllow() throws {
        let column = try a[[.all, .at(1)]]                 // (3,), stride 4
        #expect(try column.reshaped([3, 1]).sharesStorage(with: a))
        #expect(try column.reshaped([1, 3, 1]).data == [1, 5, 9])
        let block = try a.transposed()[[.slice(0, 2, nil)]]   // (2, 3), strides (1, 4)
        #expect(try block.reshaped([2, 3, 1]).sharesStorage(with: a))
        #expect(try !block.reshaped([6]).sharesStorage(with: a))   // not in row order: a copy
        #expect(try block.reshaped([6]).data == [0, 4, 8, 1, 5, 9])
        let everyOther = try Tensor(shape: [4, 6], data: (0..<24).map(Double.init))[[.all, .slice(nil, nil, 2)]]   // (4, 3)
        #expect(try everyOther.reshaped([2, 2, 3]).sharesStorage(with: everyOther))   // the row axis splits
        #expect(try everyOther.reshaped([2, 2, 3]).data == everyOther.data)
    }

    @Test func gemmReadsTransposesAndBlocksInPlace() throws {
        let w = try Tensor(shape: [5, 6], data: (0..<30).map { Double($0 % 11) - 4 })
        let x = try Tensor(shape: [4, 5], data: (0..<20).map { Double($0 % 5) + 1 })
        func dense(_ t: Tensor) throws -> Tensor { try Tensor(shape: t.shape, data: t.data) }
        let operands: [(Tensor, Tensor)] = [
            (x, w), (try w.transposed(), try x.transposed()),
            (try x[[.slice(1, 3, nil)]], w), (x, try w[[.all, .slice(2, 5, nil)]]),
            (try w[[.slice(1, 4, nil), .slice(2, 5, nil)]], try w[[.slice(0, 3, nil), .at(1)]].reshaped([3, 1])),
            (try w.transposed()[[.at(2)]].reshaped([1, 5]), w),
            (try x[[.at(0)]].broadcast(to: [3, 5]), w),
        ]
        for (l, r) in operands {
            #expect(try Tensor.matmul(l, r) == Tensor.matmul(dense(l), dense(r)))
        }
        // The transposed views' BLAS form: their original storage, flagged as transposed.
        #expect(try w.transposed().blasOperand.transposed && w.transposed().blasOperand.ld == 6)
        #expect(try w[[.all, .slice(2, 5, nil)]].blasOperand.ld == 6)
        #expect(try w[[.all, .slice(nil, nil, 2)]].blasOperand.ld == 3)   // gathered first: BLAS needs unit steps
    }
}
