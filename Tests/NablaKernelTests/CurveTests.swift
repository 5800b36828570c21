import CZeroMQ
import Foundation
import Testing
@testable import NablaKernel

/// CurveZMQ: keys in the connection file, and sockets that only answer encrypted clients.
@Suite struct CurveTests {
    @Test func keysAreCheckedAndThePublicKeyDerived() throws {
        let k = try CurveKeys.generate()
        #expect(k.publicKey.count == 40 && k.secretKey.count == 40 && k.publicKey != k.secretKey)
        #expect(try CurveKeys(secretKey: k.secretKey, publicKey: nil) == k)
        #expect(try CurveKeys(secretKey: k.secretKey, publicKey: k.publicKey) == k)
        let other = try CurveKeys.generate()
        #expect(throws: KernelError.self) { try CurveKeys(secretKey: k.secretKey, publicKey: other.publicKey) }
        for bad in ["", "short", String(repeating: "~", count: 40) + "x", String(repeating: " ", count: 40), String(repeating: "é", count: 20)] {
            #expect(throws: KernelError.self) { try CurveKeys(secretKey: bad, publicKey: nil) }
        }
    }

    @Test func connectionFileCarriesTheKeys() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-curve-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        var info = ConnectionInfo.fresh()
        info.shellPort = 1; info.controlPort = 2; info.stdinPort = 3; info.iopubPort = 4; info.hbPort = 5
        info.curve = try CurveKeys.generate()
        let path = dir.appendingPathComponent("k.json").path
        try info.write(to: path)
        let back = try ConnectionInfo(file: path)
        #expect(back.curve == info.curve && back.key == info.key && back.hbPort == 5)
        try Data(#"{"shell_port": 1, "control_port": 2, "stdin_port": 3, "iopub_port": 4, "hb_port": 5, "curve_publickey": "x"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: KernelError.self) { try ConnectionInfo(file: path) }
    }

    @Test func onlyEncryptedClientsAreAnswered() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var info = ConnectionInfo(transport: "ipc", ip: dir.appendingPathComponent("k").path, shellPort: 1, controlPort: 2, stdinPort: 3, iopubPort: 4, hbPort: 5, key: "k3y")
        let server = try CurveKeys.generate(), client = try CurveKeys.generate()
        info.curve = server
        let kernel = try KernelServer(info: info) { _ in }
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { kernel.serve(); done.signal() }

        let ctx = try ZMQContext()
        let wire = Wire(key: "k3y")
        var m = request("kernel_info_request", [:]); m.identities = []
        let plain = try ZMQSocket(ctx, type: ZMQ_DEALER)
        try plain.connect(info.endpoint(1))
        try plain.send(wire.encode(m))
        #expect(try plain.receive(timeout: 500) == nil)   // no handshake, no answer
        let shell = try ZMQSocket(ctx, type: ZMQ_DEALER), control = try ZMQSocket(ctx, type: ZMQ_DEALER)
        for s in [shell, control] {
            s.setOption(ZMQ_CURVE_SERVERKEY, Data(CurveKeys.decode(server.publicKey)!))
            s.setOption(ZMQ_CURVE_PUBLICKEY, Data(CurveKeys.decode(client.publicKey)!))
            s.setOption(ZMQ_CURVE_SECRETKEY, Data(CurveKeys.decode(client.secretKey)!))
        }
        try shell.connect(info.endpoint(1)); try control.connect(info.endpoint(2))
        try shell.send(wire.encode(m))
        let reply = try wire.decode(try #require(try shell.receive(timeout: 5000)))
        #expect(reply.msgType == "kernel_info_reply")
        var stop = request("shutdown_request", ["restart": false]); stop.identities = []
        try control.send(wire.encode(stop))
        #expect(try control.receive(timeout: 5000) != nil)
        #expect(done.wait(timeout: .now() + 5) == .success)
    }
}
