import Foundation
import NablaTensor

/// Keras-style layers built from the engine's own ops, so `grad`, `graph` and `explain` see
/// every step of a model. Images are channels-last (N, H, W, C) as in Keras; convolution and
/// pooling run channels-last ops (no transposes). Shapes below leave out the batch axis.
open class Layer {
    /// Keras' class name (`Dense`, `MaxPooling2D`), shown in `summary()`.
    public let kind: String
    /// The stem of automatic names (`dense`, `max_pooling2d`).
    public let baseName: String
    /// The layer's name (unique within its model: `dense`, `dense_1`); its weights are named after it.
    public var name: String { didSet { renameWeights() } }
    /// `input_shape=` as given (without the batch axis), if any.
    public let declaredInput: [Int]?
    public private(set) var inputShape: [Int]?
    public private(set) var outputShape: [Int]?
    /// Every weight, in Keras' order (kernel, bias; gamma, beta, moving mean, moving variance).
    public internal(set) var weights: [Variable] = []
    /// Weights the optimizer does not touch (batch normalization's moving statistics).
    var frozen: Set<ObjectIdentifier> = []

    init(kind: String, baseName: String, name: String? = nil, inputShape: [Int]? = nil) {
        self.kind = kind; self.baseName = baseName; self.name = name ?? baseName; self.declaredInput = inputShape
    }

    public var built: Bool { outputShape != nil }
    public var trainableWeights: [Variable] { weights.filter { !frozen.contains(ObjectIdentifier($0)) } }
    public var nonTrainableWeights: [Variable] { weights.filter { frozen.contains(ObjectIdentifier($0)) } }
    public var paramCount: Int { weights.reduce(0) { $0 + $1.value.count } }

    /// The layer described for errors: `layer 'dense_1' (Dense)`.
    public var label: String { "layer '\(name)' (\(kind))" }

    /// Creates the weights for inputs of `input` (no batch axis) and returns the output shape.
    /// A built layer accepts only the shape it was built for.
    @discardableResult
    public func build(_ input: [Int]) throws -> [Int] {
        if let inputShape, let outputShape {
            guard inputShape == input else { throw shapeError("was built for inputs \(Layer.describe(inputShape)) but is given \(Layer.describe(input))") }
            return outputShape
        }
        guard input.allSatisfy({ $0 >= 1 }) else { throw shapeError("cannot take inputs of shape \(Layer.describe(input))") }
        let out = try makeWeights(input)
        inputShape = input; outputShape = out
        renameWeights()
        return out
    }

    /// Runs the layer on a batch; builds it on first use.
    public func call(_ x: Variable, training: Bool) throws -> Variable {
        guard x.value.rank >= 1 else { throw shapeError("needs a batch of inputs, got a number") }
        let sample = Array(x.value.shape.dropFirst())
        try build(sample)
        if let inputShape, inputShape != sample {
            throw shapeError("expects inputs \(Layer.describe(inputShape)), got \(Layer.describe(x.value.shape))")
        }
        return try forward(x, training: training)
    }

    // Overridden by each layer.
    func makeWeights(_ input: [Int]) throws -> [Int] { input }
    func forward(_ x: Variable, training: Bool) throws -> Variable { x }
    /// Keras' short names of the weights, in the order of `weights` (`kernel`, `bias`).
    var weightNames: [String] { [] }

    func renameWeights() {
        for (w, n) in zip(weights, weightNames) { w.name = "\(name).\(n)" }
    }

    func shapeError(_ message: String) -> TensorError {
        TensorError.shape(op: label, message: message)
    }

    func argumentError(_ message: String) -> TensorError {
        TensorError.argument(op: kind, message: message)
    }

    /// A shape as Keras prints it, with the batch axis as None: `(None, 26, 26, 32)`.
    public static func describe(_ shape: [Int], batch: Bool = true) -> String {
        let parts = (batch ? ["None"] : []) + shape.map(String.init)
        return "(" + parts.joined(separator: ", ") + (parts.count == 1 ? ",)" : ")")
    }

    /// Keras' glorot_uniform: U(−l, l) with l = √(6 / (fan_in + fan_out)), from the seeded generator.
    static func glorotUniform(_ shape: [Int], fanIn: Int, fanOut: Int) throws -> Tensor {
        let limit = (6.0 / Double(Swift.max(fanIn + fanOut, 1))).squareRoot()
        return try Tensor.rand(shape, using: &RandomSource.generator).map { ($0 * 2 - 1) * limit }
    }

