import Foundation
import NablaAutograd
import NablaTensor

/// Methods of Python's builtin types: list, str, dict, set, tuple, int, float.
extension Library {
    static func method(_ name: String, _ parameters: [Parameter], _ doc: String, _ body: @escaping (Args) throws -> Value) -> (String, Builtin) {
        let b = Builtin(name, parameters, doc: doc, body)
        return (b.name, b)
    }

    static func typeMethods(_ i: Interpreter) -> [String: [String: Builtin]] {
        func list(_ a: Args) -> ListRef { if case let .list(l) = a.value("self") ?? .none { return l }; return ListRef([]) }
        func string(_ a: Args) -> String { if case let .string(s) = a.value("self") ?? .none { return s }; return "" }
        func dict(_ a: Args) -> DictRef { if case let .dict(d) = a.value("self") ?? .none { return d }; return DictRef() }
        func set(_ a: Args) -> SetRef { if case let .set(s) = a.value("self") ?? .none { return s }; return SetRef() }
        func items(_ a: Args) -> [Value] { (try? a.interpreter.elements(a.value("self") ?? .none, span: a.span)) ?? [] }
        func key(_ a: Args, _ v: Value) throws -> HashKey { try a.interpreter.hashKey(v, span: a.span) }
        func eq(_ a: Args, _ x: Value, _ y: Value) throws -> Bool { try a.interpreter.valuesEqual(x, y, span: a.span) }
        func sliceBounds(_ a: Args, _ n: Int) throws -> (Int, Int) {
            var start = try a.optionalInt("start") ?? 0, end = try a.optionalInt("end") ?? n
            if start < 0 { start = max(start + n, 0) }; if end < 0 { end = max(end + n, 0) }
            return (min(start, n), min(end, n))
        }

        let listMethods: [(String, Builtin)] = [
            method("append", [.any("self"), .any("item")], "Adds an item at the end.") { a in list(a).items.append(a.named["item"] ?? .none); return .none },
            method("extend", [.any("self"), .any("iterable")], "Adds the items of an iterable at the end.") { a in
                let l = list(a); l.items += try a.interpreter.elements(a.named["iterable"] ?? .none, span: a.span); return .none
            },
            method("insert", [.any("self"), .int("index"), .any("item")], "Inserts an item before position index.") { a in
                let l = list(a); var k = try a.int("index"); let n = l.items.count
                if k < 0 { k = max(k + n, 0) }; l.items.insert(a.named["item"] ?? .none, at: min(k, n)); return .none
            },
            method("pop", [.any("self"), .int("index", default: -1)], "Removes and returns the item at index (the last by default).") { a in
                let l = list(a)
                guard !l.items.isEmpty else { throw NablaError(.index, "pop from empty list") }
                var k = try a.int("index")
                if k < 0 { k += l.items.count }
                guard k >= 0, k < l.items.count else { throw NablaError(.index, "pop index out of range") }
                return l.items.remove(at: k)
            },
            method("remove", [.any("self"), .any("item")], "Removes the first item equal to `item`.") { a in
                let l = list(a)
                guard let k = try l.items.firstIndex(where: { try eq(a, $0, a.named["item"] ?? .none) }) else { throw NablaError(.value, "list.remove(x): x not in list") }
                l.items.remove(at: k); return .none
            },
            method("index", [.any("self"), .any("item"), .any("start", default: 0), .any("end", default: nil)], "The position of the first item equal to `item`.") { a in
                let l = list(a); let (s, e) = try sliceBounds(a, l.items.count)
                for k in s..<max(e, s) where try eq(a, l.items[k], a.named["item"] ?? .none) { return .int(k) }
                throw NablaError(.value, "\(a.interpreter.repr(a.named["item"] ?? .none)) is not in list")
            },
            method("count", [.any("self"), .any("item")], "How many items equal `item`.") { a in .int(try list(a).items.filter { try eq(a, $0, a.named["item"] ?? .none) }.count) },
            method("sort", [.any("self"), .any("key", default: nil), .bool("reverse", default: false)], "Sorts the list in place (stable).") { a in
                let l = list(a)
                l.items = try a.interpreter.sortValues(l.items, key: a.value("key"), reverse: try a.bool("reverse"), span: a.span)
                return .none
            },
            method("reverse", [.any("self")], "Reverses the list in place.") { a in list(a).items.reverse(); return .none },
            method("copy", [.any("self")], "A shallow copy.") { a in .list(ListRef(list(a).items)) },
            method("clear", [.any("self")], "Removes every item.") { a in list(a).items = []; return .none },
        ]

        func strArg(_ a: Args, _ n: String) throws -> String? {
            guard let v = a.value(n) else { return nil }
            guard case let .string(s) = v else { throw NablaError(.type, "must be str, not \(v.typeName)") }
            return s
        }
        func strip(_ s: String, _ chars: String?, left: Bool, right: Bool) -> String {
            let set: (Character) -> Bool = chars.map { cs in { cs.contains($0) } } ?? { $0.isWhitespace }
            var sub = Substring(s)
            if left { sub = sub.drop(while: set) }
            if right { while let l = sub.last, set(l) { sub = sub.dropLast() } }
            return String(sub)
        }
        func split(_ s: String, _ sep: String?, _ maxsplit: Int) throws -> [String] {
            if let sep {
                guard !sep.isEmpty else { throw NablaError(.value, "empty separator") }
                var parts = [String](), rest = Substring(s)
                while maxsplit < 0 || parts.count < maxsplit, let r = rest.range(of: sep) {
                    parts.append(String(rest[..<r.lowerBound])); rest = rest[r.upperBound...]
                }
                return parts + [String(rest)]
            }
            var parts = [String](), rest = Substring(s).drop(while: { $0.isWhitespace })
            while !rest.isEmpty {
                if maxsplit >= 0 && parts.count == maxsplit { parts.append(String(strip(String(rest), nil, left: false, right: true))); break }
                let word = rest.prefix { !$0.isWhitespace }
                parts.append(String(word))
                rest = rest.dropFirst(word.count).drop(while: { $0.isWhitespace })
            }
            return parts
        }
        func prefixes(_ a: Args, _ n: String) throws -> [String] {
            switch a.value(n) ?? .none {
            case let .string(s): return [s]
            case let .tuple(t): return try t.map { guard case let .string(s) = $0 else { throw NablaError(.type, "tuple for startswith must only contain str") }; return s }
            case let v: throw NablaError(.type, "startswith first arg must be str or a tuple of str, not \(v.typeName)")
            }
        }
        func find(_ s: String, _ sub: String, _ a: Args, last: Bool) throws -> Int {
            let chars = Array(s), needle = Array(sub)
            let (st, en) = try sliceBounds(a, chars.count)
            guard needle.count <= en - st else { return needle.isEmpty && st <= en ? st : -1 }
            let range = Array(st...(en - needle.count))
            for k in (last ? range.reversed() : range) where Array(chars[k..<(k + needle.count)]) == needle { return k }
            return -1
        }
        func pad(_ a: Args, _ s: String, _ align: Character) throws -> Value {
            let w = try a.int("width"), fill = try a.string("fillchar")
            guard fill.count == 1 else { throw NablaError(.type, "The fill character must be exactly one character long") }
            return .string(try a.interpreter.format(.string(s), "\(fill)\(align)\(w)", span: a.span))
        }
        let strMethods: [(String, Builtin)] = [
            method("split", [.any("self"), .any("sep", default: nil), .int("maxsplit", default: -1)], "The words of the string (split on whitespace, or on `sep`).") { a in
                .list(ListRef(try split(string(a), try strArg(a, "sep"), try a.int("maxsplit")).map { .string($0) }))
            },
            method("rsplit", [.any("self"), .any("sep", default: nil), .int("maxsplit", default: -1)], "Like split, from the right.") { a in
                let m = try a.int("maxsplit")
                if m < 0 { return .list(ListRef(try split(string(a), try strArg(a, "sep"), -1).map { .string($0) })) }
                let rev = String(string(a).reversed()), sep = try strArg(a, "sep").map { String($0.reversed()) }
                return .list(ListRef(try split(rev, sep, m).reversed().map { .string(String($0.reversed())) }))
            },
            method("splitlines", [.any("self")], "The lines of the string.") { a in
                .list(ListRef(string(a).split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) }.dropLast(string(a).hasSuffix("\n") ? 1 : 0)))
            },
            method("join", [.any("self"), .any("iterable")], "The strings of an iterable joined with this string between them.") { a in
                let parts = try a.interpreter.elements(a.named["iterable"] ?? .none, span: a.span)
                return .string(try parts.enumerated().map { k, v in
                    guard case let .string(s) = v else { throw NablaError(.type, "sequence item \(k): expected str instance, \(v.typeName) found") }
                    return s
                }.joined(separator: string(a)))
            },
            method("strip", [.any("self"), .any("chars", default: nil)], "Without leading and trailing whitespace (or `chars`).") { a in .string(strip(string(a), try strArg(a, "chars"), left: true, right: true)) },
            method("lstrip", [.any("self"), .any("chars", default: nil)], "Without leading whitespace.") { a in .string(strip(string(a), try strArg(a, "chars"), left: true, right: false)) },
            method("rstrip", [.any("self"), .any("chars", default: nil)], "Without trailing whitespace.") { a in .string(strip(string(a), try strArg(a, "chars"), left: false, right: true)) },
            method("replace", [.any("self"), .string("old"), .string("new"), .int("count", default: -1)], "Every (or the first `count`) occurrence of old replaced by new.") { a in
                let old = try a.string("old"), new = try a.string("new"), n = try a.int("count")
                if n < 0 { return .string(old.isEmpty ? new + string(a).map { String($0) + new }.joined() : string(a).replacingOccurrences(of: old, with: new)) }
                var s = Substring(string(a)), out = "", k = 0
                while k < n, !old.isEmpty, let r = s.range(of: old) { out += s[..<r.lowerBound] + new; s = s[r.upperBound...]; k += 1 }
                return .string(out + s)
            },
            method("upper", [.any("self")], "Upper case.") { a in .string(string(a).uppercased()) },
            method("lower", [.any("self")], "Lower case.") { a in .string(string(a).lowercased()) },
            method("casefold", [.any("self")], "Lower case, for caseless comparison.") { a in .string(string(a).lowercased()) },
            method("title", [.any("self")], "Each word capitalized.") { a in
                var out = "", prevLetter = false
                for c in string(a) { out += prevLetter ? c.lowercased() : c.uppercased(); prevLetter = c.isLetter }
                return .string(out)
            },
            method("capitalize", [.any("self")], "The first character upper case, the rest lower.") { a in
                let s = string(a); return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
            },
            method("swapcase", [.any("self")], "Cases swapped.") { a in .string(String(string(a).map { $0.isUppercase ? Character($0.lowercased()) : Character($0.uppercased()) })) },
            method("startswith", [.any("self"), .any("prefix"), .any("start", default: nil), .any("end", default: nil)], "True when the string starts with prefix (or one of a tuple of them).") { a in
                let s = string(a); return .bool(try prefixes(a, "prefix").contains { s.hasPrefix($0) })
            },
            method("endswith", [.any("self"), .any("suffix"), .any("start", default: nil), .any("end", default: nil)], "True when the string ends with suffix (or one of a tuple of them).") { a in
                let s = string(a); return .bool(try prefixes(a, "suffix").contains { s.hasSuffix($0) })
            },
            method("find", [.any("self"), .string("sub"), .any("start", default: nil), .any("end", default: nil)], "The first position of sub, or -1.") { a in .int(try find(string(a), try a.string("sub"), a, last: false)) },
            method("rfind", [.any("self"), .string("sub"), .any("start", default: nil), .any("end", default: nil)], "The last position of sub, or -1.") { a in .int(try find(string(a), try a.string("sub"), a, last: true)) },
            method("index", [.any("self"), .string("sub"), .any("start", default: nil), .any("end", default: nil)], "The first position of sub (ValueError when absent).") { a in
                let k = try find(string(a), try a.string("sub"), a, last: false)
                guard k >= 0 else { throw NablaError(.value, "substring not found") }
                return .int(k)
            },
            method("rindex", [.any("self"), .string("sub"), .any("start", default: nil), .any("end", default: nil)], "The last position of sub (ValueError when absent).") { a in
                let k = try find(string(a), try a.string("sub"), a, last: true)
                guard k >= 0 else { throw NablaError(.value, "substring not found") }
                return .int(k)
            },
            method("count", [.any("self"), .string("sub"), .any("start", default: nil), .any("end", default: nil)], "How many non-overlapping times sub occurs.") { a in
                let sub = try a.string("sub"); let s = string(a)
                if sub.isEmpty { return .int(s.count + 1) }
                return .int(s.components(separatedBy: sub).count - 1)
            },
            method("zfill", [.any("self"), .int("width")], "Padded with zeros on the left to `width` (after a sign).") { a in
                let s = string(a), w = try a.int("width")
                guard s.count < w else { return .string(s) }
                let sign = s.first.map { $0 == "-" || $0 == "+" } ?? false
                return .string((sign ? String(s.first!) : "") + String(repeating: "0", count: w - s.count) + (sign ? String(s.dropFirst()) : s))
            },
            method("center", [.any("self"), .any("width"), .any("fillchar", default: " ")], "Centered in `width`.") { a in try pad(a, string(a), "^") },
            method("ljust", [.any("self"), .any("width"), .any("fillchar", default: " ")], "Left-justified in `width`.") { a in try pad(a, string(a), "<") },
            method("rjust", [.any("self"), .any("width"), .any("fillchar", default: " ")], "Right-justified in `width`.") { a in try pad(a, string(a), ">") },
            method("format", [.any("self"), .args("args"), .kwargs("kwargs")], "The string with its {} fields filled in.") { a in
                .string(try a.interpreter.strFormat(string(a), a.rest, a.extraKeywords, span: a.span))
            },
            method("isdigit", [.any("self")], "True when every character is a digit.") { a in .bool(!string(a).isEmpty && string(a).allSatisfy { $0.isNumber }) },
            method("isnumeric", [.any("self")], "True when every character is numeric.") { a in .bool(!string(a).isEmpty && string(a).allSatisfy { $0.isNumber }) },
            method("isdecimal", [.any("self")], "True when every character is a decimal digit.") { a in .bool(!string(a).isEmpty && string(a).allSatisfy { $0.isASCIIDigit }) },
            method("isalpha", [.any("self")], "True when every character is a letter.") { a in .bool(!string(a).isEmpty && string(a).allSatisfy { $0.isLetter }) },
            method("isalnum", [.any("self")], "True when every character is a letter or digit.") { a in .bool(!string(a).isEmpty && string(a).allSatisfy { $0.isLetter || $0.isNumber }) },
            method("isspace", [.any("self")], "True when every character is whitespace.") { a in .bool(!string(a).isEmpty && string(a).allSatisfy { $0.isWhitespace }) },
            method("isupper", [.any("self")], "True when the cased characters are all upper case.") { a in .bool(string(a).contains { $0.isLetter } && !string(a).contains { $0.isLowercase }) },
            method("islower", [.any("self")], "True when the cased characters are all lower case.") { a in .bool(string(a).contains { $0.isLetter } && !string(a).contains { $0.isUppercase }) },
            method("partition", [.any("self"), .string("sep")], "(before, sep, after) around the first sep.") { a in
                let s = string(a), sep = try a.string("sep")
                guard let r = s.range(of: sep) else { return .tuple([.string(s), .string(""), .string("")]) }
                return .tuple([.string(String(s[..<r.lowerBound])), .string(sep), .string(String(s[r.upperBound...]))])
            },
            method("rpartition", [.any("self"), .string("sep")], "(before, sep, after) around the last sep.") { a in
                let s = string(a), sep = try a.string("sep")
                guard let r = s.range(of: sep, options: .backwards) else { return .tuple([.string(""), .string(""), .string(s)]) }
                return .tuple([.string(String(s[..<r.lowerBound])), .string(sep), .string(String(s[r.upperBound...]))])
            },
            method("removeprefix", [.any("self"), .string("prefix")], "Without the prefix.") { a in let s = string(a), p = try a.string("prefix"); return .string(s.hasPrefix(p) ? String(s.dropFirst(p.count)) : s) },
            method("removesuffix", [.any("self"), .string("suffix")], "Without the suffix.") { a in let s = string(a), p = try a.string("suffix"); return .string(s.hasSuffix(p) && !p.isEmpty ? String(s.dropLast(p.count)) : s) },
        ]

        func view(_ items: [Value], _ kind: String) -> Value {
            let it = IteratorRef(items, kind: kind); it.isView = true; return .iterator(it)
        }
        let dictMethods: [(String, Builtin)] = [
            method("get", [.any("self"), .any("key"), .any("default", default: nil)], "d[key], or default when the key is absent.") { a in
                dict(a).get(try key(a, a.named["key"] ?? .none)) ?? (a.named["default"] ?? .none)
            },
            method("keys", [.any("self")], "The keys, in insertion order.") { a in view(dict(a).keys, "dict_keys") },
            method("values", [.any("self")], "The values, in insertion order.") { a in view(dict(a).values, "dict_values") },
            method("items", [.any("self")], "(key, value) pairs, in insertion order.") { a in let d = dict(a); return view(zip(d.keys, d.values).map { .tuple([$0, $1]) }, "dict_items") },
            method("setdefault", [.any("self"), .any("key"), .any("default", default: nil)], "d[key], first setting it to default when absent.") { a in
                let d = dict(a), k = a.named["key"] ?? .none, h = try key(a, k)
                if let v = d.get(h) { return v }
                let v = a.named["default"] ?? .none
                d.set(h, k, v); return v
            },
            method("update", [.any("self"), .any("other", default: nil), .kwargs("kwargs")], "Adds the pairs of another dict (or of (key, value) pairs, or keywords).") { a in
                let d = dict(a)
                if let o = a.value("other") {
                    if case let .dict(od) = o { for (k, v) in zip(od.keys, od.values) { d.set(try key(a, k), k, v) } } else {
                        for pair in try a.interpreter.elements(o, span: a.span) {
                            let kv = try a.interpreter.elements(pair, span: a.span)
                            guard kv.count == 2 else { throw NablaError(.value, "dictionary update sequence element has length \(kv.count); 2 is required") }
                            d.set(try key(a, kv[0]), kv[0], kv[1])
                        }
                    }
                }
                for (k, v) in a.extraKeywords { d.set(.str(k), .string(k), v) }
                return .none
            },
            method("pop", [.any("self"), .any("key"), .args("default")], "Removes d[key] and returns it (or the default when absent).") { a in
                let k = a.named["key"] ?? .none
                if let v = dict(a).remove(try key(a, k)) { return v }
                if let d = a.rest.first { return d }
                throw NablaError(.key, a.interpreter.repr(k))
            },
            method("popitem", [.any("self")], "Removes and returns the last inserted (key, value) pair.") { a in
                let d = dict(a)
                guard let k = d.keys.last, let v = d.values.last else { throw NablaError(.key, "'popitem(): dictionary is empty'") }
                d.remove(try key(a, k)); return .tuple([k, v])
            },
            method("copy", [.any("self")], "A shallow copy.") { a in let d = dict(a), c = DictRef(); for (k, v) in zip(d.keys, d.values) { c.set(try key(a, k), k, v) }; return .dict(c) },
            method("clear", [.any("self")], "Removes every pair.") { a in dict(a).clear(); return .none },
        ]

        func otherSet(_ a: Args, _ v: Value) throws -> SetRef {
            if case let .set(s) = v { return s }
            let s = SetRef(); for x in try a.interpreter.elements(v, span: a.span) { s.insert(try key(a, x), x) }; return s
        }
        func setOp(_ op: String) -> (Args) throws -> Value {
            { a in
                var result = Value.set(set(a))
                for o in a.rest { result = try a.interpreter.binary(op, result, .set(try otherSet(a, o)), span: a.span) }
                if a.rest.isEmpty { let c = SetRef(); for x in set(a).items { c.insert(try key(a, x), x) }; return .set(c) }
                return result
            }
        }
        let setMethods: [(String, Builtin)] = [
            method("add", [.any("self"), .any("item")], "Adds an item.") { a in let x = a.named["item"] ?? .none; set(a).insert(try key(a, x), x); return .none },
            method("remove", [.any("self"), .any("item")], "Removes an item (KeyError when absent).") { a in
                let x = a.named["item"] ?? .none
                guard set(a).remove(try key(a, x)) else { throw NablaError(.key, a.interpreter.repr(x)) }
                return .none
            },
            method("discard", [.any("self"), .any("item")], "Removes an item if present.") { a in set(a).remove(try key(a, a.named["item"] ?? .none)); return .none },
            method("pop", [.any("self")], "Removes and returns an item.") { a in
                let s = set(a)
                guard let x = s.items.first else { throw NablaError(.key, "'pop from an empty set'") }
                s.remove(try key(a, x)); return x
            },
            method("union", [.any("self"), .args("others")], "Items in any of the sets.", setOp("|")),
            method("intersection", [.any("self"), .args("others")], "Items in every set.", setOp("&")),
            method("difference", [.any("self"), .args("others")], "Items not in the others.", setOp("-")),
            method("symmetric_difference", [.any("self"), .any("other")], "Items in exactly one of the two.") { a in
                try a.interpreter.binary("^", .set(set(a)), .set(try otherSet(a, a.named["other"] ?? .none)), span: a.span)
            },
            method("update", [.any("self"), .args("others")], "Adds the items of other iterables.") { a in
                let s = set(a); for o in a.rest { for x in try a.interpreter.elements(o, span: a.span) { s.insert(try key(a, x), x) } }; return .none
            },
            method("issubset", [.any("self"), .any("other")], "True when every item is in other.") { a in
                let o = try otherSet(a, a.named["other"] ?? .none); return .bool(try set(a).items.allSatisfy { o.contains(try key(a, $0)) })
            },
            method("issuperset", [.any("self"), .any("other")], "True when every item of other is here.") { a in
                let s = set(a); return .bool(try otherSet(a, a.named["other"] ?? .none).items.allSatisfy { s.contains(try key(a, $0)) })
            },
            method("isdisjoint", [.any("self"), .any("other")], "True when no item is shared.") { a in
                let o = try otherSet(a, a.named["other"] ?? .none); return .bool(try !set(a).items.contains { o.contains(try key(a, $0)) })
            },
            method("copy", [.any("self")], "A shallow copy.") { a in let c = SetRef(); for x in set(a).items { c.insert(try key(a, x), x) }; return .set(c) },
            method("clear", [.any("self")], "Removes every item.") { a in set(a).clear(); return .none },
        ]
        let tupleMethods: [(String, Builtin)] = [
            method("count", [.any("self"), .any("item")], "How many items equal `item`.") { a in .int(try items(a).filter { try eq(a, $0, a.named["item"] ?? .none) }.count) },
            method("index", [.any("self"), .any("item")], "The position of the first item equal to `item`.") { a in
                guard let k = try items(a).firstIndex(where: { try eq(a, $0, a.named["item"] ?? .none) }) else { throw NablaError(.value, "tuple.index(x): x not in tuple") }
                return .int(k)
            },
        ]
        let intMethods: [(String, Builtin)] = [
            method("bit_length", [.any("self")], "The number of bits needed for the absolute value.") { a in
                let n = try a.interpreter.toInt(a.value("self") ?? .int(0), span: a.span, what: "int"); return .int(Int.bitWidth - n.magnitude.leadingZeroBitCount)
            },
        ]
        let floatMethods: [(String, Builtin)] = [
            method("is_integer", [.any("self")], "True when the float is a whole number.") { a in
                let d = try a.interpreter.toDouble(a.value("self") ?? .float(0), span: a.span, what: "float"); return .bool(d.isFinite && d == d.rounded())
            },
        ]
        func countInto(_ a: Args, _ d: DictRef, _ v: Value?, sign: Int) throws {
            guard let v else { return }
            if case let .dict(o) = v {
                for (k, n) in zip(o.keys, o.values) {
                    let h = try key(a, k)
                    d.set(h, k, try a.interpreter.binary(sign > 0 ? "+" : "-", d.get(h) ?? .int(0), n, span: a.span))
                }
                return
            }
            for x in try a.interpreter.elements(v, span: a.span) {
                let h = try key(a, x)
                d.set(h, x, try a.interpreter.binary("+", d.get(h) ?? .int(0), .int(sign), span: a.span))
            }
        }
        let counterMethods: [(String, Builtin)] = [
            method("most_common", [.any("self"), .int("n", default: nil)], "The (element, count) pairs, most common first.") { a in
                let d = dict(a)
                var pairs = try a.interpreter.counterOrder(d, span: a.span).map { Value.tuple([d.keys[$0], d.values[$0]]) }
                if let n = try a.optionalInt("n") { pairs = Array(pairs.prefix(max(n, 0))) }
                return .list(ListRef(pairs))
            },
            method("update", [.any("self"), .any("iterable", default: nil)], "Adds the counts of an iterable or mapping.") { a in try countInto(a, dict(a), a.value("iterable"), sign: 1); return .none },
            method("subtract", [.any("self"), .any("iterable", default: nil)], "Subtracts the counts of an iterable or mapping.") { a in try countInto(a, dict(a), a.value("iterable"), sign: -1); return .none },
            method("total", [.any("self")], "The sum of the counts.") { a in
                try dict(a).values.reduce(Value.int(0)) { try a.interpreter.binary("+", $0, $1, span: a.span) }
            },
            method("elements", [.any("self")], "Each element repeated as many times as its count.") { a in
                let d = dict(a)
                var out = [Value]()
                for (k, n) in zip(d.keys, d.values) { for _ in 0..<max(try a.interpreter.toInt(n, span: a.span, what: "a count"), 0) { out.append(k) } }
                return .iterator(IteratorRef(out, kind: "itertools.chain"))
            },
        ]
        return [
            "Counter": Dictionary(uniqueKeysWithValues: counterMethods),
            "list": Dictionary(uniqueKeysWithValues: listMethods), "str": Dictionary(uniqueKeysWithValues: strMethods),
            "dict": Dictionary(uniqueKeysWithValues: dictMethods), "set": Dictionary(uniqueKeysWithValues: setMethods),
            "tuple": Dictionary(uniqueKeysWithValues: tupleMethods), "int": Dictionary(uniqueKeysWithValues: intMethods),
            "float": Dictionary(uniqueKeysWithValues: floatMethods),
        ]
    }
}
