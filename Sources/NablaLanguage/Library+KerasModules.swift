import NablaAutograd

// Keras' module tree, so every import form students copy works: `import keras`,
// `from keras import layers, models`, `from keras.layers import Dense`, `from tensorflow import
// keras`, `from tensorflow.keras.layers import …`, `import tensorflow as tf` then `tf.keras.…`.
// `keras`, `tf` and `layers` are also bound without an import, as the notes use them.

extension Library {
    /// The Keras layers, by the names keras.layers gives them.
    static let kerasLayerNames = ["Dense", "Conv2D", "MaxPool2D", "MaxPooling2D", "AveragePooling2D", "AvgPool2D", "Flatten", "Dropout",
                                  "BatchNormalization", "Activation", "SimpleRNN", "LSTM"]

    /// Builds keras, keras.layers, keras.models, keras.optimizers, keras.callbacks, keras.utils and
    /// tensorflow (whose `keras` is the same module), and registers each under its name and
    /// under `tensorflow.` + its name, so both spellings import the same objects.
    static func kerasModules(_ i: Interpreter) {
        func members(_ names: [String]) -> [String: Value] {
            Dictionary(uniqueKeysWithValues: names.compactMap { n in i.builtins[n].map { (n, Value.builtin($0)) } })
        }
        let layers = Module(name: "keras.layers", members: members(kerasLayerNames))
        let submodules: [(String, Module)] = [
            ("layers", layers),
            ("models", Module(name: "keras.models", members: members(["Sequential"]))),
            ("optimizers", Module(name: "keras.optimizers", members: members(["SGD", "Adam", "RMSprop"]))),
            // keras.callbacks.Callback is made on first use (kerasMember), once the `object` class exists.
            ("callbacks", Module(name: "keras.callbacks", members: members(["EarlyStopping", "LambdaCallback"]))),
            ("utils", Module(name: "keras.utils", members: members(["to_categorical", "normalize", "load_img", "img_to_array", "save_img"]).merging([
                "set_random_seed": i.builtins["seed"].map { .builtin($0) } ?? .none,
            ]) { a, _ in a })),
        ]
        var top = Dictionary(uniqueKeysWithValues: submodules.map { ($0.0, Value.module($0.1)) })
        top["Sequential"] = members(["Sequential"])["Sequential"]
        let keras = Module(name: "keras", members: top)
        let random = Module(name: "tensorflow.random", members: i.builtins["seed"].map { ["set_seed": .builtin($0)] } ?? [:])
        let tf = Module(name: "tensorflow", members: ["keras": .module(keras), "random": .module(random)])
        i.modules["tensorflow"] = .module(tf)
        i.modules["tensorflow.random"] = .module(random)
        for (name, m) in [("keras", keras)] + submodules.map({ ("keras." + $0.0, $0.1) }) {
            i.modules[name] = .module(m)
            i.modules["tensorflow." + name] = .module(m)
        }
        i.setVariable("keras", .module(keras))
        i.setVariable("tf", .module(tf))
        i.setVariable("layers", .module(layers))
    }

    /// Keras names made on first use: keras.callbacks.Callback, the base class of a student's own
    /// callbacks (it needs the interpreter's `object` class, which exists only after registration).
    static func kerasMember(_ i: Interpreter, _ name: String) -> Value? {
        guard name == "keras.callbacks.Callback" || name == "tensorflow.keras.callbacks.Callback",
              case let .module(callbacks)? = i.modules["keras.callbacks"] else { return nil }
        if let c = callbacks.members["Callback"] { return c }
        let c = ClassObject(name: "Callback", bases: i.builtinClasses["object"].map { [$0] } ?? [])
        c.doc = "Keras' base class for callbacks: define on_epoch_end(self, epoch, logs=None), on_train_begin(self, logs=None) or on_train_end(self, logs=None); fit sets self.model."
        callbacks.members["Callback"] = .cls(c)
        return .cls(c)
    }
}
