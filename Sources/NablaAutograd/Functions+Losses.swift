import Foundation
import NablaTensor

/// How a loss combines its per-sample values.
public enum Reduction: String, Sendable {
    case mean, sum, none
}

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
        let d = try y - t
        return try reduce(d * d, reduction)
    }

    /// MAE = (1/n) Σ |y − t|.
    public static func mae(_ y: Variable, _ t: Variable, reduction: Reduction = .mean) throws -> Variable {
        try reduce((y - t).abs(), reduction)
    }

    /// Binary cross entropy −[t ln p + (1 − t) ln(1 − p)], p clamped to [1e−12, 1 − 1e−12].
    public static func bce(_ p: Variable, _ t: Variable, reduction: Reduction = .mean) throws -> Variable {
        let pc = p.clip(probabilityFloor, 1 - probabilityFloor)
        let l = try -(t * pc.log() + (1 - t) * (1 - pc).log())
        return try reduce(l, reduction)
    }

    /// BCE from logits z: max(z, 0) − z t + ln(1 + e^−|z|);  gradient σ(z) − t.
    public static func bceLogits(_ z: Variable, _ t: Variable, reduction: Reduction = .mean) throws -> Variable {
        let (zv, tv) = (z.value, t.value)
        let l = try Tensor.zip(zv, tv, op: "bce_logits") { z, t in Swift.max(z, 0) - z * t + Foundation.log1p(Foundation.exp(-Swift.abs(z))) }
        let per = Variable.make("bce_logits", l, [z, t]) { g in
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
    public static func crossEntropy(_ p: Variable, _ target: Variable, reduction: Reduction = .mean) throws -> Variable {
        let t = Variable(try targetDistribution(p.value, target.value, op: "cross_entropy"))
        let per = try -(t * p.clip(probabilityFloor, 1).log()).sum(axis: -1)
        return try reduce(per, reduction)
    }

    /// Cross entropy of softmax(scores), through log-softmax so large scores stay finite:
    /// L = −Σ_k t_k log_softmax(s)_k;  dL/ds = softmax(s) − t for one-hot t.
    public static func softmaxCrossEntropy(_ scores: Variable, _ target: Variable, reduction: Reduction = .mean) throws -> Variable {
        let t = Variable(try targetDistribution(scores.value, target.value, op: "softmax_cross_entropy"))
        let per = try -(t * logSoftmax(scores)).sum(axis: -1)
        return try reduce(per, reduction)
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
        var attributes = ["margin": margin]
        if rows == 1 && s.rank == 1 { attributes["label"] = Double(ids[0]) }
        let per = Variable.make("hinge", out, [scores], attributes: attributes) { g in
            [try dL * (s.rank == 1 ? g : g.expandingDims(-1))]
        }
        return try reduce(per, reduction)
    }
}
