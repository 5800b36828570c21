import Foundation
import NablaTensor

/// Loss functions. Each accepts one sample (1-d scores, scalar label) or a batch (N, C).
extension F {
    static func reduce(_ x: Variable, _ r: Reduction) throws -> Variable {
        switch r {
        case .mean: return try x.mean()
        case .sum: return try x.sum()
        case .none: return x
        }
    }

    /// Smallest probability taken inside a log, so log(0) gives a finite loss (≈ 27.6).
    public static let probabilityFloor = 1e-12

    /// MSE = (1/n) Σ (y − t)².
    public static func mse(_ y: Variable, _ t: Variable, reduction: Reduction = .mean) throws -> Variable {
        try Variable.composite(.mse(reduction), [y, t]) { v in
            let d = try v[0] - v[1]
            return try reduce(d * d, reduction)
        }
    }

    /// MAE = (1/n) Σ |y − t|.
    public static func mae(_ y: Variable, _ t: Variable, reduction: Reduction = .mean) throws -> Variable {
        try Variable.composite(.mae(reduction), [y, t]) { v in try reduce((v[0] - v[1]).abs(), reduction) }
    }

    /// Binary cross entropy −[t ln p + (1 − t) ln(1 − p)], p clamped to [1e−12, 1 − 1e−12].
    public static func bce(_ p: Variable, _ t: Variable, reduction: Reduction = .mean) throws -> Variable {
        try Variable.composite(.bce(reduction), [p, t]) { v in
            let (p, t) = (v[0], v[1])
            let pc = p.clip(probabilityFloor, 1 - probabilityFloor)
            return try reduce(-(t * pc.log() + (1 - t) * (1 - pc).log()), reduction)
        }
    }

    /// BCE from logits z: max(z, 0) − z t + ln(1 + e^−|z|);  gradient σ(z) − t.
    public static func bceLogits(_ z: Variable, _ t: Variable, reduction: Reduction = .mean) throws -> Variable {
        let (zv, tv) = (z.value, t.value)
        let l = try Tensor.zip(zv, tv, op: "bce_logits") { z, t in Swift.max(z, 0) - z * t + Foundation.log1p(Foundation.exp(-Swift.abs(z))) }
        let per = Variable.make(.bceLogits, l, [z, t]) { g in
            [try g * (zv.sigmoid() - tv), try g * -zv]
        }
        return try reduce(per, reduction)
    }

    /// The target as a one-hot/probability tensor shaped like `p`: either given so, or as
    /// class indices with one axis fewer.
    static func targetDistribution(_ p: Tensor, _ target: Tensor, op: String) throws -> Tensor {
        if target.shape == p.shape { return target }
        guard p.rank >= 1, target.shape == Array(p.shape.dropLast()) else {
            throw TensorError.shape(op: op, message: "target of shape \(formatShape(target.shape)) fits neither the scores \(formatShape(p.shape)) nor their class indices \(formatShape(Array(p.shape.dropLast())))")
        }
        return try Tensor.onehot(target, classes: p.shape[p.rank - 1])
    }

    /// Cross entropy of predicted probabilities p against a target (one-hot rows or class
    /// indices): L = −Σ_k t_k ln p_k per sample, p clamped below at 1e−12; mean over samples.
    public static func crossEntropy(_ p: Variable, _ target: Variable, base: Double = M_E, reduction: Reduction = .mean) throws -> Variable {
        guard base > 0, base != 1 else { throw TensorError.argument(op: "cross_entropy", message: "base must be positive and not 1") }
        let t = Variable(try targetDistribution(p.value, target.value, op: "cross_entropy"))
        return try Variable.composite(.crossEntropy(base: base, reduction), [p, t]) { v in
            let per = try -(v[1] * v[0].clip(probabilityFloor, 1).log()).sum(axis: -1)
            return try reduce(per, reduction) / Foundation.log(base)
        }
    }

