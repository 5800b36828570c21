import Foundation

/// The connection file Jupyter writes for a kernel: transport, address, five ports, and the key.
public struct ConnectionInfo {
    public var transport: String
    public var ip: String
    public var shellPort: Int, controlPort: Int, stdinPort: Int, iopubPort: Int, hbPort: Int
    public var key: String
    public var signatureScheme: String
    /// CurveZMQ keys (`curve_publickey`, `curve_secretkey`): when set, traffic is encrypted.
    public var curve: CurveKeys? = nil

    public init(transport: String = "tcp", ip: String = "127.0.0.1", shellPort: Int = 0, controlPort: Int = 0, stdinPort: Int = 0,
                iopubPort: Int = 0, hbPort: Int = 0, key: String = "", signatureScheme: String = "hmac-sha256") {
        self.transport = transport; self.ip = ip; self.shellPort = shellPort; self.controlPort = controlPort
        self.stdinPort = stdinPort; self.iopubPort = iopubPort; self.hbPort = hbPort; self.key = key; self.signatureScheme = signatureScheme
    }

    public init(file: String) throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw KernelError.connectionFile("cannot read \(file)") }
        guard let o = JSONReader.object(data) else { throw KernelError.connectionFile("\(file) is not a JSON object") }
        func port(_ k: String) throws -> Int {
            guard let p = o[k]?.intValue, (0...65535).contains(p) else { throw KernelError.connectionFile("\(k) is missing or not a port number") }
            return p
        }
        self.init(transport: o["transport"]?.stringValue ?? "tcp", ip: o["ip"]?.stringValue ?? "127.0.0.1",
                  shellPort: try port("shell_port"), controlPort: try port("control_port"), stdinPort: try port("stdin_port"),
                  iopubPort: try port("iopub_port"), hbPort: try port("hb_port"),
                  key: o["key"]?.stringValue ?? "", signatureScheme: o["signature_scheme"]?.stringValue ?? "hmac-sha256")
        guard signatureScheme == "hmac-sha256" || key.isEmpty else {
            throw KernelError.connectionFile("signature scheme \(signatureScheme) is not supported; use hmac-sha256")
        }
        guard transport == "tcp" || transport == "ipc" else { throw KernelError.connectionFile("transport \(transport) is not supported") }
        if let secret = o["curve_secretkey"] {
            guard let secret = secret.stringValue else { throw KernelError.curve("curve_secretkey is not a string") }
            curve = try CurveKeys(secretKey: secret, publicKey: o["curve_publickey"]?.stringValue)
        } else if o["curve_publickey"] != nil {
            throw KernelError.curve("curve_publickey without curve_secretkey")
        }
    }

    /// The endpoint for a port: `tcp://ip:port`, or `ipc://ip-port` as Jupyter names ipc files.
    public func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}

/// Why a kernel cannot start; rendered for the one line it prints on stderr.
public enum KernelError: Error, CustomStringConvertible {
    case connectionFile(String)
    /// Another process (or another kernel on the same connection file) serves this endpoint.
    case addressInUse(String, String)
    case bind(String, String, String)
    case writeConnectionFile(String, String)
    case curve(String)

    public var description: String {
        switch self {
        case let .connectionFile(m): return "connection file: \(m)"
        case let .addressInUse(socket, endpoint):
            return "cannot bind the \(socket) socket to \(endpoint): the address is already in use (is another kernel running on this connection file?)"
        case let .bind(socket, endpoint, why): return "cannot bind the \(socket) socket to \(endpoint): \(why)"
        case let .writeConnectionFile(path, why): return "cannot write the connection file \(path): \(why)"
        case let .curve(why): return "CurveZMQ: \(why)"
        }
    }
}

extension ConnectionInfo {
    /// A new kernel's connection: loopback, ports chosen at bind, a random HMAC key (as ipykernel).
    public static func fresh(transport: String = "tcp", ip: String = "127.0.0.1") -> ConnectionInfo {
        ConnectionInfo(transport: transport, ip: ip, key: UUID().uuidString.lowercased())
    }

    /// Writes the connection file Jupyter clients read (`--existing FILE`), readable by the owner only.
    public func write(to path: String) throws {
        var o: [String: JSON] = ["transport": .string(transport), "ip": .string(ip), "shell_port": .int(shellPort), "control_port": .int(controlPort),
                                 "stdin_port": .int(stdinPort), "iopub_port": .int(iopubPort), "hb_port": .int(hbPort), "key": .string(key),
                                 "signature_scheme": .string(signatureScheme), "kernel_name": "nabla"]
        if let curve {
            o["curve_publickey"] = .string(curve.publicKey)
            o["curve_secretkey"] = .string(curve.secretKey)
        }
        do {
            let data = JSONWriter.pretty(.object(o))
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw KernelError.writeConnectionFile(path, String(cString: strerror(errno)))
            }
        } catch let e as KernelError { throw e } catch {
            throw KernelError.writeConnectionFile(path, "\(error)")
        }
    }

    /// Whether a process accepts connections on the Unix socket at `path`.
    static func ipcInUse(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (k, b) in bytes.enumerated() { p[k] = b }
        }
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}
