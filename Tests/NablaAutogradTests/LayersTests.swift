import Foundation
import Testing
import NablaTensor
@testable import NablaAutograd

// Keras layers: forwards against references written here independently (plain loops over
// channels-last arrays), gradients against finite differences, parameter counts against the
// numbers Keras prints, training on the shipped digits, EarlyStopping, and bad input.

/// Sets a weight's value.
private func set(_ w: Variable?, _ v: Tensor) throws {
    guard let w else { throw TensorError.argument(op: "test", message: "weight missing") }
    try w.update { $0 = v }
}

private func close(_ a: Tensor, _ b: [Double], tol: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a.data, b).allSatisfy { Swift.abs($0 - $1) <= tol * Swift.max(1, Swift.abs($1)) }
}

/// Reference 2-d convolution, channels-last, with Keras' padding (extra row/column after).
private func referenceConv(_ x: Tensor, _ k: Tensor, _ b: [Double], stride s: Int, same: Bool) -> (shape: [Int], data: [Double]) {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]), (kh, kw, f) = (k.shape[0], k.shape[1], k.shape[3])
    let oh = same ? (h + s - 1) / s : (h - kh) / s + 1, ow = same ? (w + s - 1) / s : (w - kw) / s + 1
    let pt = same ? max((oh - 1) * s + kh - h, 0) / 2 : 0, pl = same ? max((ow - 1) * s + kw - w, 0) / 2 : 0
    var out = [Double]()
    for bi in 0..<n { for i in 0..<oh { for j in 0..<ow { for fi in 0..<f {
        var acc = b[fi]
        for u in 0..<kh { for v in 0..<kw { for ci in 0..<c {
            let (r, q) = (i * s + u - pt, j * s + v - pl)
            guard r >= 0, r < h, q >= 0, q < w else { continue }
            acc += x.data[((bi * h + r) * w + q) * c + ci] * k.data[((u * kw + v) * c + ci) * f + fi]
        } } }
        out.append(acc)
    } } } }
    return ([n, oh, ow, f], out)
}

/// Reference pooling, channels-last; 'same' ignores padded positions (max over, or mean of, the real ones).
private func referencePool(_ x: Tensor, size k: Int, stride s: Int, same: Bool, max isMax: Bool) -> (shape: [Int], data: [Double]) {
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = same ? (h + s - 1) / s : (h - k) / s + 1, ow = same ? (w + s - 1) / s : (w - k) / s + 1
    let pt = same ? max((oh - 1) * s + k - h, 0) / 2 : 0, pl = same ? max((ow - 1) * s + k - w, 0) / 2 : 0
    var out = [Double]()
    for bi in 0..<n { for i in 0..<oh { for j in 0..<ow { for ci in 0..<c {
        var vals = [Double]()
        for u in 0..<k { for v in 0..<k {
            let (r, q) = (i * s + u - pt, j * s + v - pl)
            if r >= 0, r < h, q >= 0, q < w { vals.append(x.data[((bi * h + r) * w + q) * c + ci]) }
        } }
        out.append(isMax ? vals.max()! : vals.reduce(0, +) / Double(vals.count))
    } } } }
    return ([n, oh, ow, c], out)
}

/// ∂f/∂w by autograd against central differences, for every weight of a layer and the input.
private func checkGradients(_ layer: Layer, _ x: Tensor, training: Bool = false, weights: [Variable]? = nil) throws {
    let xv = Variable.param(x)
    let probe = sample(try layer.build(Array(x.shape.dropFirst())).reduce([x.shape[0]]) { $0 + [$1] }, seed: 99)
    func f() throws -> Variable { try (layer.call(xv, training: training) * Variable(probe)).sum() }
    let ws = weights ?? layer.trainableWeights
    let analytic = try Autograd.grad(try f(), wrt: [xv] + ws)
    for (k, w) in ([xv] + ws).enumerated() {
        for j in 0..<w.value.count {
            let orig = w.value.data[j]
            func at(_ d: Double) throws -> Double {
                try w.update { var a = $0.data; a[j] = orig + d; $0 = try Tensor(shape: $0.shape, data: a) }
                return try GradMode.with(.off) { try f().value.data[0] }
            }
            let eps = 1e-6
            let numeric = (try at(eps) - at(-eps)) / (2 * eps)
            _ = try at(0)
            let a = analytic[k].data[j]
            #expect(Swift.abs(a - numeric) <= 1e-5 + 1e-4 * Swift.abs(numeric), "\(layer.kind) ∂/∂\(w.name ?? "x")[\(j)]: autograd \(a), numeric \(numeric)")
        }
    }
}

