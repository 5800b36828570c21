import CZeroMQ
import Foundation
import Testing
@testable import NablaKernel

/// Records what the kernel sends; answers input requests from a queue.
final class MemoryTransport: KernelTransport, @unchecked Sendable {
    var sent: [(Channel, Message)] = []
    var inputReplies: [String] = []
    var queued: [Message] = []
    func send(_ message: Message, on channel: Channel) { sent.append((channel, message)) }
    func receiveInputReply() -> Message? {
        guard !inputReplies.isEmpty else { return nil }
        return Message(header: ["msg_type": "input_reply"], content: ["value": inputReplies.removeFirst()])
    }
    func takeQueuedRequests() -> [Message] { defer { queued = [] }; return queued }

    func types(_ channel: Channel) -> [String] { sent.filter { $0.0 == channel }.map { $0.1.msgType } }
    func last(_ type: String) -> Message? { sent.last { $0.1.msgType == type }?.1 }
}

func request(_ type: String, _ content: JSONObject) -> Message {
    Message(identities: [Data("client".utf8)], header: ["msg_id": UUID().uuidString, "msg_type": type, "session": "s", "username": "u", "version": "5.5", "date": ""], content: content)
}

@Suite struct WireTests {
    let wire = Wire(key: "secret")

    @Test func roundTripAndSignature() throws {
        let m = request("execute_request", ["code": "1 + 1"])
        let frames = wire.encode(m)
        #expect(frames[0] == Data("client".utf8) && frames[1] == Wire.delimiter)
        #expect(frames[2].count == 64)  // hex HMAC-SHA256
        let back = try wire.decode(frames)
        #expect(back.msgType == "execute_request" && back.content["code"] as? String == "1 + 1" && back.identities == [Data("client".utf8)])
    }

    @Test func knownHMAC() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231-style known value.
        let sig = Wire(key: "key").sign([Data("The quick brown fox jumps over the lazy dog".utf8)])
        #expect(sig == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        #expect(Wire(key: "").sign([Data("x".utf8)]) == "")
    }

    @Test func tamperedAndMalformedAreRefused() {
        var frames = wire.encode(request("execute_request", ["code": "1"]))
        frames[6] = Data("{\"code\": \"2\"}".utf8)
        #expect(throws: WireError.badSignature) { try wire.decode(frames) }
        #expect(throws: WireError.badSignature) { try Wire(key: "other").decode(wire.encode(request("x", [:]))) }
        #expect(throws: WireError.noDelimiter) { try wire.decode([Data("a".utf8)]) }
        #expect(throws: WireError.tooFewFrames(2)) { try wire.decode([Wire.delimiter, Data(), Data()]) }
        let parts = [Data("[]".utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)]
        #expect(throws: WireError.badJSON("header")) { try wire.decode([Wire.delimiter, Data(wire.sign(parts).utf8)] + parts) }
        #expect(throws: WireError.badSignature) { try wire.decode([Wire.delimiter, Data("zz".utf8)] + parts) }
        // An empty key means no signing: anything verifies.
        #expect((try? Wire(key: "").decode([Wire.delimiter, Data()] + [Data("{}".utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)])) != nil)
    }
}

