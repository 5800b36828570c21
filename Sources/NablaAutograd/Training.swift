import Foundation
import NablaTensor

/// Keras' losses by name, computed with the lecture functions (so `explain` shows one
/// `cross_entropy`, `mse`, … node).
public struct KerasLoss: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case mse, mae, binaryCrossentropy = "binary_crossentropy", categoricalCrossentropy = "categorical_crossentropy"
        case sparseCategoricalCrossentropy = "sparse_categorical_crossentropy", hinge
    }
    public let kind: Kind
    public let fromLogits: Bool

    static let aliases: [String: Kind] = [
        "mean_squared_error": .mse, "mean_absolute_error": .mae, "bce": .binaryCrossentropy,
    ]

    public init(kind: Kind, fromLogits: Bool = false) { self.kind = kind; self.fromLogits = fromLogits }

    public init(keras name: String, fromLogits: Bool = false) throws {
        let n = name.lowercased()
        guard let k = Kind(rawValue: n) ?? KerasLoss.aliases[n] else {
            throw TensorError.argument(op: "compile", message: "unknown loss '\(name)'; use one of \(Kind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
        }
        self.init(kind: k, fromLogits: fromLogits)
    }

    public var name: String { kind.rawValue }

    /// Checks labels `y` (a whole dataset or batch) against predictions of shape `out` (no
    /// batch axis) before training starts.
    public func validate(_ y: Tensor, output out: [Int]) throws {
        let sample = Array(y.shape.dropFirst())
        switch kind {
        case .sparseCategoricalCrossentropy:
            guard let k = out.last, out.count == 1 else {
                throw TensorError.shape(op: name, message: "needs a model whose outputs are class scores (None, K), got \(Layer.describe(out))")
            }
            guard sample.isEmpty || sample == [1] else {
                throw TensorError.shape(op: name, message: "labels must be class numbers of shape (N,), got \(formatShape(y.shape)); for one-hot labels use 'categorical_crossentropy'")
            }
            for v in y.data where v != v.rounded() || v < 0 || v >= Double(k) {
                throw TensorError.argument(op: name, message: "label \(Tensor.formatNumber(v)) is out of range: the model has \(k) classes, so labels must be whole numbers 0 to \(k - 1)")
            }
        case .categoricalCrossentropy:
            guard sample == out else {
                throw TensorError.shape(op: name, message: "labels must be one-hot rows shaped like the outputs \(Layer.describe(out)), got \(formatShape(y.shape)); for class numbers use 'sparse_categorical_crossentropy' or to_categorical(y)")
            }
        case .binaryCrossentropy, .hinge, .mse, .mae:
            guard sample.reduce(1, *) == out.reduce(1, *) else {
                throw TensorError.shape(op: name, message: "labels of shape \(formatShape(y.shape)) do not match the outputs \(Layer.describe(out))")
            }
            if kind == .binaryCrossentropy, let bad = y.data.first(where: { $0 < 0 || $0 > 1 }) {
                throw TensorError.argument(op: name, message: "labels must lie in [0, 1], got \(Tensor.formatNumber(bad))")
            }
        }
    }

    /// The mean loss of predictions `p` against labels `y` (same batch).
    public func callAsFunction(_ p: Variable, _ y: Tensor) throws -> Variable {
        switch kind {
        case .sparseCategoricalCrossentropy:
            let labels = Variable(try y.reshaped([y.shape.first ?? 0]))
            return fromLogits ? try F.softmaxCrossEntropy(p, labels) : try F.crossEntropy(p, labels)
        case .categoricalCrossentropy:
            return fromLogits ? try F.softmaxCrossEntropy(p, Variable(y)) : try F.crossEntropy(p, Variable(y))
        case .binaryCrossentropy:
            let t = Variable(try y.reshaped(p.value.shape))
            return fromLogits ? try F.bceLogits(p, t) : try F.bce(p, t)
        case .mse: return try F.mse(p, Variable(try y.reshaped(p.value.shape)))
        case .mae: return try F.mae(p, Variable(try y.reshaped(p.value.shape)))
        case .hinge:
            // Keras' hinge: mean(max(1 − t·p, 0)) with 0/1 labels turned into −1/1.
            let t = try y.reshaped(p.value.shape).map { $0 == 0 ? -1 : $0 }
            return try F.relu(1 - p * Variable(t)).mean()
        }
    }
}

