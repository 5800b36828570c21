import Testing
import NablaTensor
@testable import NablaAutograd

func t(_ shape: [Int], _ data: [Double]) -> Tensor { try! Tensor(shape: shape, data: data) }

/// Deterministic inputs away from kinks (|x| ≥ 0.1), so finite differences are exact enough.
func sample(_ shape: [Int], seed: UInt64, positive: Bool = false) -> Tensor {
    var g = Xoshiro256(seed: seed)
    let x = try! Tensor.rand(shape, using: &g)
    return x.map { positive ? 0.2 + $0 : ($0 < 0.5 ? -0.1 - $0 : $0 - 0.4) }
}

/// A named scalar function of some inputs, checked against central differences.
struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let inputs: [Tensor]
    let f: @Sendable ([Variable]) throws -> Variable
    var testDescription: String { name }
    init(_ name: String, _ inputs: [Tensor], _ f: @escaping @Sendable ([Variable]) throws -> Variable) {
        self.name = name; self.inputs = inputs; self.f = f
    }
}

let M = sample([3, 4], seed: 1), N = sample([4, 2], seed: 2), P = sample([3, 4], seed: 3, positive: true)
let col = sample([3, 1], seed: 4), row = sample([1, 4], seed: 5)
let probs = t([2, 3], [0.2, 0.5, 0.3, 0.6, 0.1, 0.3])
let labels = t([2], [1, 0])
let image = sample([2, 2, 5, 5], seed: 6), kernels = sample([3, 2, 3, 3], seed: 7)

