import Foundation
import Testing
import NablaTensor
@testable import NablaAutograd

func v(_ data: [Double]) -> Variable { Variable(Tensor(data)) }
func approx(_ a: Tensor, _ b: [Double], tol: Double = 1e-4) -> Bool {
    a.count == b.count && zip(a.data, b).allSatisfy { Swift.abs($0 - $1) <= tol }
}

/// The lecture's worked numbers, computed independently (by hand or with numpy).
@Suite struct LectureValues {
    @Test func softmaxOfCatScores() throws {
        let p = try F.softmax(v([3.2, 5.1, -1.7]))
        #expect(approx(p.value, [0.1300, 0.8690, 0.0010]))
        // −ln 0.13 = 2.04: the cross entropy of the cat image.
        #expect(approx(try F.softmaxCrossEntropy(v([3.2, 5.1, -1.7]), Variable(0)).value, [2.0404]))
        #expect(approx(try F.crossEntropy(p, Variable(0)).value, [2.0404]))
    }

    @Test func hingeOfCatCarFrog() throws {
        // Columns of the lecture's score table, one row per image.
        let s = Variable(t([3, 3], [3.2, 5.1, -1.7, 1.3, 4.9, 2.0, 2.2, 2.5, -3.1]))
        let l = try F.hinge(s, Variable(t([3], [0, 1, 2])))
        #expect(approx(l.value, [2.9, 0, 12.9], tol: 1e-9))
        #expect(approx(try l.mean().value, [5.2667]))
    }

    @Test func softmaxAndHingeOfTenNineNine() throws {
        let s = v([10, 9, 9])
        #expect(approx(try F.softmaxCrossEntropy(s, Variable(0)).value, [0.5514]))
        #expect(try F.hinge(s, Variable(0)).value.data == [0])
    }

    @Test func entropyAndNormal() throws {
        #expect(approx(try F.entropy(v([0.5, 0.5])).value, [0.6931]))
        #expect(approx(try F.entropy(v([Double](repeating: 1.0 / 6, count: 6))).value, [1.7918]))
        #expect(approx(try F.entropy(v([0.5, 0.5]), base: 2).value, [1]))
        #expect(approx(try F.entropy(v([1, 0])).value, [0]))  // 0·ln 0 counts as 0
        #expect(approx(try F.normalPdf(Variable(5), mean: Variable(4), std: Variable(0.5)).value, [0.1080]))
        #expect(approx(try F.normalPdf(Variable(5), mean: Variable(5), std: Variable(0.5)).value, [0.7979]))
        let cdf = try F.normalCdf(Variable(5), mean: Variable(4), std: Variable(0.5)) - F.normalCdf(Variable(4), mean: Variable(4), std: Variable(0.5))
        #expect(approx(cdf.value, [0.4772]))
        #expect(approx(try F.kl(v([0.5, 0.5]), v([0.9, 0.1])).value, [0.5108]))
    }

    @Test func regularizersOfTheTwoWeightVectors() throws {
        let w1 = v([1, 0, 0, 0]), w2 = v([0.25, 0.25, 0.25, 0.25])
        #expect(try F.l1(w1).value.data == [1] && F.l1(w2).value.data == [1])
        #expect(try F.l2(w1).value.data == [1] && F.l2(w2).value.data == [0.25])
    }

    @Test func sigmoidSlopeAtZero() throws {
        let x = Variable.param(Tensor(0))
        let y = F.sigmoid(x) * 3.0
        #expect(try Autograd.grad(y, wrt: [x])[0].data == [0.75])
    }

    @Test func gradientDescentOnABowl() throws {
        // y = x0² + x1² from (−3, 4) with α = 0.1: each step multiplies x by 0.8.
        let x = Variable.param(Tensor([-3, 4]))
        let opt = SGD([x], lr: 0.1)
        for _ in 0..<2 {
            opt.zeroGrad()
            try Autograd.backward(try (x * x).sum())
            try opt.step()
        }
        #expect(approx(x.value, [-1.92, 2.56], tol: 1e-12))
    }
}