    /// Cross entropy of softmax(scores), through log-softmax so large scores stay finite:
    /// L = −Σ_k t_k log_softmax(s)_k;  dL/ds = softmax(s) · Σ_k t_k − t (softmax(s) − t for
    /// one-hot t), one pass over the scores instead of a recorded log-softmax graph.
    public static func softmaxCrossEntropy(_ scores: Variable, _ target: Variable, reduction: Reduction = .mean) throws -> Variable {
        let s = scores.value
        let t = try targetDistribution(s, target.value, op: "softmax_cross_entropy")
        guard s.rank >= 1 else { throw TensorError.shape(op: "softmax_cross_entropy", message: "scores need a class axis, got a scalar") }
        let ls = try logSoftmaxValue(s, axis: -1)
        let width = s.shape[s.rank - 1], rows = s.count / width   // width > 0: log_softmax threw otherwise
        // per_i = −Σ_k t_ik · ls_ik, summed in order from 0 as `-(t * ls).sum(axis: -1)` would.
        let perData = t.withUnsafeElements { tp in ls.withUnsafeElements { lp in
            (0..<rows).map { i in
                var acc = 0.0
                for j in (i * width)..<(i * width + width) { acc += tp[j] * lp[j] }
                return -acc
            }
        } }
        let per = try Tensor(shape: Array(s.shape.dropLast()), data: perData)
        let value: Tensor
        switch reduction {
        case .mean: value = try per.mean()
        case .sum: value = try per.sum()
        case .none: value = per
        }
        return Variable.make(.softmaxCrossEntropy(reduction), value, [scores, Variable(t)]) { g in
            // Through buffer pointers: `Tensor.data` per element retained and released its array.
            let ds = g.withUnsafeElements { gp in t.withUnsafeElements { tp in ls.withUnsafeElements { lp in
                [Double](unsafeUninitializedCapacity: rows * width) { out, done in
                    for i in 0..<rows {
                        // dL/d per_i.
                        let w = reduction == .none ? gp[i] : reduction == .mean ? gp[0] / Double(rows) : gp[0]
                        var total = 0.0
                        for k in 0..<width { total += tp[i * width + k] }
                        for k in 0..<width {
                            let j = i * width + k
                            out.initializeElement(at: j, to: w * (Foundation.exp(lp[j]) * total - tp[j]))
                        }
                    }
                    done = rows * width
                }
            } } }
            return [try Tensor(shape: s.shape, data: ds), nil]
        }
    }

    /// Multiclass SVM (hinge) loss: L_i = Σ_{j ≠ y_i} max(0, s_j − s_{y_i} + margin), per sample;
    /// ∂L_i/∂s_j = 1 where that margin is positive (j ≠ y_i) and ∂L_i/∂s_{y_i} = −(their count).
    /// Exactly at the margin (s_j − s_{y_i} + margin = 0) the gradient is 0.
    public static func hinge(_ scores: Variable, _ labels: Variable, margin: Double = 1, reduction: Reduction = .none) throws -> Variable {
        let s = scores.value
        guard s.rank == 1 || s.rank == 2 else {
            throw TensorError.shape(op: "hinge", message: "scores must be (C,) or (N, C), got \(formatShape(s.shape))")
        }
        let ids = try labels.value.indices(op: "hinge")
        let rows = s.rank == 1 ? 1 : s.shape[0], c = s.shape[s.rank - 1]
        guard ids.count == rows, labels.value.rank == s.rank - 1 else {
            throw TensorError.shape(op: "hinge", message: "labels of shape \(formatShape(labels.value.shape)) do not match scores \(formatShape(s.shape))")
        }
        for y in ids where y < 0 || y >= c { throw TensorError.index(op: "hinge", index: y, axis: s.rank - 1, size: c) }
        var loss = [Double](repeating: 0, count: rows), slope = [Double](repeating: 0, count: s.count)
        for (i, y) in ids.enumerated() {
            let sy = s.data[i * c + y]
            for j in 0..<c where j != y {
                let m = s.data[i * c + j] - sy + margin
                if m > 0 { loss[i] += m; slope[i * c + j] = 1; slope[i * c + y] -= 1 }
            }
        }
        let out = try Tensor(shape: Array(s.shape.dropLast()), data: loss)
        let dL = try Tensor(shape: s.shape, data: slope)
        let per = Variable.make(.hinge(margin: margin), out, [scores, labels]) { g in
            [try dL * (s.rank == 1 ? g : g.expandingDims(-1)), nil]
        }
        guard reduction != .none else { return per }
        return Variable.make(.hingeReduced(margin: margin, reduction), try reduce(Variable(out), reduction).value, [per]) { g in
            [reduction == .mean ? try (g / Double(Swift.max(rows, 1))).broadcast(to: out.shape) : try g.broadcast(to: out.shape)]
        }
    }
}
