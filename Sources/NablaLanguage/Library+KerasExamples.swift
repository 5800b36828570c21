/// Examples of the Keras builtins for docs/language.md (each is executed by `nabla reference`).
extension Library {
    static let kerasExamples: [String: String] = [
        "Dense": "seed(0)\nlayer = Dense(3, activation='relu', input_shape=(4,))\nmodel = Sequential([layer])\n(shape(layer.kernel), layer.count_params())",
        "Conv2D": "model = Sequential([Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 3))])\n(model.layers[0].output_shape, model.count_params())",
        "MaxPool2D": "model = Sequential([MaxPool2D(2, 2, input_shape=(26, 26, 32))])\nmodel.layers[0].output_shape",
        "MaxPooling2D": "model = Sequential([MaxPooling2D((2, 2), input_shape=(4, 4, 1))])\nmodel.predict(reshape(arange(16), 1, 4, 4, 1))[0, :, :, 0]",
        "AveragePooling2D": "model = Sequential([AveragePooling2D(2, input_shape=(4, 4, 1))])\nmodel.predict(reshape(arange(16), 1, 4, 4, 1))[0, :, :, 0]",
        "AvgPool2D": "model = Sequential([AvgPool2D(3, strides=1, padding='same', input_shape=(3, 3, 1))])\nmodel.predict(reshape(arange(9), 1, 3, 3, 1))[0, :, :, 0]",
        "Flatten": "model = Sequential([Flatten(input_shape=(3, 3, 16))])\nmodel.layers[0].output_shape",
        "Dropout": "seed(0)\nmodel = Sequential([Dropout(0.5, input_shape=(4,))])\nmodel.predict(ones(1, 4))   # evaluation: no dropout",
        "BatchNormalization": "model = Sequential([BatchNormalization(input_shape=(2,))])\n(model.count_params(), model.predict([[1.0, 2.0]]))",
        "Activation": "model = Sequential([Activation('softmax', input_shape=(3,))])\nmodel.predict([[1.0, 2.0, 3.0]])",
        "Sequential": "seed(0)\nmodel = Sequential([Dense(16, activation='relu', input_shape=(64,)), Dense(10, activation='softmax')])\nmodel.summary()",
        "SGD": "SGD(learning_rate=0.1, momentum=0.9)",
        "Adam": "Adam()",
        "LambdaCallback": "seed(0)\nm = Sequential([Dense(1, input_shape=(1,))])\nm.compile(optimizer='sgd', loss='mse')\nlosses = []\nlog = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(round(logs['loss'], 3)))\nh = m.fit([[1.0], [2.0]], [2.0, 4.0], epochs=3, verbose=0, callbacks=[log])\nlosses",
        "RMSprop": "RMSprop(learning_rate=0.01)",
        "EarlyStopping": "EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)",
        "load_digits": "x, y = load_digits()\n(shape(x), y[:10])",
        "load_csv": "shape(load_csv('data/digits.csv'))",
        "to_categorical": "to_categorical([0, 2, 1])",
        "train_test_split": "x_train, x_test, y_train, y_test = train_test_split(arange(10), arange(10), test_size=0.3, random_state=0)\n(shape(x_train), shape(x_test))",
        "normalize": "normalize([[3.0, 4.0], [0.0, 0.0]])",
        "SimpleRNN": "model = Sequential([SimpleRNN(8, input_shape=(5, 3))])\n(model.layers[0].output_shape, model.count_params())",
        "LSTM": "model = Sequential([LSTM(64, return_sequences=True, input_shape=(8, 8)), LSTM(16)])\n(model.layers[1].output_shape, model.count_params())",
    ]
}