let cases: [Case] = [
    Case("add (3,1)+(1,4) broadcast", [col, row]) { v in try (v[0] + v[1]).sum() },
    Case("sub", [M, P]) { v in try (v[0] - v[1] * 2.0).sum() },
    Case("mul broadcast row", [M, row]) { v in try (v[0] * v[1]).sum() },
    Case("neg, a value times itself, a constant subtracted", [M]) { v in try ((-v[0]) * v[0] - Variable(P) + v[0] * 0.5 + 0.25).sum() },
    Case("div", [M, P]) { v in try (v[0] / v[1]).sum() },
    Case("pow constant", [P]) { v in try Variable.pow(v[0], 3).sum() },
    Case("pow tensor", [P, M]) { v in try Variable.pow(v[0], v[1]).sum() },
    Case("mod", [P]) { v in try Variable.mod(v[0] * 3.0, Variable(0.7)).sum() },
    Case("matmul 2-d", [M, N]) { v in try Variable.matmul(v[0], v[1]).sum() },
    Case("matmul 1-d @ 2-d", [t([4], [1, 2, -1, 0.5]), N]) { v in try Variable.matmul(v[0], v[1]).sum() },
    Case("matmul 2-d @ 1-d", [M, t([4], [1, 2, -1, 0.5])]) { v in try Variable.matmul(v[0], v[1]).sum() },
    Case("matmul dot", [t([3], [1, 2, 3]), t([3], [0.5, -1, 2])]) { v in try Variable.matmul(v[0], v[1]) },
    Case("matmul batched broadcast", [sample([2, 3, 4], seed: 8), N]) { v in try Variable.matmul(v[0], v[1]).sum() },
    Case("exp log sqrt", [P]) { v in try (v[0].exp() + v[0].log() + v[0].sqrt() + v[0].log2() + v[0].log10()).sum() },
    Case("abs tanh sin cos", [M]) { v in try (v[0].abs() + v[0].tanh() + v[0].sin() + v[0].cos()).sum() },
    Case("clip", [M]) { v in try v[0].clip(-0.3, 0.3).sum() },
    Case("maximum minimum", [M, P]) { v in try (Variable.maximum(v[0], v[1] - 1.0) + Variable.minimum(v[0], v[1] * 0.5)).sum() },
    Case("sum axis 0", [M]) { v in try (v[0].sum(axis: 0) * Variable(t([4], [1, 2, 3, 4]))).sum() },
    Case("sum axis 1 keepdims", [M]) { v in try (v[0].sum(axis: 1, keepdims: true) * Variable(col)).sum() },
    Case("mean axis -1", [M]) { v in try (v[0].mean(axis: -1) * Variable(t([3], [1, -2, 3]))).sum() },
    Case("max axis 0", [M]) { v in try (v[0].max(axis: 0) * Variable(t([4], [1, 2, 3, 4]))).sum() },
    Case("min axis 1", [M]) { v in try (v[0].min(axis: 1) * Variable(t([3], [1, 2, 3]))).sum() },
    Case("max all", [M]) { v in try v[0].max() },
    Case("prod axis 1", [M]) { v in try v[0].prod(axis: 1).sum() },
    Case("prod all", [t([4], [0.5, -2, 1.5, 0.8])]) { v in try v[0].prod() },
    Case("variance std", [M]) { v in try (v[0].variance(axis: 0) + v[0].std()).sum() },
    Case("norm 2 axis", [M]) { v in try v[0].norm(axis: 1).sum() },
    Case("norm 1 and inf", [M]) { v in try v[0].norm(ord: 1) + v[0].norm(ord: .infinity) },
    Case("reshape transpose", [M]) { v in try (v[0].reshaped([2, 6]).transposed() * Variable(sample([6, 2], seed: 9))).sum() },
    Case("transpose axes", [sample([2, 3, 4], seed: 10)]) { v in try (v[0].transposed([1, 2, 0]) * Variable(sample([3, 4, 2], seed: 11))).sum() },
    Case("concat stack", [M, P]) { v in try (Variable.concat([v[0], v[1]], axis: 1) * Variable(sample([3, 8], seed: 12))).sum() + Variable.stack([v[0], v[1]]).max() },
    Case("index slice and list", [M]) { v in try (v[0].indexed([.slice(nil, nil, -1), .list([0, 0, 3])]) * Variable(sample([3, 3], seed: 13))).sum() },
    // Views: strided and reversed slices, a transpose read in place by GEMM, a reshape of a view.
    Case("strided slice views", [M]) { v in
        try (v[0].indexed([.slice(nil, nil, -2), .slice(1, nil, 2)]) * Variable(sample([2, 2], seed: 15))).sum()
            + (v[0].indexed([.newAxis, .all, .at(-1)]) * Variable(sample([1, 3], seed: 16))).sum()
    },
    Case("matmul of views", [M, N]) { v in
        try (Variable.matmul(v[0].transposed().indexed([.slice(1, 3, nil)]), v[0].indexed([.all, .slice(0, 2, nil)]))
            * Variable(sample([2, 2], seed: 17))).sum() + Variable.matmul(v[1].transposed(), v[0].transposed()).sum()
    },
    Case("reshape of a column view", [M]) { v in
        try (v[0].indexed([.all, .at(2)]).reshaped([1, 3, 1]) * Variable(sample([1, 3, 1], seed: 18))).sum()
    },
    Case("setitem", [M, t([4], [1, 2, 3, 4])]) { v in try (Variable.replacing(v[0], [.at(1)], with: v[1]) * Variable(P)).sum() },
    Case("pad", [M]) { v in try (v[0].padded(1) * Variable(sample([5, 6], seed: 14))).sum() },
    Case("sigmoid", [M]) { v in try (F.sigmoid(v[0]) * Variable(P)).sum() },
    Case("relu", [M]) { v in try (F.relu(v[0]) * Variable(P)).sum() },
    Case("leaky_relu", [M]) { v in try (F.leakyRelu(v[0], alpha: 0.1) * Variable(P)).sum() },
    Case("elu", [M]) { v in try (F.elu(v[0]) * Variable(P)).sum() },
    Case("softplus", [M]) { v in try (F.softplus(v[0]) * Variable(P)).sum() },
    Case("softmax", [M]) { v in try (F.softmax(v[0]) * Variable(P)).sum() },
    Case("softmax axis 0", [M]) { v in try (F.softmax(v[0], axis: 0) * Variable(P)).sum() },
    Case("log_softmax", [M]) { v in try (F.logSoftmax(v[0]) * Variable(P)).sum() },
    Case("maxout", [M, P]) { v in try (F.maxout([v[0], v[1] - 0.7]) * Variable(P)).sum() },
    Case("mse", [M, P]) { v in try F.mse(v[0], v[1]) },
    Case("mae", [M, P]) { v in try F.mae(v[0], v[1]) },
    Case("bce", [probs]) { v in try F.bce(v[0], Variable(t([2, 3], [0, 1, 0, 1, 0, 1]))) },
    Case("bce_logits", [M]) { v in try F.bceLogits(v[0], Variable(P.map { $0 - 0.2 })) },
    Case("cross_entropy one-hot", [probs]) { v in try F.crossEntropy(v[0], Variable(t([2, 3], [0, 1, 0, 1, 0, 0]))) },
    Case("cross_entropy indices", [probs]) { v in try F.crossEntropy(v[0], Variable(labels)) },
    Case("softmax_cross_entropy", [M]) { v in try F.softmaxCrossEntropy(v[0], Variable(t([3], [0, 3, 1]))) },
    Case("softmax_cross_entropy per sample, target rows not summing to 1", [M]) { v in
        try (F.softmaxCrossEntropy(v[0], Variable(P), reduction: .none) * Variable(t([3], [0.5, -1, 2]))).sum()
    },
    Case("softmax_cross_entropy summed, one sample", [t([4], [0.3, -1.2, 2, 0.1])]) { v in
        try F.softmaxCrossEntropy(v[0], Variable(t([], [2])), reduction: .sum) * 1.5
    },
    Case("hinge", [M]) { v in try F.hinge(v[0], Variable(t([3], [0, 3, 1]))).sum() },
    Case("l1 l2 elastic", [M]) { v in try F.l1(v[0]) + F.l2(v[0]) + F.elasticNet(v[0], l1: 0.3, l2: 0.2) },
    Case("entropy", [probs]) { v in try F.entropy(v[0], base: 2).sum() },
    Case("cross entropy of distributions", [probs.map { 1 - $0 }]) { v in try F.crossEntropy(v[0], Variable(probs), reduction: .sum) },
    Case("kl", [probs, probs.map { ($0 + 0.1) / 1.3 }]) { v in try F.kl(v[0], v[1]).sum() },
    Case("normal pdf in x, mean, std", [t([3], [4.5, 5, 3.8]), t([], [4.2]), t([], [0.6])]) { v in
        try F.normalPdf(v[0], mean: v[1], std: v[2]).sum()
    },
    Case("normal cdf", [t([3], [4.5, 5, 3.8]), t([], [4.2]), t([], [0.6])]) { v in try F.normalCdf(v[0], mean: v[1], std: v[2]).sum() },
    Case("log likelihood", [t([4], [4.1, 5.2, 3.9, 4.6]), t([], [4.4]), t([], [0.7])]) { v in try F.logLikelihood(v[0], mean: v[1], std: v[2]) },
    Case("conv2d stride 1", [image, kernels]) { v in try (F.conv2d(v[0], v[1]) * Variable(sample([2, 3, 3, 3], seed: 15))).sum() },
    Case("conv2d stride 2 padding 1 bias", [image, kernels, t([3], [0.1, -0.2, 0.3])]) { v in
        try (F.conv2d(v[0], v[1], bias: v[2], stride: 2, padding: 1) * Variable(sample([2, 3, 3, 3], seed: 16))).sum()
    },
    Case("conv2d plain 2-d", [sample([5, 5], seed: 17), sample([3, 3], seed: 18)]) { v in try (F.conv2d(v[0], v[1], padding: 1) * Variable(sample([5, 5], seed: 19))).sum() },
    Case("maxpool", [image]) { v in try (F.maxpool(v[0], size: 2, stride: 1) * Variable(sample([2, 2, 4, 4], seed: 20))).sum() },
    Case("avgpool", [image]) { v in try (F.avgpool(v[0], size: 2) * Variable(sample([2, 2, 2, 2], seed: 21))).sum() },
    Case("conv2d stride 3, rectangular image and kernel, batch 3", [sample([3, 2, 7, 8], seed: 40), sample([2, 2, 2, 3], seed: 41), t([2], [0.3, -0.1])]) { v in
        try (F.conv2d(v[0], v[1], bias: v[2], stride: 3) * Variable(sample([3, 2, 2, 2], seed: 42))).sum()
    },
    Case("conv2d stride 1 padding 2, one input channel", [sample([2, 1, 4, 6], seed: 43), sample([4, 1, 3, 3], seed: 44)]) { v in
        try (F.conv2d(v[0], v[1], padding: 2) * Variable(sample([2, 4, 6, 8], seed: 45))).sum()
    },
    Case("maxpool stride beyond size (gaps), rectangular", [sample([2, 3, 7, 9], seed: 46)]) { v in
        try (F.maxpool(v[0], size: 2, stride: 3) * Variable(sample([2, 3, 2, 3], seed: 47))).sum()
    },
    Case("maxpool 2×2 stride 2, odd height and width (last row and column in no window)", [sample([2, 3, 5, 7], seed: 52)]) { v in
        try (F.maxpool(v[0], size: 2) * Variable(sample([2, 3, 2, 3], seed: 53))).sum()
    },
    Case("maxpool 3×3 stride 2 overlapping", [sample([1, 2, 7, 7], seed: 48)]) { v in
        try (F.maxpool(v[0], size: 3, stride: 2) * Variable(sample([1, 2, 3, 3], seed: 49))).sum()
    },
    Case("avgpool 3×3 stride 1 overlapping", [sample([2, 1, 5, 6], seed: 50)]) { v in
        try (F.avgpool(v[0], size: 3, stride: 1) * Variable(sample([2, 1, 3, 4], seed: 51))).sum()
    },
    Case("conv2d channels-last, uneven pads, stride 2, bias", [sample([2, 5, 6, 2], seed: 60), sample([3, 2, 2, 3], seed: 61), t([3], [0.2, -0.3, 0.1])]) { v in
        try (F.conv2dChannelsLast(v[0], v[1], bias: v[2], stride: 2, pads: Pads(top: 1, bottom: 1, left: 0, right: 1)) * Variable(sample([2, 3, 3, 3], seed: 62))).sum()
    },
    Case("conv2d channels-last 3×3 valid", [sample([2, 5, 5, 3], seed: 63), sample([3, 3, 3, 2], seed: 64)]) { v in
        try (F.conv2dChannelsLast(v[0], v[1], bias: nil, stride: 1, pads: Pads()) * Variable(sample([2, 3, 3, 2], seed: 65))).sum()
    },
    Case("maxpool channels-last, pads after", [sample([2, 5, 5, 3], seed: 66)]) { v in
        try (F.pool2dChannelsLast(v[0], size: 2, stride: 2, pads: Pads(bottom: 1, right: 1), max: true) * Variable(sample([2, 3, 3, 3], seed: 67))).sum()
    },
    Case("avgpool channels-last 3×3 stride 1, pads 1 (mean of the real elements)", [sample([1, 4, 5, 2], seed: 68)]) { v in
        try (F.pool2dChannelsLast(v[0], size: 3, stride: 1, pads: Pads(top: 1, bottom: 1, left: 1, right: 1), max: false) * Variable(sample([1, 4, 5, 2], seed: 69))).sum()
    },
    Case("batchnorm (N, D)", [M, t([4], [1, 2, 0.5, -1]), t([4], [0, 0.1, 0.2, 0.3])]) { v in
        try (F.batchnorm(v[0], gamma: v[1], beta: v[2]) * Variable(P)).sum()
    },
    Case("batchnorm (N, C, H, W)", [sample([2, 2, 3, 3], seed: 22), t([2], [1.5, 0.5]), t([2], [0, 1])]) { v in
        try (F.batchnorm(v[0], gamma: v[1], beta: v[2]) * Variable(sample([2, 2, 3, 3], seed: 23))).sum()
    },
    Case("a value reached by paths of different lengths", [t([2], [0.3, -0.4])]) { v in
        let a = v[0] * 2.0
        let b = try (a * 3.0 + 1.0).exp() * a
        return try (b + a + a * a).sum()
    },
    Case("a value used twice", [t([], [0.7])]) { v in try v[0] * v[0] + v[0] },
]