/// Metrics by Keras name. 'accuracy' becomes the accuracy that fits the loss, as Keras picks it.
public enum KerasMetric: Sendable, Equatable {
    case sparseAccuracy, categoricalAccuracy, binaryAccuracy, mse, mae

    public init(keras name: String, loss: KerasLoss, output: Int?) throws {
        switch name.lowercased() {
        case "accuracy", "acc":
            switch loss.kind {
            case .sparseCategoricalCrossentropy: self = .sparseAccuracy
            case .categoricalCrossentropy: self = .categoricalAccuracy
            case .binaryCrossentropy, .hinge: self = .binaryAccuracy
            case .mse, .mae: self = output == 1 ? .binaryAccuracy : .categoricalAccuracy
            }
        case "sparse_categorical_accuracy": self = .sparseAccuracy
        case "categorical_accuracy": self = .categoricalAccuracy
        case "binary_accuracy": self = .binaryAccuracy
        case "mse", "mean_squared_error": self = .mse
        case "mae", "mean_absolute_error": self = .mae
        default:
            throw TensorError.argument(op: "compile", message: "unknown metric '\(name)'; use 'accuracy', 'mse' or 'mae'")
        }
    }

    /// The key in the history (`accuracy`, `mse`).
    public var key: String {
        switch self {
        case .sparseAccuracy, .categoricalAccuracy, .binaryAccuracy: return "accuracy"
        case .mse: return "mse"
        case .mae: return "mae"
        }
    }

    /// The metric summed over the batch (divide by the sample count for the mean).
    func total(_ p: Tensor, _ y: Tensor) throws -> Double {
        let n = p.shape.first ?? 1
        switch self {
        case .sparseAccuracy, .categoricalAccuracy:
            let k = p.count / Swift.max(n, 1)
            var right = 0.0
            for i in 0..<n {
                let pred = argmax(p.data, i * k, k)
                let truth = self == .sparseAccuracy ? Int(y.data[i]) : argmax(y.data, i * k, k)
                if pred == truth { right += 1 }
            }
            return right
        case .binaryAccuracy:
            let k = p.count / Swift.max(n, 1)
            var right = 0.0
            for (a, b) in zip(p.data, y.data) where (a > 0.5) == (b > 0.5) { right += 1 }
            return right / Double(Swift.max(k, 1))
        case .mse:
            let k = Double(p.count / Swift.max(n, 1))
            return zip(p.data, y.data).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / k
        case .mae:
            let k = Double(p.count / Swift.max(n, 1))
            return zip(p.data, y.data).reduce(0) { $0 + Swift.abs($1.0 - $1.1) } / k
        }
    }

    private func argmax(_ d: [Double], _ start: Int, _ k: Int) -> Int {
        var best = 0
        for j in 0..<k where d[start + j] > d[start + best] { best = j }
        return best
    }
}

/// An optimizer by Keras name and hyperparameters, made for a model's weights at fit.
public struct OptimizerSpec: Sendable {
    public enum Kind: String, CaseIterable, Sendable { case sgd, adam, rmsprop }
    public var kind: Kind
    public var learningRate: Double
    public var momentum = 0.0
    public var beta1 = 0.9, beta2 = 0.999
    public var rho = 0.9
    public var epsilon = 1e-7

    /// Keras' defaults: SGD lr 0.01, Adam and RMSprop lr 0.001.
    public init(kind: Kind, learningRate: Double? = nil) {
        self.kind = kind
        self.learningRate = learningRate ?? (kind == .sgd ? 0.01 : 0.001)
    }

    public init(keras name: String) throws {
        guard let k = Kind(rawValue: name.lowercased()) else {
            throw TensorError.argument(op: "compile", message: "unknown optimizer '\(name)'; use one of \(Kind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")) or an optimizer such as Adam(learning_rate=0.001)")
        }
        self.init(kind: k)
    }

    public var name: String { ["sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"][kind.rawValue] ?? kind.rawValue }

    public func make(_ params: [Variable]) -> Optimizer {
        switch kind {
        case .sgd: return momentum > 0 ? Momentum(params, lr: learningRate, momentum: momentum) : SGD(params, lr: learningRate)
        case .adam: return Adam(params, lr: learningRate, beta1: beta1, beta2: beta2, eps: epsilon)
        case .rmsprop: return RMSprop(params, lr: learningRate, rho: rho, eps: epsilon)
        }
    }
}

