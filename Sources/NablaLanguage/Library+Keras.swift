import Foundation
import NablaAutograd
import NablaTensor

// Keras in the language: layers, Sequential, compile/fit/evaluate/predict, optimizers,
// EarlyStopping. The modules `keras`, `tf.keras`, `layers` (Library+KerasModules) let the notes'
// cells read as they are written (`keras.layers.Conv2D(32, (3,3), activation='relu', input_shape=(28,28,3))`).

/// An object that answers `obj[key]` (History.history).
public protocol SubscriptableObject: NablaObject {
    func item(_ key: Value, interpreter: Interpreter) throws -> Value
}

/// An object that can be called like a function (`model(x)`, `layer(x)`).
public protocol CallableObject: NablaObject {
    func call(_ args: [Value], _ kwargs: [(String, Value)], interpreter: Interpreter, span: Span) throws -> Value
}

/// Hooks the display layer fills in: the summary as a rendered table and history curves as a plot.
public enum KerasDisplay {
    nonisolated(unsafe) public static var summary: ((Sequential) -> NablaObject)?   // set once when the display layer registers, before any cell runs
    nonisolated(unsafe) public static var historyPlot: ((History) -> NablaObject)?   // likewise
}

/// A line of text shown as it is (fit's progress, summary text).
final class TextLine: NablaObject {
    let text: String
    init(_ s: String) { text = s }
    var typeName: String { "text" }
    var attributeNames: [String] { [] }
    func attribute(_ name: String) -> Value? { nil }
}

/// A layer as a language object: `layer.kernel`, `layer.bias`, `layer.get_weights()`, `layer(x)`.
final class LayerObject: CallableObject {
    let layer: Layer
    init(_ l: Layer) { layer = l }
    var typeName: String { layer.kind }
    var text: String {
        "<\(layer.kind) name=\(layer.name), output_shape=\(layer.outputShape.map { Layer.describe($0) } ?? "not built yet")>"
    }
    var attributeNames: [String] {
        var names = ["name", "weights", "trainable_weights", "non_trainable_weights", "get_weights", "set_weights", "count_params", "input_shape", "output_shape", "built"]
        switch layer {
        case is Dense: names += ["kernel", "bias", "units", "activation"]
        case is Conv2D: names += ["kernel", "bias", "filters", "kernel_size", "strides", "padding", "activation"]
        case is Pooling2D: names += ["pool_size", "strides", "padding"]
        case is Dropout: names += ["rate"]
        case is BatchNormalization: names += ["gamma", "beta", "moving_mean", "moving_variance", "momentum", "epsilon"]
        case is RecurrentLayer: names += ["kernel", "recurrent_kernel", "bias", "units", "return_sequences"]
        default: break
        }
        return names.sorted()
    }

    static func tensorList(_ ws: [Variable]) -> Value { .list(ListRef(ws.map { .tensor($0) })) }
    static func optional(_ v: Variable?) -> Value { v.map { .tensor($0) } ?? .none }
    static func shape(_ s: [Int]?) -> Value { s.map { .tuple([.none] + $0.map { .number(Double($0)) }) } ?? .none }
    static func pair(_ a: Int, _ b: Int) -> Value { .tuple([.number(Double(a)), .number(Double(b))]) }

    func attribute(_ name: String) -> Value? {
        switch (name, layer) {
        case ("name", _): return .string(layer.name)
        case ("weights", _): return LayerObject.tensorList(layer.weights)
        case ("trainable_weights", _): return LayerObject.tensorList(layer.trainableWeights)
        case ("non_trainable_weights", _): return LayerObject.tensorList(layer.nonTrainableWeights)
        case ("get_weights", _):
            return .builtin(Builtin("get_weights", doc: "The layer's weights as a list of tensors (copies of their values).") { [layer] _ in
                .list(ListRef(layer.weights.map { .tensor(Variable($0.value)) }))
            })
        case ("set_weights", _):
            return .builtin(Builtin("set_weights", [.sequence("weights")], doc: "Replaces the layer's weights with a list of tensors of the same shapes.") { [layer] a in
                let ws = try a.sequence("weights").map { try a.interpreter.toVariable($0, span: a.span, what: "set_weights(): a weight").value }
                guard ws.count == layer.weights.count else { throw NablaError(.value, "set_weights(): \(layer.label) has \(layer.weights.count) weights, got \(ws.count)") }
                for (w, v) in zip(layer.weights, ws) where w.value.shape != v.shape {
                    throw NablaError(.shape, "set_weights(): '\(w.name ?? "?")' has shape \(formatShape(w.value.shape)), got \(formatShape(v.shape))")
                }
                for (w, v) in zip(layer.weights, ws) { try w.update { $0 = v } }
                return .none
            })
        case ("count_params", _):
            return .builtin(Builtin("count_params", doc: "The number of weights in the layer.") { [layer] _ in .number(Double(layer.paramCount)) })
        case ("input_shape", _): return LayerObject.shape(layer.inputShape)
        case ("output_shape", _): return LayerObject.shape(layer.outputShape)
        case ("built", _): return .bool(layer.built)
        case let ("kernel", l as Dense): return LayerObject.optional(l.kernel)
        case let ("bias", l as Dense): return LayerObject.optional(l.bias)
        case let ("units", l as Dense): return .number(Double(l.units))
        case let ("activation", l as Dense): return .string(l.activation.rawValue)
        case let ("kernel", l as Conv2D): return LayerObject.optional(l.kernel)
        case let ("bias", l as Conv2D): return LayerObject.optional(l.bias)
        case let ("filters", l as Conv2D): return .number(Double(l.filters))
        case let ("kernel_size", l as Conv2D): return LayerObject.pair(l.kernelSize.0, l.kernelSize.1)
        case let ("strides", l as Conv2D): return LayerObject.pair(l.stride, l.stride)
        case let ("padding", l as Conv2D): return .string(l.padding.rawValue)
        case let ("activation", l as Conv2D): return .string(l.activation.rawValue)
        case let ("pool_size", l as Pooling2D): return LayerObject.pair(l.size, l.size)
        case let ("strides", l as Pooling2D): return LayerObject.pair(l.stride, l.stride)
        case let ("padding", l as Pooling2D): return .string(l.padding.rawValue)
        case let ("rate", l as Dropout): return .number(l.rate)
        case let ("gamma", l as BatchNormalization): return LayerObject.optional(l.gamma)
        case let ("beta", l as BatchNormalization): return LayerObject.optional(l.beta)
        case let ("moving_mean", l as BatchNormalization): return LayerObject.optional(l.movingMean)
        case let ("moving_variance", l as BatchNormalization): return LayerObject.optional(l.movingVariance)
        case let ("momentum", l as BatchNormalization): return .number(l.momentum)
        case let ("epsilon", l as BatchNormalization): return .number(l.epsilon)
        case let ("kernel", l as RecurrentLayer): return LayerObject.optional(l.kernel)
        case let ("recurrent_kernel", l as RecurrentLayer): return LayerObject.optional(l.recurrentKernel)
        case let ("bias", l as RecurrentLayer): return LayerObject.optional(l.bias)
        case let ("units", l as RecurrentLayer): return .number(Double(l.units))
        case let ("return_sequences", l as RecurrentLayer): return .bool(l.returnSequences)
        default: return nil
        }
    }

