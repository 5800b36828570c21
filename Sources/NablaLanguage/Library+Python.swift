import Foundation
import NablaAutograd
import NablaTensor

/// Python's builtins, with Python's semantics: `max(0, x)` compares, `sum(xs, start)` adds,
/// `round` rounds half to even, `int`/`float`/`str`/`bool` convert as Python does.
extension Library {
    /// Builtins that are also types (for `type(x)`, `isinstance` and printing `<class 'int'>`).
    static let typeNames: Set<String> = ["int", "float", "str", "bool", "list", "tuple", "dict", "set", "range", "type", "slice", "ndarray", "frozenset"]

    static func python(_ i: Interpreter) {
        i.register(Builtin("print", [.args("values"), .any("sep", default: " "), .any("end", default: "\n"), .any("file", default: nil), .bool("flush", default: false)], doc: "Writes the values as text, separated by `sep` and followed by `end`.", example: "print('loss', 0.25, sep=' = ')") { a in
            let sep = a.value("sep").map { a.interpreter.str($0) } ?? " "
            let end = a.value("end").map { a.interpreter.str($0) } ?? "\n"
            let text = try a.rest.map { try a.interpreter.strThrowing($0, span: a.span) }.joined(separator: sep) + end
            a.interpreter.sink?.write(text, stream: "stdout")
            return .none
        })
        i.register(Builtin("len", [.any("x")], doc: "The number of items of a list, tuple, string, dict, set or range, or the length of a tensor's first axis.", example: "len([[1, 2], [3, 4], [5, 6]])") { a in
            .int(try a.interpreter.length(a.value("x") ?? .none, span: a.span))
        })
        i.register(Builtin("range", [.any("start"), .any("stop", default: nil), .any("step", default: 1)], doc: "Whole numbers from start (default 0) up to but not including stop, by step. Lazy: nothing is stored.", example: "list(range(2, 10, 3))") { a in
            func int(_ n: String) throws -> Int { try a.interpreter.toIndex(a.value(n) ?? .none, span: a.span, what: "range() arguments") }
            var start = try int("start"), stop = 0
            if a.has("stop") { stop = try int("stop") } else { stop = start; start = 0 }
            let step = a.has("step") ? try int("step") : 1
            guard step != 0 else { throw NablaError(.value, "range() arg 3 must not be zero") }
            guard step != Int.min, stop.subtractingReportingOverflow(start).overflow == false else { throw NablaError(.overflow, "range() bounds are too far apart for Nabla's 64-bit integers") }
            return .range(RangeValue(start: start, stop: stop, step: step))
        })
        i.register(Builtin("int", [.any("x", default: 0), .int("base", default: 10)], doc: "An integer: a float truncated toward zero, a one-element tensor, or a string of digits.", example: "int(-2.7), int('42'), 7 // 2") { a in
            let v = a.named["x"] ?? .int(0)
            switch v {
            case .int, .bigint: return v
            case let .bool(b): return .int(b ? 1 : 0)
            case let .float(d) where d.isFinite && Swift.abs(d) >= 9.2e18:
                return try a.interpreter.normalized(BigInt(exactly: d.rounded(.towardZero))!, span: a.span)
            case let .string(s):
                let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
                let base = try a.int("base")
                var body = Substring(t), neg = false
                if body.hasPrefix("-") { neg = true; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
                if base == 16, body.lowercased().hasPrefix("0x") { body = body.dropFirst(2) }
                if base == 2, body.lowercased().hasPrefix("0b") { body = body.dropFirst(2) }
                guard !body.isEmpty, base >= 2, base <= 36, let n = BigInt(String(body).lowercased(), radix: base) else {
                    throw NablaError(.value, "invalid literal for int() with base \(base): \(Interpreter.quote(s))")
                }
                return try a.interpreter.normalized(neg ? -n : n, span: a.span)
            case .instance:
                return try a.interpreter.callMethod(v, "__int__", [], span: a.span)
            default:
                let d = try a.interpreter.toDouble(v, span: a.span, what: "int() argument")
                return .int(try Library.truncate(d))
            }
        })
        i.register(Builtin("float", [.any("x", default: 0.0)], doc: "A float: from a number, a one-element tensor, or a numeric string ('2.5', 'inf', 'nan').", example: "float('2.5')") { a in
            let v = a.named["x"] ?? .float(0)
            if case let .string(s) = v {
                let t = s.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "")
                switch t {
                case "inf", "+inf", "infinity": return .float(.infinity)
                case "-inf", "-infinity": return .float(-.infinity)
                case "nan", "+nan", "-nan": return .float(.nan)
                default:
                    guard let d = Double(t), !t.isEmpty else { throw NablaError(.value, "could not convert string to float: \(Interpreter.quote(s))") }
                    return .float(d)
                }
            }
            if case .instance = v { return try a.interpreter.callMethod(v, "__float__", [], span: a.span) }
            if case let .tensor(t) = v, t.value.count != 1 { throw NablaError(.type, "only 1-element arrays can be converted to Python scalars (shape \(formatShape(t.value.shape)))") }
            return .float(try a.interpreter.toDouble(v, span: a.span, what: "float() argument"))
        })
        i.register(Builtin("str", [.any("x", default: "")], doc: "The text form of a value (what print shows).", example: "str(1.5) + '!'") { a in
            .string(try a.interpreter.strThrowing(a.named["x"] ?? .string(""), span: a.span))
        })
        i.register(Builtin("bool", [.any("x", default: false)], doc: "The truth value of x.", example: "bool(0), bool([0]), bool('')") { a in .bool(try a.interpreter.truthy(a.value("x") ?? .bool(false), span: a.span)) })
        i.register(Builtin("repr", [.any("x")], doc: "The printable representation of a value (strings with quotes).", example: "repr('a'), repr(0.1 + 0.2)") { a in
            .string(try a.interpreter.reprThrowing(a.value("x") ?? .none, span: a.span))
        })
        i.register(Builtin("format", [.any("value"), .string("spec", default: "")], doc: "A value formatted by a format spec, as in f'{value:spec}'.", example: "format(0.25, '.1%')") { a in
            .string(try a.interpreter.format(a.named["value"] ?? .none, try a.string("spec"), span: a.span))
        })
        i.register(Builtin("list", [.sequence("x", default: .tuple([]))], doc: "A new list of the items of an iterable.", example: "list(range(3))") { a in .list(ListRef(try a.sequence("x"))) })
        i.register(Builtin("tuple", [.sequence("x", default: .tuple([]))], doc: "A tuple of the items of an iterable.", example: "tuple([1, 2])") { a in .tuple(try a.sequence("x")) })
        i.register(Builtin("set", [.sequence("x", default: .tuple([]))], doc: "A set of the items of an iterable.", example: "set([3, 1, 3])") { a in
            let s = SetRef()
            for v in try a.sequence("x") { s.insert(try a.interpreter.hashKey(v, span: a.span), v) }
            return .set(s)
        })
        i.register(Builtin("frozenset", [.sequence("x", default: .tuple([]))], doc: "A set of the items of an iterable.", example: "len(frozenset([1, 1, 2]))") { a in
            let s = SetRef()
            for v in try a.sequence("x") { s.insert(try a.interpreter.hashKey(v, span: a.span), v) }
            return .set(s)
        })
        i.register(Builtin("dict", [.any("x", default: nil), .kwargs("kwargs")], doc: "A dict from another dict, from (key, value) pairs, or from keyword arguments.", example: "dict(a=1, b=2)") { a in
            let d = DictRef()
            if let x = a.value("x") {
                if case let .dict(o) = x { for (k, v) in zip(o.keys, o.values) { d.set(try a.interpreter.hashKey(k, span: a.span), k, v) } } else {
                    for pair in try a.interpreter.elements(x, span: a.span) {
                        let kv = try a.interpreter.elements(pair, span: a.span)
                        guard kv.count == 2 else { throw NablaError(.value, "dictionary update sequence element has length \(kv.count); 2 is required") }
                        d.set(try a.interpreter.hashKey(kv[0], span: a.span), kv[0], kv[1])
                    }
                }
            }
            for (k, v) in a.extraKeywords { d.set(.str(k), .string(k), v) }
            return .dict(d)
        })
        i.register(Builtin("slice", [.any("start"), .any("stop", default: nil), .any("step", default: nil)], doc: "A slice object, as written start:stop:step.", example: "[0, 1, 2, 3][slice(1, 3)]") { a in
            if !a.has("stop") && !a.has("step") { return .slice(.none, a.value("start") ?? .none, .none) }
            return .slice(a.value("start") ?? .none, a.value("stop") ?? .none, a.value("step") ?? .none)
        })
        i.register(Builtin("type", [.any("x")], doc: "The type of a value: a class, or a builtin type such as int.", example: "type(3), type(2.5), type([1]), type(zeros(2)).__name__") { a in
            let v = a.value("x") ?? .none
            switch v {
            case let .instance(o): return .cls(o.cls)
            case .cls: return .builtin(a.interpreter.builtins["type"]!)
            case let .tensor(t) where t.requiresGrad && t.isLeaf: return .builtin(a.interpreter.builtins["param"]!)
            case .tensor, .mask: return .builtin(a.interpreter.ndarrayType)
            default:
                if let b = a.interpreter.builtins[v.typeName] { return .builtin(b) }
                if let c = a.interpreter.builtinClasses[v.typeName] { return .cls(c) }
                let c = ClassObject(name: v.typeName, bases: [])
                a.interpreter.builtinClasses[v.typeName] = c
                return .cls(c)
            }
        })
        i.register(Builtin("isinstance", [.any("x"), .any("types")], doc: "True when x is an instance of the type (or of one of a tuple of types).", example: "isinstance(3, (int, float)), isinstance(True, int)") { a in
            .bool(try a.interpreter.isInstance(a.value("x") ?? .none, a.value("types") ?? .none, span: a.span))
        })
        i.register(Builtin("issubclass", [.any("cls"), .any("types")], doc: "True when a class derives from another.", example: "issubclass(KeyError, LookupError)") { a in
            guard case let .cls(c) = a.value("cls") ?? .none else { throw NablaError(.type, "issubclass() arg 1 must be a class") }
            let ts: [Value]
            if case let .tuple(t) = a.value("types") ?? .none { ts = t } else { ts = [a.value("types") ?? .none] }
            return .bool(ts.contains { if case let .cls(d) = $0 { return c.isSubclass(of: d) }; return false })
        })
        for (name, isMax, example) in [("max", true, "max(0, -2), max([3, 9, 4]), max(tensor([[1, 5], [7, 0]]), axis=0)"),
                                       ("min", false, "min(4, 2, 8), min(['pear', 'fig'], key=len)")] {
            i.register(Builtin(name, [.args("args"), .any("key", default: nil), .any("default", default: nil), .any("axis", default: nil), .bool("keepdims", default: false)], formula: "gradient shared equally by tied \(isMax ? "maxima" : "minima") (for a tensor)",
                               doc: "Python's \(name): the \(isMax ? "largest" : "smallest") of several arguments (`\(name)(0, x)` compares), or of one iterable's items, by `key` if given. Of a single tensor, its \(isMax ? "largest" : "smallest") element (numpy's np.\(name)); with `axis`, along that axis.", example: example) { a in
                try a.interpreter.extreme(a, isMax: isMax)
            })
        }
        i.register(Builtin("sum", [.any("iterable"), .any("start", default: 0), .any("axis", default: nil), .bool("keepdims", default: false)], formula: "Σᵢ xᵢ",
                           doc: "Python's sum: start plus the items of an iterable (a tensor's items are its rows, so a matrix gives its column sums, as in Python). With `axis` (or np.sum), numpy's sum along an axis.", example: "sum([1, 2, 3]), sum(tensor([[1, 2], [3, 4]])), sum(tensor([[1, 2], [3, 4]]), axis=1)") { a in
            try a.interpreter.pySum(a)
        })
        i.register(Builtin("abs", [.any("x")], formula: "d/dx |x| = sign(x), taken as 0 at 0", doc: "Absolute value (elementwise for a tensor).", example: "abs([-2, 0, 3])") { a in
            let v = a.value("x") ?? .none
            switch v {
            case let .int(n): guard n != Int.min else { return try a.interpreter.normalized(-BigInt(n), span: a.span) }; return .int(Swift.abs(n))
            case let .bigint(b): return .bigint(BigInt(negative: false, limbs: b.limbs))
            case let .float(d): return .float(Swift.abs(d))
            case let .bool(b): return .int(b ? 1 : 0)
            case .instance: return try a.interpreter.callMethod(v, "__abs__", [], span: a.span)
            default: return .tensor(try a.tensor("x").abs())
            }
        })
        i.register(Builtin("round", [.any("x"), .any("ndigits", default: nil)], doc: "x rounded to `ndigits` decimal places, halves to even as Python does: round(2.5) is 2; without ndigits the result is an int.", example: "round(2.71828, 2), round(2.5), round(3.5)") { a in
            try a.interpreter.pyRound(a.value("x") ?? .none, a.value("ndigits"), span: a.span)
        })
        i.register(Builtin("divmod", [.any("a"), .any("b")], doc: "(a // b, a % b).", example: "divmod(-7, 2)") { a in
            let x = a.value("a") ?? .none, y = a.value("b") ?? .none
            return .tuple([try a.interpreter.binary("//", x, y, span: a.span), try a.interpreter.binary("%", x, y, span: a.span)])
        })
        i.register(Builtin("pow", [.any("base"), .any("exp"), .any("mod", default: nil)], doc: "base ** exp (modulo mod, for ints).", example: "pow(3, 4, 5), pow(2, -1)") { a in
            if let m = a.value("mod") {
                let base = try a.interpreter.toInt(a.value("base") ?? .none, span: a.span, what: "pow()")
                var e = try a.interpreter.toInt(a.value("exp") ?? .none, span: a.span, what: "pow()")
                let md = try a.interpreter.toInt(m, span: a.span, what: "pow()")
                guard md > 0, e >= 0 else { throw NablaError(.value, "pow() with a modulus needs a positive modulus and a non-negative exponent") }
                let um = UInt(md)
                func mulmod(_ x: UInt, _ y: UInt) -> UInt { let p = x.multipliedFullWidth(by: y); return um.dividingFullWidth((p.high, p.low)).remainder }
                var r: UInt = 1 % um, b = UInt(((base % md) + md) % md)
                while e > 0 { if e & 1 == 1 { r = mulmod(r, b) }; b = mulmod(b, b); e >>= 1 }
                return .int(Int(r))
            }
            return try a.interpreter.binary("**", a.value("base") ?? .none, a.value("exp") ?? .none, span: a.span)
        })
        i.register(Builtin("sorted", [.sequence("iterable"), .any("key", default: nil), .bool("reverse", default: false)], doc: "A new sorted list (stable), by `key` if given.", example: "sorted(['b', 'A', 'c'], key=str.lower)") { a in
            .list(ListRef(try a.interpreter.sortValues(try a.sequence("iterable"), key: a.value("key"), reverse: try a.bool("reverse"), span: a.span)))
        })
        i.register(Builtin("reversed", [.any("seq")], doc: "The items in reverse order.", example: "list(reversed([1, 2, 3]))") { a in
            let v = a.value("seq") ?? .none
            if case .instance = v, let f = try? a.interpreter.findMethod(v, "__reversed__") { return try a.interpreter.call(f, [], [], span: a.span) }
            return .iterator(IteratorRef(try a.sequence("seq").reversed(), kind: "list_reverseiterator"))
        })
        // enumerate, zip, map and filter are lazy, as Python's: they take one item of each input per item asked for.
        i.register(Builtin("enumerate", [.any("iterable"), .int("start", default: 0)], doc: "(index, item) pairs, made as they are asked for.", example: "list(enumerate('ab'))") { a in
            var k = try a.int("start")
            let next = try a.interpreter.puller(a.named["iterable"] ?? .none, span: a.span)
            return .iterator(IteratorRef(kind: "enumerate") {
                guard let x = try next() else { return nil }
                defer { k += 1 }
                return .tuple([.int(k), x])
            })
        })
        i.register(Builtin("zip", [.args("iterables"), .bool("strict", default: false)], doc: "Tuples of the items at the same position of each iterable, as long as the shortest (made as they are asked for).", example: "list(zip([1, 2], 'ab'))") { a in
            let inputs = try a.rest.map { try a.interpreter.puller($0, span: a.span) }
            let strict = try a.bool("strict")
            var done = inputs.isEmpty
            return .iterator(IteratorRef(kind: "zip") {
                guard !done else { return nil }
                var row = [Value]()
                for (k, next) in inputs.enumerated() {
                    guard let x = try next() else {
                        done = true
                        if strict {
                            if k > 0 { throw NablaError(.value, "zip() argument \(k + 1) is shorter than argument\(k > 1 ? "s 1-\(k)" : " 1")") }
                            for (j, other) in inputs.enumerated().dropFirst() where try other() != nil {
                                throw NablaError(.value, "zip() argument \(j + 1) is longer than argument\(j > 1 ? "s 1-\(j)" : " 1")")
                            }
                        }
                        return nil
                    }
                    row.append(x)
                }
                return .tuple(row)
            })
        })
        i.register(Builtin("map", [.callable("function"), .args("iterables")], doc: "The function applied to each item (of several iterables in step), as the items are asked for.", example: "list(map(str, [1, 2]))") { a in
            let f = a.value("function") ?? .none
            let inputs = try a.rest.map { try a.interpreter.puller($0, span: a.span) }
            let interpreter = a.interpreter, span = a.span
            var done = inputs.isEmpty
            return .iterator(IteratorRef(kind: "map") {
                guard !done else { return nil }
                var args = [Value]()
                for next in inputs {
                    guard let x = try next() else { done = true; return nil }
                    args.append(x)
                }
                return try interpreter.call(f, args, [], span: span)
            })
        })
        i.register(Builtin("filter", [.any("function"), .any("iterable")], doc: "The items for which the function is true (truthy items when it is None), as they are asked for.", example: "list(filter(lambda n: n % 2, range(6)))") { a in
            let f = a.value("function")
            let next = try a.interpreter.puller(a.named["iterable"] ?? .none, span: a.span)
            let interpreter = a.interpreter, span = a.span
            return .iterator(IteratorRef(kind: "filter") {
                while let x = try next() {
                    if try interpreter.truthy(f.map { try interpreter.call($0, [x], [], span: span) } ?? x, span: span) { return x }
                }
                return nil
            })
        })
        i.register(Builtin("any", [.any("iterable")], doc: "True when any item is true (any element non-zero, for a tensor).", example: "any([0, 0, 1])") { a in
            let v = a.value("iterable") ?? .none
            if case let .tensor(t) = v { return .bool(t.value.data.contains { $0 != 0 }) }
            if case let .mask(m) = v { return .bool(m.data.contains { $0 != 0 }) }
            for x in try a.sequence("iterable") where try a.interpreter.truthy(x, span: a.span) { return .bool(true) }
            return .bool(false)
        })
        i.register(Builtin("all", [.any("iterable")], doc: "True when every item is true (every element non-zero, for a tensor).", example: "all([1, 2, 0])") { a in
            let v = a.value("iterable") ?? .none
            if case let .tensor(t) = v { return .bool(t.value.data.allSatisfy { $0 != 0 }) }
            if case let .mask(m) = v { return .bool(m.data.allSatisfy { $0 != 0 }) }
            for x in try a.sequence("iterable") where !(try a.interpreter.truthy(x, span: a.span)) { return .bool(false) }
            return .bool(true)
        })
        i.register(Builtin("chr", [.int("i")], doc: "The character with code point i.", example: "chr(955)") { a in
            guard let u = Unicode.Scalar(UInt32(clamping: try a.int("i"))) else { throw NablaError(.value, "chr() arg not in range(0x110000)") }
            return .string(String(Character(u)))
        })
        i.register(Builtin("ord", [.string("c")], doc: "The code point of a one-character string.", example: "ord('A')") { a in
            let s = try a.string("c")
            guard s.unicodeScalars.count == 1, let u = s.unicodeScalars.first else { throw NablaError(.type, "ord() expected a character, but string of length \(s.count) found") }
            return .int(Int(u.value))
        })
        i.register(Builtin("hash", [.any("x")], doc: "A hash of a hashable value.", example: "hash((1, 2)) == hash((1, 2))") { a in
            .int(try a.interpreter.hashKey(a.value("x") ?? .none, span: a.span).hashValue)
        })
        i.register(Builtin("id", [.any("x")], doc: "An identity number of a value.", example: "x = []\nid(x) == id(x)") { a in
            let v = a.value("x") ?? .none
            if let h = try? a.interpreter.hashKey(v, span: a.span), case let .identity(o) = h { return .int(o.hashValue & 0xFFFF_FFFF_FFFF) }
            switch v {
            case let .list(l): return .int(ObjectIdentifier(l).hashValue & 0xFFFF_FFFF_FFFF)
            case let .dict(d): return .int(ObjectIdentifier(d).hashValue & 0xFFFF_FFFF_FFFF)
            default: return .int((try? a.interpreter.hashKey(v, span: a.span).hashValue) ?? 0)
            }
        })
        i.register(Builtin("iter", [.any("x")], doc: "An iterator over the items of x.", example: "it = iter([1, 2])\nnext(it)") { a in
            let v = a.value("x") ?? .none
            if case let .iterator(it) = v, !it.isView { return v }
            if case .instance = v, let f = try? a.interpreter.findMethod(v, "__iter__") { return try a.interpreter.call(f, [], [], span: a.span) }
            return .iterator(IteratorRef(try a.sequence("x"), kind: "iterator"))
        })
        i.register(Builtin("next", [.any("iterator"), .any("default", default: nil)], doc: "The next item of an iterator (StopIteration, or `default`, at the end).", example: "next(iter([]), 'empty')") { a in
            let v = a.value("iterator") ?? .none
            if case .instance = v { return try a.interpreter.callMethod(v, "__next__", [], span: a.span) }
            guard case let .iterator(it) = v else { throw NablaError(.type, "'\(v.typeName)' object is not an iterator") }
            if let x = try it.next() { return x }
            if let d = a.value("default") { return d }
            throw NablaError(.stopIteration, "")
        })
        i.register(Builtin("callable", [.any("x")], doc: "True for functions, classes and objects with __call__.", example: "callable(len), callable(3)") { a in
            switch a.value("x") ?? .none {
            case .function, .builtin, .method, .cls: return .bool(true)
            case let .instance(o): return .bool(o.cls.lookup("__call__") != nil)
            default: return .bool(false)
            }
        })
        i.register(Builtin("hasattr", [.any("obj"), .string("name")], doc: "True when obj has the attribute.", example: "hasattr([], 'append')") { a in
            .bool((try? a.interpreter.attribute(a.value("obj") ?? .none, try a.string("name"), span: a.span)) != nil)
        })
        i.register(Builtin("getattr", [.any("obj"), .string("name"), .any("default", default: nil)], doc: "obj.name, or default when it has no such attribute.", example: "getattr('abc', 'upper')()") { a in
            do { return try a.interpreter.attribute(a.value("obj") ?? .none, try a.string("name"), span: a.span) } catch let e as NablaError where e.kind == .attribute {
                if let d = a.named["default"] { return d }
                throw e
            }
        })
        i.register(Builtin("setattr", [.any("obj"), .string("name"), .any("value")], doc: "obj.name = value.", example: "class O:\n    pass\no = O()\nsetattr(o, 'x', 1)\no.x") { a in
            try a.interpreter.setAttribute(a.value("obj") ?? .none, try a.string("name"), a.value("value") ?? .none, span: a.span)
            return .none
        })
        i.register(Builtin("dir", [.any("x", default: nil)], doc: "The attribute names of a value (the session's names without an argument).", example: "dir('')[:3]") { a in
            guard let v = a.value("x") else { return .list(ListRef(a.interpreter.variableNames.map { .string($0) })) }
            return .list(ListRef(a.interpreter.attributeNames(of: v).sorted().map { .string($0) }))
        })
        i.register(Builtin("vars", [.any("obj")], doc: "The attributes of an object as a dict.", example: "class V:\n    def __init__(self):\n        self.a = 1\nvars(V())") { a in try a.interpreter.attribute(a.value("obj") ?? .none, "__dict__", span: a.span) })
        i.register(Builtin("super", doc: "The parent class's view of self, inside a method: super().__init__(...).", example: "class A:\n    def hi(self):\n        return 'A'\nclass B(A):\n    def hi(self):\n        return 'B' + super().hi()\nB().hi()") { _ in
            throw NablaError(.runtime, "super() is used inside a method of a class")
        })
        for (name, example) in [("staticmethod", "class M:\n    @staticmethod\n    def two():\n        return 2\nM.two()"),
                                ("classmethod", "class T:\n    @classmethod\n    def make(cls):\n        return cls.__name__\nT.make()"),
                                ("property", "class C:\n    @property\n    def area(self):\n        return 4\nC().area")] {
            i.register(Builtin(name, [.callable("function")], doc: "Decorator: @\(name) on a method.", example: example) { a in a.value("function") ?? .none })
        }
        i.register(Builtin("NotImplemented", doc: "Returned by an operator method that does not handle the other operand.", example: "class P:\n    def __eq__(self, other):\n        return NotImplemented\nP() == 1") { _ in .none })
        i.register(Builtin("ndarray", [.shape("shape")], doc: "The type of numpy arrays (Nabla's tensors).", example: "isinstance(zeros(2), ndarray)") { a in .tensor(Variable(try Tensor.zeros(try a.shape("shape")))) })
        i.register(Builtin("isclose", [.tensor("a"), .tensor("b"), .number("rtol", default: 1e-05), .number("atol", default: 1e-08), .number("tol", default: nil)], doc: "True when every element of a and b is close (numpy's isclose with `all`; `tol` sets an absolute tolerance alone).", example: "isclose(0.1 + 0.2, 0.3)") { a in
            let x = try a.tensor("a").value, y = try a.tensor("b").value
            let d = try (x - y).abs()
            if a.has("tol") { let tol = try a.double("tol"); return .bool(d.data.allSatisfy { $0 <= tol }) }
            let rtol = try a.double("rtol"), atol = try a.double("atol")
            let yb = try y.broadcast(to: d.shape)
            return .bool(zip(d.data, yb.data).allSatisfy { $0 <= atol + rtol * Swift.abs($1) })
        })
    }

