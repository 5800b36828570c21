import Foundation
import NablaAutograd
import NablaTensor

/// How values print (Python's str and repr) and Python's string formatting: f-strings,
/// format specs, `%` and `str.format`.
extension Interpreter {
    /// Python's repr of a float: the shortest text that reads back as the same number.
    public func pyFloat(_ d: Double) -> String { Interpreter.pyFloat(d) }

    public static func pyFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, point) = shortestDigits(d.magnitude)
        let sign = d < 0 ? "-" : ""
        let exp = point - 1
        if exp >= -4 && exp < 16 {
            if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
            if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) + ".0" }
            let i = digits.index(digits.startIndex, offsetBy: point)
            return sign + digits[..<i] + "." + digits[i...]
        }
        var mant = String(digits.prefix(1))
        if digits.count > 1 { mant += "." + digits.dropFirst() }
        return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Swift.abs(exp) < 10 ? "0" : "") + String(Swift.abs(exp))
    }

    /// The shortest round-trip decimal digits of a positive finite double and where the
    /// decimal point goes (value = 0.DIGITS × 10^point).
    static func shortestDigits(_ x: Double) -> (String, Int) {
        let s = "\(x)"
        var mant = s, exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mant = String(s[..<e]); exp = Int(s[s.index(after: e)...]) ?? 0
        }
        let parts = mant.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), frac = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + frac
        var point = intPart.count + exp
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, point)
    }

    /// `str(v)`: what print shows. User classes' `__str__` runs here.
    public func str(_ v: Value) -> String {
        (try? strThrowing(v, span: .unknown)) ?? repr(v)
    }

    func strThrowing(_ v: Value, span: Span) throws -> String {
        switch v {
        case let .string(s): return s
        case let .float(d): return pyFloat(d)
        case let .tensor(t) where t.value.rank == 0 && !(t.requiresGrad && t.isLeaf): return pyFloat(t.value.data[0])
        case let .instance(o):
            if let f = o.cls.lookup("__str__"), case .function = f { return try textResult(try callMethod(v, "__str__", [], span: span), "__str__", span) }
            if isException(o) { return exceptionMessage(o) }
            return try reprThrowing(v, span: span)
        default: return try reprThrowing(v, span: span)
        }
    }

    func textResult(_ v: Value, _ what: String, _ span: Span) throws -> String {
        guard case let .string(s) = v else { throw NablaError(.type, "\(what) returned non-string (type \(v.typeName))", at: span) }
        return s
    }

    func reprThrowing(_ v: Value, span: Span) throws -> String {
        var open = Set<ObjectIdentifier>()
        return try repr(v, open: &open, depth: 0, strict: true, span: span)
    }

    /// The text form of a value, as a result is shown in plain text.
    public func repr(_ v: Value) -> String {
        var open = Set<ObjectIdentifier>()
        return (try? repr(v, open: &open, depth: 0, strict: false, span: .unknown)) ?? "<\(v.typeName) object>"
    }

    static func quote(_ s: String) -> String {
        let q: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(q)
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case q: out += "\\\(q)"
            default: out.append(c)
            }
        }
        return out + String(q)
    }

    /// `open` holds the containers being printed, so a list inside itself shows as `[...]`, as in Python.
    func repr(_ v: Value, open: inout Set<ObjectIdentifier>, depth: Int, strict: Bool, span: Span) throws -> String {
        if depth > Interpreter.maxNesting { return "..." }
        func items(_ xs: [Value]) throws -> [String] {
            var parts = [String]()
            for item in xs { parts.append(try repr(item, open: &open, depth: depth + 1, strict: strict, span: span)) }
            return parts
        }
        switch v {
        case let .int(i): return String(i)
        case let .float(d): return pyFloat(d)
        case let .tensor(t):
            let body = t.value.formatted(precision: precision)
            if t.requiresGrad && t.isLeaf {
                let pad = body.replacingOccurrences(of: "\n", with: "\n      ")
                return "param(\(pad))"
            }
            return body
        case let .mask(m): return Interpreter.maskText(m)
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        case let .string(s): return Interpreter.quote(s)
        case let .list(l):
            guard open.insert(ObjectIdentifier(l)).inserted else { return "[...]" }
            defer { open.remove(ObjectIdentifier(l)) }
            return "[" + (try items(l.items)).joined(separator: ", ") + "]"
        case let .tuple(t):
            let parts = try items(t)
            return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
        case let .dict(d):
            guard open.insert(ObjectIdentifier(d)).inserted else { return "{...}" }
            defer { open.remove(ObjectIdentifier(d)) }
            let ks = try items(d.keys), vs = try items(d.values)
            var pairs = Array(zip(ks, vs))
            switch d.kind {
            case "Counter":
                if pairs.isEmpty { return "Counter()" }
                pairs = try counterOrder(d, span: span).map { pairs[$0] }
                return "Counter({" + pairs.map { "\($0): \($1)" }.joined(separator: ", ") + "})"
            case "OrderedDict":
                if pairs.isEmpty { return "OrderedDict()" }
                return "OrderedDict([" + pairs.map { "(\($0), \($1))" }.joined(separator: ", ") + "])"
            case "defaultdict":
                let f = try d.defaultFactory.map { try repr($0, open: &open, depth: depth + 1, strict: strict, span: span) } ?? "None"
                return "defaultdict(\(f), {" + pairs.map { "\($0): \($1)" }.joined(separator: ", ") + "})"
            default:
                return "{" + pairs.map { "\($0): \($1)" }.joined(separator: ", ") + "}"
            }
        case let .set(s):
            if s.count == 0 { return "set()" }
            return "{" + (try items(s.items)).joined(separator: ", ") + "}"
        case let .range(r): return r.step == 1 ? "range(\(r.start), \(r.stop))" : "range(\(r.start), \(r.stop), \(r.step))"
        case let .slice(a, b, c): return "slice(\(try items([a, b, c]).joined(separator: ", ")))"
        case let .iterator(it):
            if it.isView { return "\(it.kind)([" + (try items(it.items)).joined(separator: ", ") + "])" }
            return "<\(it.kind) object>"
        case let .function(f): return "<function \(f.name)>"
        case let .builtin(b):
            if b.name == "NotImplemented" { return "NotImplemented" }
            if b.receiver == nil, Library.typeNames.contains(b.name) { return "<class '\(b.name)'>" }
            return "<built-in function \(b.name)>"
        case let .cls(c): return "<class '\(builtinClasses[c.name] === c ? "" : "__main__.")\(c.name)'>"
        case let .instance(o):
            if let f = o.cls.lookup("__repr__"), case .function = f {
                do { return try textResult(try callMethod(v, "__repr__", [], span: span), "__repr__", span) } catch { if strict { throw error } }
            }
            if isException(o) {
                let args: [Value]
                if case let .tuple(a)? = o.attrs["args"] { args = a } else { args = [] }
                return o.cls.name + "(" + (try items(args)).joined(separator: ", ") + ")"
            }
            return "<__main__.\(o.cls.name) object>"
        case let .method(s, f): return "<bound method \(s.typeName).\(f.name)>"
        case .superProxy: return "<super object>"
        case let .module(m): return "<module '\(m.name)'>"
        case let .object(o): return o.text
        }
    }

    /// A Counter's entries by decreasing count, ties in insertion order (most_common).
    func counterOrder(_ d: DictRef, span: Span) throws -> [Int] {
        try Array(d.values.indices).sorted { i, j in
            let c = try order(d.values[j], d.values[i], span: span, op: "<")
            return c < 0 || (c == 0 && i < j)
        }
    }

    static func maskText(_ m: Tensor) -> String {
        if m.rank == 0 { return m.data[0] != 0 ? "True" : "False" }
        let strides = Tensor.strides(of: m.shape)
        func render(_ axis: Int, _ offset: Int, _ indent: Int) -> String {
            if axis == m.rank - 1 {
                return "[" + (0..<m.shape[axis]).map { m.data[offset + $0 * strides[axis]] != 0 ? " True" : "False" }.joined(separator: ", ") + "]"
            }
            return "[" + (0..<m.shape[axis]).map { render(axis + 1, offset + $0 * strides[axis], indent + 1) }.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        return render(0, 0, 0)
    }

    // MARK: f-strings and format specs

    func formatParts(_ parts: [FPart], _ scope: Scope) throws -> String {
        var out = ""
        for p in parts {
            switch p {
            case let .text(t): out += t
            case let .expr(e, conversion, spec, selfDoc):
                let v = try eval(e, scope)
                if let selfDoc { out += selfDoc }
                let specText = try spec.map { try formatParts($0, scope) } ?? ""
                var shown = v
                switch conversion {
                case "r": shown = .string(try reprThrowing(v, span: e.span))
                case "s": shown = .string(try strThrowing(v, span: e.span))
                case "a": shown = .string(try reprThrowing(v, span: e.span))
                default:
                    if selfDoc != nil && specText.isEmpty { shown = .string(try reprThrowing(v, span: e.span)) }
                }
                out += try format(shown, specText, span: e.span)
            }
        }
        return out
    }

    struct FormatSpec {
        var fill: Character = " ", align: Character? = nil, sign: Character = "-", alternate = false, zero = false
        var width = 0, grouping: Character? = nil, precision: Int? = nil, type: Character? = nil
    }

    func parseSpec(_ spec: String, span: Span) throws -> FormatSpec {
        var f = FormatSpec()
        let c = Array(spec)
        var i = 0
        if c.count >= 2, "<>=^".contains(c[1]) { f.fill = c[0]; f.align = c[1]; i = 2 }
        else if c.count >= 1, "<>=^".contains(c[0]) { f.align = c[0]; i = 1 }
        if i < c.count, "+- ".contains(c[i]) { f.sign = c[i]; i += 1 }
        if i < c.count, c[i] == "z" { i += 1 }
        if i < c.count, c[i] == "#" { f.alternate = true; i += 1 }
        if i < c.count, c[i] == "0" { f.zero = true; i += 1 }
        var w = ""
        while i < c.count, c[i].isASCIIDigit { w.append(c[i]); i += 1 }
        f.width = Int(w) ?? 0
        if i < c.count, c[i] == "," || c[i] == "_" { f.grouping = c[i]; i += 1 }
        if i < c.count, c[i] == "." {
            i += 1
            var p = ""
            while i < c.count, c[i].isASCIIDigit { p.append(c[i]); i += 1 }
            guard !p.isEmpty else { throw NablaError(.value, "Format specifier missing precision", at: span) }
            f.precision = Int(p)
        }
        if i < c.count { f.type = c[i]; i += 1 }
        guard i == c.count, f.width <= 10_000, (f.precision ?? 0) <= 1000 else { throw NablaError(.value, "Invalid format specifier '\(spec)'", at: span) }
        return f
    }

    /// Python's `format(value, spec)`.
    func format(_ v: Value, _ spec: String, span: Span) throws -> String {
        if spec.isEmpty { return try strThrowing(v, span: span) }
        if case .instance = v, let f = try? findMethod(v, "__format__") { return try textResult(try call(f, [.string(spec)], [], span: span), "__format__", span) }
        let f = try parseSpec(spec, span: span)
        var value = v
        if case let .tensor(t) = v {
            guard t.value.count == 1, t.value.rank == 0 else { throw NablaError(.type, "unsupported format string passed to numpy.ndarray.__format__", at: span) }
            let x = t.value.data[0]
            // An element of an integer array: Nabla's tensors are float64, so whole numbers take integer formats.
            if let ty = f.type, "dbxXoc".contains(ty), x == x.rounded(), Swift.abs(x) < 9.0e15 { value = .int(Int(x)) } else { value = .float(x) }
        }
        if case let .mask(m) = v, m.rank == 0 { value = .bool(m.data[0] != 0) }
        var body: String, negative = false, numeric = true
        switch value {
        case .int, .bool:
            let i = try toInt(value, span: span, what: "format")
            switch f.type {
            case nil, "d", "n":
                if f.precision != nil { throw NablaError(.value, "Precision not allowed in integer format specifier", at: span) }
                body = String(i.magnitude); negative = i < 0
            case "b": body = (f.alternate ? "0b" : "") + String(i.magnitude, radix: 2); negative = i < 0
            case "o": body = (f.alternate ? "0o" : "") + String(i.magnitude, radix: 8); negative = i < 0
            case "x": body = (f.alternate ? "0x" : "") + String(i.magnitude, radix: 16); negative = i < 0
            case "X": body = (f.alternate ? "0X" : "") + String(i.magnitude, radix: 16).uppercased(); negative = i < 0
            case "c": body = Unicode.Scalar(UInt32(clamping: i)).map { String(Character($0)) } ?? ""; numeric = false
            case "e", "E", "f", "F", "g", "G", "%":
                (body, negative) = floatBody(Double(i), f)
            default: throw NablaError(.value, "Unknown format code '\(f.type!)' for object of type 'int'", at: span)
            }
            if case .bool = value, f.type == nil { body = try strThrowing(value, span: span); numeric = false }
        case let .float(d):
            guard f.type == nil || "eEfFgGn%".contains(f.type!) else { throw NablaError(.value, "Unknown format code '\(f.type!)' for object of type 'float'", at: span) }
            (body, negative) = floatBody(d, f)
        case .string:
            numeric = false
            guard f.type == nil || f.type == "s" else { throw NablaError(.value, "Unknown format code '\(f.type!)' for object of type 'str'", at: span) }
            body = try strThrowing(value, span: span)
            if let p = f.precision { body = String(body.prefix(p)) }
        default:
            numeric = false
            guard f.type == nil || f.type == "s" else { throw NablaError(.type, "unsupported format string passed to \(v.typeName).__format__", at: span) }
            body = try strThrowing(value, span: span)
            if let p = f.precision { body = String(body.prefix(p)) }
        }
        if numeric, let g = f.grouping {
            // Group the integer digits (before any '.', 'e' or '%').
            let end = body.firstIndex { !$0.isASCIIDigit } ?? body.endIndex
            var intPart = String(body[..<end])
            let rest = String(body[end...])
            var grouped = ""
            while intPart.count > 3 { grouped = String(g) + intPart.suffix(3) + grouped; intPart.removeLast(3) }
            body = intPart + grouped + rest
        }
        var signText = ""
        if numeric {
            if negative { signText = "-" } else if f.sign == "+" { signText = "+" } else if f.sign == " " { signText = " " }
        }
        var fill = f.fill, align = f.align ?? (numeric ? ">" : "<")
        if f.zero && f.align == nil { fill = "0"; align = numeric ? "=" : "<" }
        let total = signText.count + body.count
        guard total < f.width else { return signText + body }
        let pad = f.width - total
        switch align {
        case "<": return signText + body + String(repeating: fill, count: pad)
        case "^": return String(repeating: fill, count: pad / 2) + signText + body + String(repeating: fill, count: pad - pad / 2)
        case "=": return signText + String(repeating: fill, count: pad) + body
        default: return String(repeating: fill, count: pad) + signText + body
        }
    }

    /// The digits of a float under a format type (without the sign), and whether it is negative.
    func floatBody(_ d: Double, _ f: FormatSpec) -> (String, Bool) {
        let negative = d.sign == .minus && !(d == 0 && f.type == nil) && !d.isNaN
        let x = Swift.abs(d)
        if x.isNaN { return (f.type.map { $0.isUppercase } == true ? "NAN" : "nan", false) }
        if x.isInfinite { return ((f.type.map { $0.isUppercase } == true ? "INF" : "inf") + (f.type == "%" ? "%" : ""), negative) }
        let p = f.precision
        switch f.type {
        case "f", "F": return (String(format: "%\(f.alternate ? "#" : "").\(p ?? 6)f", x), negative)
        case "e", "E":
            let s = String(format: "%\(f.alternate ? "#" : "").\(p ?? 6)e", x)
            return (f.type == "E" ? s.uppercased() : s, negative)
        case "g", "G", "n":
            let s = String(format: "%\(f.alternate ? "#" : "").\(max(p ?? 6, 1))g", x)
            return (f.type == "G" ? s.uppercased() : s, negative)
        case "%": return (String(format: "%.\(p ?? 6)f", x * 100) + "%", negative)
        default:
            // No type: repr, or with a precision like 'g' but keeping a '.0' on whole numbers.
            guard let p else { return (Interpreter.pyFloat(x), negative) }
            var s = String(format: "%.\(max(p, 1))g", x)
            if !s.contains(".") && !s.contains("e") && !s.contains("n") && !s.contains("i") { s += ".0" }
            return (s, negative)
        }
    }

    /// `"format %s" % values`.
    func percentFormat(_ fmt: String, _ arg: Value, span: Span) throws -> String {
        var args: [Value]
        var mapping: DictRef? = nil
        switch arg {
        case let .tuple(t): args = t
        case let .dict(d): mapping = d; args = [arg]
        default: args = [arg]
        }
        var next = 0
        func take() throws -> Value {
            guard next < args.count else { throw NablaError(.type, "not enough arguments for format string", at: span) }
            defer { next += 1 }
            return args[next]
        }
        let c = Array(fmt)
        var out = "", i = 0
        while i < c.count {
            guard c[i] == "%" else { out.append(c[i]); i += 1; continue }
            i += 1
            guard i < c.count else { throw NablaError(.value, "incomplete format", at: span) }
            var key: String? = nil
            if c[i] == "(" {
                var k = ""; i += 1
                while i < c.count, c[i] != ")" { k.append(c[i]); i += 1 }
                i += 1; key = k
            }
            var flags = ""
            while i < c.count, "-+ #0".contains(c[i]) { flags.append(c[i]); i += 1 }
            var width = ""
            if i < c.count, c[i] == "*" { width = String(try toInt(try take(), span: span, what: "* width")); i += 1 }
            while i < c.count, c[i].isASCIIDigit { width.append(c[i]); i += 1 }
            var prec: String? = nil
            if i < c.count, c[i] == "." {
                i += 1; var p = ""
                if i < c.count, c[i] == "*" { p = String(try toInt(try take(), span: span, what: "* precision")); i += 1 }
                while i < c.count, c[i].isASCIIDigit { p.append(c[i]); i += 1 }
                prec = p.isEmpty ? "0" : p
            }
            guard i < c.count else { throw NablaError(.value, "incomplete format", at: span) }
            let type = c[i]; i += 1
            if type == "%" { out += "%"; continue }
            var v: Value
            if let key {
                guard let m = mapping, let got = m.get(.str(key)) else { throw NablaError(.key, Interpreter.quote(key), at: span) }
                v = got
            } else { v = try take() }
            var spec = ""
            let left = flags.contains("-")
            if left { spec += "<" }
            if flags.contains("+") { spec += "+" } else if flags.contains(" ") { spec += " " }
            if flags.contains("#") { spec += "#" }
            if flags.contains("0") && !left { spec += "0" }
            spec += width
            if let prec, !"sr".contains(type) { spec += "." + prec }
            switch type {
            case "d", "i", "u":
                if case .float = v { v = .int(Int(try toDouble(v, span: span, what: "%d format").rounded(.towardZero))) }
                if case let .tensor(t) = v, t.value.count == 1 { v = .int(Int(t.value.data[0].rounded(.towardZero))) }
                out += try format(v, spec + "d", span: span)
            case "f", "F", "e", "E", "g", "G":
                out += try format(.float(try toDouble(v, span: span, what: "%\(type) format")), spec + String(type), span: span)
            case "x", "X", "o":
                out += try format(v, spec + String(type), span: span)
            case "c":
                if case let .string(s) = v { out += s } else { out += try format(v, "c", span: span) }
            case "s", "r", "a":
                var text = type == "s" ? try strThrowing(v, span: span) : try reprThrowing(v, span: span)
                if let prec, let p = Int(prec) { text = String(text.prefix(p)) }
                out += try format(.string(text), (flags.contains("-") ? "<" : ">") + width, span: span)
            default:
                throw NablaError(.value, "unsupported format character '\(type)'", at: span)
            }
        }
        if mapping == nil && next < args.count {
            throw NablaError(.type, "not all arguments converted during string formatting", at: span)
        }
        return out
    }

    /// `"{} {name:.2f}".format(...)`.
    func strFormat(_ fmt: String, _ args: [Value], _ kwargs: [(String, Value)], span: Span) throws -> String {
        let c = Array(fmt)
        var out = "", i = 0, auto = 0
        while i < c.count {
            if c[i] == "{" {
                if i + 1 < c.count, c[i + 1] == "{" { out += "{"; i += 2; continue }
                var j = i + 1, depth = 0
                while j < c.count { if c[j] == "{" { depth += 1 } else if c[j] == "}" { if depth == 0 { break }; depth -= 1 }; j += 1 }
                guard j < c.count else { throw NablaError(.value, "Single '{' encountered in format string", at: span) }
                let field = String(c[(i + 1)..<j])
                var name = field, conv: Character? = nil, spec = ""
                if let colon = field.firstIndex(of: ":") { name = String(field[..<colon]); spec = String(field[field.index(after: colon)...]) }
                if let bang = name.firstIndex(of: "!") { conv = name[name.index(after: bang)...].first; name = String(name[..<bang]) }
                if spec.contains("{") { spec = try strFormat(spec, args, kwargs, span: span) }
                // field name: first part then .attr / [key] accessors
                var head = "", rest = Substring("")
                if let k = name.firstIndex(where: { $0 == "." || $0 == "[" }) { head = String(name[..<k]); rest = name[k...] } else { head = name }
                var v: Value
                if head.isEmpty {
                    guard auto < args.count else { throw NablaError(.index, "Replacement index \(auto) out of range for positional args tuple", at: span) }
                    v = args[auto]; auto += 1
                } else if let n = Int(head) {
                    guard n < args.count else { throw NablaError(.index, "Replacement index \(n) out of range for positional args tuple", at: span) }
                    v = args[n]
                } else {
                    guard let kv = kwargs.first(where: { $0.0 == head }) else { throw NablaError(.key, Interpreter.quote(head), at: span) }
                    v = kv.1
                }
                while let first = rest.first {
                    if first == "." {
                        rest = rest.dropFirst()
                        let attr = rest.prefix { $0 != "." && $0 != "[" }
                        rest = rest.dropFirst(attr.count)
                        v = try attribute(v, String(attr), span: span)
                    } else {
                        rest = rest.dropFirst()
                        let key = rest.prefix { $0 != "]" }
                        rest = rest.dropFirst(key.count + 1)
                        v = try getItem(v, Int(key).map { .int($0) } ?? .string(String(key)), span: span)
                    }
                }
                if conv == "r" { v = .string(try reprThrowing(v, span: span)) } else if conv == "s" { v = .string(try strThrowing(v, span: span)) }
                out += try format(v, spec, span: span)
                i = j + 1
                continue
            }
            if c[i] == "}" {
                if i + 1 < c.count, c[i + 1] == "}" { out += "}"; i += 2; continue }
                throw NablaError(.value, "Single '}' encountered in format string", at: span)
            }
            out.append(c[i]); i += 1
        }
        return out
    }
}