@Suite struct KernelLogicTests {
    @Test func executeEmitsTheProtocolSequence() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("execute_request", ["code": "print('hi')\ntensor([[1, 2], [3, 4]])", "silent": false]), on: .shell)
        #expect(t.types(.iopub) == ["status", "execute_input", "stream", "execute_result", "status"])
        let result = t.last("execute_result")
        #expect((result?.content["data"] as? [String: String])?["text/latex"] == "$\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}$")
        #expect(t.last("execute_reply")?.content["status"] as? String == "ok")
        #expect(t.last("execute_reply")?.content["execution_count"] as? Int == 1)
        #expect(t.last("execute_reply")?.identities == [Data("client".utf8)])
        #expect(t.last("execute_result")?.parentHeader["msg_type"] as? String == "execute_request")
    }

    @Test func errorsSilenceAndUserExpressions() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("execute_request", ["code": "w = 3", "silent": true, "user_expressions": ["double": "w * 2", "bad": "nope"]]), on: .shell)
        #expect(!t.types(.iopub).contains("execute_input"))
        let ue = t.last("execute_reply")?.content["user_expressions"] as? [String: Any]
        #expect(((ue?["double"] as? [String: Any])?["data"] as? [String: String])?["text/plain"] == "6")
        #expect((ue?["bad"] as? [String: Any])?["ename"] as? String == "NameError")
        #expect(k.executionCount == 0)   // silent cells do not count
        t.queued = [request("execute_request", ["code": "x = 1"]), request("kernel_info_request", [:])]
        k.handle(request("execute_request", ["code": "zeros(2) @ zeros(3)"]), on: .shell)
        let replies = t.sent.filter { $0.0 == .shell }.map { ($0.1.msgType, $0.1.content["status"] as? String ?? "") }
        #expect(replies.suffix(3).map(\.0) == ["execute_reply", "execute_reply", "kernel_info_reply"])
        #expect(replies.suffix(3).map(\.1) == ["error", "aborted", "ok"])
        let err = t.last("error")
        #expect(err?.content["ename"] as? String == "ShapeError")
        #expect((err?.content["traceback"] as? [String])?.contains { $0.contains("Cell In[1]") } == true)
    }

    @Test func introspectionAndHistory() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("is_complete_request", ["code": "for i in range(3):"]), on: .shell)
        #expect(t.last("is_complete_reply")?.content["status"] as? String == "incomplete")
        #expect(t.last("is_complete_reply")?.content["indent"] as? String == "    ")
        k.handle(request("complete_request", ["code": "x = sigm", "cursor_pos": 8]), on: .shell)
        #expect(t.last("complete_reply")?.content["matches"] as? [String] == ["sigmoid"])
        #expect(t.last("complete_reply")?.content["cursor_start"] as? Int == 4)
        k.handle(request("inspect_request", ["code": "relu", "cursor_pos": 2, "detail_level": 0]), on: .shell)
        #expect(((t.last("inspect_reply")?.content["data"] as? [String: String])?["text/plain"] ?? "").contains("max(0, x)"))
        for code in ["a = 1", "b = 2", "a = 1"] { k.handle(request("execute_request", ["code": code]), on: .shell) }
        k.handle(request("history_request", ["hist_access_type": "tail", "n": 2, "output": false, "raw": true]), on: .shell)
        #expect((t.last("history_reply")?.content["history"] as? [[Any]])?.map { $0[2] as? String } == ["b = 2", "a = 1"])
        k.handle(request("history_request", ["hist_access_type": "search", "pattern": "a*", "unique": true, "output": false, "raw": true]), on: .shell)
        #expect((t.last("history_reply")?.content["history"] as? [[Any]])?.count == 1)
        k.handle(request("history_request", ["hist_access_type": "range", "session": 0, "start": 2, "stop": 4, "output": false, "raw": true]), on: .shell)
        #expect((t.last("history_reply")?.content["history"] as? [[Any]])?.map { $0[1] as? Int } == [2, 3])
        k.handle(request("comm_open", ["comm_id": "c1", "target_name": "jupyter.widget", "data": [:] as JSONObject]), on: .shell)
        #expect(t.last("comm_close")?.content["comm_id"] as? String == "c1")
        k.handle(request("no_such_request", [:]), on: .shell)
        #expect(t.last("no_such_reply") == nil)
    }

    @Test func stdinAndDisplays() {
        let t = MemoryTransport()
        t.inputReplies = ["Ada"]
        let k = Kernel(transport: t)
        k.handle(request("execute_request", ["code": "n = input('name? ')\nn", "allow_stdin": true]), on: .shell)
        #expect(t.last("input_request")?.content["prompt"] as? String == "name? ")
        #expect((t.last("execute_result")?.content["data"] as? [String: String])?["text/plain"] == "'Ada'")
        k.handle(request("execute_request", ["code": "display(1, id='p')\nupdate('p', 2)\nclear_output(wait=True)"]), on: .shell)
        #expect(t.types(.iopub).suffix(4) == ["display_data", "update_display_data", "clear_output", "status"])
        #expect((t.last("update_display_data")?.content["transient"] as? [String: String])?["display_id"] == "p")
    }
}