    static func truncate(_ d: Double) throws -> Int {
        guard d.isFinite else { throw NablaError(d.isNaN ? .value : .overflow, d.isNaN ? "cannot convert float NaN to integer" : "cannot convert float infinity to integer") }
        let t = d.rounded(.towardZero)
        guard Swift.abs(t) < 9.223372036854775e18 else { throw NablaError(.overflow, "int too large: Nabla's integers are 64-bit") }
        return Int(t)
    }
}

extension Interpreter {
    /// The numpy array type (for `type(x)` and `isinstance(x, np.ndarray)`).
    var ndarrayType: Builtin { builtins["ndarray"]! }

    func length(_ v: Value, span: Span) throws -> Int {
        switch v {
        case let .tensor(t):
            guard t.value.rank > 0 else { throw NablaError(.type, "len() of unsized object (a 0-d tensor)", at: span) }
            return t.value.shape[0]
        case let .mask(m):
            guard m.rank > 0 else { throw NablaError(.type, "len() of unsized object", at: span) }
            return m.shape[0]
        case let .range(r): return r.count
        case let .list(l): return l.items.count
        case let .tuple(t): return t.count
        case let .string(s): return s.count
        case let .dict(d): return d.count
        case let .set(s): return s.count
        case let .iterator(it) where it.isView: return it.items.count
        case .instance:
            guard let f = try? findMethod(v, "__len__") else { throw NablaError(.type, "object of type '\(v.typeName)' has no len()", at: span) }
            return try toInt(try call(f, [], [], span: span), span: span, what: "__len__()")
        default: throw NablaError(.type, "object of type '\(v.typeName)' has no len()", at: span)
        }
    }