@Suite struct EngineBehaviour {
    @Test func graphIsFreedOnceNothingRefersToIt() throws {
        weak var conv: Variable?, pooled: Variable?, loss: Variable?
        let image = Variable.param(sample([1, 2, 6, 6], seed: 60))
        do {
            let c = try F.conv2d(image, Variable.param(sample([2, 2, 3, 3], seed: 61)), bias: Variable.param(t([2], [0.1, 0.2])))
            let p = try F.maxpool(F.relu(c), size: 2)
            let l = try p.sum()
            try Autograd.backward(l)
            conv = c; pooled = p; loss = l
            #expect(conv != nil)
        }
        #expect(image.grad?.shape == [1, 2, 6, 6])
        #expect(conv == nil && pooled == nil && loss == nil)
    }

    @Test func deepScalarChainDifferentiatesAndFrees() throws {
        let p = Variable.param(Tensor(1))
        weak var last: Variable?
        do {
            var v = p
            for _ in 0..<100_000 { v = v * 1.0001 + 0.5 }   // 200,000 nodes
            try Autograd.backward(v)
            last = v
        }
        // v_n = a^n + 0.5 (a^n − 1)/(a − 1): dv/dp = a^n.
        let expected = Foundation.pow(1.0001, 100_000.0)
        #expect(Swift.abs((p.grad?.scalar ?? 0) - expected) <= 1e-9 * expected)
        #expect(last == nil)
    }

    @Test func valueUsedSeveralTimesAccumulates() throws {
        // micrograd's classic bug: b = a + a must give db/da = 2, not 1.
        let a = Variable.param(Tensor(3))
        let b = try a + a
        try Autograd.backward(b)
        #expect(a.grad?.data == [2])
        let c = try a * a * a   // 3a² = 27
        #expect(try Autograd.grad(c, wrt: [a])[0].data == [27])
        #expect(a.grad?.data == [2])   // grad() leaves .grad alone
        try Autograd.backward(b)       // backward accumulates, as PyTorch
        #expect(a.grad?.data == [4])
    }

    @Test func broadcastGradientsAreReducedToInputShape() throws {
        let b = Variable.param(t([1, 3], [1, 2, 3]))
        let x = Variable(try Tensor.ones([4, 3]))
        try Autograd.backward(try (x + b).sum())
        #expect(b.grad?.shape == [1, 3])
        #expect(b.grad?.data == [4, 4, 4])
    }

    @Test func gradientOfIntermediateAndUnrelated() throws {
        let x = Variable.param(Tensor(2)), z = Variable.param(Tensor(5))
        let y = x * 3.0
        let L = try y * y
        let g = try Autograd.grad(L, wrt: [y, z])
        #expect(g[0].data == [12])
        #expect(g[1].data == [0])
    }

    @Test func nonScalarNeedsSeed() throws {
        let x = Variable.param(Tensor([1, 2]))
        let y = x * 2.0
        #expect(throws: TensorError.self) { try Autograd.backward(y) }
        try Autograd.backward(y, seed: Tensor([1, 10]))
        #expect(x.grad?.data == [2, 20])
        #expect(throws: TensorError.self) { try Autograd.backward(Variable(1.0)) }
    }

    @Test func noGradAndDetach() throws {
        let w = Variable.param(Tensor(2))
        let y = GradMode.with(.off) { w * 3.0 }
        #expect(!y.requiresGrad && y.inputs.isEmpty)
        let d = (w * 3.0).detached()
        #expect(!d.requiresGrad)
        let recorded = GradMode.with(.recordAll) { Variable(1.0) * 2.0 }
        #expect(recorded.inputs.count == 1 && !recorded.requiresGrad)
    }

    @Test func longChainsDoNotOverflowTheStack() throws {
        var x = Variable.param(Tensor(1))
        let root = x
        for _ in 0..<200_000 { x = x * 1.0001 + 0.5 }
        try Autograd.backward(x)
        #expect(approx(root.grad!, [Foundation.pow(1.0001, 200_000)], tol: 1e-3 * Foundation.pow(1.0001, 200_000)))
        x = Variable(0.0)   // releasing 400,000 nodes must not recurse
    }

