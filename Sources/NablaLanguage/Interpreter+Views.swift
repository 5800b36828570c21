import NablaAutograd
import NablaTensor

/// numpy's views: basic slicing (`X[0]`, `a[1:3]`, `X[:, 0]`), iterating over rows, `x.T`,
/// `transpose`, and `reshape`/`ravel`/`squeeze`/`expand_dims` of an array in row order give
/// arrays that share their elements with the original. Nabla's tensors are values (a view
/// reads its array's storage until it is written, then copies), so the interpreter remembers
/// which tensors are views of which, and an in-place change to either side (`b[0] = 100`,
/// `row /= row.sum()`, `a += 1`) is written through to the other.
final class ViewLink {
    weak var view: Variable?
    let base: Variable
    let geometry: ViewGeometry
    init(view: Variable, base: Variable, geometry: ViewGeometry) { self.view = view; self.base = base; self.geometry = geometry }
}

final class ViewTable {
    var byBase: [ObjectIdentifier: [ViewLink]] = [:]
    var byView: [ObjectIdentifier: ViewLink] = [:]
    var pruneAt = 4096
}

/// How a view's elements are found in its array.
enum ViewGeometry {
    /// `x[...]` with basic indices.
    case index(Interpreter.IndexPlan)
    /// `x.T`, `x.transpose(axes)`: the view's axis k is the array's axis `perm[k]`.
    case permuted([Int])
    /// `x.reshape(...)` and its kin: the same elements in row order under the view's shape.
    case reshaped

    /// The view's elements, read from the array.
    func read(_ base: Tensor, viewShape: [Int]) throws -> Tensor {
        switch self {
        case let .index(plan): return try plan.readTensor(base)
        case let .permuted(perm): return try base.transposed(perm)
        case .reshaped: return try base.reshaped(viewShape)
        }
    }

    /// Writes the view's elements back into the array, in place.
    func write(_ view: Tensor, into base: inout Tensor) throws {
        switch self {
        case let .index(plan): try plan.assign(&base, view)
        case let .permuted(perm):
            var inverse = perm
            for (k, a) in perm.enumerated() { inverse[a] = k }
            try base.assign([], view.transposed(inverse))
        case .reshaped: try base.assign([], view.reshaped(base.shape))
        }
    }
}

extension Interpreter.IndexPlan {
    /// Whether numpy would return a view: basic indexing only (no integer arrays, no masks).
    var isBasic: Bool {
        reshape == nil && !entries.contains { if case .list = $0 { return true }; return false }
    }

    func readTensor(_ x: Tensor) throws -> Tensor {
        guard let reshape else { return try x[entries] }
        return try x.reshaped(reshape)[entries]
    }
}

extension Interpreter {
    /// Records that `view` shares its elements with `base` when numpy's would: basic indices
    /// always, a reshape when the elements were in row order (it shares storage), never for
    /// params (tracked tensors: views of them are copies, as their graph needs).
    func registerView(_ view: Variable, of base: Variable, as geometry: ViewGeometry) {
        guard view.value.rank > 0, view.isLeaf, !view.requiresGrad, base.isLeaf, !base.requiresGrad, view !== base else { return }
        switch geometry {
        case let .index(plan): guard plan.isBasic else { return }
        case .permuted: break
        case .reshaped: guard view.value.sharesStorage(with: base.value) else { return }
        }
        let link = ViewLink(view: view, base: base, geometry: geometry)
        viewTable.byBase[ObjectIdentifier(base), default: []].append(link)
        viewTable.byView[ObjectIdentifier(view)] = link
        if viewTable.byView.count > viewTable.pruneAt { pruneViews() }
    }

    /// `x` with its axes permuted (reversed when `axes` is nil), as a view of x.
    func transposedView(_ x: Variable, _ axes: [Int]?) throws -> Value {
        let result = try x.transposed(axes)
        let rank = x.value.rank
        return view(result, of: x, as: .permuted(axes?.map { $0 < 0 ? $0 + rank : $0 } ?? (0..<rank).reversed()))
    }

    /// `result` (made from `base` by a view-making operation) as a value, registered as a view.
    func view(_ result: Variable, of base: Variable, as geometry: ViewGeometry) -> Value {
        registerView(result, of: base, as: geometry)
        return .tensor(result)
    }

    func pruneViews() {
        for (k, links) in viewTable.byBase {
            let live = links.filter { $0.view != nil }
            viewTable.byBase[k] = live.isEmpty ? nil : live
        }
        viewTable.byView = viewTable.byView.filter { $0.value.view != nil }
        viewTable.pruneAt = max(4096, viewTable.byView.count * 2)
    }

    /// Changes `t` in place, as numpy's in-place operations do. Views share their array's
    /// storage, so first the live views of `t` take elements of their own (else the write would
    /// copy all of `t` while they look on); after the change they read `t` again, and the array
    /// `t` is a view of takes its elements.
    func changeInPlace(_ t: Variable, _ change: (inout Tensor) throws -> Void) throws {
        var visited = Set<ObjectIdentifier>()
        detachViews(of: t, &visited, depth: 0)
        try t.update(change)
        visited = []
        propagate(t, &visited, depth: 0)
    }

    /// Gives each live view of `t` (and theirs) that shares `t`'s storage a copy of its elements.
    private func detachViews(of t: Variable, _ visited: inout Set<ObjectIdentifier>, depth: Int) {
        let id = ObjectIdentifier(t)
        guard depth < 64, visited.insert(id).inserted, let links = viewTable.byBase[id] else { return }
        // Views that are gone leave their links behind: drop them here, where every write passes.
        let live = links.filter { $0.view != nil }
        if live.count < links.count { viewTable.byBase[id] = live.isEmpty ? nil : live }
        for link in live {
            guard let v = link.view else { continue }
            detachViews(of: v, &visited, depth: depth + 1)
            if v.value.sharesStorage(with: t.value) { try? v.update { $0 = $0.copy() } }
        }
    }

    private func propagate(_ t: Variable, _ visited: inout Set<ObjectIdentifier>, depth: Int) {
        guard depth < 64, visited.insert(ObjectIdentifier(t)).inserted else { return }
        // Down: every live view of t re-reads its elements.
        if let links = viewTable.byBase[ObjectIdentifier(t)] {
            for link in links {
                guard let v = link.view, !visited.contains(ObjectIdentifier(v)) else { continue }
                if let fresh = try? link.geometry.read(t.value, viewShape: v.value.shape), fresh.shape == v.value.shape {
                    try? v.update { $0 = fresh }
                    propagate(v, &visited, depth: depth + 1)
                }
            }
        }
        // Up: the array t is a view of takes t's elements.
        if let link = viewTable.byView[ObjectIdentifier(t)], link.view === t, !visited.contains(ObjectIdentifier(link.base)) {
            let geometry = link.geometry
            var detached = visited
            detachViews(of: link.base, &detached, depth: depth + 1)
            if (try? link.base.update({ try geometry.write(t.value, into: &$0) })) != nil {
                propagate(link.base, &visited, depth: depth + 1)
            }
        }
    }
}
