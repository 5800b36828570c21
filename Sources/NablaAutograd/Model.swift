import Foundation
import NablaTensor

/// Keras' Sequential model: layers applied in order. It is built (weights created, shapes
/// checked layer by layer) as soon as its input shape is known — from the first layer's
/// `input_shape`, or from the data at the first `fit`/`predict`.
public final class Sequential {
    public private(set) var layers: [Layer] = []
    public var name: String
    /// The compiled loss, optimizer and metrics (`compile`).
    public var compiled: Compiled?
    /// The optimizer made from `compiled` at the first fit, kept across fits (its state too).
    public var optimizer: Optimizer?
    /// The history of the last fit, filled epoch by epoch (so it survives an interrupt).
    public var history: History?
    /// Set by a callback (EarlyStopping) to end fit after the current epoch.
    public var stopTraining = false
    public private(set) var inputShape: [Int]?

    public init(name: String = "sequential") { self.name = name }

    /// Adds a layer with a name unique in the model (`dense`, `dense_1`, …); builds it at once
    /// when the input shape is known, so a shape mismatch is reported here, naming the layer.
    public func add(_ layer: Layer) throws {
        guard !layers.contains(where: { $0 === layer }) else {
            throw TensorError.argument(op: "add", message: "\(layer.label) is already in the model")
        }
        if layer.name == layer.baseName || layers.contains(where: { $0.name == layer.name }) {
            var k = 0
            var candidate = layer.baseName
            while layers.contains(where: { $0.name == candidate }) { k += 1; candidate = "\(layer.baseName)_\(k)" }
            layer.name = candidate
        }
        if layers.isEmpty, let d = layer.declaredInput { inputShape = d }
        if let shape = inputShape {
            var s = shape
            for l in layers { s = try l.build(s) }
            try layer.build(s)
        }
        layers.append(layer)
    }

    public var built: Bool { inputShape != nil && layers.allSatisfy(\.built) }

    /// Builds every layer for samples of `input` (no batch axis).
    @discardableResult
    public func build(_ input: [Int]) throws -> [Int] {
        guard !layers.isEmpty else { throw TensorError.argument(op: name, message: "the model has no layers; add some with model.add(...)") }
        if let inputShape, inputShape != input {
            throw TensorError.shape(op: name, message: "the model expects samples of shape \(Layer.describe(inputShape)), got data of shape \(Layer.describe(input))")
        }
        var s = input
        for l in layers { s = try l.build(s) }
        inputShape = input
        return s
    }

    public var outputShape: [Int]? { layers.last?.outputShape }

    /// The model on a batch (N, …).
    public func call(_ x: Variable, training: Bool) throws -> Variable {
        guard x.value.rank >= 1 else { throw TensorError.shape(op: name, message: "needs a batch of samples, got a number") }
        try build(Array(x.value.shape.dropFirst()))
        var h = x
        for l in layers { h = try l.call(h, training: training) }
        return h
    }

    public var weights: [Variable] { layers.flatMap(\.weights) }
    public var trainableWeights: [Variable] { layers.flatMap(\.trainableWeights) }
    public func countParams() -> Int { layers.reduce(0) { $0 + $1.paramCount } }

    /// The values of every weight (copy-on-write: no copying until one changes).
    public func getWeights() -> [Tensor] { weights.map(\.value) }

    public func setWeights(_ values: [Tensor]) throws {
        let ws = weights
        guard values.count == ws.count else {
            throw TensorError.argument(op: "set_weights", message: "the model has \(ws.count) weights, got \(values.count)")
        }
        for (w, v) in zip(ws, values) where w.value.shape != v.shape {
            throw TensorError.shape(op: "set_weights", message: "weight '\(w.name ?? "?")' has shape \(formatShape(w.value.shape)), got \(formatShape(v.shape))")
        }
        for (w, v) in zip(ws, values) { try w.update { $0 = v } }
    }

    /// One row per layer: name (type), output shape, param count — as Keras' summary.
    public var summaryRows: [(layer: String, output: String, params: Int)] {
        layers.map { ("\($0.name) (\($0.kind))", $0.outputShape.map { Layer.describe($0) } ?? "?", $0.paramCount) }
    }

    public var trainableCount: Int { trainableWeights.reduce(0) { $0 + $1.value.count } }

    /// Keras' text summary.
    public func summaryText() -> String {
        let rows = summaryRows
        let w0 = max(28, (rows.map(\.layer.count).max() ?? 0) + 2), w1 = max(26, (rows.map(\.output.count).max() ?? 0) + 2), w2 = 12
        let width = w0 + w1 + w2
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
        var out = "Model: \"\(name)\"\n"
        out += String(repeating: "━", count: width) + "\n"
        out += pad("Layer (type)", w0) + pad("Output Shape", w1) + "Param #\n"
        out += String(repeating: "━", count: width) + "\n"
        for (i, r) in rows.enumerated() {
            out += pad(r.layer, w0) + pad(r.output, w1) + Sequential.grouped(r.params) + "\n"
            if i < rows.count - 1 { out += String(repeating: "─", count: width) + "\n" }
        }
        out += String(repeating: "━", count: width) + "\n"
        let total = countParams(), trainable = trainableCount
        out += " Total params: \(Sequential.grouped(total))\n"
        out += " Trainable params: \(Sequential.grouped(trainable))\n"
        out += " Non-trainable params: \(Sequential.grouped(total - trainable))"
        return out
    }

    /// 28947 → "28,947".
    public static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
}