/// The kernel over real libzmq sockets in this process (ipc endpoints in a temp folder).
@Suite struct SocketTests {
    @Test func kernelInfoAndShutdownOverZMQ() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let info = ConnectionInfo(transport: "ipc", ip: dir.appendingPathComponent("k").path, shellPort: 1, controlPort: 2, stdinPort: 3, iopubPort: 4, hbPort: 5, key: "k3y")
        let server = try KernelServer(info: info) { _ in }
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { server.serve(); done.signal() }

        let ctx = try ZMQContext()
        let shell = try ZMQSocket(ctx, type: ZMQ_DEALER), control = try ZMQSocket(ctx, type: ZMQ_DEALER), hb = try ZMQSocket(ctx, type: ZMQ_REQ)
        try shell.connect(info.endpoint(1)); try control.connect(info.endpoint(2)); try hb.connect(info.endpoint(5))
        let wire = Wire(key: "k3y")
        var m = request("kernel_info_request", [:]); m.identities = []
        try shell.send(wire.encode(m))
        let reply = try #require(try shell.receive(timeout: 5000))
        let decoded = try wire.decode(reply)
        #expect(decoded.msgType == "kernel_info_reply")
        #expect(decoded.content["protocol_version"] as? String == "5.5")
        try hb.send([Data("ping".utf8)])
        #expect(try hb.receive(timeout: 5000) == [Data("ping".utf8)])
        // A message with a bad signature gets no answer.
        try shell.send(Wire(key: "wrong").encode(m))
        #expect(try shell.receive(timeout: 300) == nil)
        var stop = request("shutdown_request", ["restart": false]); stop.identities = []
        try control.send(wire.encode(stop))
        let bye = try wire.decode(try #require(try control.receive(timeout: 5000)))
        #expect(bye.msgType == "shutdown_reply")
        #expect(done.wait(timeout: .now() + 5) == .success)
    }
}

@Suite struct JSONTests {
    @Test func readsWhatJupyterSends() throws {
        let text = #"{"a": [1, -2.5e3, true, false, null, "x\"y\\z\n\u00e9\ud83d\ude00"], "b": {"c": {}}, "d": [], "e": 12345678901}"#
        let o = try #require(JSONReader.object(Data(text.utf8)))
        let a = try #require(o["a"] as? [Any])
        #expect(a[0] as? Int == 1 && a[1] as? Double == -2500 && a[2] as? Bool == true && a[3] as? Bool == false && a[4] is NSNull)
        #expect(a[5] as? String == "x\"y\\z\né😀")
        #expect((o["b"] as? [String: Any])?["c"] is [String: Any] && (o["d"] as? [Any])?.isEmpty == true && o["e"] as? Int == 12345678901)
    }

    @Test func refusesMalformedAndDeepInput() {
        for bad in ["", "[1]", "{", "{\"a\" 1}", "{\"a\": tru}", "{\"a\": 1,}", "{\"a\": \"x}", "{} x", "{\"a\": 1e}"] {
            #expect(JSONReader.object(Data(bad.utf8)) == nil, "\(bad)")
        }
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(JSONReader.object(Data(deep.utf8)) == nil)
    }

    @Test func writesAndReadsBack() throws {
        let o: JSONObject = ["s": "q\"\\\n\t\u{1}é", "i": 3, "d": 0.25, "b": true, "n": NSNull(), "nan": Double.nan, "a": [1, "x"] as [Any]]
        let back = try #require(JSONReader.object(JSONWriter.data(o)))
        #expect(back["s"] as? String == "q\"\\\n\t\u{1}é" && back["i"] as? Int == 3 && back["d"] as? Double == 0.25)
        #expect(back["b"] as? Bool == true && back["n"] is NSNull && back["nan"] is NSNull)
        #expect((try? JSONSerialization.jsonObject(with: JSONWriter.data(o))) != nil)   // Foundation agrees it is JSON
    }
}
