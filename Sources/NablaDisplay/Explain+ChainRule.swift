import Foundation
import NablaAutograd
import NablaTensor

/// `explain(grad(L, x))`: the chain rule from L down to x, one link per op on the path, each
/// with its local derivative (the op's declared derivative, numbers substituted) and the
/// gradient it passes on; the last line is autograd's own ∂L/∂x.
enum ChainRule {
    struct Link {
        let consumer: Variable
        let input: Int
    }

    static func derive(loss L: Variable, wrt x: Variable) -> [Derivation] {
        var names = Names()
        let lName = names.symbol(L, fallback: "L")
        let xName = names.symbol(x, fallback: "x")
        let target = partial(lName, xName)
        guard L.requiresGrad, x.requiresGrad, let links = path(from: L, to: x) else {
            return [Derivation(target, [.number(0)], note: "\(lName.plainText) does not depend on \(xName.plainText)")]
        }
        // Reserve the student's names first so the op symbols given to the rest do not clash.
        for link in links { let c = link.consumer.inputs[link.input]; if c.name != nil { _ = names.symbol(c, fallback: nil) } }
        let nodes = [L] + links.map { $0.consumer.inputs[$0.input] }
        let uses = consumers(of: L)
        guard let grads = try? Autograd.grad(L, wrt: nodes) else { return [] }
        // Which nodes are written: L, x, and every node but pass-through ops (+ a constant or a
        // bias, reshapes), whose derivative is 1: the node below takes their name, so
        // z = w·x + b is one link, ∂z/∂w = x.
        var keep = [0]
        for k in 1..<nodes.count {
            let absorbed = k < nodes.count - 1 && isPassThrough(nodes[k], towards: links[k].input)
                && (nodes[k].name == nil || (nodes[k + 1].name == nil && !nodes[k + 1].isLeaf))
            if !absorbed { keep.append(k) }
        }
        /// The node whose name node k goes by: an absorbed parent lends its name to the node below it.
        func nameSource(_ k: Int) -> Variable {
            var j = k
            while j - 1 > 0, !keep.contains(j - 1), nodes[j].name == nil { j -= 1 }
            return nodes[j]
        }
        func symbol(_ k: Int) -> Math {
            if k == 0 { return lName }
            if nodes[k] === x { return xName }
            return names.symbol(nameSource(k), fallback: nil)
        }
        var out = [Derivation]()
        if keep.count >= 3 {
            out.append(Derivation(target, [.mul((0..<(keep.count - 1)).map { partial(symbol(keep[$0]), symbol(keep[$0 + 1])) })], note: "chain rule"))
        }
        for step in 0..<(keep.count - 1) {
            let (top, bottom) = (keep[step], keep[step + 1])
            // The op at the top of this link; pass-through ops below it change nothing.
            let link = links[top]
            let n = link.consumer
            let upstream = grads[top], here = grads[bottom]
            // The notes' names for gradients of named values: dz = ∂L/∂z, da = ∂L/∂a.
            func d(_ k: Int) -> Math {
                guard k > 0, nameSource(k).name != nil else { return partial(lName, symbol(k)) }
                let s = symbol(k)
                return .symbol(latex: "d" + s.latexText, plain: "d" + s.plainText)
            }
            let dTop = d(top)
            let dHere: Math = nameSource(bottom).name != nil ? .equation(d(bottom), partial(lName, symbol(bottom))) : partial(lName, symbol(bottom))
            let localSymbol = partial(symbol(top), symbol(bottom))
            if n.op == .matmul && n.inputs.count == 2 {
                // z = W a:  ∂L/∂W = ∂L/∂z · aᵀ,  ∂L/∂a = Wᵀ · ∂L/∂z.
                let other = names.symbol(n.inputs[1 - link.input], fallback: link.input == 0 ? "a" : "W")
                let formula: Math = link.input == 0 ? .mul([dTop, .transpose(other)]) : .mul([.transpose(other), dTop])
                let numbers: Math = link.input == 0 ? .apply([column(upstream), .transpose(column(n.inputs[1].value))])
                                                    : .apply([.transpose(Derive.vector(n.inputs[0].value)), column(upstream)])
                out.append(Derivation(dHere, [formula, numbers, Derive.vector(here)]))
                continue
            }
            let local = localDerivative(n, input: link.input)
            // A sum passes its gradient on unchanged: db = dz (summed over a batch the bias was broadcast to).
            if step > 0, n.op == .add || n.op.isAddScalar, let local, local.data.allSatisfy({ $0 == 1 }) {
                let passed: Math = local.count > here.count ? .sum(index: .sym(""), body: dTop) : dTop
                out.append(Derivation(dHere, [passed, Derive.vector(here)]))
                continue
            }
            if let local {
                var steps = [Math]()
                let d = n.op.declaration
                if link.input < d.derivatives.count {
                    let f = d.derivatives[link.input]
                    steps.append(f.substituting(symbolMap(n, d, &names)))
                    if let substituted = substitute(n, input: link.input) { steps += substituted.workedSteps() }
                }
                steps.append(Derive.vector(local))
                let localLine = Derivation(step == 0 ? dHere : localSymbol, steps)
                out.append(localLine)
                if step == 0 { continue }
            }
            // Elementwise links multiply elementwise (⊙), as dz = da ⊙ g′(z).
            let elementwise = upstream.count > 1 && local.map { $0.count > 1 } == true
            // An input broadcast over the result (w in w·x) collects the sum over the elements.
            let summed = local.map { $0.count > here.count } == true
            let product: (Math, Math) -> Math = { a, b in
                let p: Math = elementwise ? .hadamard(a, b) : .mul([a, b])
                return summed ? .sum(index: .sym(""), body: p) : p
            }
            var steps = [product(dTop, localSymbol)]
            if uses[ObjectIdentifier(nodes[bottom]), default: 1] > 1 {
                // More than one path reaches this node: the paths' contributions add up.
                out.append(Derivation(dHere, steps + [Derive.vector(here)],
                                      note: "\(symbol(bottom).plainText) is used \(uses[ObjectIdentifier(nodes[bottom])] ?? 2) times; the sum over every path"))
                continue
            }
            if step > 0, let shortcut = lossShortcut(loss: nodes[keep[step - 1]], activation: n, names: &names) {
                // σ with BCE, softmax with cross entropy: the product simplifies to (a − y)/n.
                steps += shortcut
            } else if let local {
                let numbers = product(Derive.vector(upstream), Derive.vector(local))
                steps.append(numbers)
                if summed, let u = try? upstream.broadcast(to: local.shape), let terms = try? u * local {
                    steps.append(.add(Derive.terms(terms.count) { .number(terms.data[$0]) }))
                }
            }
            out.append(Derivation(dHere, steps + [Derive.vector(here)]))
        }
        return out
    }