/// RMSprop (Keras' form, no momentum): v ← ρv + (1 − ρ)g², w ← w − η g / (√v + ε).
public final class RMSprop: Optimizer {
    public let params: [Variable]
    public var lr: Double, rho: Double, eps: Double
    var v: [Tensor?]
    var traces = [Int: Trace]()

    public init(_ params: [Variable], lr: Double = 1e-3, rho: Double = 0.9, eps: Double = 1e-7) {
        self.params = params; self.lr = lr; self.rho = rho; self.eps = eps
        v = Array(repeating: nil, count: params.count)
    }

    public func step() throws {
        traces = [:]
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            let v0 = try v[i] ?? Tensor.zeros(g.shape)
            let vi = try v0 * rho + (g * g) * (1 - rho)
            v[i] = vi
            let (lr, eps) = (lr, eps)
            let stepT = try Tensor.zip(g, vi, op: "rmsprop") { g, v in lr * g / (v.squareRoot() + eps) }
            let w = UpdateRule.kept(p.value)
            try p.update { w in try w.addScaled(stepT, -1) }
            traces[i] = ["w": w, "g": UpdateRule.kept(g), "v": UpdateRule.kept(v0), "v'": vi, "w'": p.value, "η": Tensor(lr), "ρ": Tensor(rho), "ε": Tensor(eps)]
        }
    }

    public func lastUpdate() -> [Derivation] {
        let rhoS = Math.symbol(latex: "\\rho", plain: "ρ"), v = Math.sym("v"), one = Math.number(1)
        return traces.keys.sorted().flatMap { k -> [Derivation] in
            guard let t = traces[k] else { return [] }
            return [
                UpdateRule.line(v, .add([.mul([rhoS, v]), .mul([.sub(one, rhoS), .pow(.symbol(latex: "\\left(\\nabla w\\right)", plain: "(∇w)"), .number(2))])]), t, result: "v'") {
                    .add([.mul([.number($0["ρ"] ?? 0), .number($0["v"] ?? 0)]), .mul([.sub(one, .number($0["ρ"] ?? 0)), .pow(.number($0["g"] ?? 0), .number(2))])]) },
                UpdateRule.line(.sym(UpdateRule.name(params[k], k)), .sub(.sym("w"), .div(.mul([UpdateRule.eta, UpdateRule.grad]), .add([.sqrt(v), .symbol(latex: "\\epsilon", plain: "ε")]))), t, result: "w'") {
                    .sub(.number($0["w"] ?? 0), .div(.mul([.number($0["η"] ?? 0), .number($0["g"] ?? 0)]), .add([.sqrt(.number($0["v'"] ?? 0)), .number($0["ε"] ?? 0)]))) },
            ].compactMap { $0 }
        }
    }
}

/// What `compile` fixed.
public struct Compiled {
    public var optimizer: OptimizerSpec
    public var loss: KerasLoss
    public var metricNames: [String]
    public init(optimizer: OptimizerSpec, loss: KerasLoss, metrics: [String]) {
        self.optimizer = optimizer; self.loss = loss; self.metricNames = metrics
    }
}

/// The per-epoch values of a fit: `history["loss"]`, `history["val_accuracy"]`, …
public final class History {
    public private(set) var keys: [String] = []
    public private(set) var values: [String: [Double]] = [:]
    public private(set) var epochs: [Int] = []
    public init() {}

    public func append(epoch: Int, _ logs: [(String, Double)]) {
        epochs.append(epoch)
        for (k, v) in logs {
            if values[k] == nil { keys.append(k) }
            values[k, default: []].append(v)
        }
    }
}

/// Called by fit at the end of each epoch and of training.
public protocol Callback: AnyObject {
    func onTrainBegin(_ model: Sequential) throws
    func onEpochEnd(_ epoch: Int, logs: [String: Double], model: Sequential) throws
    func onTrainEnd(_ model: Sequential) throws
}