    /// Keras' orthogonal initialiser (recurrent kernels): Q of the QR decomposition of a
    /// standard normal matrix, by Gram–Schmidt, signs fixed by R's diagonal.
    static func orthogonal(rows: Int, cols: Int) throws -> Tensor {
        let (n, m) = (Swift.max(rows, cols), Swift.min(rows, cols))
        let a = try Tensor.randn([n, m], using: &RandomSource.generator)
        var q = [[Double]]()
        for j in 0..<m {
            try Cancellation.check()
            var v = (0..<n).map { a.data[$0 * m + j] }
            for u in q {
                let d = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<n { v[i] -= d * u[i] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            q.append(norm > 0 ? v.map { $0 / norm } : v)
        }
        // q: m orthonormal columns of length n; the result is (rows, cols).
        var out = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols {
            out[i * cols + j] = rows >= cols ? q[j][i] : q[i][j]
        } }
        return try Tensor(shape: [rows, cols], data: out)
    }
}

/// Keras' activation functions by name, applied with the engine's ops.
public enum ActivationKind: String, CaseIterable, Sendable {
    case linear, relu, sigmoid, tanh, softmax, elu, softplus
    case leakyRelu = "leaky_relu"

    public init(keras name: String?) throws {
        guard let name, !name.isEmpty else { self = .linear; return }
        guard let a = ActivationKind(rawValue: name.lowercased()) else {
            throw TensorError.argument(op: "activation", message: "unknown activation '\(name)'; use one of \(ActivationKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")) or None")
        }
        self = a
    }

    public func apply(_ x: Variable) throws -> Variable {
        switch self {
        case .linear: return x
        case .relu: return F.relu(x)
        case .sigmoid: return F.sigmoid(x)
        case .tanh: return F.tanh(x)
        case .softmax: return try F.softmax(x, axis: -1)
        case .elu: return F.elu(x)
        case .softplus: return F.softplus(x)
        case .leakyRelu: return F.leakyRelu(x, alpha: 0.2)   // Keras' negative_slope default
        }
    }
}

/// y = activation(x·W + b), W (input_dim, units) glorot-uniform, b zeros. Inputs of rank > 2
/// are multiplied along their last axis, as Keras does.
public final class Dense: Layer {
    public let units: Int
    public let activation: ActivationKind
    public let useBias: Bool
    public private(set) var kernel: Variable?
    public private(set) var bias: Variable?

    public init(units: Int, activation: ActivationKind = .linear, useBias: Bool = true, name: String? = nil, inputShape: [Int]? = nil) throws {
        self.units = units; self.activation = activation; self.useBias = useBias
        super.init(kind: "Dense", baseName: "dense", name: name, inputShape: inputShape)
        guard units >= 1 else { throw argumentError("units must be a positive whole number, got \(units)") }
    }

    override var weightNames: [String] { useBias ? ["kernel", "bias"] : ["kernel"] }

    override func makeWeights(_ input: [Int]) throws -> [Int] {
        guard let d = input.last else { throw shapeError("needs inputs with at least one axis besides the batch") }
        let k = Variable.param(try Layer.glorotUniform([d, units], fanIn: d, fanOut: units))
        kernel = k; weights = [k]
        if useBias { let b = Variable.param(try Tensor.zeros([units])); bias = b; weights.append(b) }
        return Array(input.dropLast()) + [units]
    }

    override func forward(_ x: Variable, training: Bool) throws -> Variable {
        guard let kernel else { throw shapeError("is not built") }
        let shape = x.value.shape
        let flat = shape.count == 2 ? x : try x.reshaped([-1, shape[shape.count - 1]])
        var z = try Variable.matmul(flat, kernel)
        if let bias { z = try z + bias }
        if shape.count != 2 { z = try z.reshaped(Array(shape.dropLast()) + [units]) }
        return try activation.apply(z)
    }
}

/// Keras' padding modes.
public enum PaddingMode: String, Sendable {
    case valid, same
    public init(keras s: String, layer: String) throws {
        guard let p = PaddingMode(rawValue: s.lowercased()) else {
            throw TensorError.argument(op: layer, message: "padding must be 'valid' or 'same', got '\(s)'")
        }
        self = p
    }

    /// Output extent and the padding before/after for a window `k` moved by `s` over `n`.
    func extent(_ n: Int, _ k: Int, _ s: Int) -> (out: Int, before: Int, after: Int) {
        switch self {
        case .valid: return (n >= k ? (n - k) / s + 1 : 0, 0, 0)
        case .same:
            let out = (n + s - 1) / s
            let total = Swift.max((out - 1) * s + k - n, 0)
            return (out, total / 2, total - total / 2)
        }
    }
}

