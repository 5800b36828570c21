import Foundation
import NablaAutograd
import NablaTensor

/// `import numpy as np`, `import math`, `import random`: numpy's names map onto Nabla's
/// tensors (autograd kept), math and random onto Python numbers. A name Nabla lacks is a
/// clear AttributeError naming it.
extension Library {
    static func fn(_ name: String, _ parameters: [Parameter] = [], _ doc: String, formula: String? = nil, _ body: @escaping (Args) throws -> Value) -> (String, Value) {
        let b = Builtin(name, parameters, formula: formula, doc: doc, body)
        return (b.name, .builtin(b))
    }

    /// A result as numpy gives it: a 0-d array as a scalar tensor, a bool array as a mask.
    static func arr(_ v: Variable) -> Value { .tensor(v) }

    static func axisArg(_ a: Args) throws -> Int? {
        guard let v = a.value("axis") else { return nil }
        if case let .tuple(t) = v, t.count == 1 { return try a.interpreter.toInt(t[0], span: a.span, what: "axis") }
        return try a.interpreter.toInt(v, span: a.span, what: "axis")
    }

    static func reduce(_ a: Args, _ f: (Variable, Int?, Bool) throws -> Variable) throws -> Value {
        let x = try a.tensor("a")
        let keep = try a.bool("keepdims")
        if case let .tuple(axes)? = a.value("axis"), axes.count > 1 {
            // Several axes: reduce the highest first so the others keep their numbers.
            var r = x
            let ks = try axes.map { try Tensor.normalizeAxis(try a.interpreter.toInt($0, span: a.span, what: "axis"), rank: x.value.rank, op: a.builtin.name) }.sorted(by: >)
            for k in ks { r = try f(r, k, keep) }
            return arr(r)
        }
        return arr(try f(x, try axisArg(a), keep))
    }

    /// A shape argument: an int or a tuple/list of ints.
    static func shapeArg(_ a: Args, _ name: String) throws -> [Int] {
        let v = a.value(name) ?? .tuple([])
        switch v {
        case .tuple, .list: return try a.interpreter.elements(v, span: a.span).map { try a.interpreter.toIndex($0, span: a.span, what: "a dimension") }
        case let .tensor(t) where t.value.rank == 1: return try t.value.indices(op: a.builtin.name)
        default: return [try a.interpreter.toIndex(v, span: a.span, what: "a dimension")]
        }
    }

    /// dtype names: float64 and friends convert to float, int64 to int (truncating), bool to a mask.
    static func dtypeKind(_ v: Value?) -> String? {
        guard let v else { return nil }
        switch v {
        case let .builtin(b):
            if b.name.hasPrefix("int") || b.name.hasPrefix("uint") { return "int" }
            if b.name.hasPrefix("bool") { return "bool" }
            return "float"
        case let .string(s): return s.hasPrefix("int") || s.hasPrefix("uint") ? "int" : s.hasPrefix("bool") ? "bool" : "float"
        default: return "float"
        }
    }

    static func convert(_ x: Variable, dtype: String?) -> Value {
        switch dtype {
        case "int": return .tensor(Variable(x.value.map { $0.rounded(.towardZero) }))
        case "bool": return .mask(x.value.map { $0 != 0 ? 1 : 0 })
        default: return .tensor(x)
        }
    }

    static func whereOp(_ cond: Tensor, _ x: Variable, _ y: Variable) throws -> Variable { try Variable.where(cond, x, y) }

