import NablaTensor

/// SimpleRNN and LSTM over sequences (N, timesteps, features), unrolled step by step with the
/// engine's ops (so backpropagation through time is ordinary autograd). Keras' initialisers:
/// kernel glorot_uniform, recurrent kernel orthogonal, bias zeros (the LSTM's forget gate 1).
public final class RecurrentLayer: Layer {
    public let units: Int
    public let returnSequences: Bool
    public let isLSTM: Bool
    public private(set) var kernel: Variable?, recurrentKernel: Variable?, bias: Variable?

    public init(lstm: Bool, units: Int, returnSequences: Bool = false, name: String? = nil, inputShape: [Int]? = nil) throws {
        self.isLSTM = lstm; self.units = units; self.returnSequences = returnSequences
        super.init(kind: lstm ? "LSTM" : "SimpleRNN", baseName: lstm ? "lstm" : "simple_rnn", name: name, inputShape: inputShape)
        guard units >= 1 else { throw argumentError("units must be a positive whole number, got \(units)") }
    }

    override var weightNames: [String] { ["kernel", "recurrent_kernel", "bias"] }

    override func makeWeights(_ input: [Int]) throws -> [Int] {
        guard input.count == 2 else {
            throw shapeError("expects sequences (timesteps, features), i.e. inputs of rank 3 with the batch; got \(Layer.describe(input))")
        }
        let (t, d) = (input[0], input[1]), g = isLSTM ? 4 : 1
        let k = Variable.param(try Layer.glorotUniform([d, g * units], fanIn: d, fanOut: g * units))
        let r = Variable.param(try Layer.orthogonal(rows: units, cols: g * units))
        // unit_forget_bias: the LSTM's forget-gate biases (the second block of units) start at 1.
        let b = try Tensor(shape: [g * units], data: (0..<(g * units)).map { isLSTM && $0 >= units && $0 < 2 * units ? 1 : 0 })
        let bv = Variable.param(b)
        kernel = k; recurrentKernel = r; bias = bv
        weights = [k, r, bv]
        return returnSequences ? [t, units] : [units]
    }

    override func forward(_ x: Variable, training: Bool) throws -> Variable {
        guard let kernel, let recurrentKernel, let bias else { throw shapeError("is not built") }
        let (n, steps) = (x.value.shape[0], x.value.shape[1]), u = units
        var h = Variable(try Tensor.zeros([n, u]))
        var c = Variable(try Tensor.zeros([n, u]))
        var outputs = [Variable]()
        for t in 0..<steps {
            try Cancellation.check()
            let xt = try x.indexed([.all, .at(t), .all])
            let z = try Variable.matmul(xt, kernel) + Variable.matmul(h, recurrentKernel) + bias
            if isLSTM {
                func gate(_ k: Int) throws -> Variable { try z.indexed([.all, .slice(k * u, (k + 1) * u, nil)]) }
                let i = F.sigmoid(try gate(0)), f = F.sigmoid(try gate(1)), g = F.tanh(try gate(2)), o = F.sigmoid(try gate(3))
                c = try f * c + i * g
                h = try o * F.tanh(c)
            } else {
                h = F.tanh(z)
            }
            if returnSequences { outputs.append(h) }
        }
        return returnSequences ? try Variable.stack(outputs, axis: 1) : h
    }
}
