import Foundation

// `glob`, `os` and `os.path`: the file names a data-loading cell lists and joins
// (`glob.glob(path + 'rock/*.jpg')`, `os.path.join(os.getenv('HOME'), 'data')`). Directory
// listings come back sorted, one of the orders Python may give.

extension Library {
    /// fnmatch: `*` any run, `?` one character, `[abc]`, `[a-z]`, `[!abc]` one of (or none of) a set.
    static func fnmatch(_ name: [Character], _ pattern: [Character]) -> Bool {
        // Positions in the pattern reachable after each character of the name (no backtracking blow-up).
        var states: Set<Int> = [0]
        func close(_ s: Set<Int>) -> Set<Int> {
            var out = s, todo = Array(s)
            while let p = todo.popLast() {
                if p < pattern.count, pattern[p] == "*", out.insert(p + 1).inserted { todo.append(p + 1) }
            }
            return out
        }
        /// Whether `c` matches the class starting at `p` ('['), and where the class ends.
        func bracket(_ p: Int, _ c: Character) -> (Bool, Int)? {
            var q = p + 1
            let negate = q < pattern.count && pattern[q] == "!"
            if negate { q += 1 }
            var matched = false, first = true
            while q < pattern.count && (pattern[q] != "]" || first) {
                first = false
                if q + 2 < pattern.count, pattern[q + 1] == "-", pattern[q + 2] != "]" {
                    if pattern[q] <= c && c <= pattern[q + 2] { matched = true }
                    q += 3
                } else {
                    if pattern[q] == c { matched = true }
                    q += 1
                }
            }
            guard q < pattern.count else { return nil }   // no closing ']': a literal '['
            return (matched != negate, q + 1)
        }
        states = close(states)
        for c in name {
            var next = Set<Int>()
            for p in states where p < pattern.count {
                switch pattern[p] {
                case "*": next.insert(p)
                case "?": next.insert(p + 1)
                case "[":
                    if let (ok, end) = bracket(p, c) { if ok { next.insert(end) } } else if c == "[" { next.insert(p + 1) }
                default: if pattern[p] == c { next.insert(p + 1) }
                }
            }
            states = close(next)
            if states.isEmpty { return false }
        }
        return states.contains(pattern.count)
    }

    static func hasMagic(_ s: Substring) -> Bool { s.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    static func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }

