import NablaAutograd
import NablaTensor

// The scikit-learn names data-preparation cells import: sklearn.model_selection.train_test_split
// and sklearn.datasets.load_digits are Nabla's own builtins (the same declarations), and
// sklearn.metrics gives accuracy_score and confusion_matrix.

/// sklearn's Bunch: a dataset's fields as attributes (digits.data, digits.target, digits.images).
final class Bunch: NablaObject {
    let fields: [(String, Value)]
    init(_ fields: [(String, Value)]) { self.fields = fields }
    var typeName: String { "Bunch" }
    var text: String { "{" + fields.map { "'\($0.0)': …" }.joined(separator: ", ") + "}" }
    var attributeNames: [String] { fields.map(\.0) }
    func attribute(_ name: String) -> Value? { fields.first { $0.0 == name }?.1 }
}

extension Library {
    static func sklearnModules(_ i: Interpreter) -> [String: Module] {
        func builtin(_ n: String) -> Value { i.builtins[n].map { .builtin($0) } ?? .none }
        func labels(_ a: Args) throws -> ([Int], [Int]) {
            func ints(_ name: String) throws -> [Int] {
                try a.tensor(name).value.data.map { v in
                    guard v == v.rounded(), Swift.abs(v) < 1e9 else { throw NablaError(.value, "\(a.builtin.name)(): \(name) must hold class labels (whole numbers), got \(Tensor.formatNumber(v))") }
                    return Int(v)
                }
            }
            let (t, p) = (try ints("y_true"), try ints("y_pred"))
            guard t.count == p.count else { throw NablaError(.value, "Found input variables with inconsistent numbers of samples: [\(t.count), \(p.count)]") }
            return (t, p)
        }
        let datasets = Module(name: "sklearn.datasets", members: Dictionary(uniqueKeysWithValues: [
            fn("load_digits", [.int("n_class", default: 10), .bool("return_X_y", default: false)], "scikit-learn's digits (Nabla's shipped copy): a Bunch with data (1797, 64), target, images (1797, 8, 8) and target_names, or (data, target) with return_X_y=True.") { a in
                guard let load = i.builtins["load_digits"], case let .tuple(xy) = try a.interpreter.call(.builtin(load), [], [], span: a.span), xy.count == 2,
                      case let .tensor(x) = xy[0], case let .tensor(y) = xy[1] else { throw NablaError(.value, "load_digits(): the shipped data could not be read") }
                let k = try a.int("n_class")
                guard (1...10).contains(k) else { throw NablaError(.value, "load_digits(): n_class must be between 1 and 10") }
                let keep = y.value.data.indices.filter { y.value.data[$0] < Double(k) }
                let (data, target) = k == 10 ? (x.value, y.value) : (try Sequential.rows(x.value, keep[...]), try Sequential.rows(y.value, keep[...]))
                if try a.bool("return_X_y") { return .tuple([.tensor(Variable(data)), .tensor(Variable(target))]) }
                return .object(Bunch([("data", .tensor(Variable(data))), ("target", .tensor(Variable(target))),
                                      ("images", .tensor(Variable(try data.reshaped([data.shape[0], 8, 8])))),
                                      ("target_names", .tensor(Variable(Tensor((0..<k).map(Double.init)))))]))
            },
        ]))
        let metrics = Module(name: "sklearn.metrics", members: Dictionary(uniqueKeysWithValues: [
            fn("accuracy_score", [.tensor("y_true"), .tensor("y_pred"), .bool("normalize", default: true)], "The fraction (or, with normalize=False, the count) of labels predicted right.") { a in
                let (t, p) = try labels(a)
                let right = zip(t, p).filter { $0 == $1 }.count
                return .float(try a.bool("normalize") ? (t.isEmpty ? 0 : Double(right) / Double(t.count)) : Double(right))
            },
            fn("confusion_matrix", [.tensor("y_true"), .tensor("y_pred")], "C[i, j]: how many samples of class i were predicted as class j (classes: the sorted labels that occur).") { a in
                let (t, p) = try labels(a)
                let classes = Array(Set(t + p)).sorted()
                guard classes.count <= 1000 else { throw NablaError(.value, "confusion_matrix(): more than 1000 classes") }
                let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
                var m = [Double](repeating: 0, count: classes.count * classes.count)
                for (x, y) in zip(t, p) { if let r = index[x], let c = index[y] { m[r * classes.count + c] += 1 } }
                return .tensor(Variable(try Tensor(shape: [classes.count, classes.count], data: m)))
            },
        ]))
        let selection = Module(name: "sklearn.model_selection", members: ["train_test_split": builtin("train_test_split")])
        let top = Module(name: "sklearn", members: ["datasets": .module(datasets), "metrics": .module(metrics), "model_selection": .module(selection)])
        return ["sklearn": top, "sklearn.datasets": datasets, "sklearn.metrics": metrics, "sklearn.model_selection": selection]
    }
}