    @Test func inPlaceUpdateKeepsOldGraphsCorrect() throws {
        let w = Variable.param(Tensor(3))
        let L = try w * w
        try w.update { $0 = $0 - 1 }   // w is now 2, L was computed at 3
        #expect(try Autograd.grad(L, wrt: [w])[0].data == [6])
        #expect(throws: TensorError.self) { try w.update { $0 = Tensor([1, 2]) } }
    }
}

/// The convention at every kink, written down and tested.
@Suite struct KinkConventions {
    func slope(_ x0: Double, _ f: (Variable) throws -> Variable) throws -> Double {
        let x = Variable.param(Tensor(x0))
        return try Autograd.grad(try f(x).sum(), wrt: [x])[0].data[0]
    }

    @Test func pointwise() throws {
        #expect(try slope(0) { F.relu($0) } == 0)
        #expect(try slope(0) { $0.abs() } == 0)
        #expect(try slope(0) { F.leakyRelu($0, alpha: 0.1) } == 0.1)
        #expect(try slope(0) { F.elu($0) } == 1)     // elu(0) + α = 1: continuous slope
        #expect(try slope(0.3) { $0.clip(0, 0.3) } == 1)
        #expect(try slope(1) { try Variable.maximum($0, Variable(1.0)) } == 0.5)
    }

    @Test func tiesInMaxAndMaxpool() throws {
        let x = Variable.param(Tensor([1, 4, 4, 2]))
        #expect(try Autograd.grad(try x.max(), wrt: [x])[0].data == [0, 0.5, 0.5, 0])
        let img = Variable.param(t([2, 2], [3, 3, 1, 3]))
        #expect(try Autograd.grad(try F.maxpool(img, size: 2).sum(), wrt: [img])[0].data == [1, 0, 0, 0])
    }

    @Test func hingeExactlyAtTheMargin() throws {
        // s_1 − s_0 + 1 = 0: the margin is met exactly, the loss is 0 and so is the gradient.
        let s = Variable.param(Tensor([2, 1, -5]))
        let l = try F.hinge(s, Variable(0))
        #expect(l.value.data == [0])
        #expect(try Autograd.grad(l, wrt: [s])[0].data == [0, 0, 0])
    }
}

@Suite struct Stability {
    @Test func softmaxOfLargeScores() throws {
        #expect(try F.softmax(v([1000, 0])).value.data == [1, 0])
        #expect(try F.logSoftmax(v([1000, 0])).value.data.allSatisfy(\.isFinite))
        #expect(try F.softmaxCrossEntropy(v([1000, 0]), Variable(1)).value.data == [1000])
        #expect(F.sigmoid(v([-1000, 1000])).value.data == [0, 1])
        #expect(F.softplus(v([1000])).value.data == [1000])
    }

    @Test func logOfZeroInsideLosses() throws {
        let ce = try F.crossEntropy(v([0, 1]), Variable(0))
        #expect(ce.value.data[0].isFinite && ce.value.data[0] > 27)
        #expect(try F.bce(v([0, 1]), v([1, 0])).value.data[0].isFinite)
        #expect(Variable(0.0).log().value.data == [-Double.infinity])
    }
}