    func isInstance(_ x: Value, _ types: Value, span: Span) throws -> Bool {
        switch types {
        case let .tuple(ts): return try ts.contains { try isInstance(x, $0, span: span) }
        case let .cls(c):
            if case let .instance(o) = x { return o.cls.isSubclass(of: c) }
            return c.name == "object" && c.errorKind == nil
        case let .builtin(b):
            switch (b.name, x) {
            case ("int", .int), ("int", .bool), ("int", .bigint), ("float", .float), ("str", .string), ("bool", .bool), ("list", .list), ("tuple", .tuple),
                 ("dict", .dict), ("set", .set), ("range", .range), ("slice", .slice), ("ndarray", .tensor), ("ndarray", .mask), ("type", .cls): return true
            case let ("float", .tensor(t)): return t.value.rank == 0
            case let ("param", .tensor(t)): return t.requiresGrad && t.isLeaf
            case ("float64", .float), ("float64", .tensor): return true
            default: return false
            }
        default:
            throw NablaError(.type, "isinstance() arg 2 must be a type, a tuple of types, or a union", at: span)
        }
    }

    /// Python's max and min (and numpy's for one tensor or with `axis`).
    func extreme(_ a: Args, isMax: Bool) throws -> Value {
        let name = isMax ? "max" : "min"
        if a.has("axis") || a.has("keepdims") || (a.rest.count == 1 && isArrayLike(a.rest[0]) && !a.has("key")) {
            guard let x = a.rest.first else { throw NablaError(.type, "\(name) expected at least 1 argument, got 0") }
            let t = try toVariable(x, span: a.span, what: "\(name)()")
            let axis = try a.optionalInt("axis"), keep = try a.bool("keepdims")
            return .tensor(try isMax ? t.max(axis: axis, keepdims: keep) : t.min(axis: axis, keepdims: keep))
        }
        let items: [Value]
        switch a.rest.count {
        case 0: throw NablaError(.type, "\(name) expected at least 1 argument, got 0")
        case 1: items = try elements(a.rest[0], span: a.span)
        default: items = a.rest
        }
        guard !items.isEmpty else {
            if let d = a.named["default"] { return d }
            throw NablaError(.value, "\(name)() iterable argument is empty")
        }
        let key = a.value("key")
        var best = items[0]
        var bestKey = try key.map { try call($0, [best], [], span: a.span) } ?? best
        for x in items.dropFirst() {
            let k = try key.map { try call($0, [x], [], span: a.span) } ?? x
            if try truthy(try compare(isMax ? ">" : "<", k, bestKey, span: a.span), span: a.span) { best = x; bestKey = k }
        }
        return best
    }

