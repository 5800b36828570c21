import Foundation
import NablaLanguage

/// A JSON value as the kernel's reader gives it: [String: Any], [Any], String, Int, Double,
/// Bool, NSNull (and Data for a binary buffer put back at its path).
public typealias JSONDict = [String: Any]

/// One end of a Jupyter comm (messaging spec, "Custom messages"): an id, its target, and what
/// to do with the frontend's messages. Kernel-opened or frontend-opened alike.
public final class Comm {
    public let id: String
    public let target: String
    /// A `comm_msg` from the frontend: its `data` and binary buffers.
    public var onMessage: ((JSONDict, [Data]) throws -> Void)?
    /// The frontend closed the comm.
    public var onClose: (() -> Void)?
    weak var manager: CommManager?
    public internal(set) var isOpen = true

    init(id: String, target: String, manager: CommManager) { self.id = id; self.target = target; self.manager = manager }

    /// Sends `comm_msg` with `data` (and binary buffers) to the frontend.
    public func send(_ data: JSONDict, metadata: JSONDict = [:], buffers: [Data] = []) {
        guard isOpen else { return }
        manager?.emit("comm_msg", ["comm_id": id, "data": data], metadata, buffers)
    }

    /// Closes the comm from the kernel side.
    public func close(_ data: JSONDict = [:]) {
        guard isOpen else { return }
        isOpen = false
        manager?.emit("comm_close", ["comm_id": id, "data": data], [:], [])
        manager?.comms[id] = nil
    }
}

/// Why a comm message from the frontend was not taken. Each is logged; the kernel goes on.
public enum CommError: Error, CustomStringConvertible {
    case missingField(String, String)
    case unknownComm(String, String)
    case unknownTarget(String)
    case callback(String, String)

    public var description: String {
        switch self {
        case let .missingField(type, field): return "\(type): no '\(field)' string in the content; ignored"
        case let .unknownComm(type, id): return "\(type) for unknown comm id '\(id)'; ignored"
        case let .unknownTarget(t): return "comm_open for unregistered target '\(t)'; closed"
        case let .callback(id, why): return "error in the handler of comm '\(id)': \(why)"
        }
    }
}

/// The kernel's comms: targets that frontends may open comms to, the comms open now, and the
/// way out (`emit`, set by the kernel: publishes on iopub with the request being handled as
/// parent). It knows nothing of sockets nor of widgets; the widget library registers its
/// targets here. Everything runs on the interpreter's thread.
public final class CommManager {
    /// Publishes one message: msg_type (comm_open, comm_msg, comm_close), content, metadata, buffers.
    public var emit: (String, JSONDict, JSONDict, [Data]) -> Void = { _, _, _, _ in }
    /// Where refused messages are reported (the kernel's log).
    public var log: (String) -> Void = { _ in }
    var comms: [String: Comm] = [:]
    var targets: [String: (Comm, JSONDict, [Data]) throws -> Void] = [:]

    public init() {}

    /// Lets frontends open comms to `target`; `onOpen` receives the new comm and the open's data.
    public func register(target: String, onOpen: @escaping (Comm, JSONDict, [Data]) throws -> Void) { targets[target] = onOpen }

    /// Opens a comm from the kernel side.
    public func open(target: String, data: JSONDict, metadata: JSONDict = [:], buffers: [Data] = [], id: String = CommManager.newID()) -> Comm {
        let comm = Comm(id: id, target: target, manager: self)
        comms[id] = comm
        emit("comm_open", ["comm_id": id, "target_name": target, "data": data], metadata, buffers)
        return comm
    }

    /// A comm id as ipykernel makes them: 32 lowercase hex digits.
    public static func newID() -> String { UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    public func comm(_ id: String) -> Comm? { comms[id] }

    /// `comm_info_request`: the open comms, those of `target` only when one is given.
    public func info(target: String?) -> JSONDict {
        var out = JSONDict()
        for (id, c) in comms where c.isOpen && (target == nil || c.target == target) { out[id] = ["target_name": c.target] }
        return out
    }

    /// `comm_open` from the frontend: a registered target takes the comm; any other is closed
    /// at once (as ipykernel does). Throws what was wrong, for the log.
    public func receiveOpen(_ content: JSONDict, buffers: [Data]) throws {
        guard let id = content["comm_id"] as? String else { throw CommError.missingField("comm_open", "comm_id") }
        guard let target = content["target_name"] as? String else { throw CommError.missingField("comm_open", "target_name") }
        guard let onOpen = targets[target] else {
            emit("comm_close", ["comm_id": id, "data": JSONDict()], [:], [])
            throw CommError.unknownTarget(target)
        }
        let comm = Comm(id: id, target: target, manager: self)
        comms[id] = comm
        do { try onOpen(comm, content["data"] as? JSONDict ?? [:], buffers) } catch {
            throw CommError.callback(id, "\(error)")
        }
    }

    /// `comm_msg` from the frontend, handed to its comm.
    public func receiveMessage(_ content: JSONDict, buffers: [Data]) throws {
        guard let id = content["comm_id"] as? String else { throw CommError.missingField("comm_msg", "comm_id") }
        guard let comm = comms[id] else { throw CommError.unknownComm("comm_msg", id) }
        try comm.onMessage?(content["data"] as? JSONDict ?? [:], buffers)
    }

    /// `comm_close` from the frontend.
    public func receiveClose(_ content: JSONDict) throws {
        guard let id = content["comm_id"] as? String else { throw CommError.missingField("comm_close", "comm_id") }
        guard let comm = comms.removeValue(forKey: id) else { throw CommError.unknownComm("comm_close", id) }
        comm.isOpen = false
        comm.onClose?()
    }
}

/// Binary buffers inside widget state (protocol 2): each buffer's path of keys and indices.
public enum BufferPaths {
    /// Takes the `Data` values out of `state` (removed from objects, null in arrays) and lists
    /// where each was, in the order of the buffers.
    public static func split(_ state: JSONDict) -> (JSONDict, [[Any]], [Data]) {
        var paths = [[Any]](), buffers = [Data]()
        func walk(_ v: Any, _ path: [Any]) -> Any? {
            if let d = v as? Data { paths.append(path); buffers.append(d); return nil }
            if let o = v as? JSONDict {
                var out = JSONDict()
                for (k, x) in o { if let y = walk(x, path + [k]) { out[k] = y } }
                return out
            }
            if let a = v as? [Any] { return a.enumerated().map { walk($0.element, path + [$0.offset]) ?? NSNull() } }
            return v
        }
        let out = walk(state, []) as? JSONDict ?? [:]
        return (out, paths, buffers)
    }

    /// Puts each buffer back at its path in `state`; a path that does not fit is skipped.
    public static func insert(_ buffers: [Data], at paths: [Any], into state: JSONDict) -> JSONDict {
        func put(_ v: Any?, _ path: ArraySlice<Any>, _ d: Data) -> Any? {
            guard let key = path.first else { return d }
            if let k = key as? String {
                var o = v as? JSONDict ?? [:]
                o[k] = put(o[k], path.dropFirst(), d)
                return o
            }
            if let i = key as? Int, var a = v as? [Any], a.indices.contains(i) {
                a[i] = put(a[i], path.dropFirst(), d) ?? NSNull()
                return a
            }
            return v
        }
        var out: Any = state
        for (p, d) in zip(paths, buffers) {
            guard let path = p as? [Any], !path.isEmpty else { continue }
            out = put(out, path[...], d) ?? out
        }
        return out as? JSONDict ?? state
    }
}