    /// Python's glob.glob: the paths matching `pattern`, names starting with '.' only when the
    /// pattern's part does; `**` (with recursive) any number of folders.
    static func glob(_ pattern: String, recursive: Bool, limit: Int = 1_000_000) -> [String] {
        let fm = FileManager.default
        let absolute = pattern.hasPrefix("/")
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true)
        let trailingSlash = pattern.hasSuffix("/") && !parts.isEmpty
        // Each candidate: the path as printed (prefix kept as the pattern wrote it) and as opened.
        var current: [String] = [absolute ? "/" : ""]
        func join(_ base: String, _ name: String) -> String { base.isEmpty ? name : base.hasSuffix("/") ? base + name : base + "/" + name }
        func listing(_ base: String) -> [String] { ((try? fm.contentsOfDirectory(atPath: base.isEmpty ? "." : base)) ?? []).sorted() }
        /// Every entry under `dir` that is not hidden, each folder before its contents (64 levels at most).
        func below(_ dir: String, files: Bool, depth: Int = 0) -> [String] {
            guard depth < 64 else { return [] }
            var out = [String]()
            for name in listing(dir) where !name.hasPrefix(".") && out.count < limit {
                let p = join(dir, name)
                if isDirectory(p) { out.append(p); out += below(p, files: files, depth: depth + 1) } else if files { out.append(p) }
            }
            return out
        }
        for (k, part) in parts.enumerated() {
            let last = k == parts.count - 1
            var next = [String]()
            if recursive && part == "**" {
                // Zero or more folders (a last `**` also matches the files below).
                next = current.flatMap { base in [last ? join(base, "") : base] + below(base, files: last) }
            } else if hasMagic(part) {
                let p = Array(part)
                for base in current where base.isEmpty || isDirectory(base) {
                    for name in listing(base) where (!name.hasPrefix(".") || part.hasPrefix(".")) && fnmatch(Array(name), p) {
                        next.append(join(base, name))
                    }
                }
            } else {
                next = current.map { join($0, String(part)) }
            }
            current = last ? next : next.filter { $0.isEmpty || isDirectory($0) }
            if current.count > limit { current = Array(current.prefix(limit)) }
        }
        if parts.isEmpty { return absolute && fm.fileExists(atPath: "/") ? ["/"] : [] }
        return current.filter { !$0.isEmpty && fm.fileExists(atPath: $0) && (!trailingSlash || isDirectory($0)) }.map { trailingSlash ? $0 + "/" : $0 }
    }

    static func osError(_ error: Error, _ path: String) -> NablaError {
        let ns = error as NSError
        if ns.code == NSFileNoSuchFileError || ns.code == NSFileReadNoSuchFileError { return NablaError(.fileNotFound, "[Errno 2] No such file or directory: '\(path)'") }
        return NablaError(.os, "'\(path)': \(ns.localizedDescription)")
    }

    static func globModule(_ i: Interpreter) -> Module {
        Module(name: "glob", members: Dictionary(uniqueKeysWithValues: [
            fn("glob", [.string("pathname"), .bool("recursive", default: false, keywordOnly: true)], "The paths matching pathname (`*`, `?`, `[...]`; `**` for any folders with recursive=True), sorted.") { a in
                .list(ListRef(glob(try a.string("pathname"), recursive: try a.bool("recursive")).map { .string($0) }))
            },
            fn("iglob", [.string("pathname"), .bool("recursive", default: false, keywordOnly: true)], "As glob, iterated.") { a in
                .list(ListRef(glob(try a.string("pathname"), recursive: try a.bool("recursive")).map { .string($0) }))
            },
        ]))
    }

    static func osModules(_ i: Interpreter) -> (os: Module, path: Module) {
        let fm = FileManager.default
        func string(_ v: Value, _ what: String) throws -> String {
            guard case let .string(s) = v else { throw NablaError(.type, "\(what) must be a str, not \(v.typeName)") }
            return s
        }
        let path = Module(name: "os.path", members: Dictionary(uniqueKeysWithValues: [
            fn("join", [.string("path"), .args("paths")], "Joins path parts with '/' (a part starting with '/' starts over).") { a in
                var out = try a.string("path")
                for v in a.rest {
                    let p = try string(v, "join() argument")
                    out = p.hasPrefix("/") || out.isEmpty ? p : out.hasSuffix("/") ? out + p : out + "/" + p
                }
                return .string(out)
            },
            fn("exists", [.string("path")], "Whether a file or folder exists there.") { a in .bool(fm.fileExists(atPath: try a.string("path"))) },
            fn("isfile", [.string("path")], "Whether it is a file.") { a in let p = try a.string("path"); return .bool(fm.fileExists(atPath: p) && !isDirectory(p)) },
            fn("isdir", [.string("path")], "Whether it is a folder.") { a in .bool(isDirectory(try a.string("path"))) },
            fn("isabs", [.string("path")], "Whether it starts with '/'.") { a in .bool(try a.string("path").hasPrefix("/")) },
            fn("basename", [.string("path")], "The part after the last '/'.") { a in .string(String(try a.string("path").split(separator: "/", omittingEmptySubsequences: false).last ?? "")) },
            fn("dirname", [.string("path")], "The part before the last '/'.") { a in .string(splitPath(try a.string("path")).0) },
            fn("split", [.string("path")], "(dirname, basename).") { a in let (h, t) = splitPath(try a.string("path")); return .tuple([.string(h), .string(t)]) },
            fn("splitext", [.string("path")], "(root, extension), the extension from the last '.' of the name ('' if none).") { a in
                let p = try a.string("path")
                let name = p.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? p
                let stem = name.drop { $0 == "." }
                guard let dot = stem.lastIndex(of: ".") else { return .tuple([.string(p), .string("")]) }
                let ext = String(stem[dot...])
                return .tuple([.string(String(p.dropLast(ext.count))), .string(ext)])
            },
            fn("abspath", [.string("path")], "The absolute, normalised path.") { a in
                let p = try a.string("path")
                return .string(normalize(p.hasPrefix("/") ? p : fm.currentDirectoryPath + "/" + p))
            },
            fn("normpath", [.string("path")], "The path with '.', '..' and doubled '/' removed.") { a in .string(normalize(try a.string("path"))) },
            fn("expanduser", [.string("path")], "'~' replaced by the home folder.") { a in
                let p = try a.string("path")
                guard p == "~" || p.hasPrefix("~/") else { return .string(p) }
                return .string((ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + p.dropFirst())
            },
            fn("getsize", [.string("path")], "The file's size in bytes.") { a in
                let p = try a.string("path")
                do { return .int((try fm.attributesOfItem(atPath: p)[.size] as? Int) ?? 0) } catch { throw osError(error, p) }
            },
        ]))
        let os = Module(name: "os", members: Dictionary(uniqueKeysWithValues: [
            ("path", .module(path)),
            ("sep", .string("/")),
            fn("getcwd", [], "The current folder.") { _ in .string(fm.currentDirectoryPath) },
            fn("listdir", [.string("path", default: ".")], "The names in a folder, sorted.") { a in
                let p = try a.string("path")
                do { return .list(ListRef(try fm.contentsOfDirectory(atPath: p).sorted().map { .string($0) })) } catch { throw osError(error, p) }
            },
            fn("walk", [.string("top")], "(folder, subfolder names, file names) for top and every folder below it, top-down, sorted.") { a in
                var out = [Value](), stack = [try a.string("top")]
                while let dir = stack.popLast(), out.count < 100_000 {
                    guard let names = try? fm.contentsOfDirectory(atPath: dir).sorted() else { continue }
                    let dirs = names.filter { isDirectory(dir + "/" + $0) }, files = names.filter { !isDirectory(dir + "/" + $0) }
                    out.append(.tuple([.string(dir), .list(ListRef(dirs.map { .string($0) })), .list(ListRef(files.map { .string($0) }))]))
                    stack += dirs.reversed().map { dir.hasSuffix("/") ? dir + $0 : dir + "/" + $0 }
                }
                return .list(ListRef(out))
            },
            fn("makedirs", [.string("name"), .bool("exist_ok", default: false)], "Creates a folder and its missing parents.") { a in
                let p = try a.string("name")
                if fm.fileExists(atPath: p) {
                    if try a.bool("exist_ok") && isDirectory(p) { return .none }
                    throw NablaError(.fileExists, "[Errno 17] File exists: '\(p)'")
                }
                do { try fm.createDirectory(atPath: p, withIntermediateDirectories: true) } catch { throw osError(error, p) }
                return .none
            },
            fn("mkdir", [.string("path")], "Creates a folder (its parent must exist).") { a in
                let p = try a.string("path")
                if fm.fileExists(atPath: p) { throw NablaError(.fileExists, "[Errno 17] File exists: '\(p)'") }
                do { try fm.createDirectory(atPath: p, withIntermediateDirectories: false) } catch { throw osError(error, p) }
                return .none
            },
            fn("remove", [.string("path")], "Deletes a file.") { a in
                let p = try a.string("path")
                guard fm.fileExists(atPath: p) else { throw NablaError(.fileNotFound, "[Errno 2] No such file or directory: '\(p)'") }
                guard !isDirectory(p) else { throw NablaError(.os, "[Errno 21] Is a directory: '\(p)'") }
                do { try fm.removeItem(atPath: p) } catch { throw osError(error, p) }
                return .none
            },
            fn("getenv", [.string("key"), .any("default", default: nil)], "An environment variable, or default.") { a in
                ProcessInfo.processInfo.environment[try a.string("key")].map { .string($0) } ?? a.value("default") ?? .none
            },
            ("environ", .dict({
                let d = DictRef()
                for (k, v) in ProcessInfo.processInfo.environment.sorted(by: { $0.key < $1.key }) { d.set(.str(k), .string(k), .string(v)) }
                return d
            }())),
        ]))
        return (os, path)
    }

    /// os.path.split: the head without its trailing '/' (unless it is all slashes), and the tail.
    static func splitPath(_ p: String) -> (String, String) {
        guard let slash = p.lastIndex(of: "/") else { return ("", p) }
        var head = String(p[...slash])
        let tail = String(p[p.index(after: slash)...])
        if head.contains(where: { $0 != "/" }) { while head.hasSuffix("/") { head.removeLast() } }
        return (head, tail)
    }

    static func normalize(_ p: String) -> String {
        let absolute = p.hasPrefix("/")
        var out = [Substring]()
        for part in p.split(separator: "/") where part != "." {
            if part == "..", let last = out.last, last != ".." { out.removeLast() }
            else if part == "..", absolute { continue }
            else { out.append(part) }
        }
        let joined = out.joined(separator: "/")
        return absolute ? "/" + joined : joined.isEmpty ? "." : joined
    }
}