    func pySum(_ a: Args) throws -> Value {
        let v = a.value("iterable") ?? .none
        if a.has("axis") || a.has("keepdims") {
            return .tensor(try toVariable(v, span: a.span, what: "sum()").sum(axis: try a.optionalInt("axis"), keepdims: try a.bool("keepdims")))
        }
        let start = a.value("start") ?? .int(0)
        if case .string = start { throw NablaError(.type, "sum() can't sum strings [use ''.join(seq) instead]") }
        switch v {
        case let .tensor(t):
            guard t.value.rank > 0 else { throw NablaError(.type, "iteration over a 0-d tensor") }
            let s = Value.tensor(try t.sum(axis: 0))
            if case let .int(0) = start { return s }
            return try binary("+", start, s, span: a.span)
        case let .mask(m):
            if m.rank == 1 { return try binary("+", start, .int(m.data.filter { $0 != 0 }.count), span: a.span) }
            return try binary("+", start, .tensor(try Variable(m).sum(axis: 0)), span: a.span)
        default: break
        }
        var acc = start
        try forEach(v, span: a.span) { x in
            acc = try binary("+", acc, x, span: a.span)
            return true
        }
        return acc
    }

    func pyRound(_ v: Value, _ nd: Value?, span: Span) throws -> Value {
        let digits = try nd.map { try toInt($0, span: span, what: "round() ndigits") }
        switch v {
        case .bigint: return v
        case .int, .bool:
            let i = try toInt(v, span: span, what: "round()")
            guard let d = digits, d < 0 else { return .int(i) }
            guard d > -19 else { return .int(0) }
            var p = 1
            for _ in 0..<(-d) { p *= 10 }
            var q = i / p, r = i % p
            if r < 0 { q -= 1; r += p }
            if 2 * r > p || (2 * r == p && q % 2 != 0) { q += 1 }
            let (rounded, o) = q.multipliedReportingOverflow(by: p)
            if o { throw NablaError(.overflow, "integer too large for Nabla's 64-bit integers", at: span) }
            return .int(rounded)
        case let .float(x):
            guard let d = digits else {
                guard x.isFinite else { throw NablaError(x.isNaN ? .value : .overflow, "cannot convert float \(pyFloat(x)) to integer", at: span) }
                return .int(try Library.truncate(x.rounded(.toNearestOrEven)))
            }
            return .float(Interpreter.roundDecimal(x, d))
        case let .tensor(t):
            if t.value.rank == 0, digits == nil {
                let x = t.value.data[0]
                guard x.isFinite else { throw NablaError(.overflow, "cannot convert float \(pyFloat(x)) to integer", at: span) }
                return .int(try Library.truncate(x.rounded(.toNearestOrEven)))
            }
            let s = Foundation.pow(10.0, Double(digits ?? 0))
            return .tensor(Variable(t.value.map { ($0 * s).rounded(.toNearestOrEven) / s }))
        case .instance:
            return try callMethod(v, "__round__", nd.map { [$0] } ?? [], span: span)
        default:
            throw NablaError(.type, "type \(v.typeName) doesn't define __round__ method", at: span)
        }
    }