    static func numpy(_ i: Interpreter) -> Module {
        var m: [String: Value] = [:]
        func add(_ e: (String, Value)) { m[e.0] = e.1 }
        func unaryFn(_ name: String, _ doc: String, _ f: @escaping (Variable) throws -> Variable) {
            add(fn("\(name)", [.tensor("x")], doc) { a in arr(try f(try a.tensor("x"))) })
        }
        add(fn("array", [.any("object"), .any("dtype", default: nil), .bool("copy", default: true)], "A new array (a tensor) from a number, a (nested) list, or another array.") { a in
            let v = a.value("object") ?? .none
            let dtype = dtypeKind(a.value("dtype"))
            if let mt = a.interpreter.maskTensor(v) ?? { if case let .mask(m) = v { return m }; return nil }() {
                return dtype == nil || dtype == "bool" ? .mask(mt) : convert(Variable(mt), dtype: dtype)
            }
            let x = try a.tensor("object")
            return convert(Variable(x.value), dtype: dtypeKind(a.value("dtype")))
        })
        add(fn("asarray", [.any("a"), .any("dtype", default: nil)], "The value as an array (the same tensor when it already is one).") { a in
            let v = a.value("a") ?? .none
            if case .tensor = v, !a.has("dtype") { return v }
            if case .mask = v { return v }
            if let mt = a.interpreter.maskTensor(v) { return .mask(mt) }
            return convert(Variable(try a.tensor("a").value), dtype: dtypeKind(a.value("dtype")))
        })
        for (name, value) in [("zeros", 0.0), ("ones", 1.0), ("empty", 0.0)] {
            add(fn("\(name)", [.shape("shape"), .any("dtype", default: nil)], "A new array of \(name == "ones" ? "ones" : "zeros") of the given shape.") { a in
                convert(Variable(try Tensor.full(try shapeArg(a, "shape"), value)), dtype: dtypeKind(a.value("dtype")))
            })
            add(fn("\(name)_like", [.any("a"), .any("dtype", default: nil)], "An array of \(name == "ones" ? "ones" : "zeros") with the shape of a.") { a in
                let s: [Int]
                if case let .mask(mt) = a.value("a") ?? .none { s = mt.shape } else { s = try a.tensor("a").value.shape }
                return convert(Variable(try Tensor.full(s, value)), dtype: dtypeKind(a.value("dtype")))
            })
        }
        add(fn("full", [.shape("shape"), .number("fill_value"), .any("dtype", default: nil)], "An array of the given shape filled with fill_value.") { a in
            convert(Variable(try Tensor.full(try shapeArg(a, "shape"), try a.double("fill_value"))), dtype: dtypeKind(a.value("dtype")))
        })
        add(fn("full_like", [.tensor("a"), .number("fill_value"), .any("dtype", default: nil)], "An array with the shape of a filled with fill_value.") { a in
            convert(Variable(try Tensor.full(try a.tensor("a").value.shape, try a.double("fill_value"))), dtype: dtypeKind(a.value("dtype")))
        })
        add(fn("arange", [.number("start"), .number("stop", default: nil), .number("step", default: 1), .any("dtype", default: nil)], "Evenly spaced values from start up to (not including) stop.") { a in
            var start = try a.double("start"), stop = 0.0
            if a.has("stop") { stop = try a.double("stop") } else { stop = start; start = 0 }
            return convert(Variable(try Tensor.arange(start, stop, try a.double("step"))), dtype: dtypeKind(a.value("dtype")))
        })
        add(fn("linspace", [.number("start"), .number("stop"), .int("num", default: 50), .bool("endpoint", default: true)], "num evenly spaced values from start to stop.") { a in
            let n = try a.int("num"), lo = try a.double("start"), hi = try a.double("stop")
            if try a.bool("endpoint") { return arr(Variable(try Tensor.linspace(lo, hi, n))) }
            let step = (hi - lo) / Double(max(n, 1))
            return arr(Variable(Tensor((0..<max(n, 0)).map { lo + Double($0) * step })))
        })
        add(fn("eye", [.int("N"), .int("M", default: nil), .any("dtype", default: nil)], "The identity matrix.") { a in arr(Variable(try Tensor.eye(try a.int("N"), try a.optionalInt("M")))) })
        add(fn("identity", [.int("n"), .any("dtype", default: nil)], "The n×n identity matrix.") { a in arr(Variable(try Tensor.eye(try a.int("n"), nil))) })
        unaryFn("exp", "eˣ, elementwise.") { $0.exp() }
        unaryFn("log", "Natural logarithm, elementwise.") { $0.log() }
        unaryFn("log2", "Base-2 logarithm.") { $0.log2() }
        unaryFn("log10", "Base-10 logarithm.") { $0.log10() }
        unaryFn("log1p", "ln(1 + x).") { ($0 + 1).log() }
        unaryFn("expm1", "eˣ − 1.") { $0.exp() - 1 }
        unaryFn("sqrt", "Square root.") { $0.sqrt() }
        unaryFn("square", "x².") { try $0 * $0 }
        unaryFn("abs", "Absolute value.") { $0.abs() }
        unaryFn("absolute", "Absolute value.") { $0.abs() }
        unaryFn("fabs", "Absolute value.") { $0.abs() }
        unaryFn("sign", "The sign of each element.") { $0.sign() }
        unaryFn("sin", "Sine.") { $0.sin() }
        unaryFn("cos", "Cosine.") { $0.cos() }
        unaryFn("tan", "Tangent.") { try $0.sin() / $0.cos() }
        unaryFn("tanh", "Hyperbolic tangent.") { $0.tanh() }
        unaryFn("floor", "Rounded down (no gradient).") { Variable($0.value.map { $0.rounded(.down) }) }
        unaryFn("ceil", "Rounded up (no gradient).") { Variable($0.value.map { $0.rounded(.up) }) }
        unaryFn("trunc", "Rounded toward zero (no gradient).") { Variable($0.value.map { $0.rounded(.towardZero) }) }
        unaryFn("rint", "Rounded to the nearest whole number, halves to even.") { Variable($0.value.map { $0.rounded(.toNearestOrEven) }) }
        add(fn("ravel", [.tensor("x")], "The elements as a 1-d array (a view of x when its elements are in row order).") { a in
            let x = try a.tensor("x"); return a.interpreter.view(try x.flattened(), of: x, as: .reshaped)
        })
        unaryFn("copy", "A copy of the array.") { Variable($0.value.copy()) }
        add(fn("isnan", [.tensor("x")], "True where x is NaN.") { a in maskOrBool(try a.tensor("x").value.map { $0.isNaN ? 1 : 0 }) })
        add(fn("isinf", [.tensor("x")], "True where x is ±inf.") { a in maskOrBool(try a.tensor("x").value.map { $0.isInfinite ? 1 : 0 }) })
        add(fn("isfinite", [.tensor("x")], "True where x is finite.") { a in maskOrBool(try a.tensor("x").value.map { $0.isFinite ? 1 : 0 }) })
        add(fn("power", [.tensor("x1"), .tensor("x2")], "x1 ** x2, elementwise.") { a in arr(try Variable.pow(try a.tensor("x1"), try a.tensor("x2"))) })
        add(fn("round", [.tensor("a"), .int("decimals", default: 0)], "Rounded to `decimals` places, halves to even.") { a in
            let s = Foundation.pow(10.0, Double(try a.int("decimals")))
            return arr(Variable(try a.tensor("a").value.map { ($0 * s).rounded(.toNearestOrEven) / s }))
        })
        m["around"] = m["round"]
        add(fn("sum", [.any("a"), .any("axis", default: nil), .bool("keepdims", default: false), .any("dtype", default: nil)], "Sum of the elements (along axis); of a boolean mask, the count of True.") { a in
            if case let .mask(mt) = a.value("a") ?? .none, !a.has("axis"), !(try a.bool("keepdims")) { return .int(mt.data.filter { $0 != 0 }.count) }
            return try reduce(a) { try $0.sum(axis: $1, keepdims: $2) }
        })
        add(fn("mean", [.any("a"), .any("axis", default: nil), .bool("keepdims", default: false)], "Mean of the elements (along axis).") { a in try reduce(a) { try $0.mean(axis: $1, keepdims: $2) } })
        add(fn("max", [.any("a"), .any("axis", default: nil), .bool("keepdims", default: false)], "Largest element (along axis).") { a in try reduce(a) { try $0.max(axis: $1, keepdims: $2) } })
        add(fn("min", [.any("a"), .any("axis", default: nil), .bool("keepdims", default: false)], "Smallest element (along axis).") { a in try reduce(a) { try $0.min(axis: $1, keepdims: $2) } })
        m["amax"] = m["max"]; m["amin"] = m["min"]
        add(fn("prod", [.any("a"), .any("axis", default: nil), .bool("keepdims", default: false)], "Product of the elements (along axis).") { a in try reduce(a) { try $0.prod(axis: $1, keepdims: $2) } })
        add(fn("std", [.tensor("a"), .any("axis", default: nil), .bool("keepdims", default: false), .int("ddof", default: 0)], "Standard deviation (along axis).") { a in
            let ddof = try a.int("ddof")
            if ddof == 0 { return try reduce(a) { try $0.std(axis: $1, keepdims: $2) } }
            let x = try a.tensor("a"); let n = Double(try axisArg(a).map { x.value.shape[try Tensor.normalizeAxis($0, rank: x.value.rank, op: "std")] } ?? x.value.count)
            return arr(try (x.variance(axis: try axisArg(a), keepdims: try a.bool("keepdims")) * (n / (n - Double(ddof)))).sqrt())
        })
        add(fn("var", [.tensor("a"), .any("axis", default: nil), .bool("keepdims", default: false), .int("ddof", default: 0)], "Variance (along axis).") { a in
            let ddof = try a.int("ddof")
            let x = try a.tensor("a"); let n = Double(try axisArg(a).map { x.value.shape[try Tensor.normalizeAxis($0, rank: x.value.rank, op: "var")] } ?? x.value.count)
            let v = try x.variance(axis: try axisArg(a), keepdims: try a.bool("keepdims"))
            return arr(ddof == 0 ? v : v * (n / (n - Double(ddof))))
        })
        for name in ["argmax", "argmin"] {
            add(fn("\(name)", [.tensor("a"), .any("axis", default: nil), .bool("keepdims", default: false)], "Index of the first \(name == "argmax" ? "largest" : "smallest") element (of the flattened array when axis is None).") { a in
                let x = try a.tensor("a"), axis = try axisArg(a), keep = try a.bool("keepdims")
                let r = name == "argmax" ? try x.argmax(axis: axis, keepdims: keep) : try x.argmin(axis: axis, keepdims: keep)
                if axis == nil && !keep { return .int(Int(r.value.data[0])) }
                return arr(r)
            })
        }
        add(fn("cumsum", [.tensor("a"), .any("axis", default: nil)], "Running sums (no gradient).") { a in
            let x = try a.tensor("a").value
            guard let axis = try axisArg(a), x.rank > 1 else {
                var s = 0.0; return arr(Variable(Tensor(x.data.map { s += $0; return s })))
            }
            let ax = try Tensor.normalizeAxis(axis, rank: x.rank, op: "cumsum")
            var out = x.data
            let strides = Tensor.strides(of: x.shape)
            for k in 0..<x.count where (k / strides[ax]) % x.shape[ax] != 0 { out[k] += 0 }
            for k in 0..<x.count { let pos = (k / strides[ax]) % x.shape[ax]; if pos > 0 { out[k] = out[k - strides[ax]] + x.data[k] } }
            return arr(Variable(try Tensor(shape: x.shape, data: out)))
        })
        add(fn("maximum", [.tensor("x1"), .tensor("x2")], "Elementwise larger of x1 and x2.") { a in arr(try Variable.maximum(try a.tensor("x1"), try a.tensor("x2"))) })
        add(fn("minimum", [.tensor("x1"), .tensor("x2")], "Elementwise smaller of x1 and x2.") { a in arr(try Variable.minimum(try a.tensor("x1"), try a.tensor("x2"))) })
        add(fn("where", [.any("condition"), .tensor("x", default: nil), .tensor("y", default: nil)], "x where the condition holds, else y (elementwise, broadcasting); with only a condition, the indices where it holds.") { a in
            let c = try a.interpreter.toMask(a.value("condition") ?? .none, span: a.span)
            guard a.has("x") || a.has("y") else { return .tuple(try nonzero(c)) }
            return arr(try whereOp(c, try a.tensor("x"), try a.tensor("y")))
        })
        add(fn("nonzero", [.any("a")], "The indices of the non-zero elements, one array per axis.") { a in
            .tuple(try nonzero(try a.interpreter.toMask(a.value("a") ?? .none, span: a.span)))
        })
        add(fn("count_nonzero", [.any("a")], "How many elements are non-zero.") { a in
            .int(try a.interpreter.toMask(a.value("a") ?? .none, span: a.span).data.filter { $0 != 0 }.count)
        })
        add(fn("clip", [.tensor("a"), .number("a_min"), .number("a_max")], "Every element limited to [a_min, a_max].") { a in
            let lo = a.has("a_min") ? try a.double("a_min") : -Double.infinity, hi = a.has("a_max") ? try a.double("a_max") : Double.infinity
            return arr(try a.tensor("a").clip(lo, hi))
        })
        add(fn("dot", [.tensor("a"), .tensor("b")], "Dot product (matrix product for 2-d arrays).") { a in arr(try Variable.matmul(try a.tensor("a"), try a.tensor("b"))) })
        add(fn("matmul", [.tensor("a"), .tensor("b")], "Matrix product.") { a in arr(try Variable.matmul(try a.tensor("a"), try a.tensor("b"))) })
        add(fn("outer", [.tensor("a"), .tensor("b")], "Outer product: out[i, j] = a[i] b[j].") { a in
            let x = try a.tensor("a").flattened(), y = try a.tensor("b").flattened()
            return arr(try x.reshaped([x.value.count, 1]) * y.reshaped([1, y.value.count]))
        })
        add(fn("transpose", [.tensor("a"), .sequence("axes", default: nil)], "Axes reversed (or permuted).") { a in
            let axes = a.has("axes") ? try a.sequence("axes").map { try a.interpreter.toInt($0, span: a.span, what: "an axis") } : nil
            return try a.interpreter.transposedView(try a.tensor("a"), axes)
        })
        add(fn("reshape", [.tensor("a"), .shape("newshape")], "The same elements in a new shape (one dimension may be -1).") { a in
            let x = try a.tensor("a"); return a.interpreter.view(try x.reshaped(try shapeArg(a, "newshape")), of: x, as: .reshaped)
        })
        add(fn("squeeze", [.tensor("a"), .any("axis", default: nil)], "Axes of length 1 removed.") { a in
            let x = try a.tensor("a"); return a.interpreter.view(try x.reshaped(x.value.shape.filter { $0 != 1 }), of: x, as: .reshaped)
        })
        add(fn("expand_dims", [.tensor("a"), .int("axis")], "A new axis of length 1 at `axis`.") { a in
            let x = try a.tensor("a"); return a.interpreter.view(try x.expandingDims(try a.int("axis")), of: x, as: .reshaped)
        })
        add(fn("concatenate", [.sequence("arrays"), .int("axis", default: 0)], "Arrays joined along an existing axis.") { a in
            let parts = try a.sequence("arrays").map { try a.interpreter.toVariable($0, span: a.span, what: "concatenate(): each array") }
            return arr(try Variable.concat(parts, axis: try a.int("axis")))
        })
        add(fn("stack", [.sequence("arrays"), .int("axis", default: 0)], "Arrays of one shape joined along a new axis.") { a in
            let parts = try a.sequence("arrays").map { try a.interpreter.toVariable($0, span: a.span, what: "stack(): each array") }
            return arr(try Variable.stack(parts, axis: try a.int("axis")))
        })
        add(fn("vstack", [.sequence("tup")], "Arrays stacked as rows.") { a in
            let parts = try a.sequence("tup").map { v -> Variable in
                let x = try a.interpreter.toVariable(v, span: a.span, what: "vstack(): each array")
                return x.value.rank < 2 ? try x.reshaped([1, x.value.count]) : x
            }
            return arr(try Variable.concat(parts, axis: 0))
        })
        add(fn("hstack", [.sequence("tup")], "Arrays joined along their last (for 1-d, only) axis.") { a in
            let parts = try a.sequence("tup").map { try a.interpreter.toVariable($0, span: a.span, what: "hstack(): each array") }
            return arr(try Variable.concat(parts, axis: parts.first.map { $0.value.rank <= 1 ? 0 : 1 } ?? 0))
        })
        add(fn("isclose", [.tensor("a"), .tensor("b"), .number("rtol", default: 1e-05), .number("atol", default: 1e-08)], "Elementwise |a − b| ≤ atol + rtol·|b|.") { a in
            let x = try a.tensor("a").value, y = try a.tensor("b").value
            let rtol = try a.double("rtol"), atol = try a.double("atol")
            return maskOrBool(try Tensor.zip(x, y, op: "isclose") { Swift.abs($0 - $1) <= atol + rtol * Swift.abs($1) || $0 == $1 ? 1 : 0 })
        })
        add(fn("allclose", [.tensor("a"), .tensor("b"), .number("rtol", default: 1e-05), .number("atol", default: 1e-08)], "True when every element is close.") { a in
            let x = try a.tensor("a").value, y = try a.tensor("b").value
            let rtol = try a.double("rtol"), atol = try a.double("atol")
            return .bool(try Tensor.zip(x, y, op: "allclose") { Swift.abs($0 - $1) <= atol + rtol * Swift.abs($1) || $0 == $1 ? 1 : 0 }.data.allSatisfy { $0 != 0 })
        })
        add(fn("array_equal", [.tensor("a1"), .tensor("a2")], "True when both have the same shape and elements.") { a in
            let x = try a.tensor("a1").value, y = try a.tensor("a2").value
            return .bool(x.shape == y.shape && x.data == y.data)
        })
        add(fn("any", [.any("a"), .any("axis", default: nil)], "True when any element is non-zero.") { a in .bool(try a.interpreter.toMask(a.value("a") ?? .none, span: a.span).data.contains { $0 != 0 }) })
        add(fn("all", [.any("a"), .any("axis", default: nil)], "True when every element is non-zero.") { a in .bool(try a.interpreter.toMask(a.value("a") ?? .none, span: a.span).data.allSatisfy { $0 != 0 }) })
        add(fn("argsort", [.tensor("a")], "The indices that sort a 1-d array (stable).") { a in
            let x = try a.tensor("a").value
            return arr(Variable(Tensor(x.data.indices.sorted { x.data[$0] < x.data[$1] || (x.data[$0] == x.data[$1] && $0 < $1) }.map(Double.init))))
        })
        add(fn("sort", [.tensor("a")], "A sorted copy of a 1-d array.") { a in arr(Variable(Tensor(try a.tensor("a").value.data.sorted()))) })
        add(fn("unique", [.tensor("ar"), .bool("return_index", default: false), .bool("return_inverse", default: false), .bool("return_counts", default: false)],
               "The sorted distinct elements; with return_index, return_inverse or return_counts also where each first occurs, each element's position among them, and how often each occurs (a tuple, in that order).") { a in
            let data = try a.tensor("ar").value.data
            let values = Array(Set(data)).sorted()
            let position = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
            var first = [Int](repeating: -1, count: values.count), counts = [Int](repeating: 0, count: values.count), inverse = [Int]()
            for (k, v) in data.enumerated() {
                guard let p = position[v] else { continue }
                if first[p] < 0 { first[p] = k }
                counts[p] += 1
                inverse.append(p)
            }
            func ints(_ xs: [Int]) -> Value { arr(Variable(Tensor(xs.map(Double.init)))) }
            var out = [arr(Variable(Tensor(values)))]
            if try a.bool("return_index") { out.append(ints(first)) }
            if try a.bool("return_inverse") { out.append(ints(inverse)) }
            if try a.bool("return_counts") { out.append(ints(counts)) }
            return out.count == 1 ? out[0] : .tuple(out)
        })
        add(fn("bincount", [.tensor("x"), .tensor("weights", default: nil), .int("minlength", default: 0)], "How often each whole number 0, 1, 2, … occurs in x (or the sum of its weights), up to max(x) or minlength.") { a in
            let x = try a.tensor("x").value.data
            for v in x where v != v.rounded() || v < 0 || v > 1e8 { throw NablaError(.value, "bincount(): x must hold non-negative whole numbers, got \(Tensor.formatNumber(v))") }
            let w = try a.optionalTensor("weights")?.value.data
            if let w, w.count != x.count { throw NablaError(.value, "bincount(): the weights and x should have the same length") }
            let minlength = try a.int("minlength")
            guard minlength >= 0, minlength <= 100_000_000 else { throw NablaError(.value, "bincount(): minlength must be non-negative") }
            var out = [Double](repeating: 0, count: Swift.max(Int(x.max() ?? -1) + 1, minlength))
            for (k, v) in x.enumerated() { out[Int(v)] += w?[k] ?? 1 }
            return arr(Variable(Tensor(out)))
        })
        add(fn("diag", [.tensor("v")], "The diagonal of a matrix, or a diagonal matrix from a vector.") { a in
            let x = try a.tensor("v").value
            if x.rank == 1 {
                var out = [Double](repeating: 0, count: x.count * x.count)
                for k in 0..<x.count { out[k * x.count + k] = x.data[k] }
                return arr(Variable(try Tensor(shape: [x.count, x.count], data: out)))
            }
            guard x.rank == 2 else { throw NablaError(.value, "diag() needs a 1-d or 2-d array") }
            return arr(Variable(Tensor((0..<min(x.shape[0], x.shape[1])).map { x.data[$0 * x.shape[1] + $0] })))
        })
        add(fn("trace", [.tensor("a")], "Sum of the diagonal.") { a in
            let x = try a.tensor("a").value
            guard x.rank == 2 else { throw NablaError(.value, "trace() needs a 2-d array") }
            return arr(Variable((0..<min(x.shape[0], x.shape[1])).reduce(0.0) { $0 + x.data[$1 * x.shape[1] + $1] }))
        })
        add(fn("shape", [.tensor("a")], "The shape as a tuple.") { a in .tuple(try a.tensor("a").value.shape.map { .int($0) }) })
        add(fn("size", [.tensor("a")], "The number of elements.") { a in .int(try a.tensor("a").value.count) })
        add(fn("ndim", [.tensor("a")], "The number of axes.") { a in .int(try a.tensor("a").value.rank) })
        for name in ["float64", "float32", "float16", "float_", "double"] {
            add(fn("\(name)", [.any("x", default: 0)], "A float.") { a in .float(try a.interpreter.toDouble(a.value("x") ?? .float(0), span: a.span, what: "\(name)()")) })
        }
        for name in ["int64", "int32", "int16", "int8", "int_", "uint8"] {
            add(fn("\(name)", [.any("x", default: 0)], "An integer.") { a in .int(try Library.truncate(try a.interpreter.toDouble(a.value("x") ?? .int(0), span: a.span, what: "\(name)()"))) })
        }
        add(fn("bool_", [.any("x", default: false)], "A bool.") { a in .bool(try a.interpreter.truthy(a.value("x") ?? .bool(false), span: a.span)) })
        add(fn("nditer", [.tensor("op"), .any("flags", default: nil), .any("op_flags", default: nil)], "An iterator over the positions of an array (it.multi_index, it.iternext(), it.finished).") { a in
            .object(NdIterObject(shape: try a.tensor("op").value.shape))
        })
        add(fn("tile", [.tensor("A"), .shape("reps")], "A repeated reps times (along the last axis, or per axis for a tuple).") { a in
            var x = try a.tensor("A").value
            var reps = try shapeArg(a, "reps")
            while x.rank < reps.count { x = try x.reshaped([1] + x.shape) }
            while reps.count < x.rank { reps.insert(1, at: 0) }
            for (axis, r) in reps.enumerated() where r != 1 {
                guard r >= 0 else { throw NablaError(.value, "tile(): negative repetitions") }
                x = r == 0 ? try Tensor.zeros(x.shape.enumerated().map { $0.offset == axis ? 0 : $0.element }) : try Tensor.concat([Tensor](repeating: x, count: r), axis: axis)
            }
            return arr(Variable(x))
        })
        add(fn("repeat", [.tensor("a"), .int("repeats"), .int("axis", default: nil)], "Each element repeated (of the flattened array, or along axis).") { a in
            var x = try a.tensor("a").value
            let r = try a.int("repeats")
            guard r >= 0 else { throw NablaError(.value, "repeat(): negative repetitions") }
            var axis = try a.optionalInt("axis") ?? 0
            if !a.has("axis") { x = x.flattened() }
            axis = try Tensor.normalizeAxis(axis, rank: x.rank, op: "repeat")
            let idx = (0..<x.shape[axis]).flatMap { [Int](repeating: $0, count: r) }
            var entries = [TensorIndex](repeating: .all, count: x.rank)
            entries[axis] = .list(idx)
            return arr(Variable(try x[entries]))
        })
        add(fn("pad", [.tensor("array"), .any("pad_width"), .string("mode", default: "constant"), .number("constant_values", default: 0)], "Zeros (or constant_values) added around every axis: pad_width n, (before, after), or one pair per axis.") { a in
            let x = try a.tensor("array").value
            let cv = try a.double("constant_values")
            guard try a.string("mode") == "constant" else { throw NablaError(.value, "pad(): only mode='constant' is available in Nabla") }
            func pairs(_ v: Value) throws -> [(Int, Int)] {
                func ints(_ v: Value) throws -> [Int] {
                    switch v {
                    case .tuple, .list: return try a.interpreter.elements(v, span: a.span).map { try a.interpreter.toIndex($0, span: a.span, what: "pad width") }
                    default: return [try a.interpreter.toIndex(v, span: a.span, what: "pad width")]
                    }
                }
                let items: [Value]
                switch v { case .tuple, .list: items = try a.interpreter.elements(v, span: a.span); default: items = [v] }
                if items.count == x.rank, items.allSatisfy({ if case .tuple = $0 { return true }; if case .list = $0 { return true }; return false }) {
                    return try items.map { let p = try ints($0); return (p[0], p.count > 1 ? p[1] : p[0]) }
                }
                let p = try ints(v)
                return [(Int, Int)](repeating: (p[0], p.count > 1 ? p[1] : p[0]), count: x.rank)
            }
            let pw = try pairs(a.value("pad_width") ?? .int(0))
            guard pw.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else { throw NablaError(.value, "pad(): widths must be non-negative") }
            let shape = zip(x.shape, pw).map { $0 + $1.0 + $1.1 }
            var out = try Tensor.full(shape, cv)
            try out.assign(zip(x.shape, pw).map { .slice($1.0, $1.0 + $0, 1) }, x)
            return arr(Variable(out))
        })
        add(fn("median", [.tensor("a"), .int("axis", default: nil)], "The median (of all elements, or along axis).") { a in
            let x = try a.tensor("a").value
            func med(_ v: [Double]) -> Double {
                let s = v.sorted(); let n = s.count
                guard n > 0 else { return .nan }
                return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
            }
            guard let axis = try a.optionalInt("axis") else { return arr(Variable(med(x.data))) }
            let ax = try Tensor.normalizeAxis(axis, rank: x.rank, op: "median")
            let moved = try x.transposed(Array(0..<x.rank).filter { $0 != ax } + [ax])
            let n = x.shape[ax], rows = moved.count / max(n, 1)
            let vals = (0..<rows).map { r in med(Array(moved.data[(r * n)..<((r + 1) * n)])) }
            return arr(Variable(try Tensor(shape: x.shape.enumerated().filter { $0.offset != ax }.map(\.element), data: vals)))
        })
        add(fn("percentile", [.tensor("a"), .number("q")], "The q-th percentile of all elements (linear interpolation, numpy's default).") { a in
            let s = try a.tensor("a").value.data.sorted()
            guard !s.isEmpty else { throw NablaError(.value, "percentile() of an empty array") }
            let q = try a.double("q") / 100 * Double(s.count - 1)
            let lo = Int(q.rounded(.down)), hi = min(lo + 1, s.count - 1)
            return arr(Variable(s[lo] + (s[hi] - s[lo]) * (q - Double(lo))))
        })
        add(fn("diff", [.tensor("a")], "Differences of neighbours along the last axis of a 1-d array.") { a in
            let x = try a.tensor("a").value.data
            return arr(Variable(Tensor(x.count < 2 ? [] : (1..<x.count).map { x[$0] - x[$0 - 1] })))
        })
        add(fn("flip", [.tensor("m"), .int("axis", default: nil)], "The elements in reverse order (along axis, or every axis).") { a in
            let x = try a.tensor("m")
            var entries = [TensorIndex](repeating: .slice(nil, nil, -1), count: x.value.rank)
            if let axis = try a.optionalInt("axis") {
                entries = [TensorIndex](repeating: .all, count: x.value.rank)
                entries[try Tensor.normalizeAxis(axis, rank: x.value.rank, op: "flip")] = .slice(nil, nil, -1)
            }
            return arr(try x.indexed(entries))
        })
        add(fn("meshgrid", [.tensor("x"), .tensor("y"), .string("indexing", default: "xy")], "Coordinate matrices from two coordinate vectors.") { a in
            let x = try a.tensor("x").value.data, y = try a.tensor("y").value.data
            let ij = try a.string("indexing") == "ij"
            let (r, c) = ij ? (x.count, y.count) : (y.count, x.count)
            var xx = [Double](), yy = [Double]()
            for i in 0..<r { for j in 0..<c { xx.append(ij ? x[i] : x[j]); yy.append(ij ? y[j] : y[i]) } }
            return .list(ListRef([arr(Variable(try Tensor(shape: [r, c], data: xx))), arr(Variable(try Tensor(shape: [r, c], data: yy)))]))
        })
        add(fn("column_stack", [.sequence("tup")], "1-d arrays as the columns of a matrix.") { a in
            let parts = try a.sequence("tup").map { v -> Variable in
                let x = try a.interpreter.toVariable(v, span: a.span, what: "column_stack(): each array")
                return x.value.rank == 1 ? try x.reshaped([x.value.count, 1]) : x
            }
            return arr(try Variable.concat(parts, axis: 1))
        })
        m["ndarray"] = .builtin(i.builtins["ndarray"]!)
        m["pi"] = .float(Double.pi); m["e"] = .float(M_E); m["inf"] = .float(.infinity); m["nan"] = .float(.nan); m["newaxis"] = Value.none
        m["random"] = .module(numpyRandom(i))
        m["linalg"] = .module(Module(name: "numpy.linalg", members: Dictionary(uniqueKeysWithValues: [
            fn("inv", [.tensor("a")], "The inverse of a square matrix (Gauss–Jordan with partial pivoting).") { a in
                let (inv, _) = try gaussJordan(try a.tensor("a").value, nil)
                return arr(Variable(inv))
            },
            fn("solve", [.tensor("a"), .tensor("b")], "x with a @ x = b.") { a in
                let (x, _) = try gaussJordan(try a.tensor("a").value, try a.tensor("b").value)
                return arr(Variable(x))
            },
            fn("det", [.tensor("a")], "The determinant of a square matrix.") { a in
                let m = try a.tensor("a").value
                do { return arr(Variable(try gaussJordan(m, nil).1)) } catch let e as NablaError where e.message.hasPrefix("Singular") { return arr(Variable(0.0)) }
            },
            fn("norm", [.tensor("x"), .number("ord", default: nil), .any("axis", default: nil), .bool("keepdims", default: false)], "Vector norm (Frobenius for a matrix).") { a in
                arr(try a.tensor("x").norm(ord: a.has("ord") ? try a.double("ord") : 2, axis: try axisArg(a), keepdims: try a.bool("keepdims")))
            },
        ])))
        return Module(name: "numpy", members: m)
    }