@Suite struct GradientChecks {
    @Test(arguments: cases)
    func matchesFiniteDifferences(_ c: Case) throws {
        let r = try GradCheck.check(c.inputs, eps: 1e-6, atol: 1e-5, rtol: 1e-3, c.f)
        #expect(r.passed, "\(c.name): max abs error \(r.maxAbsError), rel \(r.maxRelError)")
    }

    @Test func gradcheckCatchesAWrongRule() throws {
        // A deliberately wrong derivative (d/dx x² claimed to be x) must fail the check.
        let r = try GradCheck.check([t([2], [1, 2])]) { v in
            let x = v[0].value
            return try Variable.make(.powScalar(2), try x * x, [v[0]]) { g in [try g * x] }.sum()
        }
        #expect(!r.passed)
    }
}

@Suite struct PoolingConventions {
    /// A NaN in a window makes its max NaN and takes the gradient (the first NaN), as PyTorch;
    /// channels-first and channels-last pooling agree.
    @Test func maxpoolNaNWinsInBothLayouts() throws {
        let data: [Double] = [1, .nan, 3, 2, 5, 2, 0, 4, 9, 9, 1, 1, 7, 8, 6, 2]
        let first = Variable.param(t([1, 1, 4, 4], data)), last = Variable.param(t([1, 4, 4, 1], data))
        let a = try F.maxpool(first, size: 2), b = try F.pool2dChannelsLast(last, size: 2, stride: 2, pads: Pads(), max: true)
        #expect(a.value.data[0].isNaN && b.value.data[0].isNaN)
        #expect(Array(a.value.data.dropFirst()) == [4, 9, 6] && Array(b.value.data.dropFirst()) == [4, 9, 6])
        try Autograd.backward(try (a * Variable(t([1, 1, 2, 2], [1, 2, 3, 4]))).sum())
        try Autograd.backward(try (b * Variable(t([1, 2, 2, 1], [1, 2, 3, 4]))).sum())
        let expected: [Double] = [0, 1, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0, 4, 0]
        #expect(first.grad?.data == expected && last.grad?.data == expected)
    }