    /// The notes' dz = a − y (divided by n for a mean) when a loss meets its own activation:
    /// σ with binary cross entropy, softmax with cross entropy in nats.
    static func lossShortcut(loss: Variable, activation n: Variable, names: inout Names) -> [Math]? {
        guard loss.inputs.count == 2, loss.inputs[0] === n else { return nil }
        let r: Reduction
        switch (loss.op, n.op) {
        case (.bce(let red), .sigmoid): r = red
        case (.crossEntropy(let base, let red), .softmax) where base == M_E: r = red
        default: return nil
        }
        let (a, y) = (n.value, loss.inputs[1].value)
        guard a.shape == y.shape, a.count <= 64 else { return nil }
        let rows = n.op == .sigmoid ? a.count : a.count / Swift.max(a.shape.last ?? 1, 1)
        let count = r == .mean ? rows : 1
        let aName = names.symbol(n, fallback: nil), yName: Math = loss.inputs[1].name.map { .sym($0) } ?? .sym("y")
        let symbolic: Math = count == 1 ? .sub(aName, yName) : .div(.sub(aName, yName), .sym(n.op == .sigmoid ? "n" : "N"))
        let numbers: Math
        if a.count == 1 { numbers = count == 1 ? .sub(.number(a.data[0]), .number(y.data[0])) : .div(.sub(.number(a.data[0]), .number(y.data[0])), .number(Double(count))) }
        else {
            let diff = Math.vector(Derive.terms(a.count) { .sub(.number(a.data[$0]), .number(y.data[$0])) })
            numbers = count == 1 ? diff : .div(diff, .number(Double(count)))
        }
        return [symbolic, numbers]
    }

    /// A vector as a column, the way the notes write dz and a in dW = dz aᵀ.
    static func column(_ t: Tensor) -> Math {
        guard t.rank == 1, t.count <= 8 else { return Derive.vector(t) }
        return .matrix(t.data.map { [.number($0)] })
    }

    static func partial(_ top: Math, _ bottom: Math) -> Math {
        .symbol(latex: "\\frac{\\partial \(top.latexText)}{\\partial \(bottom.latexText)}", plain: "∂\(top.plainText)/∂\(bottom.plainText)")
    }

    /// An op whose derivative towards its input on the path is 1: + a constant, + a bias, reshapes.
    static func isPassThrough(_ v: Variable, towards input: Int) -> Bool {
        switch v.op {
        case .addScalar, .reshape, .expandDims, .broadcast: return true
        case .add: return v.inputs.count == 2 && input < 2
        default: return false
        }
    }