    /// Gauss–Jordan elimination with partial pivoting: a⁻¹ (or the solution of a x = b) and det a.
    static func gaussJordan(_ a: Tensor, _ b: Tensor?) throws -> (Tensor, Double) {
        guard a.rank == 2, a.shape[0] == a.shape[1] else { throw NablaError(.value, "Last 2 dimensions of the array must be square") }
        let n = a.shape[0]
        var m = a.data
        let rhsCols = b.map { $0.rank == 1 ? 1 : $0.shape[1] } ?? n
        if let b { guard b.shape[0] == n else { throw NablaError(.value, "solve(): b has \(b.shape[0]) rows but a has \(n)") } }
        var r = b?.data ?? (0..<(n * n)).map { Double($0 / n == $0 % n ? 1 : 0) }
        var det = 1.0
        for col in 0..<n {
            var piv = col
            for row in (col + 1)..<max(n, col + 1) where Swift.abs(m[row * n + col]) > Swift.abs(m[piv * n + col]) { piv = row }
            guard Swift.abs(m[piv * n + col]) > 1e-300 else { throw NablaError(.value, "Singular matrix") }
            if piv != col {
                for k in 0..<n { m.swapAt(col * n + k, piv * n + k) }
                for k in 0..<rhsCols { r.swapAt(col * rhsCols + k, piv * rhsCols + k) }
                det = -det
            }
            let p = m[col * n + col]
            det *= p
            for k in 0..<n { m[col * n + k] /= p }
            for k in 0..<rhsCols { r[col * rhsCols + k] /= p }
            for row in 0..<n where row != col {
                let f = m[row * n + col]
                if f == 0 { continue }
                for k in 0..<n { m[row * n + k] -= f * m[col * n + k] }
                for k in 0..<rhsCols { r[row * rhsCols + k] -= f * r[col * rhsCols + k] }
            }
        }
        let shape = b.map { $0.shape } ?? [n, n]
        return (try Tensor(shape: shape, data: r), det)
    }