/// The fused row loops give the bits the composed tensor ops give.
@Suite struct FusedRows {
    /// Bitwise equality, NaN equal to NaN.
    func same(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && zip(a.data, b.data).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// Rows of random scores, one with ±inf, one with a NaN, one of equal values, one with −0.
    func scores() throws -> Tensor {
        var rng = Xoshiro256(seed: 7)
        var d = try Tensor.randn([6, 5], using: &rng).data.map { $0 * 30 }
        d[5] = .infinity; d[7] = -.infinity; d[11] = .nan
        for k in 15..<20 { d[k] = 2.5 }
        d[20] = -0.0; d[21] = 0.0
        return try Tensor(shape: [6, 5], data: d)
    }

    @Test func logSoftmaxRowsMatchTheComposedOps() throws {
        let x = try scores()
        let shifted = try x - x.max(axis: 1, keepdims: true)
        let composed = try shifted - shifted.exp().sum(axis: 1, keepdims: true).log()
        #expect(same(try F.logSoftmax(Variable(x)).value, composed))
        #expect(same(try F.logSoftmax(Variable(x), axis: 1).value, composed))
        // Rank 1 and rank 3 take the same row path.
        let row = try x.reshaped([30]), s1 = try row - row.max(axis: 0, keepdims: true)
        #expect(same(try F.logSoftmax(Variable(row)).value, try s1 - s1.exp().sum(axis: 0, keepdims: true).log()))
        let x3 = try x.reshaped([2, 3, 5]), s3 = try x3 - x3.max(axis: 2, keepdims: true)
        #expect(same(try F.logSoftmax(Variable(x3)).value, try s3 - s3.exp().sum(axis: 2, keepdims: true).log()))
    }

    @Test func softmaxCrossEntropyMatchesTheComposedOps() throws {
        let x = try scores()
        let labels = try Tensor(shape: [6], data: [0, 4, 2, 1, 3, 0])
        let shifted = try x - x.max(axis: 1, keepdims: true)
        let ls = try shifted - shifted.exp().sum(axis: 1, keepdims: true).log()
        let per = try -(Tensor.onehot(labels, classes: 5) * ls).sum(axis: -1)
        #expect(same(try F.softmaxCrossEntropy(Variable(x), Variable(labels), reduction: .none).value, per))
        #expect(same(try F.softmaxCrossEntropy(Variable(x), Variable(labels)).value, try per.mean()))
        #expect(same(try F.softmaxCrossEntropy(Variable(x), Variable(labels), reduction: .sum).value, try per.sum()))
    }
}

@Suite struct Misuse {
    @Test func shapeErrorsNameBothShapes() {
        let e = TensorError.matmul(lhs: [3], rhs: [2], inner: 3, other: 2)
        #expect(throws: e) { try Variable.matmul(v([1, 2, 3]), v([1, 2])) }
        #expect(throws: TensorError.self) { try F.hinge(Variable(t([2, 3], [1, 2, 3, 4, 5, 6])), v([0])) }
        #expect(throws: TensorError.self) { try F.hinge(Variable(t([1, 3], [1, 2, 3])), v([3])) }
        #expect(throws: TensorError.self) { try F.crossEntropy(v([0.5, 0.5]), v([1, 0, 0])) }
        #expect(throws: TensorError.self) { try F.conv2d(Variable(try Tensor.zeros([1, 2, 5, 5])), Variable(try Tensor.zeros([1, 3, 3, 3]))) }
        #expect(throws: TensorError.self) { try F.conv2d(Variable(try Tensor.zeros([3, 3])), Variable(try Tensor.zeros([5, 5]))) }
        #expect(throws: TensorError.self) { try F.maxpool(Variable(try Tensor.zeros([4, 4])), size: 0) }
        #expect(throws: TensorError.self) { try F.normalPdf(Variable(1), mean: Variable(0), std: Variable(0)) }
        #expect(throws: TensorError.self) { try F.dropout(Variable(1), p: 1) }
    }
}

@Suite struct CNNShapes {
    @Test func lectureFiveByFive() throws {
        let x = Variable(try Tensor.arange(0, 25).reshaped([5, 5]))
        let k = Variable(try Tensor.ones([3, 3]))
        #expect(try F.conv2d(x, k).value.shape == [3, 3])
        #expect(try F.conv2d(x, k, padding: 1).value.shape == [5, 5])
        #expect(try F.conv2d(x, k, stride: 2).value.shape == [2, 2])
        #expect(try F.conv2d(x, k).value.data[0] == 0 + 1 + 2 + 5 + 6 + 7 + 10 + 11 + 12)
        #expect(try F.maxpool(x, size: 2).value.data == [6, 8, 16, 18])
        #expect(try F.avgpool(x, size: 2, stride: 1).value.shape == [4, 4])
    }