    /// The declaration's parameter symbols mapped to the names the student gave the inputs.
    static func symbolMap(_ n: Variable, _ d: OpDeclaration, _ names: inout Names) -> [String: Math] {
        var m = [String: Math]()
        for (p, input) in zip(d.parameters, n.inputs) where input.name != nil || !input.isLeaf || input.value.count == 1 {
            let name = input.isLeaf && input.name == nil ? Derive.vector(input.value) : names.symbol(input, fallback: nil)
            m[p.plainText] = name
            m[p.plainText + Math.subscripted("i")] = name
        }
        return m
    }

    /// How many ops in L's graph use each node (through inputs that require grad).
    static func consumers(of L: Variable) -> [ObjectIdentifier: Int] {
        var count = [ObjectIdentifier: Int](), seen: Set<ObjectIdentifier> = [ObjectIdentifier(L)], stack = [L]
        while let v = stack.popLast(), seen.count < Explanation.maxNodes {
            for i in v.inputs where i.requiresGrad {
                count[ObjectIdentifier(i), default: 0] += 1
                if seen.insert(ObjectIdentifier(i)).inserted { stack.append(i) }
            }
        }
        return count
    }

    /// The links from L down to x, found breadth first through inputs that require grad.
    static func path(from L: Variable, to x: Variable) -> [Link]? {
        if L === x { return [] }
        var via = [ObjectIdentifier: Link](), queue = [L], head = 0
        while head < queue.count, queue.count < Explanation.maxNodes {
            let v = queue[head]; head += 1
            for (k, i) in v.inputs.enumerated() where i.requiresGrad && via[ObjectIdentifier(i)] == nil && i !== L {
                via[ObjectIdentifier(i)] = Link(consumer: v, input: k)
                if i === x {
                    var links = [Link](), cur = x
                    while let l = via[ObjectIdentifier(cur)] { links.append(l); cur = l.consumer; if cur === L { break } }
                    return links.reversed()
                }
                queue.append(i)
            }
        }
        return nil
    }

    /// ∂n/∂(input k) elementwise (or of a scalar n), from the op's own backward rule.
    static func localDerivative(_ n: Variable, input k: Int) -> Tensor? {
        let c = n.inputs[k]
        // Elementwise ops (the input broadcast to the result's shape, as w in w·x) and ops
        // with a scalar result have a local derivative per element.
        let broadcast = (try? Tensor.broadcastShape(c.value.shape, n.value.shape, op: "explain")) == n.value.shape
        guard n.value.count == 1 || n.value.shape == c.value.shape || broadcast, let ones = try? Tensor.ones(n.value.shape),
              let gs = try? n.backward(ones), k < gs.count, let g = gs[k],
              g.shape == c.value.shape || g.shape == n.value.shape else { return nil }
        return g
    }

    /// The op's declared derivative with the input values put in (per element for a vector).
    static func substitute(_ n: Variable, input k: Int) -> Math? {
        let d = n.op.declaration
        guard k < d.derivatives.count, d.parameters.count == n.inputs.count || d.parameters.count == 1 else { return nil }
        let f = d.derivatives[k]
        let count = Swift.max(n.inputs[k].value.count, n.value.count)
        guard count <= 64, n.inputs.allSatisfy({ $0.value.count > 0 }) else { return nil }
        func values(_ e: Int) -> [String: Math] {
            var m = [String: Math]()
            for (p, input) in zip(d.parameters, n.inputs) {
                let name = p.plainText
                let t = input.value
                let value = Math.number(t.count == 1 ? t.data[0] : (e < t.count ? t.data[e] : t.data[0]))
                m[name] = value
                m[name + Math.subscripted("i")] = value
            }
            m["n"] = .number(Double(count))
            return m
        }
        if count == 1 { return f.substituting(values(0)) }
        return .vector(Derive.terms(count) { f.substituting(values($0)) })
    }
}

/// Symbols for the nodes of a derivation: the student's names, else the op's own symbol,
/// numbered when two nodes would share one.
struct Names {
    var used = [String: Int]()
    var given = [ObjectIdentifier: Math]()

    mutating func symbol(_ v: Variable, fallback: String?) -> Math {
        if let m = given[ObjectIdentifier(v)] { return m }
        let m: Math
        if let named = Builder.named(v) { m = named }
        else {
            let declared = v.op.declaration
            let base = fallback.map { Math.sym($0) } ?? (v.isLeaf ? Math.sym("x") : declared.isActivation ? Math.sym("a") : declared.symbol)
            let key = base.plainText
            let k = used[key, default: 0]
            used[key] = k + 1
            m = k == 0 ? base : .symbol(latex: "\(base.latexText)_{\(k + 1)}", plain: key + Math.subscripted(String(k + 1)))
        }
        given[ObjectIdentifier(v)] = m
        return m
    }
}