    static func maskOrBool(_ t: Tensor) -> Value { t.rank == 0 ? .bool(t.data[0] != 0) : .mask(t) }

    static func nonzero(_ m: Tensor) throws -> [Value] {
        let strides = Tensor.strides(of: m.shape)
        var cols = [[Double]](repeating: [], count: max(m.rank, 1))
        for (k, x) in m.data.enumerated() where x != 0 {
            for ax in 0..<m.rank { cols[ax].append(Double((k / strides[ax]) % m.shape[ax])) }
        }
        return cols.prefix(max(m.rank, 1)).map { .tensor(Variable(Tensor($0))) }
    }

    static func numpyRandom(_ i: Interpreter) -> Module {
        let g = i.npRandom
        func size(_ a: Args) throws -> [Int]? { a.has("size") ? try shapeArg(a, "size") : nil }
        func fill(_ shape: [Int], _ draw: () -> Double) throws -> Value {
            let n = try Tensor.checkedCount(shape, op: "random")
            var out = [Double](repeating: 0, count: n)
            for k in 0..<n { out[k] = draw() }
            return arr(Variable(try Tensor(shape: shape, data: out)))
        }
        func shuffleOrder(_ n: Int) -> [Int] {
            var order = Array(0..<n)
            for k in stride(from: n - 1, to: 0, by: -1) { order.swapAt(k, Int(g.interval(UInt64(k)))) }
            return order
        }
        let members: [(String, Value)] = [
            fn("seed", [.int("seed", default: nil)], "Restarts the generator: numpy's legacy MT19937, so seeded programs draw numpy's numbers.") { a in
                let s = try a.optionalInt("seed") ?? 0
                guard s >= 0, s <= 0xffff_ffff else { throw NablaError(.value, "Seed must be between 0 and 2**32 - 1") }
                g.initGenrand(UInt32(s)); return .none
            },
            fn("rand", [.args("shape", .shape)], "Uniform numbers in [0, 1).") { a in
                a.rest.isEmpty ? .float(g.double()) : try fill(try a.shape("shape"), g.double)
            },
            fn("randn", [.args("shape", .shape)], "Standard normal numbers.") { a in
                a.rest.isEmpty ? .float(g.gaussLegacy()) : try fill(try a.shape("shape"), g.gaussLegacy)
            },
            fn("random", [.any("size", default: nil)], "Uniform numbers in [0, 1).") { a in
                guard let s = try size(a) else { return .float(g.double()) }
                return try fill(s, g.double)
            },
            fn("normal", [.number("loc", default: 0.0), .number("scale", default: 1.0), .any("size", default: nil)], "Normal numbers N(loc, scale²).") { a in
                let mu = try a.double("loc"), sd = try a.double("scale")
                guard let s = try size(a) else { return .float(mu + sd * g.gaussLegacy()) }
                return try fill(s) { mu + sd * g.gaussLegacy() }
            },
            fn("uniform", [.number("low", default: 0.0), .number("high", default: 1.0), .any("size", default: nil)], "Uniform numbers in [low, high).") { a in
                let lo = try a.double("low"), hi = try a.double("high")
                guard let s = try size(a) else { return .float(lo + (hi - lo) * g.double()) }
                return try fill(s) { lo + (hi - lo) * g.double() }
            },
            fn("randint", [.int("low"), .int("high", default: nil), .any("size", default: nil)], "Random integers in [low, high).") { a in
                var lo = try a.int("low"), hi = 0
                if let h = try a.optionalInt("high") { hi = h } else { hi = lo; lo = 0 }
                guard hi > lo else { throw NablaError(.value, "high <= low") }
                guard let s = try size(a) else { return .int(g.boundedLegacy(low: lo, high: hi)) }
                return try fill(s) { Double(g.boundedLegacy(low: lo, high: hi)) }
            },
            fn("choice", [.any("a"), .any("size", default: nil), .bool("replace", default: true), .tensor("p", default: nil)], "Random elements of a (or of range(a)).") { a in
                let pool: [Value]
                switch a.value("a") ?? .none {
                case let .int(n): pool = (0..<max(n, 0)).map { .int($0) }
                case let .tensor(t) where t.value.rank == 1: pool = t.value.data.map { .tensor(Variable($0)) }
                default: pool = try a.sequence("a")
                }
                guard !pool.isEmpty else { throw NablaError(.value, "a cannot be empty unless no samples are taken") }
                let shape = try size(a)
                let n = try shape.map { try Tensor.checkedCount($0, op: "choice") } ?? 1
                var picks = [Int]()
                if let p = try a.optionalTensor("p")?.value.data {
                    guard p.count == pool.count else { throw NablaError(.value, "a and p must have same size") }
                    guard try a.bool("replace") else { throw NablaError(.value, "choice() with p and replace=False is not available in Nabla") }
                    var cdf = [Double](), acc = 0.0
                    for x in p { acc += x; cdf.append(acc) }
                    cdf = cdf.map { $0 / acc }
                    for _ in 0..<n { let u = g.double(); picks.append(min(cdf.firstIndex { $0 > u } ?? pool.count - 1, pool.count - 1)) }
                } else if try a.bool("replace") {
                    for _ in 0..<n { picks.append(g.boundedLegacy(low: 0, high: pool.count)) }
                } else {
                    guard n <= pool.count else { throw NablaError(.value, "Cannot take a larger sample than population when 'replace=False'") }
                    picks = Array(shuffleOrder(pool.count).prefix(n))
                }
                guard let shape else { return pool[picks[0]] }
                let items = picks.map { pool[$0] }
                return .tensor(try a.interpreter.toVariable(.list(ListRef(items)), span: a.span, what: "choice()").reshaped(shape))
            },
            fn("shuffle", [.any("x")], "Shuffles a list, or an array's rows, in place.") { a in
                let v = a.value("x") ?? .none
                switch v {
                case let .list(l):
                    for k in stride(from: l.items.count - 1, to: 0, by: -1) { l.items.swapAt(k, Int(g.interval(UInt64(k)))) }
                case let .tensor(t):
                    guard t.value.rank > 0 else { throw NablaError(.value, "shuffle() needs an array with at least one axis") }
                    let shuffled = try t.value[[.list(shuffleOrder(t.value.shape[0]))]]
                    try a.interpreter.changeInPlace(t) { $0 = shuffled }
                default: throw NablaError(.type, "shuffle() needs a list or an array")
                }
                return .none
            },
            fn("permutation", [.any("x")], "A shuffled copy of an array (or of range(x)).") { a in
                if case let .int(n) = a.value("x") ?? .none { return arr(Variable(Tensor(shuffleOrder(max(n, 0)).map(Double.init)))) }
                let x = try a.tensor("x").value
                guard x.rank > 0 else { throw NablaError(.value, "permutation() needs an array with at least one axis") }
                return arr(Variable(try x[[.list(shuffleOrder(x.shape[0]))]]))
            },
        ]
        var m = Dictionary(uniqueKeysWithValues: members)
        m["random_sample"] = m["random"]
        return Module(name: "numpy.random", members: m)
    }