    @Test func batchedConvMatchesDirectSum() throws {
        let x = sample([2, 3, 6, 6], seed: 30), k = sample([4, 3, 3, 3], seed: 31)
        let y = try F.conv2d(Variable(x), Variable(k), stride: 2, padding: 1).value
        #expect(y.shape == [2, 4, 3, 3])
        let xp = try x.padded(1)
        // out[1, 2, 1, 2] directly: Σ_c,u,v xp[1, c, 2 + u, 4 + v] · k[2, c, u, v]
        var direct = 0.0
        for c in 0..<3 { for u in 0..<3 { for w in 0..<3 {
            direct += xp.data[((1 * 3 + c) * 8 + 2 + u) * 8 + 4 + w] * k.data[((2 * 3 + c) * 3 + u) * 3 + w]
        } } }
        #expect(Swift.abs(y.data[((1 * 4 + 2) * 3 + 1) * 3 + 2] - direct) < 1e-12)
    }
}

@Suite struct Optimizers {
    @Test func momentumMatchesTheUpdateRule() throws {
        let w = Variable.param(Tensor([1.0]))
        let opt = Momentum([w], lr: 0.1, momentum: 0.9)
        w.grad = Tensor([2]); try opt.step()          // v = 2, w = 1 − 0.2
        w.grad = Tensor([2]); try opt.step()          // v = 0.9·2 + 2 = 3.8, w = 0.8 − 0.38
        #expect(approx(w.value, [0.42], tol: 1e-12))
    }

    @Test func adamFirstStepIsLrTimesSign() throws {
        let w = Variable.param(Tensor([1.0, -1.0]))
        let opt = Adam([w], lr: 0.01)
        w.grad = Tensor([5, -0.001]); try opt.step()
        #expect(approx(w.value, [0.99, -0.99], tol: 1e-5))
        opt.zeroGrad()
        #expect(w.grad == nil)
        try opt.step()   // no grad: untouched
        #expect(approx(w.value, [0.99, -0.99], tol: 1e-5))
    }

    /// Three Adam steps on a matrix match the update rule written out element by element.
    @Test func adamMatchesTheUpdateRule() throws {
        let start: [Double] = [0.5, -1, 2, 0, 3, -0.25]
        let w = Variable.param(t([2, 3], start))
        let (lr, b1, b2, eps) = (0.05, 0.9, 0.999, 1e-8)
        let opt = Adam([w], lr: lr, beta1: b1, beta2: b2, eps: eps)
        var (expected, m, v) = (start, [Double](repeating: 0, count: 6), [Double](repeating: 0, count: 6))
        for step in 1...3 {
            let g = (0..<6).map { Double($0 * step % 5) - 1.5 }
            w.grad = t([2, 3], g); try opt.step()
            for k in 0..<6 {
                m[k] = b1 * m[k] + (1 - b1) * g[k]; v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k]
                let mhat = m[k] / (1 - pow(b1, Double(step))), vhat = v[k] / (1 - pow(b2, Double(step)))
                expected[k] -= lr * mhat / (vhat.squareRoot() + eps)
            }
        }
        #expect(approx(w.value, expected, tol: 1e-14))
    }

    /// Adam's in-place pass gives the rule's numbers to the bit, written out element by element
    /// in its order of operations, over several steps: on a vector long enough for the
    /// vectorized loop and its tail, with zeros, −0, overflowing and underflowing squares, ±inf
    /// and NaN in the gradients, and on a scalar param beside it (whose state is its own).
    @Test func adamInPlaceMatchesTheRuleBitForBit() throws {
        let n = 37
        let start = (0..<n).map { Double($0 % 7) * 1e-3 - 2e-3 }   // small against η: w − step keeps its low bits
        let (w, s) = (Variable.param(Tensor(start)), Variable.param(Tensor(2.5)))
        let (lr, b1, b2, eps) = (0.3, 0.8, 0.99, 1e-8)
        let opt = Adam([w, s], lr: lr, beta1: b1, beta2: b2, eps: eps)
        var expected = start + [2.5], m = [Double](repeating: 0, count: n + 1), v = m
        for step in 1...4 {
            var g = (0..<n + 1).map { k in 4 * sin(Double(k * 5 + step * 3)) }   // full-precision values
            if step == 2 { g[0] = 0; g[1] = -0.0; g[2] = 1e300; g[3] = 1e-300; g[n] = -1e-170 }
            if step == 3 { g[4] = .nan; g[5] = .infinity; g[6] = -.infinity }
            w.grad = Tensor(Array(g[..<n])); s.grad = Tensor(g[n])
            try opt.step()
            let c1 = 1 - pow(b1, Double(step)), c2 = 1 - pow(b2, Double(step))
            for k in 0...n {
                m[k] = m[k] * b1 + g[k] * (1 - b1)
                v[k] = v[k] * b2 + (g[k] * g[k]) * (1 - b2)
                expected[k] = expected[k] - lr * (m[k] / c1) / ((v[k] / c2).squareRoot() + eps)
            }
            let got = w.value.data + s.value.data
            #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "step \(step)")
            let state = { (t: [Tensor?]) in t.flatMap { $0?.data ?? [] }.map(\.bitPattern) }
            #expect(state(opt.m) == m.map(\.bitPattern) && state(opt.v) == v.map(\.bitPattern), "step \(step)")
        }
        #expect(expected.contains { $0.isNaN } && expected.contains { $0.isFinite })
    }