/// 2-d convolution, channels-last: kernel (KH, KW, C_in, filters) as Keras stores it,
/// bias (filters). Runs the channels-last conv2d op (F.conv2dChannelsLast).
public final class Conv2D: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let stride: Int
    public let padding: PaddingMode
    public let activation: ActivationKind
    public let useBias: Bool
    public private(set) var kernel: Variable?
    public private(set) var bias: Variable?
    var pads = Pads()

    public init(filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: PaddingMode = .valid, activation: ActivationKind = .linear,
                useBias: Bool = true, name: String? = nil, inputShape: [Int]? = nil) throws {
        self.filters = filters; self.kernelSize = kernelSize; self.stride = strides.0; self.padding = padding
        self.activation = activation; self.useBias = useBias
        super.init(kind: "Conv2D", baseName: "conv2d", name: name, inputShape: inputShape)
        guard filters >= 1 else { throw argumentError("filters must be a positive whole number, got \(filters)") }
        guard kernelSize.0 >= 1, kernelSize.1 >= 1 else { throw argumentError("kernel_size must be positive, got (\(kernelSize.0), \(kernelSize.1))") }
        guard strides.0 >= 1, strides.1 >= 1 else { throw argumentError("strides must be positive, got (\(strides.0), \(strides.1))") }
        guard strides.0 == strides.1 else { throw argumentError("strides must be equal along height and width here, got (\(strides.0), \(strides.1))") }
    }

    override var weightNames: [String] { useBias ? ["kernel", "bias"] : ["kernel"] }

    override func makeWeights(_ input: [Int]) throws -> [Int] {
        guard input.count == 3 else {
            throw shapeError("expects images (height, width, channels), i.e. inputs of rank 4 with the batch; got \(Layer.describe(input))")
        }
        let (h, w, c) = (input[0], input[1], input[2]), (kh, kw) = kernelSize
        let ey = padding.extent(h, kh, stride), ex = padding.extent(w, kw, stride)
        guard ey.out >= 1, ex.out >= 1 else {
            throw shapeError("a \(kh)×\(kw) kernel does not fit inputs \(Layer.describe(input)) with padding='valid'")
        }
        pads = Pads(top: ey.before, bottom: ey.after, left: ex.before, right: ex.after)
        let k = Variable.param(try Layer.glorotUniform([kh, kw, c, filters], fanIn: kh * kw * c, fanOut: kh * kw * filters))
        kernel = k; weights = [k]
        if useBias { let b = Variable.param(try Tensor.zeros([filters])); bias = b; weights.append(b) }
        return [ey.out, ex.out, filters]
    }

    override func forward(_ x: Variable, training: Bool) throws -> Variable {
        guard let kernel else { throw shapeError("is not built") }
        return try activation.apply(try F.conv2dChannelsLast(x, kernel, bias: bias, stride: stride, pads: pads))
    }
}

/// Max or average pooling over square windows, channels-last. With padding='same', windows
/// at the border take the max or mean of their real elements only, as Keras.
public final class Pooling2D: Layer {
    public let size: Int
    public let stride: Int
    public let padding: PaddingMode
    public let isMax: Bool
    var pads = Pads()

    public init(max: Bool, poolSize: (Int, Int), strides: (Int, Int)?, padding: PaddingMode, kind: String, name: String? = nil, inputShape: [Int]? = nil) throws {
        isMax = max; size = poolSize.0; stride = strides?.0 ?? poolSize.0; self.padding = padding
        super.init(kind: kind, baseName: max ? "max_pooling2d" : "average_pooling2d", name: name, inputShape: inputShape)
        guard poolSize.0 >= 1, poolSize.1 >= 1 else { throw argumentError("pool_size must be positive, got (\(poolSize.0), \(poolSize.1))") }
        guard poolSize.0 == poolSize.1 else { throw argumentError("pool_size must be square here, got (\(poolSize.0), \(poolSize.1))") }
        if let s = strides {
            guard s.0 >= 1, s.1 >= 1 else { throw argumentError("strides must be positive, got (\(s.0), \(s.1))") }
            guard s.0 == s.1 else { throw argumentError("strides must be equal along height and width here, got (\(s.0), \(s.1))") }
        }
    }

    override func makeWeights(_ input: [Int]) throws -> [Int] {
        guard input.count == 3 else {
            throw shapeError("expects images (height, width, channels), i.e. inputs of rank 4 with the batch; got \(Layer.describe(input))")
        }
        let ey = padding.extent(input[0], size, stride), ex = padding.extent(input[1], size, stride)
        guard ey.out >= 1, ex.out >= 1 else {
            throw shapeError("a \(size)×\(size) window does not fit inputs \(Layer.describe(input)) with padding='valid'")
        }
        pads = Pads(top: ey.before, bottom: ey.after, left: ex.before, right: ex.after)
        return [ey.out, ex.out, input[2]]
    }