    static func math(_ i: Interpreter) -> Module {
        func f1(_ name: String, _ doc: String, _ f: @escaping (Double) -> Double) -> (String, Value) {
            fn("\(name)", [.any("x")], doc) { a in
                let x = try a.interpreter.toDouble(a.value("x") ?? .none, span: a.span, what: "math.\(name)() argument")
                let r = f(x)
                if r.isNaN && !x.isNaN { throw NablaError(.value, "math domain error") }
                return .float(r)
            }
        }
        var m = Dictionary(uniqueKeysWithValues: [
            f1("sqrt", "Square root.") { $0 < 0 ? .nan : Foundation.sqrt($0) }, f1("exp", "eˣ.") { Foundation.exp($0) },
            f1("log2", "Base-2 logarithm.") { $0 <= 0 ? .nan : Foundation.log2($0) }, f1("log10", "Base-10 logarithm.") { $0 <= 0 ? .nan : Foundation.log10($0) },
            f1("sin", "Sine.") { Foundation.sin($0) }, f1("cos", "Cosine.") { Foundation.cos($0) }, f1("tan", "Tangent.") { Foundation.tan($0) },
            f1("asin", "Arc sine.") { Foundation.asin($0) }, f1("acos", "Arc cosine.") { Foundation.acos($0) }, f1("atan", "Arc tangent.") { Foundation.atan($0) },
            f1("sinh", "Hyperbolic sine.") { Foundation.sinh($0) }, f1("cosh", "Hyperbolic cosine.") { Foundation.cosh($0) }, f1("tanh", "Hyperbolic tangent.") { Foundation.tanh($0) },
            f1("fabs", "Absolute value.") { Swift.abs($0) }, f1("degrees", "Radians to degrees.") { $0 * 180 / .pi }, f1("radians", "Degrees to radians.") { $0 * .pi / 180 },
            f1("log1p", "ln(1 + x).") { $0 <= -1 ? .nan : Foundation.log1p($0) }, f1("expm1", "eˣ − 1.") { Foundation.expm1($0) },
            f1("erf", "The error function.") { Foundation.erf($0) }, f1("gamma", "The gamma function.") { Foundation.tgamma($0) },
            fn("log", [.any("x"), .number("base", default: nil)], "Natural logarithm (or to `base`).") { a in
                let x = try a.interpreter.toDouble(a.value("x") ?? .none, span: a.span, what: "math.log() argument")
                guard x > 0 else { throw NablaError(.value, "math domain error") }
                if a.has("base") { return .float(Foundation.log(x) / Foundation.log(try a.double("base"))) }
                return .float(Foundation.log(x))
            },
            fn("pow", [.number("x"), .number("y")], "x to the power y, as floats.") { a in .float(Foundation.pow(try a.double("x"), try a.double("y"))) },
            fn("atan2", [.number("y"), .number("x")], "The angle of the point (x, y).") { a in .float(Foundation.atan2(try a.double("y"), try a.double("x"))) },
            fn("hypot", [.args("coordinates")], "√(Σ xᵢ²).") { a in .float(Foundation.sqrt(try a.rest.reduce(0.0) { let v = try a.interpreter.toDouble($1, span: a.span, what: "hypot()"); return $0 + v * v })) },
            fn("floor", [.any("x")], "The largest int ≤ x.") { a in
                if case let .int(n) = a.value("x") ?? .none { return .int(n) }
                return .int(try Library.truncate(try a.interpreter.toDouble(a.value("x") ?? .none, span: a.span, what: "math.floor()").rounded(.down)))
            },
            fn("ceil", [.any("x")], "The smallest int ≥ x.") { a in
                if case let .int(n) = a.value("x") ?? .none { return .int(n) }
                return .int(try Library.truncate(try a.interpreter.toDouble(a.value("x") ?? .none, span: a.span, what: "math.ceil()").rounded(.up)))
            },
            fn("trunc", [.any("x")], "x truncated toward zero, as an int.") { a in .int(try Library.truncate(try a.interpreter.toDouble(a.value("x") ?? .none, span: a.span, what: "math.trunc()"))) },
            fn("isclose", [.number("a"), .number("b"), .number("rel_tol", default: 1e-09), .number("abs_tol", default: 0.0)], "True when a and b are close.") { a in
                let x = try a.double("a"), y = try a.double("b"), r = try a.double("rel_tol"), t = try a.double("abs_tol")
                return .bool(x == y || Swift.abs(x - y) <= Swift.max(r * Swift.max(Swift.abs(x), Swift.abs(y)), t))
            },
            fn("isnan", [.number("x")], "True for NaN.") { a in .bool(try a.double("x").isNaN) },
            fn("isinf", [.number("x")], "True for ±inf.") { a in .bool(try a.double("x").isInfinite) },
            fn("isfinite", [.number("x")], "True for finite numbers.") { a in .bool(try a.double("x").isFinite) },
            fn("copysign", [.number("x"), .number("y")], "|x| with the sign of y.") { a in .float(Foundation.copysign(try a.double("x"), try a.double("y"))) },
            fn("factorial", [.any("n")], "n! (an OverflowError beyond 64-bit integers).") { a in
                let n = try a.interpreter.toIndex(a.value("n") ?? .none, span: a.span, what: "factorial()")
                guard n >= 0 else { throw NablaError(.value, "factorial() not defined for negative values") }
                guard n <= 20_000 else { throw NablaError(.memory, "factorial(\(n)) has more digits than Nabla keeps") }
                var r = BigInt(1)
                for k in stride(from: 2, through: n, by: 1) { r = r.multipliedSmall(UInt32(k)) }
                return try a.interpreter.normalized(r, span: a.span)
            },
            fn("gcd", [.args("integers")], "Greatest common divisor.") { a in
                var g = 0
                for v in a.rest { var x = Swift.abs(try a.interpreter.toIndex(v, span: a.span, what: "gcd()")); var y = g; while y != 0 { (x, y) = (y, x % y) }; g = x }
                return .int(g)
            },
            fn("comb", [.int("n"), .int("k")], "The number of ways to choose k of n.") { a in
                let n = try a.int("n"), k = try a.int("k")
                guard n >= 0, k >= 0 else { throw NablaError(.value, "n and k must be non-negative integers") }
                if k > n { return .int(0) }
                var r = 1
                for j in 0..<min(k, n - k) {
                    let (p, o) = r.multipliedReportingOverflow(by: n - j)
                    if o { throw NablaError(.overflow, "comb(\(n), \(k)) is too large for Nabla's 64-bit integers") }
                    r = p / (j + 1)
                }
                return .int(r)
            },
            fn("prod", [.sequence("iterable"), .any("start", default: 1)], "The product of the items.") { a in
                var acc = a.value("start") ?? .int(1)
                for x in try a.sequence("iterable") { acc = try a.interpreter.binary("*", acc, x, span: a.span) }
                return acc
            },
            fn("fsum", [.sequence("iterable")], "An accurate floating-point sum.") { a in
                var s = 0.0, c = 0.0
                for x in try a.sequence("iterable") {
                    let v = try a.interpreter.toDouble(x, span: a.span, what: "fsum()")
                    let t = s + v
                    c += Swift.abs(s) >= Swift.abs(v) ? (s - t) + v : (v - t) + s
                    s = t
                }
                return .float(s + c)
            },
        ])
        m["pi"] = .float(.pi); m["e"] = .float(M_E); m["tau"] = .float(2 * .pi); m["inf"] = .float(.infinity); m["nan"] = .float(.nan)
        return Module(name: "math", members: m)
    }