    /// A param larger than `explain` writes out: the trace keeps the old value's shown elements
    /// (0, 1, 2 and the last), the update writes in place, and a copy taken before it is untouched.
    @Test func largeParamUpdateShowsTheOldValues() throws {
        let start = (0..<12).map { Double($0) / 4 - 1 }, g = (0..<12).map { Double(($0 * 7) % 5) - 2 }
        let makers: [([Variable]) -> Optimizer] = [{ SGD($0, lr: 0.1) }, { Momentum($0, lr: 0.1) }, { Adam($0, lr: 0.1) }, { RMSprop($0, lr: 0.1) }]
        for make in makers {
            let w = Variable.param(Tensor(start))
            let opt = make([w])
            let saved = w.value
            w.grad = Tensor(g); try opt.step()
            #expect(saved.data == start)
            #expect(w.value.data != start)
            // The weight line's substituted step: `w_k − …` for the shown k, the old w_k first.
            let steps = opt.lastUpdate().last?.steps ?? []
            let olds = steps.lazy.compactMap { step -> [Double]? in
                guard case let .vector(items) = step else { return nil }
                let w = items.compactMap { item -> Double? in if case let .sub(.number(x), _) = item { return x }; return nil }
                return w.count == 4 ? w : nil
            }.first
            #expect(olds == [start[0], start[1], start[2], start[11]], "\(type(of: opt))")
        }
    }

    @Test func dropoutIsSeededAndInverted() throws {
        RandomSource.seed(3)
        let a = try F.dropout(Variable(try Tensor.ones([1000])), p: 0.5).value
        RandomSource.seed(3)
        let b = try F.dropout(Variable(try Tensor.ones([1000])), p: 0.5).value
        #expect(a == b)
        #expect(Set(a.data) == [0, 2])
        #expect(try F.dropout(Variable(1), p: 0.5, train: false).value.data == [1])
    }
}

/// conv2d splits its images over the pool: one thread or two give the same bits, forward and
/// backward, and the split version still passes the gradient check.
@Suite(.serialized) struct ConvolutionAcrossThreads {
    func run(width: Int) throws -> [Tensor] {
        let saved = Parallel.width
        Parallel.setWidth(width)
        defer { Parallel.setWidth(saved) }
        let x = Variable.param(sample([7, 3, 9, 8], seed: 70)), k = Variable.param(sample([5, 3, 3, 2], seed: 71))
        let b = Variable.param(sample([5], seed: 72))
        let y = try F.conv2d(x, k, bias: b, stride: 1, padding: 1)
        try Autograd.backward((y * Variable(sample(y.value.shape, seed: 73))).sum())
        return [y.value, x.grad, k.grad, b.grad].compactMap { $0 }
    }

    @Test func sameBitsOnOneAndTwoThreads() throws {
        let one = try run(width: 1), two = try run(width: 2)
        #expect(one.count == 4)
        #expect(one == two)
    }