    /// The unrolled 2×2 stride-2 max pooling agrees with channels-last pooling (separate code)
    /// in values and gradients on odd extents, with ties, infinities and NaNs in the windows:
    /// narrow rows (window by window) and wide ones (the vectorized row loop), specials dense
    /// (a NaN in most rows, which are redone window by window) and sparse (many rows without).
    @Test(arguments: [(5, 7, 5), (6, 27, 37), (5, 21, 11)])
    func maxpool2x2MatchesChannelsLast(h: Int, w: Int, every: Int) throws {
        var rng = Xoshiro256(seed: 70)
        let (n, c) = (2, 3)
        let special: [Double] = [.nan, .infinity, -.infinity, 1, 1, 0]
        let data = try Tensor.rand([n * c * h * w], using: &rng).data.enumerated().map { k, u in
            k % every == 0 ? special[(k / every) % special.count] : (u * 4).rounded()   // rounding makes ties
        }
        let first = Variable.param(t([n, c, h, w], data))
        let last = Variable.param(try first.value.transposed([0, 2, 3, 1]))
        let a = try F.maxpool(first, size: 2)
        let b = try F.pool2dChannelsLast(last, size: 2, stride: 2, pads: Pads(), max: true)
        let same: ([Double], [Double]) -> Bool = { x, y in x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
        #expect(same(a.value.data, try b.value.transposed([0, 3, 1, 2]).data))
        #expect(a.value.data.contains { $0.isNaN } && a.value.data.contains { $0 == .infinity })
        let seed = try Tensor.rand([n, c, h / 2, w / 2], using: &rng)
        try Autograd.backward(try (a * Variable(seed)).sum())
        try Autograd.backward(try (b * Variable(try seed.transposed([0, 2, 3, 1]))).sum())
        let ga = try #require(first.grad), gb = try #require(last.grad)
        #expect(ga.data == (try gb.transposed([0, 3, 1, 2])).data)
    }
}