    override func forward(_ x: Variable, training: Bool) throws -> Variable {
        try F.pool2dChannelsLast(x, size: size, stride: stride, pads: pads, max: isMax)
    }
}

/// (N, d₁, d₂, …) → (N, d₁·d₂·…), in channels-last order as Keras.
public final class Flatten: Layer {
    public init(name: String? = nil, inputShape: [Int]? = nil) {
        super.init(kind: "Flatten", baseName: "flatten", name: name, inputShape: inputShape)
    }
    override func makeWeights(_ input: [Int]) throws -> [Int] { [input.reduce(1, *)] }
    override func forward(_ x: Variable, training: Bool) throws -> Variable {
        try x.reshaped([x.value.shape[0], -1])
    }
}

/// Inverted dropout while training (each element zeroed with probability `rate`, survivors
/// scaled by 1/(1 − rate)); the identity in evaluate and predict.
public final class Dropout: Layer {
    public let rate: Double
    public init(rate: Double, name: String? = nil, inputShape: [Int]? = nil) throws {
        self.rate = rate
        super.init(kind: "Dropout", baseName: "dropout", name: name, inputShape: inputShape)
        guard rate >= 0, rate < 1 else { throw argumentError("rate must be in [0, 1), got \(Tensor.formatNumber(rate))") }
    }
    override func forward(_ x: Variable, training: Bool) throws -> Variable { try F.dropout(x, p: rate, train: training) }
}

/// Batch normalization over the last axis: batch statistics while training (and the moving
/// averages updated, m ← momentum·m + (1 − momentum)·batch), moving averages at inference.
/// y = γ (x − μ) / √(σ² + ε) + β. Keras' defaults: momentum 0.99, epsilon 1e−3.
public final class BatchNormalization: Layer {
    public let momentum: Double
    public let epsilon: Double
    public private(set) var gamma: Variable?, beta: Variable?, movingMean: Variable?, movingVariance: Variable?

    public init(momentum: Double = 0.99, epsilon: Double = 1e-3, name: String? = nil, inputShape: [Int]? = nil) throws {
        self.momentum = momentum; self.epsilon = epsilon
        super.init(kind: "BatchNormalization", baseName: "batch_normalization", name: name, inputShape: inputShape)
        guard momentum >= 0, momentum <= 1 else { throw argumentError("momentum must be in [0, 1], got \(Tensor.formatNumber(momentum))") }
        guard epsilon > 0 else { throw argumentError("epsilon must be positive, got \(Tensor.formatNumber(epsilon))") }
    }

    override var weightNames: [String] { ["gamma", "beta", "moving_mean", "moving_variance"] }

    override func makeWeights(_ input: [Int]) throws -> [Int] {
        guard let c = input.last else { throw shapeError("needs inputs with at least one axis besides the batch") }
        let g = Variable.param(try Tensor.ones([c])), b = Variable.param(try Tensor.zeros([c]))
        let mm = Variable(try Tensor.zeros([c])), mv = Variable(try Tensor.ones([c]))
        gamma = g; beta = b; movingMean = mm; movingVariance = mv
        weights = [g, b, mm, mv]
        frozen = [ObjectIdentifier(mm), ObjectIdentifier(mv)]
        return input
    }

    override func forward(_ x: Variable, training: Bool) throws -> Variable {
        guard let gamma, let beta, let movingMean, let movingVariance else { throw shapeError("is not built") }
        let shape = x.value.shape
        let c = shape[shape.count - 1]
        let flat = shape.count == 2 ? x : try x.reshaped([-1, c])
        let y: Variable
        if training {
            y = try F.batchnorm(flat, gamma: gamma, beta: beta, eps: epsilon)
            let v = flat.value
            let mu = try v.mean(axis: 0)
            let d = try v - mu
            let variance = try (d * d).mean(axis: 0)
            let m = momentum
            try movingMean.update { try $0 = $0 * m + mu * (1 - m) }
            try movingVariance.update { try $0 = $0 * m + variance * (1 - m) }
        } else {
            let scale = try gamma / (movingVariance + epsilon).sqrt()
            y = try (flat - movingMean) * scale + beta
        }
        return shape.count == 2 ? y : try y.reshaped(shape)
    }
}

/// An activation function as a layer.
public final class ActivationLayer: Layer {
    public let activation: ActivationKind
    public init(_ activation: ActivationKind, name: String? = nil, inputShape: [Int]? = nil) {
        self.activation = activation
        super.init(kind: "Activation", baseName: "activation", name: name, inputShape: inputShape)
    }
    override func forward(_ x: Variable, training: Bool) throws -> Variable { try activation.apply(x) }
}