    /// A float rounded to `d` decimals from its exact value, half to even (Python's round).
    static func roundDecimal(_ x: Double, _ d: Int) -> Double {
        guard x.isFinite else { return x }
        if d >= 0 {
            guard d <= 300 else { return x }
            return Double(String(format: "%.\(d)f", x)) ?? x
        }
        let p = Foundation.pow(10.0, Double(-d))
        return (x / p).rounded(.toNearestOrEven) * p
    }

    func sortValues(_ items: [Value], key: Value?, reverse: Bool, span: Span) throws -> [Value] {
        let keys = try items.map { x in try key.map { try call($0, [x], [], span: span) } ?? x }
        var idx = Array(items.indices)
        // Stable merge sort on `<` (Python's sort uses only `<`), reversed stably when asked.
        func less(_ i: Int, _ j: Int) throws -> Bool {
            if reverse { return try truthy(try compare("<", keys[j], keys[i], span: span), span: span) }
            return try truthy(try compare("<", keys[i], keys[j], span: span), span: span)
        }
        var buffer = idx
        func sort(_ lo: Int, _ hi: Int) throws {
            if hi - lo < 2 { return }
            let mid = (lo + hi) / 2
            try sort(lo, mid); try sort(mid, hi)
            var i = lo, j = mid, k = lo
            while i < mid && j < hi { if try less(idx[j], idx[i]) { buffer[k] = idx[j]; j += 1 } else { buffer[k] = idx[i]; i += 1 }; k += 1 }
            while i < mid { buffer[k] = idx[i]; i += 1; k += 1 }
            while j < hi { buffer[k] = idx[j]; j += 1; k += 1 }
            for m in lo..<hi { idx[m] = buffer[m] }
        }
        try sort(0, idx.count)
        return idx.map { items[$0] }
    }
}
