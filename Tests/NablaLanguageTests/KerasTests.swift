import Foundation
import Testing
import NablaAutograd
import NablaTensor
@testable import NablaLanguage

/// Keras as a student writes it: the notes' spelling, fit's History, gradients of a model's
/// loss, and errors that name what is wrong.
@Suite struct KerasLanguageTests {
    @Test func notesCNNAsWritten() throws {
        let s = Session()
        let code = """
        model=keras.models.Sequential()
        model.add(keras.layers.Conv2D(32, (3,3), activation='relu', input_shape=(28,28,3)))
        model.add(keras.layers.MaxPool2D(2,2))
        model.add(keras.layers.Conv2D(64, (3,3), activation='relu'))
        model.add(keras.layers.MaxPooling2D((2,2)))
        model.add(keras.layers.Conv2D(16, (3,3), activation='relu'))
        model.add(keras.layers.MaxPooling2D((2,2)))
        model.add(keras.layers.Flatten())
        model.add(keras.layers.Dense(16, activation='relu'))
        model.add(keras.layers.Dense(3, activation='softmax'))
        model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
        model.count_params()
        """
        #expect(numbers(try value(s, code)) == [28_947])
        #expect(numbers(try value(s, "tf.keras.models.Sequential([layers.Dense(2, input_dim=3)]).count_params()")) == [8])
        #expect(numbers(try value(s, "keras.Sequential([Dense(2, input_shape=(3,))]).count_params()")) == [8])
        #expect(ints(try value(s, "shape(model.layers[0].kernel)")) == [3, 3, 3, 32])
        #expect(numbers(try value(s, "model.layers[-1].output_shape[1]")) == [3])
        let sink = TextSink(interpreter: s.interpreter)
        _ = s.execute("model.summary()", sink: sink)
        #expect(sink.stdout.contains("conv2d_1 (Conv2D)"))
        #expect(sink.stdout.contains("Total params: 28,947"))
    }

    @Test func fitHistoryAndEvaluate() throws {
        let s = Session()
        let code = """
        seed(0)
        x, y = load_digits()
        x = x / 16
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0)
        model = Sequential([Dense(32, activation='relu', input_shape=(64,)), Dense(10, activation='softmax')])
        model.compile(optimizer=Adam(learning_rate=0.01), loss='sparse_categorical_crossentropy', metrics=['accuracy'])
        es = EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)
        h = model.fit(x_train, y_train, epochs=8, batch_size=32, validation_split=0.2, callbacks=[es], verbose=0)
        loss, acc = model.evaluate(x_test, y_test, verbose=0)
        acc
        """
        #expect(numbers(try value(s, code)).first ?? 0 > 0.9)
        #expect(numbers(try value(s, "len(h.history['loss'])")).first ?? 0 >= 4)
        if case let .bool(b) = try value(s, "len(h.history['val_accuracy']) == len(h.epoch)") { #expect(b) } else { Issue.record("not a bool") }
        if case let .list(keys) = try value(s, "h.history.keys()") {
            #expect(keys.items.map { s.interpreter.str($0) } == ["loss", "accuracy", "val_loss", "val_accuracy"])
        } else { Issue.record("keys() is not a list") }
        #expect(ints(try value(s, "shape(model.predict(x_test[:5]))")) == [5, 10])
        #expect(ints(try value(s, "shape(to_categorical(y_test))")) == [450, 10])
        // verbose=2: one line per epoch, Keras' format.
        let sink = TextSink(interpreter: s.interpreter)
        _ = s.execute("model.fit(x_train[:64], y_train[:64], epochs=2, verbose=2)", sink: sink)
        let lines = sink.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("Epoch 1/2") == true && lines.first?.contains(" - loss: ") == true && lines.first?.contains(" - accuracy: ") == true)
    }