/// Keras' EarlyStopping: stop when `monitor` has not improved by more than `minDelta` for
/// `patience` epochs; with restoreBestWeights, put back the weights of the best epoch at the end.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let minDelta: Double
    public let patience: Int
    public let restoreBestWeights: Bool
    public let verbose: Int
    public let maximize: Bool
    public private(set) var best: Double
    public private(set) var bestEpoch = 0
    public private(set) var stoppedEpoch = 0
    var wait = 0
    var bestWeights: [Tensor]?
    /// Where the messages go (verbose > 0).
    public var log: ((String) -> Void)?

    public init(monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0, mode: String = "auto", restoreBestWeights: Bool = false, verbose: Int = 0) throws {
        guard patience >= 0 else { throw TensorError.argument(op: "EarlyStopping", message: "patience must be 0 or more, got \(patience)") }
        self.monitor = monitor; self.minDelta = Swift.abs(minDelta); self.patience = patience
        self.restoreBestWeights = restoreBestWeights; self.verbose = verbose
        switch mode {
        case "min": maximize = false
        case "max": maximize = true
        case "auto": maximize = monitor.hasSuffix("accuracy") || monitor.hasSuffix("acc") || monitor.hasSuffix("auc")
        default: throw TensorError.argument(op: "EarlyStopping", message: "mode must be 'auto', 'min' or 'max', got '\(mode)'")
        }
        best = maximize ? -.infinity : .infinity
    }

    func improved(_ current: Double) -> Bool {
        maximize ? current - minDelta > best : current + minDelta < best
    }

    public func onTrainBegin(_ model: Sequential) throws {
        wait = 0; stoppedEpoch = 0; bestEpoch = 0; bestWeights = nil
        best = maximize ? -.infinity : .infinity
    }

    public func onEpochEnd(_ epoch: Int, logs: [String: Double], model: Sequential) throws {
        guard let current = logs[monitor] else {
            throw TensorError.argument(op: "EarlyStopping", message: "monitor '\(monitor)' is not among the logged values \(logs.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")); pass validation_data or validation_split for 'val_…' values")
        }
        if restoreBestWeights && bestWeights == nil { bestWeights = model.getWeights(); bestEpoch = epoch }
        wait += 1
        if improved(current) {
            best = current; bestEpoch = epoch
            if restoreBestWeights { bestWeights = model.getWeights() }
            wait = 0
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model.stopTraining = true
        }
    }

    public func onTrainEnd(_ model: Sequential) throws {
        if stoppedEpoch > 0 && verbose > 0 { log?("Epoch \(stoppedEpoch + 1): early stopping") }
        if restoreBestWeights, let w = bestWeights {
            if verbose > 0 { log?("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).") }
            try model.setWeights(w)
        }
    }
}

/// Where fit is, for progress output.
public struct FitProgress {
    public var epoch: Int, epochs: Int
    public var batch: Int, batches: Int
    public var seconds: Double
    public var logs: [(String, Double)]
    /// True once the epoch's validation values are in.
    public var epochDone: Bool
}

extension Sequential {
    /// Rows `idx` of `t` (first axis).
    public static func rows(_ t: Tensor, _ idx: ArraySlice<Int>) throws -> Tensor {
        let n = t.shape.first ?? 0
        let size = n == 0 ? 0 : t.count / n
        var data = [Double]()
        data.reserveCapacity(idx.count * size)
        t.data.withUnsafeBufferPointer { p in
            for i in idx { data.append(contentsOf: p[(i * size)..<((i + 1) * size)]) }
        }
        return try Tensor(shape: [idx.count] + Array(t.shape.dropFirst()), data: data)
    }

    func requireCompiled(_ op: String) throws -> Compiled {
        guard let c = compiled else {
            throw TensorError.argument(op: op, message: "the model must be compiled first: model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])")
        }
        return c
    }

