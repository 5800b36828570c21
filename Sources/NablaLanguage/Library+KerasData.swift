import Foundation
import NablaAutograd
import NablaTensor

/// Data for training: the shipped digits, CSV files, one-hot labels, splits, normalisation;
/// and the recurrent layers.
extension Library {
    /// `data/NAME` of the project: found from $NABLA_DATA, beside the executable's checkout, the
    /// current directory, or the sources this was built from.
    static func dataFile(_ name: String) throws -> URL {
        var roots = [URL]()
        if let env = ProcessInfo.processInfo.environment["NABLA_DATA"], !env.isEmpty { roots.append(URL(fileURLWithPath: env)) }
        func ancestors(_ u: URL) -> [URL] {
            var out = [URL](), cur = u
            for _ in 0..<8 { out.append(cur.appendingPathComponent("data")); cur = cur.deletingLastPathComponent() }
            return out
        }
        if let exe = Bundle.main.executableURL { roots += ancestors(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
        roots += ancestors(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        roots += ancestors(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for r in roots {
            let f = r.appendingPathComponent(name)
            if FileManager.default.isReadableFile(atPath: f.path) { return f }
        }
        throw NablaError(.value, "cannot find the data file '\(name)' (looked in the project's data/ folder; set NABLA_DATA to the folder that holds it)")
    }

    /// Parses CSV text into rows of numbers; a first row that is not numeric is a header.
    static func parseCSV(_ text: String, delimiter: Character, what: String) throws -> (header: [String]?, rows: [[Double]]) {
        var header: [String]?
        var rows = [[Double]]()
        var lineNo = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let cells = line.split(separator: delimiter, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"'")) }
            let nums = cells.map { Double($0) }
            if nums.contains(where: { $0 == nil }) {
                if rows.isEmpty && header == nil { header = cells; continue }
                let bad = cells[nums.firstIndex(where: { $0 == nil }) ?? 0]
                throw NablaError(.value, "\(what): line \(lineNo) has a value that is not a number: '\(bad)'")
            }
            let row = nums.compactMap { $0 }
            if let first = rows.first, first.count != row.count {
                throw NablaError(.value, "\(what): line \(lineNo) has \(row.count) values but the first row has \(first.count)")
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw NablaError(.value, "\(what): no rows of numbers") }
        return (header, rows)
    }

    static func matrix(_ rows: [[Double]]) throws -> Tensor {
        try Tensor(shape: [rows.count, rows.first?.count ?? 0], data: rows.flatMap { $0 })
    }

    static func kerasData(_ i: Interpreter) {
        i.register(Builtin("load_digits", doc: "The UCI handwritten digits shipped with Nabla (data/digits.csv, CC BY 4.0): x of shape (1797, 64) — 8×8 images, row by row, pixel counts 0–16 — and labels y (1797,) in 0–9, as a tuple (x, y). reshape(x, -1, 8, 8, 1) gives images for Conv2D.", example: "x, y = load_digits()\n(shape(x), y[:10])") { a in
            let url = try dataFile("digits.csv")
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw NablaError(.value, "load_digits(): cannot read \(url.path): \(error.localizedDescription)") }
            let (_, rows) = try parseCSV(text, delimiter: ",", what: "load_digits()")
            guard rows.first?.count == 65 else { throw NablaError(.value, "load_digits(): \(url.path) does not have 65 columns") }
            let x = try matrix(rows.map { Array($0.prefix(64)) }), y = Tensor(rows.map { $0[64] })
            return .tuple([.tensor(x), .tensor(y)])
        })
        i.register(Builtin("load_csv", [.string("path"), .string("delimiter", default: nil)], doc: "A CSV file of numbers as a matrix (one row per line), values separated by delimiter (default a comma). A first line that is not all numbers is taken as a header and skipped; any other non-number is an error naming its line.", example: "shape(load_csv('data/digits.csv'))") { a in
            let path = try a.string("path"), d = try a.optionalString("delimiter") ?? ","
            guard d.count == 1, let delim = d.first else { throw NablaError(.value, "load_csv(): delimiter must be one character, got '\(d)'") }
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw NablaError(.value, "load_csv(): cannot read '\(path)': \(error.localizedDescription)") }
            return .tensor(try matrix(try parseCSV(text, delimiter: delim, what: "load_csv('\(path)')").rows))
        })
        i.register(Builtin("to_categorical", [.tensor("y"), .int("num_classes", default: nil)], formula: "out[i, y_i] = 1, other entries 0", doc: "Class numbers as one-hot rows (Keras' keras.utils.to_categorical); num_classes defaults to max(y) + 1.", example: "to_categorical([0, 2, 1])") { a in
            let y = try a.tensor("y").value
            guard y.count > 0 else { throw NablaError(.value, "to_categorical(): no labels") }
            for v in y.data where v != v.rounded() || v < 0 || v >= 1e7 {
                throw NablaError(.value, "to_categorical(): labels must be whole numbers 0, 1, 2, …, got \(Tensor.formatNumber(v))")
            }
            let top = Int(y.data.max() ?? 0)
            let k = try a.optionalInt("num_classes") ?? top + 1
            guard k > top else { throw NablaError(.value, "to_categorical(): label \(top) is out of range for num_classes=\(k)") }
            let flat = try y.reshaped([y.count])
            let oh = try a.interpreter.wrap(a.span) { try Tensor.onehot(flat, classes: k) }
            return .tensor(try oh.reshaped((y.rank == 0 ? [] : (y.shape.last == 1 ? Array(y.shape.dropLast()) : y.shape)) + [k]))
        })
        i.register(Builtin("train_test_split", [.tensor("x"), .tensor("y"), .number("test_size", default: 0.25), .int("random_state", default: nil), .bool("shuffle", default: true)], doc: "Splits samples (the first axis) into (x_train, x_test, y_train, y_test) as scikit-learn: test_size a fraction (rounded up) or a count; with random_state the rows are scikit-learn's (numpy's RandomState(random_state).permutation), without it shuffled by the generator seed(n) resets.", example: "x_train, x_test, y_train, y_test = train_test_split(arange(10), arange(10), test_size=0.3, random_state=0)\n(shape(x_train), shape(x_test))") { a in
            let x = try a.tensor("x").value, y = try a.tensor("y").value
            guard x.rank >= 1, let n = x.shape.first, n >= 2 else { throw NablaError(.value, "train_test_split(): needs at least 2 samples, got x of shape \(formatShape(x.shape))") }
            guard y.rank >= 1, y.shape[0] == n else { throw NablaError(.shape, "train_test_split(): x has \(n) samples but y has shape \(formatShape(y.shape))") }
            let ts = try a.double("test_size")
            let valid = ts > 0 && (ts < 1 || (ts == ts.rounded() && ts < Double(n)))
            let nTest = valid ? (ts < 1 ? Int((ts * Double(n)).rounded(.up)) : Int(ts)) : 0
            guard valid, nTest >= 1, nTest < n else {
                throw NablaError(.value, "train_test_split(): test_size must be a fraction in (0, 1) or a count from 1 to \(n - 1), got \(Tensor.formatNumber(ts))")
            }
            var order = Array(0..<n)
            if try a.bool("shuffle") {
                if let s = try a.optionalInt("random_state") {
                    // scikit-learn's ShuffleSplit: numpy's RandomState(random_state).permutation(n), test rows first.
                    guard s >= 0, s <= 0xffff_ffff else { throw NablaError(.value, "train_test_split(): random_state must be between 0 and 2**32 - 1, got \(s)") }
                    order = numpyShuffled(order, seed: UInt32(s))
                } else { order.shuffle(using: &RandomSource.generator) }
            }
            let test = order[..<nTest], train = order[nTest...]
            return try a.interpreter.wrap(a.span) {
                .tuple([.tensor(try Sequential.rows(x, train)), .tensor(try Sequential.rows(x, test)), .tensor(try Sequential.rows(y, train)), .tensor(try Sequential.rows(y, test))])
            }
        })
        i.register(Builtin("normalize", [.tensor("x"), .int("axis", default: -1), .int("order", default: 2)], formula: "x / ‖x‖ along axis (rows of zeros stay zero)", doc: "Scales each row (each slice along axis) to unit norm, as keras.utils.normalize (order 1 or 2).", example: "normalize([[3.0, 4.0], [0.0, 0.0]])") { a in
            let x = try a.tensor("x").value
            let order = try a.int("order")
            guard order == 1 || order == 2 else { throw NablaError(.value, "normalize(): order must be 1 or 2, got \(order)") }
            return try a.interpreter.wrap(a.span) {
                let axis = try a.int("axis")
                let norm = order == 2 ? try (x * x).sum(axis: axis, keepdims: true).map { $0.squareRoot() } : try x.map { Swift.abs($0) }.sum(axis: axis, keepdims: true)
                return .tensor(try x / norm.map { $0 == 0 ? 1 : $0 })
            }
        })
        i.register(Builtin("SimpleRNN", [.int("units"), .bool("return_sequences", default: false), .any("input_shape", default: nil), .any("name", default: nil)], formula: "h_t = tanh(x_t·W + h_{t−1}·U + b)", doc: "A recurrent layer over sequences (N, timesteps, features): the last h (N, units), or every h (N, timesteps, units) with return_sequences=True. Keras' initialisers: W glorot_uniform, U orthogonal, b zeros. Parameters: units·(features + units + 1).", example: "model = Sequential([SimpleRNN(8, input_shape=(5, 3))])\n(model.layers[0].output_shape, model.count_params())") { a in
            layer(try a.interpreter.wrap(a.span) {
                try RecurrentLayer(lstm: false, units: try a.int("units"), returnSequences: try a.bool("return_sequences"), name: try name(a), inputShape: try inputShape(a))
            })
        })
        i.register(Builtin("LSTM", [.int("units"), .bool("return_sequences", default: false), .any("input_shape", default: nil), .any("name", default: nil)], formula: "i, f, o = σ(·), g = tanh(·) of x_t·W + h_{t−1}·U + b;  c_t = f⊙c_{t−1} + i⊙g;  h_t = o⊙tanh(c_t)", doc: "Long short-term memory over sequences (N, timesteps, features), gates in Keras' order i, f, c, o: the last h (N, units), or every h with return_sequences=True. Keras' initialisers (forget-gate bias 1). Parameters: 4·units·(features + units + 1).", example: "model = Sequential([LSTM(64, return_sequences=True, input_shape=(8, 8)), LSTM(16)])\n(model.layers[1].output_shape, model.count_params())") { a in
            layer(try a.interpreter.wrap(a.span) {
                try RecurrentLayer(lstm: true, units: try a.int("units"), returnSequences: try a.bool("return_sequences"), name: try name(a), inputShape: try inputShape(a))
            })
        })
    }
}