    func call(_ args: [Value], _ kwargs: [(String, Value)], interpreter: Interpreter, span: Span) throws -> Value {
        let (x, training) = try kerasCallArguments(args, kwargs, caller: "\(layer.kind)() layer", input: "\(layer.label): the input", interpreter: interpreter, span: span)
        return .tensor(try interpreter.wrap(span) { try layer.call(x, training: training) })
    }
}

/// A Keras optimizer object (`Adam(learning_rate=0.01)`), given to compile.
final class OptimizerSpecObject: NablaObject {
    let spec: OptimizerSpec
    init(_ s: OptimizerSpec) { spec = s }
    var typeName: String { spec.name }
    var text: String {
        var parts = ["learning_rate=\(Tensor.formatNumber(spec.learningRate))"]
        switch spec.kind {
        case .sgd: parts.append("momentum=\(Tensor.formatNumber(spec.momentum))")
        case .adam: parts += ["beta_1=\(Tensor.formatNumber(spec.beta1))", "beta_2=\(Tensor.formatNumber(spec.beta2))", "epsilon=\(Tensor.formatNumber(spec.epsilon))"]
        case .rmsprop: parts += ["rho=\(Tensor.formatNumber(spec.rho))", "epsilon=\(Tensor.formatNumber(spec.epsilon))"]
        }
        return "\(spec.name)(" + parts.joined(separator: ", ") + ")"
    }
    var attributeNames: [String] { ["learning_rate"] }
    func attribute(_ name: String) -> Value? { name == "learning_rate" ? .number(spec.learningRate) : nil }
}

/// EarlyStopping as a language object.
final class CallbackObject: NablaObject {
    let callback: EarlyStopping
    init(_ c: EarlyStopping) { callback = c }
    var typeName: String { "EarlyStopping" }
    var text: String { "EarlyStopping(monitor='\(callback.monitor)', patience=\(callback.patience), restore_best_weights=\(callback.restoreBestWeights ? "True" : "False"))" }
    var attributeNames: [String] { ["monitor", "patience", "best", "stopped_epoch", "best_epoch"] }
    func attribute(_ name: String) -> Value? {
        switch name {
        case "monitor": return .string(callback.monitor)
        case "patience": return .number(Double(callback.patience))
        case "best": return .number(callback.best)
        case "stopped_epoch": return .number(Double(callback.stoppedEpoch))
        case "best_epoch": return .number(Double(callback.bestEpoch))
        default: return nil
        }
    }
}

/// An epoch's logged values for a LambdaCallback: `logs['loss']`, `logs.keys()`.
final class LogsObject: SubscriptableObject {
    let logs: [(String, Double)]
    init(_ logs: [(String, Double)]) { self.logs = logs }
    var typeName: String { "dict" }
    var text: String { "{" + logs.map { "'\($0.0)': \(Tensor.formatNumber($0.1))" }.joined(separator: ", ") + "}" }
    var attributeNames: [String] { ["keys"] }
    func attribute(_ name: String) -> Value? {
        guard name == "keys" else { return nil }
        return .builtin(Builtin("keys", doc: "The logged names.") { [logs] _ in .list(ListRef(logs.map { .string($0.0) })) })
    }
    func item(_ key: Value, interpreter: Interpreter) throws -> Value {
        guard case let .string(k) = key, let v = logs.first(where: { $0.0 == k }) else {
            throw NablaError(.name, "KeyError: \(interpreter.repr(key)) is not logged; the keys are \(logs.map { "'\($0.0)'" }.joined(separator: ", "))")
        }
        return .number(v.1)
    }
}

/// Keras' LambdaCallback: the student's own functions called by fit.
final class LambdaCallback: Callback {
    let interpreter: Interpreter
    let span: Span
    let onEpochEnd: Value?, onTrainBegin: Value?, onTrainEnd: Value?
    init(_ i: Interpreter, span: Span, onEpochEnd: Value?, onTrainBegin: Value?, onTrainEnd: Value?) {
        interpreter = i; self.span = span; self.onEpochEnd = onEpochEnd; self.onTrainBegin = onTrainBegin; self.onTrainEnd = onTrainEnd
    }

