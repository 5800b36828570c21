import Foundation

/// The connection file Jupyter writes for a kernel: transport, address, five ports, and the key.
public struct ConnectionInfo {
    public var transport: String
    public var ip: String
    public var shellPort: Int, controlPort: Int, stdinPort: Int, iopubPort: Int, hbPort: Int
    public var key: String
    public var signatureScheme: String

    public init(transport: String = "tcp", ip: String = "127.0.0.1", shellPort: Int = 0, controlPort: Int = 0, stdinPort: Int = 0,
                iopubPort: Int = 0, hbPort: Int = 0, key: String = "", signatureScheme: String = "hmac-sha256") {
        self.transport = transport; self.ip = ip; self.shellPort = shellPort; self.controlPort = controlPort
        self.stdinPort = stdinPort; self.iopubPort = iopubPort; self.hbPort = hbPort; self.key = key; self.signatureScheme = signatureScheme
    }

    public init(file: String) throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw KernelError.connectionFile("cannot read \(file)") }
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? JSONObject else { throw KernelError.connectionFile("\(file) is not a JSON object") }
        func port(_ k: String) throws -> Int {
            guard let p = o[k] as? Int, (0...65535).contains(p) else { throw KernelError.connectionFile("\(k) is missing or not a port number") }
            return p
        }
        self.init(transport: o["transport"] as? String ?? "tcp", ip: o["ip"] as? String ?? "127.0.0.1",
                  shellPort: try port("shell_port"), controlPort: try port("control_port"), stdinPort: try port("stdin_port"),
                  iopubPort: try port("iopub_port"), hbPort: try port("hb_port"),
                  key: o["key"] as? String ?? "", signatureScheme: o["signature_scheme"] as? String ?? "hmac-sha256")
        guard signatureScheme == "hmac-sha256" || key.isEmpty else {
            throw KernelError.connectionFile("signature scheme \(signatureScheme) is not supported; use hmac-sha256")
        }
        guard transport == "tcp" || transport == "ipc" else { throw KernelError.connectionFile("transport \(transport) is not supported") }
    }

    /// The endpoint for a port: `tcp://ip:port`, or `ipc://ip-port` as Jupyter names ipc files.
    public func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}

public enum KernelError: Error, CustomStringConvertible {
    case connectionFile(String)
    public var description: String {
        switch self { case let .connectionFile(m): return "connection file: \(m)" }
    }
}