    /// Checks data and labels and builds the model for them (before any weight changes).
    func prepare(_ x: Tensor, _ y: Tensor?, op: String, loss: KerasLoss?) throws {
        guard x.rank >= 1, let n = x.shape.first, n > 0 else {
            throw TensorError.shape(op: op, message: "no samples: x has shape \(formatShape(x.shape))")
        }
        guard !x.data.contains(where: { !$0.isFinite }) else { throw TensorError.argument(op: op, message: "x contains NaN or infinity") }
        try build(Array(x.shape.dropFirst()))
        guard let y else { return }
        guard y.rank >= 1, y.shape[0] == n else {
            throw TensorError.shape(op: op, message: "x has \(n) samples but y has shape \(formatShape(y.shape))")
        }
        guard !y.data.contains(where: { !$0.isFinite }) else { throw TensorError.argument(op: op, message: "y contains NaN or infinity") }
        if let loss, let out = outputShape { try loss.validate(y, output: out) }
    }

    /// Mean loss and metrics of the model on (x, y), in batches, without recording gradients.
    public func evaluate(_ x: Tensor, _ y: Tensor, batchSize: Int = 32) throws -> [(String, Double)] {
        let c = try requireCompiled("evaluate")
        try prepare(x, y, op: "evaluate", loss: c.loss)
        let metrics = try c.metricNames.map { try KerasMetric(keras: $0, loss: c.loss, output: outputShape?.last) }
        return try measure(x, y, loss: c.loss, metrics: metrics, batchSize: batchSize)
    }

    func measure(_ x: Tensor, _ y: Tensor, loss: KerasLoss, metrics: [KerasMetric], batchSize: Int) throws -> [(String, Double)] {
        let n = x.shape[0], bs = Swift.max(batchSize, 1)
        var total = 0.0, sums = [Double](repeating: 0, count: metrics.count)
        try GradMode.with(.off) {
            for start in stride(from: 0, to: n, by: bs) {
                try Cancellation.check()
                let idx = Array(start..<Swift.min(start + bs, n))[...]
                let xb = try Sequential.rows(x, idx), yb = try Sequential.rows(y, idx)
                let p = try call(Variable(xb), training: false)
                total += try loss(p, yb).value.data[0] * Double(idx.count)
                for (k, m) in metrics.enumerated() { sums[k] += try m.total(p.value, yb) }
            }
        }
        return [("loss", total / Double(n))] + zip(metrics, sums).map { ($0.key, $1 / Double(n)) }
    }

    /// The model's outputs for x, in batches, without recording gradients.
    public func predict(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
        try prepare(x, nil, op: "predict", loss: nil)
        let n = x.shape[0], bs = Swift.max(batchSize, 1)
        var parts = [Tensor]()
        try GradMode.with(.off) {
            for start in stride(from: 0, to: n, by: bs) {
                try Cancellation.check()
                parts.append(try call(Variable(try Sequential.rows(x, Array(start..<Swift.min(start + bs, n))[...])), training: false).value)
            }
        }
        return try Tensor.concat(parts, axis: 0)
    }