@Suite struct LayerTests {
    @Test func denseForwardAndParams() throws {
        let d = try Dense(units: 2, activation: .relu, inputShape: [3])
        #expect(try d.build([3]) == [2])
        #expect(d.paramCount == 3 * 2 + 2)
        try set(d.kernel, t([3, 2], [1, -1, 2, 0.5, -3, 1]))
        try set(d.bias, t([2], [0.5, -0.25]))
        let y = try d.call(Variable(t([2, 3], [1, 2, 3, -1, 0, 1])), training: false)
        // row 1: (1 + 4 − 9 + 0.5, −1 + 1 + 3 − 0.25) = (−3.5, 2.75) → relu (0, 2.75); row 2: (−1 − 3 + 0.5, 1 + 1 − 0.25) → (0, 1.75)
        #expect(close(y.value, [0, 2.75, 0, 1.75]))
        #expect(d.kernel?.name == "dense.kernel")
    }

    @Test func glorotUniformIsSeededAndBounded() throws {
        RandomSource.seed(3)
        let a = try Dense(units: 50, inputShape: [30]); try a.build([30])
        RandomSource.seed(3)
        let b = try Dense(units: 50, inputShape: [30]); try b.build([30])
        #expect(a.kernel?.value == b.kernel?.value)
        let limit = (6.0 / 80).squareRoot()
        #expect(a.kernel!.value.data.allSatisfy { Swift.abs($0) <= limit })
        #expect(a.kernel!.value.data.max()! > 0.8 * limit)
        #expect(a.bias!.value.data.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [(1, false, 3), (1, true, 3), (2, true, 3), (2, false, 2), (1, true, 2), (2, true, 2)])
    func conv2dMatchesReference(stride: Int, same: Bool, k: Int) throws {
        let c = try Conv2D(filters: 3, kernelSize: (k, k), strides: (stride, stride), padding: same ? .same : .valid)
        let x = sample([2, 5, 6, 2], seed: 11)
        try c.build([5, 6, 2])
        let kern = sample([k, k, 2, 3], seed: 12), bias = [0.1, -0.2, 0.3]
        try set(c.kernel, kern); try set(c.bias, t([3], bias))
        let y = try c.call(Variable(x), training: false)
        let ref = referenceConv(x, kern, bias, stride: stride, same: same)
        #expect(y.value.shape == ref.shape)
        #expect(c.outputShape == Array(ref.shape.dropFirst()))
        #expect(close(y.value, ref.data))
    }

    @Test(arguments: [(2, 2, false), (2, 2, true), (3, 2, true), (3, 1, true), (2, 1, false)])
    func poolingMatchesReference(size: Int, stride: Int, same: Bool) throws {
        let x = sample([2, 5, 5, 3], seed: 13)
        for isMax in [true, false] {
            let p = try Pooling2D(max: isMax, poolSize: (size, size), strides: (stride, stride), padding: same ? .same : .valid, kind: isMax ? "MaxPooling2D" : "AveragePooling2D")
            let y = try p.call(Variable(x), training: false)
            let ref = referencePool(x, size: size, stride: stride, same: same, max: isMax)
            #expect(y.value.shape == ref.shape)
            #expect(close(y.value, ref.data))
        }
    }

    @Test func flattenKeepsChannelsLastOrder() throws {
        let x = sample([2, 2, 3, 4], seed: 14)
        let y = try Flatten().call(Variable(x), training: false)
        #expect(y.value.shape == [2, 24])
        #expect(y.value.data == x.data)
    }

    @Test func dropoutOnlyWhileTraining() throws {
        let d = try Dropout(rate: 0.5)
        let x = Variable(try Tensor.ones([4, 100]))
        #expect(try d.call(x, training: false).value == x.value)
        RandomSource.seed(1)
        let y = try d.call(x, training: true).value
        #expect(y.data.allSatisfy { $0 == 0 || $0 == 2 })
        let kept = y.data.filter { $0 == 2 }.count
        #expect(kept > 150 && kept < 250)
    }

    @Test func batchNormalizationTrainingAndInference() throws {
        let bn = try BatchNormalization()
        let x = t([4, 2], [1, 10, 2, 20, 3, 30, 6, 40])
        try bn.build([2])
        #expect(bn.paramCount == 8 && bn.trainableWeights.count == 2)
        try set(bn.gamma, t([2], [2, 1])); try set(bn.beta, t([2], [0.5, 0]))
        let y = try bn.call(Variable(x), training: true).value
        // Per column: mean, biased variance, (x − μ)/√(σ² + 0.001)·γ + β.
        for col in 0..<2 {
            let v = (0..<4).map { x.data[$0 * 2 + col] }
            let mu = v.reduce(0, +) / 4, variance = v.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / 4
            let g = [2.0, 1][col], b = [0.5, 0][col]
            for r in 0..<4 { #expect(Swift.abs(y.data[r * 2 + col] - ((v[r] - mu) / (variance + 1e-3).squareRoot() * g + b)) < 1e-9) }
            // Moving averages: 0.99·initial + 0.01·batch.
            #expect(Swift.abs(bn.movingMean!.value.data[col] - 0.01 * mu) < 1e-12)
            #expect(Swift.abs(bn.movingVariance!.value.data[col] - (0.99 + 0.01 * variance)) < 1e-12)
        }
        let z = try bn.call(Variable(x), training: false).value
        let mm = bn.movingMean!.value.data, mv = bn.movingVariance!.value.data
        for r in 0..<4 { for col in 0..<2 {
            let expected = (x.data[r * 2 + col] - mm[col]) / (mv[col] + 1e-3).squareRoot() * [2.0, 1][col] + [0.5, 0][col]
            #expect(Swift.abs(z.data[r * 2 + col] - expected) < 1e-9)
        } }
    }

    @Test func lstmMatchesReference() throws {
        let (n, steps, d, u) = (2, 3, 2, 2)
        let l = try RecurrentLayer(lstm: true, units: u, returnSequences: true)
        #expect(try l.build([steps, d]) == [steps, u])
        #expect(l.paramCount == 4 * u * (d + u + 1))
        #expect(l.bias!.value.data == [0, 0, 1, 1, 0, 0, 0, 0])   // forget-gate bias 1
        let W = sample([d, 4 * u], seed: 15), U = sample([u, 4 * u], seed: 16), B = sample([4 * u], seed: 17)
        try set(l.kernel, W); try set(l.recurrentKernel, U); try set(l.bias, B)
        let x = sample([n, steps, d], seed: 18)
        let y = try l.call(Variable(x), training: false).value
        func sig(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
        for b in 0..<n {
            var h = [Double](repeating: 0, count: u), c = h
            for s in 0..<steps {
                var z = [Double](repeating: 0, count: 4 * u)
                for j in 0..<(4 * u) {
                    z[j] = B.data[j]
                    for i in 0..<d { z[j] += x.data[(b * steps + s) * d + i] * W.data[i * 4 * u + j] }
                    for i in 0..<u { z[j] += h[i] * U.data[i * 4 * u + j] }
                }
                for k in 0..<u {
                    let (ig, fg, gg, og) = (sig(z[k]), sig(z[u + k]), Foundation.tanh(z[2 * u + k]), sig(z[3 * u + k]))
                    c[k] = fg * c[k] + ig * gg
                    h[k] = og * Foundation.tanh(c[k])
                }
                for k in 0..<u { #expect(Swift.abs(y.data[(b * steps + s) * u + k] - h[k]) < 1e-12) }
            }
        }
    }

    @Test func orthogonalRecurrentKernel() throws {
        let l = try RecurrentLayer(lstm: false, units: 4)
        try l.build([3, 2])
        let q = l.recurrentKernel!.value
        for i in 0..<4 { for j in 0..<4 {
            let dot = (0..<4).reduce(0.0) { $0 + q.data[i * 4 + $1] * q.data[j * 4 + $1] }
            #expect(Swift.abs(dot - (i == j ? 1 : 0)) < 1e-10)
        } }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        RandomSource.seed(5)
        try checkGradients(try Dense(units: 3, activation: .tanh), sample([2, 4], seed: 20))
        try checkGradients(try Conv2D(filters: 2, kernelSize: (2, 3), padding: .same, activation: .sigmoid), sample([2, 4, 5, 2], seed: 21))
        try checkGradients(try Conv2D(filters: 2, kernelSize: (3, 3), strides: (2, 2)), sample([1, 5, 5, 1], seed: 22))
        try checkGradients(try Pooling2D(max: true, poolSize: (2, 2), strides: nil, padding: .same, kind: "MaxPooling2D"), sample([1, 5, 5, 2], seed: 23))
        try checkGradients(try Pooling2D(max: false, poolSize: (3, 3), strides: (2, 2), padding: .same, kind: "AveragePooling2D"), sample([1, 4, 4, 2], seed: 24))
        try checkGradients(Flatten(), sample([2, 2, 2, 2], seed: 25))
        try checkGradients(try BatchNormalization(), sample([5, 3], seed: 26), training: true)
        try checkGradients(try BatchNormalization(), sample([3, 2, 2], seed: 27), training: false)
        try checkGradients(try RecurrentLayer(lstm: true, units: 2, returnSequences: true), sample([2, 3, 2], seed: 28))
        try checkGradients(try RecurrentLayer(lstm: false, units: 3), sample([2, 4, 2], seed: 29))
        try checkGradients(ActivationLayer(.softmax), sample([2, 4], seed: 30))
    }
}

/// The notes' CNN (rock/paper/scissors, input 28×28×3).
func notesCNN() throws -> Sequential {
    let m = Sequential()
    try m.add(try Conv2D(filters: 32, kernelSize: (3, 3), activation: .relu, inputShape: [28, 28, 3]))
    try m.add(try Pooling2D(max: true, poolSize: (2, 2), strides: (2, 2), padding: .valid, kind: "MaxPooling2D"))
    try m.add(try Conv2D(filters: 64, kernelSize: (3, 3), activation: .relu))
    try m.add(try Pooling2D(max: true, poolSize: (2, 2), strides: nil, padding: .valid, kind: "MaxPooling2D"))
    try m.add(try Conv2D(filters: 16, kernelSize: (3, 3), activation: .relu))
    try m.add(try Pooling2D(max: true, poolSize: (2, 2), strides: nil, padding: .valid, kind: "MaxPooling2D"))
    try m.add(Flatten())
    try m.add(try Dense(units: 16, activation: .relu))
    try m.add(try Dense(units: 3, activation: .softmax))
    return m
}

/// The digits shipped in data/, read without the language (x scaled to [0, 1]).
func digits() throws -> (Tensor, Tensor) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/digits.csv")
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
    let rows = lines.map { $0.split(separator: ",").map { Double($0)! } }
    return (try Tensor(shape: [rows.count, 64], data: rows.flatMap { $0.prefix(64).map { $0 / 16 } }), Tensor(rows.map { $0[64] }))
}

@Suite struct ModelTests {
    @Test func notesCNNHasKerasParameterCounts() throws {
        let m = try notesCNN()
        #expect(m.countParams() == 28_947)
        #expect(m.summaryRows.map(\.params) == [896, 0, 18_496, 0, 9_232, 0, 0, 272, 51])
        #expect(m.summaryRows.map(\.output) == ["(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)", "(None, 5, 5, 64)", "(None, 3, 3, 16)", "(None, 1, 1, 16)", "(None, 16)", "(None, 16)", "(None, 3)"])
        #expect(m.summaryRows.map(\.layer).first == "conv2d (Conv2D)")
        #expect(m.summaryText().contains("Total params: 28,947"))
    }

    @Test func parameterFormulas() throws {
        for (inputs, units) in [(64, 10), (3, 1), (100, 7)] {
            let m = Sequential(); try m.add(try Dense(units: units, inputShape: [inputs]))
            #expect(m.countParams() == inputs * units + units)
        }
        for (k, c, f) in [(3, 3, 32), (5, 1, 6), (1, 8, 4)] {
            let m = Sequential(); try m.add(try Conv2D(filters: f, kernelSize: (k, k), inputShape: [9, 9, c]))
            #expect(m.countParams() == k * k * c * f + f)
        }
        // The notes' deep LSTM with timesteps 8, input_dim 8 and 10 classes.
        let m = Sequential()
        try m.add(try RecurrentLayer(lstm: true, units: 64, returnSequences: true, inputShape: [8, 8]))
        try m.add(try Dropout(rate: 0.3)); try m.add(try BatchNormalization())
        try m.add(try RecurrentLayer(lstm: true, units: 32, returnSequences: true))
        try m.add(try Dropout(rate: 0.3)); try m.add(try BatchNormalization())
        try m.add(try RecurrentLayer(lstm: true, units: 16))
        try m.add(try Dropout(rate: 0.3)); try m.add(try BatchNormalization())
        try m.add(try Dense(units: 10, activation: .softmax))
        #expect(m.summaryRows.map(\.params) == [18_688, 0, 256, 12_416, 0, 128, 3_136, 0, 64, 170])
        #expect(m.countParams() - m.trainableCount == 224)
    }

    @Test func fitLearnsTheDigits() throws {
        RandomSource.seed(0)
        let (x, y) = try digits()
        let n = x.shape[0], cut = 1400
        let (xt, yt) = (try Sequential.rows(x, Array(0..<cut)[...]), try Sequential.rows(y, Array(0..<cut)[...]))
        let (xv, yv) = (try Sequential.rows(x, Array(cut..<n)[...]), try Sequential.rows(y, Array(cut..<n)[...]))
        let m = Sequential()
        try m.add(try Dense(units: 32, activation: .relu, inputShape: [64]))
        try m.add(try Dense(units: 10, activation: .softmax))
        m.compiled = Compiled(optimizer: OptimizerSpec(kind: .adam, learningRate: 0.01), loss: try KerasLoss(keras: "sparse_categorical_crossentropy"), metrics: ["accuracy"])
        let before = try m.evaluate(xv, yv)
        let h = try m.fit(xt, yt, epochs: 10, batchSize: 32, validation: (xv, yv))
        let after = try m.evaluate(xv, yv)
        #expect(h.keys == ["loss", "accuracy", "val_loss", "val_accuracy"])
        #expect(h.values["loss"]!.count == 10)
        #expect(h.values["loss"]!.last! < h.values["loss"]!.first!)
        #expect(after[0].1 < before[0].1)
        #expect(after[1].1 > 0.9, "held-out accuracy \(after[1].1)")
        #expect(Swift.abs(after[1].1 - h.values["val_accuracy"]!.last!) < 1e-12)
        let p = try m.predict(xv)
        #expect(p.shape == [n - cut, 10])
    }

    @Test func earlyStoppingRestoresTheBestWeights() throws {
        let m = Sequential()
        try m.add(try Dense(units: 1, inputShape: [1]))
        let es = try EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true)
        try es.onTrainBegin(m)
        let losses = [1.0, 0.5, 0.7, 0.6, 0.9]
        var stoppedAt = -1
        for (epoch, l) in losses.enumerated() {
            try m.setWeights([t([1, 1], [Double(epoch)]), t([1], [Double(epoch)])])
            try es.onEpochEnd(epoch, logs: ["val_loss": l], model: m)
            if m.stopTraining { stoppedAt = epoch; break }
        }
        #expect(stoppedAt == 3)
        try es.onTrainEnd(m)
        #expect(m.getWeights().map(\.data) == [[1], [1]])   // epoch 2 (index 1) had the lowest val_loss
        #expect(es.bestEpoch == 1)
    }

    @Test func earlyStoppingEndsFit() throws {
        RandomSource.seed(1)
        let (x, y) = try digits()
        let m = Sequential()
        try m.add(try Dense(units: 10, activation: .softmax, inputShape: [64]))
        // A huge learning rate makes validation loss rise; patience 1 stops and restores.
        m.compiled = Compiled(optimizer: OptimizerSpec(kind: .sgd, learningRate: 50), loss: try KerasLoss(keras: "sparse_categorical_crossentropy"), metrics: ["accuracy"])
        let es = try EarlyStopping(monitor: "val_loss", patience: 1, restoreBestWeights: true)
        let h = try m.fit(try Sequential.rows(x, Array(0..<300)[...]), try Sequential.rows(y, Array(0..<300)[...]), epochs: 30, batchSize: 30,
                          validation: (try Sequential.rows(x, Array(300..<500)[...]), try Sequential.rows(y, Array(300..<500)[...])), callbacks: [es])
        let val = h.values["val_loss"]!
        #expect(val.count < 30)
        let best = val.min()!
        #expect(val.last! > best)
        let now = try m.evaluate(try Sequential.rows(x, Array(300..<500)[...]), try Sequential.rows(y, Array(300..<500)[...]))
        #expect(Swift.abs(now[0].1 - best) < 1e-9)
    }

    @Test func badInputIsReportedBeforeTrainingAndLeavesWeights() throws {
        // The notes' CNN on 8×8 images: the second pooling has nothing to pool.
        let m = Sequential()
        try m.add(try Conv2D(filters: 32, kernelSize: (3, 3), activation: .relu, inputShape: [8, 8, 1]))
        try m.add(try Pooling2D(max: true, poolSize: (2, 2), strides: nil, padding: .valid, kind: "MaxPooling2D"))
        try m.add(try Conv2D(filters: 64, kernelSize: (3, 3), activation: .relu))
        #expect(throws: TensorError.self) { try m.add(try Pooling2D(max: true, poolSize: (2, 2), strides: nil, padding: .valid, kind: "MaxPooling2D")) }
        do { try m.add(try Pooling2D(max: true, poolSize: (2, 2), strides: nil, padding: .valid, kind: "MaxPooling2D")); Issue.record("no error") } catch {
            #expect("\(error)".contains("max_pooling2d_1"), "\(error)")
        }
        #expect(m.layers.count == 3)
        // Conv2D after a Dense (rank 2): named at add.
        let d = Sequential(); try d.add(try Dense(units: 4, inputShape: [6]))
        do { try d.add(try Conv2D(filters: 2, kernelSize: (3, 3))); Issue.record("no error") } catch { #expect("\(error)".contains("conv2d")) }

        let c = Sequential()
        try c.add(try Dense(units: 3, activation: .softmax, inputShape: [2]))
        c.compiled = Compiled(optimizer: OptimizerSpec(kind: .adam), loss: try KerasLoss(keras: "sparse_categorical_crossentropy"), metrics: ["accuracy"])
        let w0 = c.getWeights()
        let x = t([3, 2], [1, 2, 3, 4, 5, 6])
        #expect(throws: TensorError.self) { try c.fit(x, t([3], [0, 1, 3])) }            // label 3 of 3 classes
        #expect(throws: TensorError.self) { try c.fit(x, t([3], [0, 1, 0.5])) }          // not a class number
        #expect(throws: TensorError.self) { try c.fit(x, t([2], [0, 1])) }               // counts differ
        #expect(throws: TensorError.self) { try c.fit(t([3, 3], Array(repeating: 1, count: 9)), t([3], [0, 1, 2])) }   // wrong features
        #expect(throws: TensorError.self) { try c.fit(try Tensor.zeros([0, 2]), try Tensor.zeros([0])) }               // empty
        #expect(throws: TensorError.self) { try c.fit(x, t([3], [0, 1, 2]), validation: (x, t([3], [0, 1, 7]))) }
        #expect(c.getWeights() == w0)
        #expect(throws: TensorError.self) { try KerasLoss(keras: "crossentropy") }
        #expect(throws: TensorError.self) { try OptimizerSpec(keras: "adamw") }
        #expect(throws: TensorError.self) { try Sequential().fit(x, t([3], [0, 1, 2])) }   // not compiled
        #expect(throws: TensorError.self) { try Dropout(rate: 1.2) }
    }
}