    @Test func lambdaCallbackSeesEachEpoch() throws {
        let s = Session()
        let code = """
        seed(0)
        m = Sequential([Dense(1, input_shape=(1,))])
        m.compile(optimizer='sgd', loss='mse')
        seen = []
        log = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch * 100 + logs['loss']))
        h = m.fit([[1.0], [2.0]], [2.0, 4.0], epochs=3, verbose=0, callbacks=[log])
        """
        _ = try? value(s, code)
        let seen = ints(try value(s, "seen"))
        let losses = numbers(try value(s, "h.history['loss']"))
        #expect(seen.count == 3 && losses.count == 3)
        for k in 0..<min(seen.count, losses.count) { #expect(Swift.abs(seen[k] - (Double(k) * 100 + losses[k])) < 1e-9) }
        // An error in the student's function stops fit and puts the weights back.
        _ = run(s, "w0 = m.get_weights()")
        #expect(error(s, "m.fit([[1.0]], [2.0], epochs=2, verbose=0, callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: logs['nope'])])")?.message.contains("KeyError") == true)
        if case let .bool(same) = try value(s, "all(m.get_weights()[0] == w0[0])") { #expect(same) } else { Issue.record("not a bool") }
    }

    @Test func ownCallbackClass() throws {
        let s = Session()
        let code = """
        seed(0)
        class Recorder(keras.callbacks.Callback):
            def __init__(self):
                self.seen = []
            def on_epoch_end(self, epoch, logs=None):
                self.seen.append(epoch * 100 + logs['loss'] + 0 * self.model.count_params())
        m = Sequential([Dense(1, input_shape=(1,))])
        m.compile(optimizer='sgd', loss='mse')
        r = Recorder()
        h = m.fit([[1.0], [2.0]], [2.0, 4.0], epochs=3, verbose=0, callbacks=[r])
        """
        _ = try? value(s, code)
        let seen = numbers(try value(s, "r.seen")), losses = numbers(try value(s, "h.history['loss']"))
        #expect(seen.count == 3 && losses.count == 3)
        for k in 0..<min(seen.count, losses.count) { #expect(Swift.abs(seen[k] - (Double(k) * 100 + losses[k])) < 1e-9) }
        #expect(error(s, "class Empty:\n    pass\nm.fit([[1.0]], [2.0], verbose=0, callbacks=[Empty()])")?.message.contains("on_epoch_end") == true)
    }

    @Test func gradientsOfAModelLoss() throws {
        let s = Session()
        let code = """
        seed(0)
        model = Sequential([Dense(4, activation='relu', input_shape=(3,)), Dense(2, activation='softmax')])
        x = [[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]
        L = cross_entropy(model(x), [1, 0])
        g = grad(L, model.layers[-1].kernel)
        """
        _ = try? value(s, code)
        #expect(ints(try value(s, "shape(g)")) == [4, 2])
        #expect(ints(try value(s, "shape(grad(L, model.layers[0].kernel))")) == [3, 4])
        // The engine's gradient agrees with finite differences through the whole model.
        if case let .object(o) = try value(s, "gradcheck(lambda v: cross_entropy(model(v), [1, 0]), x)") {
            #expect(o.attribute("passed").map { if case .bool(true) = $0 { return true }; return false } == true)
        } else { Issue.record("gradcheck did not return its result") }
        #expect(try value(s, "model.layers[-1].kernel.name").isString("dense_1.kernel"))
    }

    @Test func errorsNameTheProblem() throws {
        let s = Session()
        _ = run(s, "model = Sequential([Conv2D(8, 3, input_shape=(8, 8, 1)), MaxPooling2D(2), Conv2D(8, 3)])")
        let e1 = error(s, "model.add(MaxPooling2D(2))")
        #expect(e1?.message.contains("max_pooling2d_1") == true, "\(String(describing: e1))")
        _ = run(s, "m = Sequential([Dense(3, activation='softmax', input_shape=(2,))])")
        #expect(error(s, "m.compile(optimizer='adamw', loss='sparse_categorical_crossentropy')")?.message.contains("unknown optimizer") == true)
        #expect(error(s, "m.compile(optimizer='adam', loss='crossentropy')")?.message.contains("unknown loss") == true)
        #expect(error(s, "m.fit([[1, 2]], [0])")?.message.contains("compiled") == true)
        _ = run(s, "m.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\nw0 = m.get_weights()")
        #expect(error(s, "m.fit([[1, 2], [3, 4]], [0, 5], verbose=0)")?.message.contains("out of range") == true)
        #expect(error(s, "m.fit([[1, 2, 3]], [0], verbose=0)") != nil)
        #expect(error(s, "Dense(3, activation='swish')")?.message.contains("unknown activation") == true)
        #expect(error(s, "Dropout(1.5)") != nil)
        // The failed fits left the weights as they were.
        if case let .bool(same) = try value(s, "all(m.get_weights()[0] == w0[0])") { #expect(same) } else { Issue.record("not a bool") }
        #expect(error(s, "h = m.fit([[1, 2]], [0], epochs=1, verbose=0)\nh.history['acc']")?.message.contains("KeyError") == true)
    }

    @Test func interruptKeepsWeightsAndEpochs() throws {
        let s = Session()
        _ = run(s, "seed(0)\nx, y = load_digits()\nm = Sequential([Dense(10, activation='softmax', input_shape=(64,))])\nm.compile(optimizer='sgd', loss='sparse_categorical_crossentropy')\nw0 = m.get_weights()")
        // A callback-free way to interrupt mid-fit: raise the token from another thread once fit has started.
        let token = s.interpreter.token
        let t = Thread { Thread.sleep(forTimeInterval: 0.5); token.cancel() }
        t.start()
        let e = error(s, "m.fit(x / 16, y, epochs=100000, batch_size=16, verbose=0)")
        #expect(e?.kind == .keyboardInterrupt)
        token.reset()
        if case let .bool(changed) = try value(s, "any(m.get_weights()[0] != w0[0])") { #expect(changed) } else { Issue.record("not a bool") }
        // The epochs finished before the interrupt are in model.history.
        if case let .bool(b) = try value(s, "len(m.history.epoch) == len(m.history.epoch) and (len(m.history.epoch) == 0 or len(m.history.history['loss']) == len(m.history.epoch))") { #expect(b) } else { Issue.record("not a bool") }
    }
}

/// A tuple or list of numbers (a shape) as numbers.
func ints(_ v: Value) -> [Double] {
    switch v {
    case let .tuple(items): return items.flatMap(numbers)
    case let .list(l): return l.items.flatMap(numbers)
    default: return numbers(v)
    }
}

extension Value {
    func isString(_ s: String) -> Bool { if case let .string(x) = self { return x == s }; return false }
}