    /// Runs a student function; an interrupt inside it is fit's interrupt (weights kept).
    func invoke(_ f: Value?, _ args: [Value]) throws {
        guard let f else { return }
        do { _ = try interpreter.call(f, args, [], span: span) } catch let e as NablaError where e.kind == .keyboardInterrupt { throw TensorError.interrupted }
    }
    func onTrainBegin(_ model: Sequential) throws { try invoke(onTrainBegin, [.none]) }
    func onEpochEnd(_ epoch: Int, logs: [String: Double], model: Sequential) throws {
        let ordered = (model.history?.keys ?? logs.keys.sorted()).compactMap { k in logs[k].map { (k, $0) } }
        try invoke(onEpochEnd, [.number(Double(epoch)), .object(LogsObject(ordered))])
    }
    func onTrainEnd(_ model: Sequential) throws { try invoke(onTrainEnd, [.none]) }
}

final class LambdaCallbackObject: NablaObject {
    let callback: LambdaCallback
    init(_ c: LambdaCallback) { callback = c }
    var typeName: String { "LambdaCallback" }
    var text: String { "LambdaCallback()" }
    var attributeNames: [String] { [] }
    func attribute(_ name: String) -> Value? { nil }
}

/// `history.history`: the per-epoch values by key, indexed like a dict.
final class HistoryDict: SubscriptableObject {
    let history: History
    init(_ h: History) { history = h }
    var typeName: String { "dict" }
    var text: String {
        "{" + history.keys.map { k in "'\(k)': [" + (history.values[k] ?? []).map { Tensor.formatNumber($0) }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "}"
    }
    var attributeNames: [String] { ["keys"] }
    func attribute(_ name: String) -> Value? {
        guard name == "keys" else { return nil }
        return .builtin(Builtin("keys", doc: "The logged names: loss, accuracy, val_loss, val_accuracy.") { [history] _ in
            .list(ListRef(history.keys.map { .string($0) }))
        })
    }
    func item(_ key: Value, interpreter: Interpreter) throws -> Value {
        guard case let .string(k) = key else { throw NablaError(.type, "history keys are strings such as 'loss', got \(key.typeName)") }
        guard let v = history.values[k] else {
            throw NablaError(.name, "KeyError: '\(k)' is not in the history; its keys are \(history.keys.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return .tensor(Tensor(v))
    }
}

/// The result of fit: `.history` (a dict of lists), `.epoch`, `.plot()`.
final class HistoryObject: NablaObject {
    let history: History
    init(_ h: History) { history = h }
    var typeName: String { "History" }
    var text: String { "<History: \(history.epochs.count) epoch\(history.epochs.count == 1 ? "" : "s"), keys \(history.keys.joined(separator: ", "))>" }
    var attributeNames: [String] { ["history", "epoch", "plot"] }
    func attribute(_ name: String) -> Value? {
        switch name {
        case "history": return .object(HistoryDict(history))
        case "epoch": return .list(ListRef(history.epochs.map { .number(Double($0)) }))
        case "plot":
            return .builtin(Builtin("plot", doc: "The loss (and accuracy) per epoch, training and validation, as curves.") { [history] _ in
                guard let make = KerasDisplay.historyPlot else { return .object(HistoryDict(history)) }
                return .object(make(history))
            })
        default: return nil
        }
    }
}

/// A Sequential model as a language object.
final class ModelObject: CallableObject {
    let model: Sequential
    init(_ m: Sequential) { model = m }
    var typeName: String { "Sequential" }
    var text: String { "<Sequential name=\(model.name), \(model.layers.count) layer\(model.layers.count == 1 ? "" : "s"), \(Sequential.grouped(model.countParams())) params>" }
    var attributeNames: [String] {
        ["add", "compile", "fit", "evaluate", "predict", "summary", "count_params", "layers", "get_weights", "set_weights", "history",
         "weights", "trainable_weights", "name", "built", "input_shape", "output_shape", "optimizer", "loss", "stop_training"].sorted()
    }

    func attribute(_ name: String) -> Value? {
        let m = model
        switch name {
        case "layers": return .list(ListRef(m.layers.map { .object(LayerObject($0)) }))
        case "weights": return LayerObject.tensorList(m.weights)
        case "trainable_weights": return LayerObject.tensorList(m.trainableWeights)
        case "name": return .string(m.name)
        case "built": return .bool(m.built)
        case "input_shape": return LayerObject.shape(m.inputShape)
        case "output_shape": return LayerObject.shape(m.outputShape)
        case "history": return m.history.map { .object(HistoryObject($0)) } ?? .none
        case "stop_training": return .bool(m.stopTraining)
        case "optimizer": return m.compiled.map { .object(OptimizerSpecObject($0.optimizer)) } ?? .none
        case "loss": return m.compiled.map { .string($0.loss.name) } ?? .none
        default: return Library.modelMethods[name].map { .builtin($0.bound(to: .object(self))) }
        }
    }

    func call(_ args: [Value], _ kwargs: [(String, Value)], interpreter: Interpreter, span: Span) throws -> Value {
        let (x, training) = try kerasCallArguments(args, kwargs, caller: "a model", input: "the model's input", interpreter: interpreter, span: span)
        return .tensor(try interpreter.wrap(span) { try model.call(x, training: training) })
    }
}

extension Library {
    /// An int or a pair `(a, b)` (Keras' kernel_size, strides, pool_size).
    static func pair(_ a: Args, _ name: String, default d: (Int, Int)? = nil) throws -> (Int, Int)? {
        guard let v = a.value(name) else { return d }
        if isScalar(v) {
            let k = try a.int(name)
            return (k, k)
        }
        let items = try a.interpreter.elements(v, span: a.span)
        guard items.count == 2 else { throw NablaError(.value, "\(a.builtin.name)(): '\(name)' must be a whole number or a pair (height, width), got \(items.count) values") }
        return (try a.interpreter.toInt(items[0], span: a.span, what: "\(a.builtin.name)(): '\(name)'"),
                try a.interpreter.toInt(items[1], span: a.span, what: "\(a.builtin.name)(): '\(name)'"))
    }

    /// A single number (an int, a float or a 0-d tensor), as opposed to a tuple.
    static func isScalar(_ v: Value) -> Bool {
        switch v {
        case .int, .float, .bool: return true
        case let .tensor(t): return t.value.rank == 0
        default: return false
        }
    }

    static func requiredPair(_ a: Args, _ name: String) throws -> (Int, Int) {
        guard let p = try pair(a, name) else { throw NablaError(.type, "\(a.builtin.name)(): '\(name)' must be a whole number or a pair (height, width), got None") }
        return p
    }

    /// `input_shape=(28, 28, 3)` (or `input_dim=64` for Dense).
    static func inputShape(_ a: Args) throws -> [Int]? {
        if a.builtin.parameters.contains(where: { $0.name == "input_dim" }), a.has("input_dim") { return [try a.int("input_dim")] }
        guard let v = a.value("input_shape") else { return nil }
        if isScalar(v) { return [try a.int("input_shape")] }
        let dims = try a.interpreter.elements(v, span: a.span).compactMap { item -> Value? in
            if case .none = item { return nil }   // a leading None (the batch axis) is allowed
            return item
        }.map { try a.interpreter.toInt($0, span: a.span, what: "\(a.builtin.name)(): input_shape") }
        guard !dims.isEmpty, dims.allSatisfy({ $0 >= 1 }) else {
            throw NablaError(.value, "\(a.builtin.name)(): input_shape must be positive sizes without the batch axis, e.g. (28, 28, 3)")
        }
        return dims
    }

    static func activation(_ a: Args) throws -> ActivationKind {
        guard let v = a.value("activation") else { return .linear }
        guard case let .string(s) = v else { throw NablaError(.type, "\(a.builtin.name)(): activation must be a name such as 'relu', got \(v.typeName)") }
        return try ActivationKind(keras: s)
    }

    static func name(_ a: Args) throws -> String? { a.has("name") ? try a.string("name") : nil }

    static func layer(_ l: Layer) -> Value { .object(LayerObject(l)) }

    static func tensorValue(_ a: Args, _ name: String) throws -> Tensor { try a.tensor(name).value }

    static func batchSize(_ a: Args) throws -> Int {
        let b = try a.int("batch_size")
        guard b >= 1 else { throw NablaError(.value, "\(a.builtin.name)(): batch_size must be at least 1, got \(b)") }
        return b
    }

    static func verbose(_ a: Args) throws -> Int {
        guard let v = a.value("verbose") else { return 1 }
        if case let .string(s) = v {
            guard s == "auto" else { throw NablaError(.value, "\(a.builtin.name)(): verbose must be 0, 1, 2 or 'auto', got '\(s)'") }
            return 1
        }
        let n = try a.int("verbose")
        guard (0...2).contains(n) else { throw NablaError(.value, "\(a.builtin.name)(): verbose must be 0, 1, 2 or 'auto', got \(n)") }
        return n
    }

    static func model(_ a: Args) throws -> Sequential {
        guard case let .object(o as ModelObject)? = a.value("self") else { throw NablaError(.type, "\(a.builtin.name)() is a method of a model") }
        return o.model
    }

    /// `Epoch 3/10 ━━━━━━━━━━ 144/144 - 0.8s 6ms/step - loss: 0.4321 - accuracy: 0.8800`.
    static func progressLine(_ p: FitProgress, bar: Bool) -> String {
        var s = "Epoch \(p.epoch + 1)/\(p.epochs)"
        if bar {
            let width = 20, filled = p.batches == 0 ? width : width * p.batch / p.batches
            s += " " + String(repeating: "━", count: filled) + String(repeating: "─", count: width - filled) + " \(p.batch)/\(p.batches)"
        }
        let perStep = p.batch > 0 ? p.seconds / Double(p.batch) * 1000 : 0
        s += String(format: " - %.1fs %.0fms/step", p.seconds, perStep)
        for (k, v) in p.logs { s += " - \(k): " + String(format: "%.4f", v) }
        return s
    }

    /// The model's methods; bound to the model object on access (`model.fit`).
    nonisolated(unsafe) static let modelMethods: [String: Builtin] = {   // built once, never changed (a Builtin holds closures, so is not Sendable)
        var m = [String: Builtin]()
        func add(_ b: Builtin) { m[b.name] = b }
        add(Builtin("add", [.any("self"), .any("layer")], doc: "Appends a layer. When the input shape is known (the first layer's input_shape), the layer is built at once, so a shape mismatch is reported here.") { a in
            let model = try model(a)
            guard case let .object(o as LayerObject)? = a.value("layer") else {
                throw NablaError(.type, "add(): expected a layer such as Dense(10), got \(a.value("layer")?.typeName ?? "None")")
            }
            try a.interpreter.wrap(a.span) { try model.add(o.layer) }
            return .none
        })
        add(Builtin("compile", [.any("self"), .any("optimizer", default: "rmsprop"), .any("loss", default: nil), .any("metrics", default: nil)], doc: "Chooses the optimizer ('sgd', 'adam', 'rmsprop' or an object such as Adam(learning_rate=0.01); Keras' defaults), the loss by Keras name (mse, mae, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, hinge) and the metrics (['accuracy'], 'mse', 'mae').") { a in
            let model = try model(a)
            let spec: OptimizerSpec
            switch a.value("optimizer") {
            case nil: spec = OptimizerSpec(kind: .rmsprop)
            case let .string(s)?: spec = try a.interpreter.wrap(a.span) { try OptimizerSpec(keras: s) }
            case let .object(o as OptimizerSpecObject)?: spec = o.spec
            case let v?: throw NablaError(.type, "compile(): optimizer must be a name such as 'adam' or an optimizer such as Adam(), got \(v.typeName)")
            }
            guard case let .string(lossName)? = a.value("loss") else {
                throw NablaError(.type, "compile(): loss must be a name such as 'sparse_categorical_crossentropy'")
            }
            let loss = try a.interpreter.wrap(a.span) { try KerasLoss(keras: lossName) }
            var metrics = [String]()
            if let mv = a.value("metrics") {
                let items: [Value]
                if case .string = mv { items = [mv] } else { items = try a.interpreter.elements(mv, span: a.span) }
                for item in items {
                    guard case let .string(s) = item else { throw NablaError(.type, "compile(): metrics must be names such as 'accuracy', got \(item.typeName)") }
                    _ = try a.interpreter.wrap(a.span) { try KerasMetric(keras: s, loss: loss, output: nil) }
                    metrics.append(s)
                }
            }
            model.compiled = Compiled(optimizer: spec, loss: loss, metrics: metrics)
            model.optimizer = nil
            return .none
        })
        add(Builtin("fit", [.any("self"), .any("x"), .any("y"), .any("batch_size", default: 32), .int("epochs", default: 1), .any("verbose", default: "auto"), .sequence("callbacks", default: nil), .number("validation_split", default: 0.0), .any("validation_data", default: nil), .bool("shuffle", default: true)], doc: "Trains the model: each epoch shuffles the samples (with the seeded generator) and takes one optimizer step per mini-batch; the loss and metrics of an epoch are the means over its batches, and val_loss/val_accuracy are measured on validation_data (x, y) or on the last validation_split of the samples at its end. verbose=1 shows one line per epoch updated in place, 2 one line at each epoch's end, 0 nothing. Returns a History whose .history['loss'] lists the values per epoch. Bad data is reported before any step; an error during training puts the weights back; an interrupt stops at the next batch, keeping the weights and the epochs done (model.history).") { a in
            let model = try model(a)
            let x = try tensorValue(a, "x"), y = try tensorValue(a, "y")
            let epochs = try a.int("epochs")
            let verbose = try verbose(a)
            var val: (Tensor, Tensor)?
            if let v = a.value("validation_data") {
                let parts = try a.interpreter.elements(v, span: a.span)
                guard parts.count == 2 else { throw NablaError(.value, "fit(): validation_data must be a pair (x_val, y_val), got \(parts.count) items") }
                val = (try a.interpreter.toVariable(parts[0], span: a.span, what: "fit(): validation x").value,
                       try a.interpreter.toVariable(parts[1], span: a.span, what: "fit(): validation y").value)
            }
            var callbacks = [Callback]()
            for item in try a.sequence("callbacks") {
                if case let .object(o as LambdaCallbackObject) = item { callbacks.append(o.callback); continue }
                if case let .instance(o) = item {
                    // The student's own callback class (Keras' keras.callbacks.Callback subclass): its
                    // on_epoch_end(epoch, logs), on_train_begin(logs), on_train_end(logs); self.model is the model.
                    func method(_ n: String) -> Value? { try? a.interpreter.findMethod(item, n) }
                    let cb = LambdaCallback(a.interpreter, span: a.span, onEpochEnd: method("on_epoch_end"), onTrainBegin: method("on_train_begin"), onTrainEnd: method("on_train_end"))
                    guard cb.onEpochEnd != nil || cb.onTrainBegin != nil || cb.onTrainEnd != nil else {
                        throw NablaError(.type, "fit(): a callback object needs a method on_epoch_end(self, epoch, logs), on_train_begin or on_train_end")
                    }
                    o.set("model", .object(ModelObject(model)))
                    callbacks.append(cb); continue
                }
                guard case let .object(o as CallbackObject) = item else { throw NablaError(.type, "fit(): callbacks must be callbacks such as EarlyStopping(...) or LambdaCallback(...), got \(item.typeName)") }
                o.callback.log = { [weak sink = a.interpreter.sink] s in sink?.write(s + "\n", stream: "stdout") }
                callbacks.append(o.callback)
            }
            let sink = a.interpreter.sink
            let live = !(sink is TextSink)
            let run = UUID().uuidString
            var lastShown = Date.distantPast, shownEpoch = -1
            let progress: (FitProgress) -> Void = { p in
                guard verbose > 0, let sink else { return }
                if verbose == 2 || !live {
                    if p.epochDone { sink.write(progressLine(p, bar: verbose == 1) + "\n", stream: "stdout") }
                    return
                }
                let now = Date()
                guard p.epochDone || now.timeIntervalSince(lastShown) > 0.25 || shownEpoch != p.epoch else { return }
                lastShown = now
                let id = "fit-\(run)-\(p.epoch)"
                sink.display(.object(TextLine(progressLine(p, bar: true))), id: id, update: shownEpoch == p.epoch)
                shownEpoch = p.epoch
            }
            let h = try a.interpreter.wrap(a.span) {
                try model.fit(x, y, epochs: epochs, batchSize: try batchSize(a), shuffle: try a.bool("shuffle"), validation: val,
                              validationSplit: try a.double("validation_split"), callbacks: callbacks, progress: progress)
            }
            return .object(HistoryObject(h))
        })
        add(Builtin("evaluate", [.any("self"), .any("x"), .any("y"), .any("batch_size", default: 32), .any("verbose", default: "auto")], doc: "The mean loss and metrics on (x, y), in inference mode (dropout off, batch normalization with its moving averages): [loss, accuracy], or the loss alone without metrics.") { a in
            let model = try model(a)
            let verbose = try verbose(a)
            let r = try a.interpreter.wrap(a.span) { try model.evaluate(try tensorValue(a, "x"), try tensorValue(a, "y"), batchSize: try batchSize(a)) }
            if verbose > 0 {
                let n = try tensorValue(a, "x").shape.first ?? 0, bs = try batchSize(a)
                let line = "\((n + bs - 1) / bs)/\((n + bs - 1) / bs) - " + r.map { "\($0.0): " + String(format: "%.4f", $0.1) }.joined(separator: " - ")
                a.interpreter.sink?.write(line + "\n", stream: "stdout")
            }
            if r.count == 1 { return .number(r[0].1) }
            return .list(ListRef(r.map { .number($0.1) }))
        })
        add(Builtin("predict", [.any("self"), .any("x"), .any("batch_size", default: 32), .any("verbose", default: "auto")], doc: "The model's outputs for x (inference mode), computed in batches: for a softmax output, one row of class probabilities per sample.") { a in
            let model = try model(a)
            _ = try verbose(a)
            return .tensor(try a.interpreter.wrap(a.span) { try model.predict(try tensorValue(a, "x"), batchSize: try batchSize(a)) })
        })
        add(Builtin("summary", [.any("self")], doc: "The layers with their output shapes and parameter counts, and the totals, as Keras prints them (a table in a notebook).") { a in
            let model = try model(a)
            if let make = KerasDisplay.summary, !(a.interpreter.sink is TextSink) {
                a.interpreter.sink?.display(.object(make(model)), id: nil, update: false)
            } else {
                a.interpreter.sink?.write(model.summaryText() + "\n", stream: "stdout")
            }
            return .none
        })
        add(Builtin("count_params", [.any("self")], doc: "The number of weights in the model (trainable and not).") { a in .number(Double(try model(a).countParams())) })
        add(Builtin("get_weights", [.any("self")], doc: "Every weight of the model as a list of tensors (copies), in layer order.") { a in
            .list(ListRef(try model(a).getWeights().map { .tensor($0) }))
        })
        add(Builtin("set_weights", [.any("self"), .sequence("weights")], doc: "Replaces every weight from a list of tensors such as get_weights() returned.") { a in
            let model = try model(a)
            let ws = try a.sequence("weights").map { try a.interpreter.toVariable($0, span: a.span, what: "set_weights(): a weight").value }
            try a.interpreter.wrap(a.span) { try model.setWeights(ws) }
            return .none
        })
        return m
    }()

    static func keras(_ i: Interpreter) {
        let layerDocs = " Keras' arguments and defaults; kernels glorot_uniform and biases zeros, drawn from the generator `seed(n)` resets."
        i.register(Builtin("Dense", [.int("units"), .any("activation", default: nil), .bool("use_bias", default: true), .any("input_shape", default: nil), .any("input_dim", default: nil), .any("name", default: nil)], formula: "y = activation(x·W + b),  W: (inputs, units), b: (units)", doc: "A fully connected layer." + layerDocs + " Parameters: inputs·units + units.", example: "seed(0)\nlayer = Dense(3, activation='relu', input_shape=(4,))\nmodel = Sequential([layer])\n(shape(layer.kernel), layer.count_params())") { a in
            layer(try a.interpreter.wrap(a.span) {
                try Dense(units: try a.int("units"), activation: try activation(a), useBias: try a.bool("use_bias"), name: try name(a), inputShape: try inputShape(a))
            })
        })
        i.register(Builtin("Conv2D", [.int("filters"), .any("kernel_size"), .any("strides", default: 1), .string("padding", default: "valid"), .any("activation", default: nil), .bool("use_bias", default: true), .any("input_shape", default: nil), .any("name", default: nil)], formula: "out[n, i, j, f] = activation(Σ_{u,v,c} x[n, i·s + u, j·s + v, c] · K[u, v, c, f] + b[f])", doc: "A 2-d convolution over images (N, height, width, channels), channels last as Keras; kernel (kh, kw, channels, filters). padding='valid' (no padding) or 'same' (output size ⌈input/stride⌉)." + layerDocs + " Parameters: kh·kw·channels·filters + filters.", example: "model = Sequential([Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 3))])\n(model.layers[0].output_shape, model.count_params())") { a in
            layer(try a.interpreter.wrap(a.span) {
                try Conv2D(filters: try a.int("filters"), kernelSize: try requiredPair(a, "kernel_size"), strides: try pair(a, "strides", default: (1, 1)) ?? (1, 1),
                           padding: try PaddingMode(keras: try a.string("padding"), layer: "Conv2D"), activation: try activation(a),
                           useBias: try a.bool("use_bias"), name: try name(a), inputShape: try inputShape(a))
            })
        })
        for (kind, isMax, example) in [
            ("MaxPool2D", true, "model = Sequential([MaxPool2D(2, 2, input_shape=(26, 26, 32))])\nmodel.layers[0].output_shape"),
            ("MaxPooling2D", true, "model = Sequential([MaxPooling2D((2, 2), input_shape=(4, 4, 1))])\nmodel.predict(reshape(arange(16), 1, 4, 4, 1))[0, :, :, 0]"),
            ("AveragePooling2D", false, "model = Sequential([AveragePooling2D(2, input_shape=(4, 4, 1))])\nmodel.predict(reshape(arange(16), 1, 4, 4, 1))[0, :, :, 0]"),
            ("AvgPool2D", false, "model = Sequential([AvgPool2D(3, strides=1, padding='same', input_shape=(3, 3, 1))])\nmodel.predict(reshape(arange(9), 1, 3, 3, 1))[0, :, :, 0]"),
        ] {
            let what = isMax ? "the largest value" : "the mean"
            i.register(Builtin(kind, [.any("pool_size", default: 2), .any("strides", default: nil), .string("padding", default: "valid"), .any("input_shape", default: nil), .any("name", default: nil)], formula: "out[n, i, j, c] = \(isMax ? "max" : "mean") of x[n, i·s : i·s + k, j·s : j·s + k, c]", doc: "\(isMax ? "Max" : "Average") pooling: \(what) of each pool_size window (square), moved by strides (default pool_size), per channel, channels last. padding='same' pads so the output is ⌈input/stride⌉\(isMax ? "" : ", averaging only the real elements"). No parameters.", example: example) { a in
                layer(try a.interpreter.wrap(a.span) {
                    try Pooling2D(max: isMax, poolSize: try pair(a, "pool_size", default: (2, 2)) ?? (2, 2), strides: try pair(a, "strides"),
                                  padding: try PaddingMode(keras: try a.string("padding"), layer: kind), kind: isMax ? "MaxPooling2D" : "AveragePooling2D", name: try name(a), inputShape: try inputShape(a))
                })
            })
        }
        i.register(Builtin("Flatten", [.any("input_shape", default: nil), .any("name", default: nil)], doc: "Reshapes each sample to one axis: (N, h, w, c) → (N, h·w·c), in channels-last order. No parameters.", example: "model = Sequential([Flatten(input_shape=(3, 3, 16))])\nmodel.layers[0].output_shape") { a in
            layer(Flatten(name: try name(a), inputShape: try inputShape(a)))
        })
        i.register(Builtin("Dropout", [.number("rate"), .any("input_shape", default: nil), .any("name", default: nil)], formula: "training: y = x · m / (1 − rate), m ~ Bernoulli(1 − rate);  otherwise y = x", doc: "Inverted dropout during fit only (each value zeroed with probability rate, the others scaled up); evaluate and predict pass inputs through. rate in [0, 1). No parameters.", example: "seed(0)\nmodel = Sequential([Dropout(0.5, input_shape=(4,))])\nmodel.predict(ones(1, 4))   # evaluation: no dropout") { a in
            layer(try a.interpreter.wrap(a.span) { try Dropout(rate: try a.double("rate"), name: try name(a), inputShape: try inputShape(a)) })
        })
        i.register(Builtin("BatchNormalization", [.int("axis", default: -1), .number("momentum", default: 0.99), .number("epsilon", default: 0.001), .any("input_shape", default: nil), .any("name", default: nil)], formula: "y = γ (x − μ) / √(σ² + ε) + β;  moving ← momentum·moving + (1 − momentum)·batch", doc: "Normalizes each feature (the last axis): in fit with the batch's mean and variance, updating the moving averages; in evaluate and predict with the moving averages. Parameters: 4 per feature (γ, β trainable; moving mean and variance not).", example: "model = Sequential([BatchNormalization(input_shape=(2,))])\n(model.count_params(), model.predict([[1.0, 2.0]]))") { a in
            let axis = try a.int("axis")
            guard axis == -1 else { throw NablaError(.value, "BatchNormalization(): only axis=-1 (the last axis, Keras' default) is supported, got \(axis)") }
            return layer(try a.interpreter.wrap(a.span) {
                try BatchNormalization(momentum: try a.double("momentum"), epsilon: try a.double("epsilon"), name: try name(a), inputShape: try inputShape(a))
            })
        })
        i.register(Builtin("Activation", [.any("activation"), .any("input_shape", default: nil), .any("name", default: nil)], doc: "Applies an activation by name: 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'softplus', 'leaky_relu' or 'linear'. No parameters.", example: "model = Sequential([Activation('softmax', input_shape=(3,))])\nmodel.predict([[1.0, 2.0, 3.0]])") { a in
            layer(ActivationLayer(try a.interpreter.wrap(a.span) { try activation(a) }, name: try name(a), inputShape: try inputShape(a)))
        })
        i.register(Builtin("Sequential", [.sequence("layers", default: nil), .string("name", default: "sequential")], doc: "A model that applies its layers in order (Keras' Sequential): Sequential([Dense(16, activation='relu', input_shape=(64,)), Dense(10, activation='softmax')]) or model.add(layer). Methods: add, compile, fit, evaluate, predict, summary, count_params, get_weights, set_weights; model.layers[i].kernel; model(x) runs it on a batch with gradients recorded. Also reachable as keras.Sequential, keras.models.Sequential and tf.keras.models.Sequential; layers as keras.layers.Dense, layers.Dense, …", example: "seed(0)\nmodel = Sequential([Dense(16, activation='relu', input_shape=(64,)), Dense(10, activation='softmax')])\nmodel.summary()") { a in
            let model = Sequential(name: try a.string("name"))
            for item in try a.sequence("layers") {
                guard case let .object(o as LayerObject) = item else { throw NablaError(.type, "Sequential(): expected layers, got \(item.typeName)") }
                try a.interpreter.wrap(a.span) { try model.add(o.layer) }
            }
            return .object(ModelObject(model))
        })
        i.register(Builtin("SGD", [.number("learning_rate", default: 0.01), .number("momentum", default: 0.0)], formula: "v ← μv − η∇w,  w ← w + v  (μ = 0: w ← w − η∇w)", doc: "Keras' stochastic gradient descent, for compile(optimizer=SGD(...)).", example: "SGD(learning_rate=0.1, momentum=0.9)") { a in
            var s = OptimizerSpec(kind: .sgd, learningRate: try a.double("learning_rate"))
            s.momentum = try a.double("momentum")
            guard s.learningRate > 0, s.momentum >= 0, s.momentum < 1 else { throw NablaError(.value, "SGD(): learning_rate must be positive and momentum in [0, 1)") }
            return .object(OptimizerSpecObject(s))
        })
        i.register(Builtin("Adam", [.number("learning_rate", default: 0.001), .number("beta_1", default: 0.9), .number("beta_2", default: 0.999), .number("epsilon", default: 1e-07)], formula: "m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  w ← w − η m̂ / (√v̂ + ε)", doc: "Keras' Adam (its defaults; ε added to √v̂ as PyTorch does), for compile(optimizer=Adam(...)).", example: "Adam()") { a in
            var s = OptimizerSpec(kind: .adam, learningRate: try a.double("learning_rate"))
            s.beta1 = try a.double("beta_1"); s.beta2 = try a.double("beta_2"); s.epsilon = try a.double("epsilon")
            guard s.learningRate > 0, (0..<1).contains(s.beta1), (0..<1).contains(s.beta2), s.epsilon > 0 else { throw NablaError(.value, "Adam(): learning_rate and epsilon must be positive, beta_1 and beta_2 in [0, 1)") }
            return .object(OptimizerSpecObject(s))
        })
        i.register(Builtin("RMSprop", [.number("learning_rate", default: 0.001), .number("rho", default: 0.9), .number("epsilon", default: 1e-07)], formula: "v ← ρv + (1−ρ)g²,  w ← w − η g / (√v + ε)", doc: "Keras' RMSprop, for compile(optimizer=RMSprop(...)).", example: "RMSprop(learning_rate=0.01)") { a in
            var s = OptimizerSpec(kind: .rmsprop, learningRate: try a.double("learning_rate"))
            s.rho = try a.double("rho"); s.epsilon = try a.double("epsilon")
            guard s.learningRate > 0, (0..<1).contains(s.rho), s.epsilon > 0 else { throw NablaError(.value, "RMSprop(): learning_rate and epsilon must be positive, rho in [0, 1)") }
            return .object(OptimizerSpecObject(s))
        })
        i.register(Builtin("EarlyStopping", [.string("monitor", default: "val_loss"), .number("min_delta", default: 0), .int("patience", default: 0), .int("verbose", default: 0), .string("mode", default: "auto"), .bool("restore_best_weights", default: false)], doc: "A callback for fit(callbacks=[...]): stops training when `monitor` has not improved by more than min_delta for `patience` epochs (mode 'min', 'max', or 'auto': max for accuracy). With restore_best_weights=True the model ends with the weights of its best epoch.", example: "EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)") { a in
            .object(CallbackObject(try a.interpreter.wrap(a.span) {
                try EarlyStopping(monitor: try a.string("monitor"), minDelta: try a.double("min_delta"), patience: try a.int("patience"),
                                  mode: try a.string("mode"), restoreBestWeights: try a.bool("restore_best_weights"), verbose: try a.int("verbose"))
            }))
        })
        i.register(Builtin("LambdaCallback", [.any("on_epoch_end", default: nil), .any("on_train_begin", default: nil), .any("on_train_end", default: nil)], doc: "A callback for fit(callbacks=[...]) made of your own functions: on_epoch_end(epoch, logs) after each epoch (logs['loss'], logs['val_accuracy'], …; epochs count from 0), on_train_begin(logs) and on_train_end(logs) around training.", example: "seed(0)\nm = Sequential([Dense(1, input_shape=(1,))])\nm.compile(optimizer='sgd', loss='mse')\nlosses = []\nlog = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(round(logs['loss'], 3)))\nh = m.fit([[1.0], [2.0]], [2.0, 4.0], epochs=3, verbose=0, callbacks=[log])\nlosses") { a in
            .object(LambdaCallbackObject(LambdaCallback(a.interpreter, span: a.span, onEpochEnd: a.value("on_epoch_end"), onTrainBegin: a.value("on_train_begin"), onTrainEnd: a.value("on_train_end"))))
        })
        kerasData(i)
        kerasImages(i)
        kerasModules(i)
    }
}

/// The arguments of `layer(x)` and `model(x, training=True)`: one input batch and Keras' training flag.
func kerasCallArguments(_ args: [Value], _ kwargs: [(String, Value)], caller: String, input: String,
                        interpreter: Interpreter, span: Span) throws -> (Variable, Bool) {
    guard args.count == 1 else { throw NablaError(.type, "\(caller) takes one input batch, got \(args.count) arguments", at: span) }
    var training = false
    for (k, v) in kwargs {
        guard k == "training" else { throw NablaError(.type, "\(caller) call got an unexpected keyword argument '\(k)'", at: span) }
        training = try interpreter.truthy(v, span: span)
    }
    return (try interpreter.toVariable(args[0], span: span, what: input), training)
}