    static func random(_ i: Interpreter) -> Module {
        let g = i.pyRandom
        return Module(name: "random", members: Dictionary(uniqueKeysWithValues: [
            fn("seed", [.int("a", default: nil)], "Restarts the generator: CPython's MT19937, so seeded programs draw CPython's numbers.") { a in
                g.seedPython(try a.optionalInt("a") ?? 0); return .none
            },
            fn("random", [], "A float in [0, 1).") { _ in .float(g.double()) },
            fn("uniform", [.number("a"), .number("b")], "A float between a and b.") { a in let lo = try a.double("a"), hi = try a.double("b"); return .float(lo + (hi - lo) * g.double()) },
            fn("randint", [.int("a"), .int("b")], "An int in [a, b], both included.") { a in
                let lo = try a.int("a"), hi = try a.int("b")
                guard hi >= lo else { throw NablaError(.value, "empty range in randint(\(lo), \(hi))") }
                return .int(lo + g.randbelow(hi - lo + 1))
            },
            fn("randrange", [.int("start"), .int("stop", default: nil), .int("step", default: 1)], "A random element of range(start, stop, step).") { a in
                var lo = try a.int("start"), hi = 0
                if let h = try a.optionalInt("stop") { hi = h } else { hi = lo; lo = 0 }
                let st = try a.int("step")
                guard st != 0, st != Int.min else { throw NablaError(.value, "zero step for randrange()") }
                let n = st > 0 ? (hi - lo + st - 1) / st : (hi - lo + st + 1) / st
                guard n > 0 else { throw NablaError(.value, "empty range in randrange(\(lo), \(hi), \(st))") }
                return .int(lo + st * g.randbelow(n))
            },
            fn("gauss", [.number("mu", default: 0.0), .number("sigma", default: 1.0)], "A normal sample (Box–Muller, as CPython).") { a in .float(g.gaussPython(try a.double("mu"), try a.double("sigma"))) },
            fn("choice", [.sequence("seq")], "A random element.") { a in
                let s = try a.sequence("seq")
                guard !s.isEmpty else { throw NablaError(.index, "Cannot choose from an empty sequence") }
                return s[g.randbelow(s.count)]
            },
            fn("shuffle", [.any("x")], "Shuffles a list in place.") { a in
                guard case let .list(l) = a.value("x") ?? .none else { throw NablaError(.type, "shuffle() needs a list") }
                for k in stride(from: l.items.count - 1, to: 0, by: -1) { l.items.swapAt(k, g.randbelow(k + 1)) }
                return .none
            },
            fn("sample", [.sequence("population"), .int("k")], "k distinct random elements (CPython's algorithm).") { a in
                let pop = try a.sequence("population"), k = try a.int("k"), n = pop.count
                guard k >= 0, k <= n else { throw NablaError(.value, "Sample larger than population or is negative") }
                var setsize = 21
                if k > 5 { setsize += Int(Foundation.pow(4.0, Foundation.ceil(Foundation.log(Double(k * 3)) / Foundation.log(4.0)))) }
                var result = [Value]()
                if n <= setsize {
                    var pool = pop
                    for j in 0..<k { let r = g.randbelow(n - j); result.append(pool[r]); pool[r] = pool[n - j - 1] }
                } else {
                    var selected = Set<Int>()
                    for _ in 0..<k { var r = g.randbelow(n); while selected.contains(r) { r = g.randbelow(n) }; selected.insert(r); result.append(pop[r]) }
                }
                return .list(ListRef(result))
            },
        ]))
    }