    /// Keras' fit: epochs of shuffled mini-batches, one optimizer step per batch; the loss and
    /// metrics logged per epoch are the means over its batches, validation values are computed
    /// at its end. Data problems are reported before any weight changes; an error during
    /// training puts the weights back, an interrupt keeps the weights and epochs reached.
    public func fit(_ x: Tensor, _ y: Tensor, epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true,
                    validation: (Tensor, Tensor)? = nil, validationSplit: Double = 0,
                    callbacks: [Callback] = [], progress: ((FitProgress) -> Void)? = nil) throws -> History {
        let c = try requireCompiled("fit")
        guard epochs >= 0 else { throw TensorError.argument(op: "fit", message: "epochs must be 0 or more, got \(epochs)") }
        guard batchSize >= 1 else { throw TensorError.argument(op: "fit", message: "batch_size must be at least 1, got \(batchSize)") }
        guard validationSplit >= 0, validationSplit < 1 else { throw TensorError.argument(op: "fit", message: "validation_split must be in [0, 1), got \(Tensor.formatNumber(validationSplit))") }
        try prepare(x, y, op: "fit", loss: c.loss)
        var (xt, yt) = (x, y)
        var val = validation
        if validationSplit > 0 {
            // Keras takes the last fraction of the samples, before shuffling.
            let n = x.shape[0], cut = Int(Double(n) * (1 - validationSplit))
            guard cut > 0, cut < n else { throw TensorError.argument(op: "fit", message: "validation_split \(Tensor.formatNumber(validationSplit)) of \(n) samples leaves no training or no validation samples") }
            xt = try Sequential.rows(x, Array(0..<cut)[...]); yt = try Sequential.rows(y, Array(0..<cut)[...])
            val = (try Sequential.rows(x, Array(cut..<n)[...]), try Sequential.rows(y, Array(cut..<n)[...]))
        }
        if let (vx, vy) = val { try prepare(vx, vy, op: "fit (validation_data)", loss: c.loss) }
        let metrics = try c.metricNames.map { try KerasMetric(keras: $0, loss: c.loss, output: outputShape?.last) }
        let params = trainableWeights
        if optimizer == nil || optimizer?.params.count != params.count || zip(optimizer?.params ?? [], params).contains(where: { $0 !== $1 }) {
            optimizer = c.optimizer.make(params)
        }
        guard let opt = optimizer else { throw TensorError.argument(op: "fit", message: "no optimizer") }

        let saved = getWeights()
        let h = History()
        history = h
        stopTraining = false
        let n = xt.shape[0], batches = (n + batchSize - 1) / batchSize
        do {
            for cb in callbacks { try cb.onTrainBegin(self) }
            for epoch in 0..<epochs {
                let start = Date()
                var order = Array(0..<n)
                if shuffle { order.shuffle(using: &RandomSource.generator) }
                var total = 0.0, seen = 0, sums = [Double](repeating: 0, count: metrics.count)
                func logs() -> [(String, Double)] {
                    [("loss", total / Double(Swift.max(seen, 1)))] + zip(metrics, sums).map { ($0.key, $1 / Double(Swift.max(seen, 1))) }
                }
                for b in 0..<batches {
                    try Cancellation.check()
                    let idx = order[(b * batchSize)..<Swift.min((b + 1) * batchSize, n)]
                    let xb = try Sequential.rows(xt, idx), yb = try Sequential.rows(yt, idx)
                    /// The batch's output, loss and gradients; its graph, which holds the weights'
                    /// values, is released on return, so the step below updates them in place.
                    func forwardBackward() throws -> (output: Tensor, loss: Double, grads: [Tensor]) {
                        let p = try GradMode.with(.normal) { try call(Variable(xb), training: true) }
                        let loss = try GradMode.with(.normal) { try c.loss(p, yb) }
                        return (p.value, loss.value.data[0], try Autograd.grad(loss, wrt: params))
                    }
                    let (output, lv, grads) = try forwardBackward()
                    for (w, g) in zip(params, grads) { w.grad = g }
                    try opt.step()
                    Autograd.zeroGrad(params)
                    guard lv.isFinite else {
                        throw TensorError.argument(op: "fit", message: "the loss became \(Tensor.formatNumber(lv)) at epoch \(epoch + 1), batch \(b + 1); try a smaller learning rate (the weights were put back)")
                    }
                    total += lv * Double(idx.count); seen += idx.count
                    for (k, m) in metrics.enumerated() { sums[k] += try m.total(output, yb) }
                    progress?(FitProgress(epoch: epoch, epochs: epochs, batch: b + 1, batches: batches, seconds: Date().timeIntervalSince(start), logs: logs(), epochDone: false))
                }
                var entry = logs()
                if let (vx, vy) = val {
                    entry += try measure(vx, vy, loss: c.loss, metrics: metrics, batchSize: batchSize).map { ("val_" + $0.0, $0.1) }
                }
                h.append(epoch: epoch, entry)
                progress?(FitProgress(epoch: epoch, epochs: epochs, batch: batches, batches: batches, seconds: Date().timeIntervalSince(start), logs: entry, epochDone: true))
                let dict = Dictionary(entry, uniquingKeysWith: { a, _ in a })
                for cb in callbacks { try cb.onEpochEnd(epoch, logs: dict, model: self) }
                if stopTraining { break }
            }
            for cb in callbacks { try cb.onTrainEnd(self) }
        } catch TensorError.interrupted {
            Autograd.zeroGrad(params)
            throw TensorError.interrupted
        } catch {
            Autograd.zeroGrad(params)
            try? setWeights(saved)
            throw error
        }
        return h
    }
}