    /// ReLU and 2×2 max pooling split large tensors over the cores: the same values and
    /// gradients as on one thread, and ReLU as its definition (x > 0 keeps x and g).
    @Test func reluAndPoolingOnOneAndTwoThreads() throws {
        func run(width: Int) throws -> [Tensor] {
            let saved = Parallel.width
            Parallel.setWidth(width)
            defer { Parallel.setWidth(saved) }
            let x = Variable.param(sample([3, 8, 42, 40], seed: 78))
            let y = try F.maxpool(F.relu(x), size: 2)
            try Autograd.backward((y * Variable(sample(y.value.shape, seed: 79))).sum())
            let e = x.value.exp()   // a library call an element: split too
            return [y.value, try #require(x.grad), e]
        }
        let one = try run(width: 1), two = try run(width: 2)
        #expect(one == two)
        let x = sample([3, 8, 42, 40], seed: 78)
        #expect(F.relu(Variable(x)).value.data == x.data.map { $0 > 0 ? $0 : 0 })
        #expect(two[2].data == x.data.map { Foundation.exp($0) })
    }

    /// Keras' channels-last convolution and pooling build and scatter their patches image by
    /// image over the cores: the same values and gradients as on one thread, to rounding (its
    /// one GEMM is split over the cores, and OpenBLAS may sum a part's edge tiles in another order).
    @Test func channelsLastOnOneAndTwoThreads() throws {
        func run(width: Int) throws -> [Tensor] {
            let saved = Parallel.width
            Parallel.setWidth(width)
            defer { Parallel.setWidth(saved) }
            let x = Variable.param(sample([4, 32, 32, 12], seed: 80)), k = Variable.param(sample([3, 3, 12, 12], seed: 81))   // y: 49,152 elements, over the split threshold
            let same = Pads(top: 1, bottom: 1, left: 1, right: 1)
            let y = try F.conv2dChannelsLast(x, k, bias: nil, stride: 1, pads: same)
            let mx = try F.pool2dChannelsLast(y, size: 2, stride: 2, pads: Pads(), max: true)
            let av = try F.pool2dChannelsLast(y, size: 3, stride: 2, pads: same, max: false)
            try Autograd.backward(try (mx * Variable(sample(mx.value.shape, seed: 82))).sum() + (av * Variable(sample(av.value.shape, seed: 83))).sum())
            return [y.value, mx.value, av.value, try #require(x.grad), try #require(k.grad)]
        }
        let one = try run(width: 1), two = try run(width: 2)
        #expect(one.map(\.shape) == two.map(\.shape))
        for (a, b) in zip(one, two) {
            let worst = zip(a.data, b.data).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($0)) }.max() ?? 0
            #expect(worst < 1e-12, "\(a.shape): \(worst)")
        }
    }

    /// An empty batch: the kernel's and the bias's gradients are zeros of their shapes (the
    /// group sums must not assume an image).
    @Test func emptyBatchBackward() throws {
        let k = Variable.param(sample([2, 3, 3, 3], seed: 84)), b = Variable.param(try Tensor.zeros([2]))
        let y = try F.conv2d(Variable(try Tensor.zeros([0, 3, 5, 5])), k, bias: b)
        #expect(y.value.shape == [0, 2, 3, 3])
        try Autograd.backward(y.sum())
        #expect(k.grad?.shape == [2, 3, 3, 3] && k.grad?.data.allSatisfy { $0 == 0 } == true)
        #expect(b.grad?.shape == [2] && b.grad?.data.allSatisfy { $0 == 0 } == true)
    }

    @Test func gradientCheckWithTwoThreads() throws {
        let saved = Parallel.width
        Parallel.setWidth(2)
        defer { Parallel.setWidth(saved) }
        let r = try GradCheck.check([sample([5, 2, 6, 5], seed: 74), sample([3, 2, 3, 3], seed: 75), sample([3], seed: 76)], eps: 1e-6, atol: 1e-5, rtol: 1e-3) { v in
            try (F.conv2d(v[0], v[1], bias: v[2], stride: 2, padding: 1) * Variable(sample([5, 3, 3, 3], seed: 77))).sum()
        }
        #expect(r.passed, "max abs error \(r.maxAbsError)")
    }
}