    /// itertools: the lazy iterators students combine with generators (count, islice, chain, repeat, cycle).
    static func itertools(_ i: Interpreter) -> Module {
        Module(name: "itertools", members: Dictionary(uniqueKeysWithValues: [
            fn("count", [.any("start", default: 0), .any("step", default: 1)], "start, start + step, start + 2·step, … without end.") { a in
                let interpreter = a.interpreter, span = a.span
                var cur = a.value("start") ?? .int(0)
                let step = a.value("step") ?? .int(1)
                return .iterator(IteratorRef(kind: "count") {
                    let v = cur
                    cur = try interpreter.binary("+", cur, step, span: span)
                    return v
                })
            },
            fn("islice", [.any("iterable"), .args("limits")], "Items of an iterable from start up to stop by step (islice(it, stop) or islice(it, start, stop, step)), taken lazily.") { a in
                let limits = try a.rest.map { v -> Int? in
                    if case .none = v { return nil }
                    return try a.interpreter.toIndex(v, span: a.span, what: "islice(): a limit")
                }
                guard (1...3).contains(limits.count) else { throw NablaError(.type, "islice expected 2 to 4 arguments, got \(limits.count + 1)") }
                let start = limits.count > 1 ? limits[0] ?? 0 : 0
                let stop = limits.count > 1 ? limits[1] : limits[0]
                let step = limits.count > 2 ? limits[2] ?? 1 : 1
                guard start >= 0, (stop ?? 0) >= 0 else { throw NablaError(.value, "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.") }
                guard step > 0 else { throw NablaError(.value, "Step for islice() must be a positive integer or None.") }
                let next = try a.interpreter.puller(a.named["iterable"] ?? .none, span: a.span)
                var position = 0, wanted = start
                return .iterator(IteratorRef(kind: "islice") {
                    while true {
                        if let stop, wanted >= stop { return nil }
                        guard let x = try next() else { return nil }
                        defer { position += 1 }
                        if position == wanted { wanted += step; return x }
                    }
                })
            },
            fn("chain", [.args("iterables")], "The items of each iterable in turn, lazily.") { a in
                var inputs = a.rest[...]
                let interpreter = a.interpreter, span = a.span
                var current: (() throws -> Value?)?
                return .iterator(IteratorRef(kind: "chain") {
                    while true {
                        if let c = current, let x = try c() { return x }
                        guard let v = inputs.popFirst() else { return nil }
                        current = try interpreter.puller(v, span: span)
                    }
                })
            },
            fn("repeat", [.any("object"), .int("times", default: nil)], "The object again and again (times times, or without end).") { a in
                let v = a.named["object"] ?? .none
                var left = try a.optionalInt("times")
                return .iterator(IteratorRef(kind: "repeat") {
                    if let n = left { guard n > 0 else { return nil }; left = n - 1 }
                    return v
                })
            },
            fn("cycle", [.any("iterable")], "The items of an iterable, over and over without end.") { a in
                let items = try a.interpreter.elements(a.named["iterable"] ?? .none, span: a.span)
                var k = 0
                return .iterator(IteratorRef(kind: "cycle") {
                    guard !items.isEmpty else { return nil }
                    defer { k = (k + 1) % items.count }
                    return items[k]
                })
            },
        ]))
    }

    /// collections: defaultdict, Counter and OrderedDict (dicts that print and fill in as Python's).
    static func collections(_ i: Interpreter) -> Module {
        func filled(_ a: Args, _ kind: String, _ from: Value?) throws -> DictRef {
            let d = DictRef()
            d.kind = kind
            if let from {
                if case let .dict(o) = from { for (k, v) in zip(o.keys, o.values) { d.set(try a.interpreter.hashKey(k, span: a.span), k, v) } }
                else {
                    for pair in try a.interpreter.elements(from, span: a.span) {
                        let kv = try a.interpreter.elements(pair, span: a.span)
                        guard kv.count == 2 else { throw NablaError(.value, "dictionary update sequence element has length \(kv.count); 2 is required") }
                        d.set(try a.interpreter.hashKey(kv[0], span: a.span), kv[0], kv[1])
                    }
                }
            }
            for (k, v) in a.extraKeywords { d.set(.str(k), .string(k), v) }
            return d
        }
        return Module(name: "collections", members: Dictionary(uniqueKeysWithValues: [
            fn("defaultdict", [.any("default_factory", default: nil), .any("mapping", default: nil), .kwargs("kwargs")], "A dict that fills a missing key with default_factory().") { a in
                let d = try filled(a, "defaultdict", a.value("mapping"))
                d.defaultFactory = a.value("default_factory")
                return .dict(d)
            },
            fn("OrderedDict", [.any("mapping", default: nil), .kwargs("kwargs")], "A dict (every dict keeps insertion order).") { a in .dict(try filled(a, "OrderedDict", a.value("mapping"))) },
            fn("Counter", [.any("iterable", default: nil), .kwargs("kwargs")], "Counts of the elements of an iterable (missing elements count 0).") { a in
                let d = DictRef()
                d.kind = "Counter"
                if let v = a.value("iterable") {
                    if case let .dict(o) = v { for (k, n) in zip(o.keys, o.values) { d.set(try a.interpreter.hashKey(k, span: a.span), k, n) } }
                    else {
                        for x in try a.interpreter.elements(v, span: a.span) {
                            let h = try a.interpreter.hashKey(x, span: a.span)
                            d.set(h, x, try a.interpreter.binary("+", d.get(h) ?? .int(0), .int(1), span: a.span))
                        }
                    }
                }
                for (k, v) in a.extraKeywords { d.set(.str(k), .string(k), v) }
                return .dict(d)
            },
        ]))
    }

    /// Tensor methods: numpy's ndarray methods, with autograd kept.
    static func tensorMethods(_ i: Interpreter, numpy: Module) -> [String: Builtin] {
        var out = [String: Builtin]()
        for name in ["sum", "mean", "max", "min", "prod", "std", "var", "argmax", "argmin", "cumsum", "dot", "transpose", "clip", "round", "any", "all", "nonzero", "argsort"] {
            if case let .builtin(b)? = numpy.members[name] { out[name] = b }
        }
        for name in ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "detach", "backward", "norm", "item", "tolist", "flatten"] {
            if let b = i.builtins[name] { out[name] = b }
        }
        out["reshape"] = Builtin("reshape", [.tensor("self"), .args("shape", .shape)], doc: "The same elements in a new shape: x.reshape(2, 3) or x.reshape((2, 3)); one dimension may be -1.") { a in
            let x = try a.tensor("self"); return a.interpreter.view(try x.reshaped(try a.shape("shape")), of: x, as: .reshaped)
        }
        out["copy"] = Builtin("copy", [.any("self")], doc: "A copy that does not share its elements.") { a in
            if case let .mask(m) = a.value("self") ?? .none { return .mask(m) }
            return .tensor(Variable(try a.tensor("self").value.copy()))
        }
        out["astype"] = Builtin("astype", [.tensor("self"), .any("dtype")], doc: "A copy converted to dtype (int truncates toward zero; bool gives a mask).") { a in
            convert(Variable(try a.tensor("self").value), dtype: dtypeKind(a.value("dtype")))
        }
        if case let .builtin(b)? = numpy.members["ravel"] { out["ravel"] = b }
        out["squeeze"] = Builtin("squeeze", [.tensor("self")], doc: "Axes of length 1 removed.") { a in
            let x = try a.tensor("self"); return a.interpreter.view(try x.reshaped(x.value.shape.filter { $0 != 1 }), of: x, as: .reshaped)
        }
        out["fill"] = Builtin("fill", [.any("self"), .number("value")], doc: "Sets every element to value, in place.") { a in
            guard case let .tensor(t) = a.value("self") ?? .none, t.isLeaf else { throw NablaError(.type, "fill() needs an array") }
            let v = try a.double("value")
            try a.interpreter.changeInPlace(t) { $0 = $0.map { _ in v } }
            return .none
        }
        out["item"] = Builtin("item", [.any("self")], doc: "The single element as a Python number.") { a in
            let v = a.value("self") ?? .none
            if case let .mask(m) = v { guard m.count == 1 else { throw NablaError(.value, "can only convert an array of size 1 to a Python scalar") }; return .bool(m.data[0] != 0) }
            let x = try a.tensor("self").value
            guard x.count == 1 else { throw NablaError(.value, "can only convert an array of size 1 to a Python scalar") }
            return .float(x.data[0])
        }
        out["tolist"] = Builtin("tolist", [.any("self")], doc: "The array as nested lists of Python numbers.") { a in
            let v = a.value("self") ?? .none
            let isMask: Bool
            if case .mask = v { isMask = true } else { isMask = false }
            let x = try a.interpreter.toVariable(v, span: a.span, what: "tolist()").value
            func build(_ x: Tensor) throws -> Value {
                if x.rank == 0 { return isMask ? .bool(x.data[0] != 0) : .float(x.data[0]) }
                return .list(ListRef(try (0..<x.shape[0]).map { try build(x[[.at($0)]]) }))
            }
            return try build(x)
        }
        return out
    }
}

extension Interpreter {
    func importModule(_ name: String, span: Span) throws -> Value {
        if let m = modules[name] { return m }
        let m: Value
        switch name {
        case "numpy": m = .module(Library.numpy(self))
        case "numpy.random", "numpy.linalg":
            guard case let .module(np) = try importModule("numpy", span: span), let sub = np.members[String(name.dropFirst(6))] else { return .none }
            m = sub
        case "math": m = .module(Library.math(self))
        case "collections": m = .module(Library.collections(self))
        case "random": m = .module(Library.random(self))
        case "itertools": m = .module(Library.itertools(self))
        case "glob": m = .module(Library.globModule(self))
        case "sklearn", "sklearn.datasets", "sklearn.metrics", "sklearn.model_selection":
            for (n, module) in Library.sklearnModules(self) { modules[n] = .module(module) }
            return modules[name] ?? .none
        case "os", "os.path":
            let (os, path) = Library.osModules(self)
            modules["os"] = .module(os); modules["os.path"] = .module(path)
            return name == "os" ? .module(os) : .module(path)
        case "PIL.Image":
            m = .module(Library.pil(self))
        case "PIL":
            let image = try importModule("PIL.Image", span: span)
            m = .module(Module(name: "PIL", members: ["Image": image]))
        case "typing":
            var members = [String: Value]()
            for n in ["List", "Dict", "Tuple", "Set", "Optional", "Union", "Any", "Callable", "Iterable", "Sequence", "Iterator"] { members[n] = .builtin(builtins["list"]!) }
            m = .module(Module(name: "typing", members: members))
        case "copy":
            m = .module(Module(name: "copy", members: Dictionary(uniqueKeysWithValues: [
                Library.fn("copy", [.any("x")], "A shallow copy.") { a in try a.interpreter.shallowCopy(a.value("x") ?? .none, deep: false) },
                Library.fn("deepcopy", [.any("x")], "A deep copy.") { a in try a.interpreter.shallowCopy(a.value("x") ?? .none, deep: true) },
            ])))
        case "time":
            m = .module(Module(name: "time", members: Dictionary(uniqueKeysWithValues: [
                Library.fn("time", [], "Seconds since the epoch.") { _ in .float(Date().timeIntervalSince1970) },
                Library.fn("perf_counter", [], "A clock for timing.") { _ in .float(Date().timeIntervalSince1970) },
                Library.fn("sleep", [.number("seconds")], "Waits (at most 10 s in Nabla).") { a in Thread.sleep(forTimeInterval: min(try a.double("seconds"), 10)); return .none },
            ])))
        default:
            if let v = Library.kerasMember(self, name) { return v }
            let top = name.split(separator: ".").first.map(String.init) ?? name
            // Modules the layers above provide (matplotlib.pyplot, ipywidgets) are named too.
            let provided = ["matplotlib.pyplot", "ipywidgets", "IPython.display"].filter { modules[$0] != nil }
            let tops = ["numpy", "math", "random", "typing", "copy", "time", "collections", "itertools", "keras", "tensorflow", "os", "PIL", "sklearn"] + provided.map { String($0.prefix { $0 != "." }) }
            if tops.contains(top) {
                throw NablaError(.moduleNotFound, "\(name) is not available in Nabla", at: span)
            }
            let names = ["numpy (as Nabla's tensors)", "keras (and tensorflow.keras)", "math", "random", "collections", "itertools", "typing", "copy", "time", "os", "glob", "PIL.Image", "sklearn (model_selection, datasets, metrics)"] + provided
            throw NablaError(.moduleNotFound, "No module named '\(name)': Nabla provides \(names.dropLast().joined(separator: ", ")) and \(names.last ?? "")", at: span)
        }
        modules[name] = m
        return m
    }

    func missingMember(_ m: Module, _ name: String) -> String {
        if m.name == "keras", name == "datasets" {
            return "keras.datasets is not available in Nabla: it downloads its data, and Nabla works offline. load_digits() gives the shipped handwritten digits; load_images(folder) reads your own PNG/JPEG images"
        }
        return "\(m.name).\(name) is not available in Nabla"
    }

    func shallowCopy(_ v: Value, deep: Bool, depth: Int = 0) throws -> Value {
        guard depth < Interpreter.maxNesting else { throw NablaError(.recursion, "deepcopy nested too deeply") }
        func c(_ x: Value) throws -> Value { deep ? try shallowCopy(x, deep: true, depth: depth + 1) : x }
        switch v {
        case let .list(l): return .list(ListRef(try l.items.map(c)))
        case let .tuple(t): return .tuple(try t.map(c))
        case let .dict(d):
            let n = DictRef(); for (k, x) in zip(d.keys, d.values) { n.set(try hashKey(k, span: .unknown), k, try c(x)) }; return .dict(n)
        case let .set(s): let n = SetRef(); for x in s.items { n.insert(try hashKey(x, span: .unknown), x) }; return .set(n)
        case let .tensor(t): return t.requiresGrad && t.isLeaf ? .tensor(Variable.param(t.value)) : .tensor(Variable(t.value))
        case let .instance(o):
            let n = Instance(o.cls)
            for k in o.attrOrder { if let x = o.attrs[k] { n.set(k, try c(x)) } }
            return .instance(n)
        default: return v
        }
    }
}

/// `np.nditer(x, flags=['multi_index'])`: walks the positions of an array in row-major order
/// (`it.multi_index`, `it.iternext()`, `it.finished`), as numerical_gradient uses it.
final class NdIterObject: NablaObject {
    let shape: [Int]
    var position = 0
    let count: Int
    init(shape: [Int]) { self.shape = shape; count = shape.reduce(1, *) }
    var typeName: String { "nditer" }
    var text: String { "<numpy.nditer object>" }
    var attributeNames: [String] { ["finished", "multi_index", "iternext", "index"] }
    func attribute(_ name: String) -> Value? {
        switch name {
        case "finished": return .bool(position >= count)
        case "index": return .int(position)
        case "multi_index":
            var rest = position, idx = [Int](repeating: 0, count: shape.count)
            for ax in stride(from: shape.count - 1, through: 0, by: -1) { idx[ax] = rest % max(shape[ax], 1); rest /= max(shape[ax], 1) }
            return .tuple(idx.map { .int($0) })
        case "iternext":
            return .builtin(Builtin("iternext", doc: "Moves to the next position; False at the end.") { [self] _ in
                position += 1
                return .bool(position < count)
            })
        default: return nil
        }
    }
}
