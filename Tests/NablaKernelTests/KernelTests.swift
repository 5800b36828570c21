import CZeroMQ
import Foundation
import Testing
@testable import NablaKernel

/// Records what the kernel sends; answers input requests from a queue.
final class MemoryTransport: KernelTransport, @unchecked Sendable {   // the tests drive the kernel from one thread
    var sent: [(Channel, Message)] = []
    var inputReplies: [String] = []
    var queued: [Message] = []
    func send(_ message: Message, on channel: Channel) { sent.append((channel, message)) }
    func askInput(_ request: Message) -> Message? {
        send(request, on: .stdin)
        guard !inputReplies.isEmpty else { return nil }
        return Message(header: Header(msg_id: "r", msg_type: "input_reply"), content: ["value": .string(inputReplies.removeFirst())])
    }
    func takeQueuedRequests() -> [Message] { defer { queued = [] }; return queued }

    func types(_ channel: Channel) -> [String] { sent.filter { $0.0 == channel }.map { $0.1.msgType } }
    func last(_ type: String) -> Message? { sent.last { $0.1.msgType == type }?.1 }
}

func request(_ type: String, _ content: JSON) -> Message {
    Message(identities: [Data("client".utf8)], header: Header(msg_id: UUID().uuidString, msg_type: type, session: "s", username: "u", date: "", version: "5.5"), content: content)
}

@Suite struct WireTests {
    let wire = Wire(key: "secret")

    @Test func roundTripAndSignature() throws {
        let m = request("execute_request", ["code": "1 + 1"])
        let frames = wire.encode(m)
        #expect(frames[0] == Data("client".utf8) && frames[1] == Wire.delimiter)
        #expect(frames[2].count == 64)  // hex HMAC-SHA256
        let back = try wire.decode(frames)
        #expect(back.msgType == "execute_request" && back.content["code"]?.stringValue == "1 + 1" && back.identities == [Data("client".utf8)])
    }

    @Test func knownHMAC() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231-style known value.
        let sig = Wire(key: "key").sign([Data("The quick brown fox jumps over the lazy dog".utf8)])
        #expect(sig == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        #expect(Wire(key: "").sign([Data("x".utf8)]) == "")
        // Keys of a whole block and longer (hashed first, RFC 2104), against Python's hmac.
        let fox = [Data("The quick brown fox jumps over the lazy dog".utf8)]
        #expect(Wire(key: String(repeating: "k", count: 64)).sign(fox) == "bbbf90167fe46c7a3fa5b549325ad6428715eae339737730860fcea2c3f43d5c")
        #expect(Wire(key: String(repeating: "k", count: 100)).sign(fox) == "d545ebc800857f4b734cbdc38712fe226d36a8ac3469cad63650e5bc872cd76d")
    }

    @Test func keyedStateIsNotSharedBetweenMessages() {
        // Each message starts from the keyed HMAC afresh: signing one leaves the next unchanged.
        let a = [Data("first".utf8)], b = [Data("second".utf8), Data("part".utf8)]
        let first = wire.sign(a)
        #expect(wire.sign(b) == Wire(key: "secret").sign(b))
        #expect(wire.sign(a) == first && first != wire.sign(b))
    }

    @Test func messageIDsAndTimestamps() throws {
        let k = Kernel(transport: MemoryTransport()), other = Kernel(transport: MemoryTransport())
        let ids = (0..<100).map { _ in k.nextMessageID() } + [other.nextMessageID()]
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count > 36 && UUID(uuidString: String($0.prefix(36))) != nil })
        let stamp = Kernel.timestamp()
        #expect(stamp.utf8.count == 27 && stamp.hasSuffix("Z"))
        let parsed = try #require(ISO8601DateFormatter().date(from: String(stamp.prefix(19)) + "Z"))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
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
        let minimal = Data(#"{"msg_id": "a", "msg_type": "kernel_info_request"}"#.utf8)
        #expect((try? Wire(key: "").decode([Wire.delimiter, Data()] + [minimal, Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)])) != nil)
        // A header without msg_id and msg_type (or with them not strings) cannot be answered.
        for bad in ["{}", #"{"msg_id": "a", "msg_type": 5}"#, #"{"msg_id": 7, "msg_type": "x"}"#] {
            #expect(throws: WireError.self) { try Wire(key: "").decode([Wire.delimiter, Data(), Data(bad.utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)]) }
        }
    }
}

@Suite struct KernelLogicTests {
    @Test func executeEmitsTheProtocolSequence() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("execute_request", ["code": "print('hi')\ntensor([[1, 2], [3, 4]])", "silent": false]), on: .shell)
        #expect(t.types(.iopub) == ["status", "execute_input", "stream", "execute_result", "status"])
        let result = t.last("execute_result")
        #expect(result?.content["data"]?["text/latex"]?.stringValue == "$\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}$")
        #expect(t.last("execute_reply")?.content["status"]?.stringValue == "ok")
        #expect(t.last("execute_reply")?.content["execution_count"]?.intValue == 1)
        #expect(t.last("execute_reply")?.identities == [Data("client".utf8)])
        #expect(t.last("execute_result")?.parentHeader?.msg_type == "execute_request")
    }

    @Test func errorsSilenceAndUserExpressions() throws {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("execute_request", ["code": "w = 3", "silent": true, "user_expressions": ["double": "w * 2", "bad": "nope"]]), on: .shell)
        #expect(!t.types(.iopub).contains("execute_input"))
        let ue = t.last("execute_reply")?.content["user_expressions"]
        #expect(ue?["double"]?["data"]?["text/plain"]?.stringValue == "6")
        #expect(ue?["bad"]?["ename"]?.stringValue == "NameError")
        #expect(k.executionCount == 0)   // silent cells do not count
        t.queued = [request("execute_request", ["code": "x = 1"]), request("kernel_info_request", [:])]
        k.handle(request("execute_request", ["code": "zeros(2) @ zeros(3)"]), on: .shell)
        let replies = t.sent.filter { $0.0 == .shell }.map { ($0.1.msgType, $0.1.content["status"]?.stringValue ?? "") }
        #expect(replies.suffix(3).map(\.0) == ["execute_reply", "execute_reply", "kernel_info_reply"])
        #expect(replies.suffix(3).map(\.1) == ["error", "aborted", "ok"])
        // Each aborted request is answered once, after the failed one is idle, as ipykernel does.
        let failed = t.last("error")?.parentHeader?.msg_id
        let statuses = t.sent.filter { $0.1.msgType == "status" }.map { ($0.1.parentHeader?.msg_id, $0.1.content["execution_state"]?.stringValue) }
        let idleOfFailed = try #require(statuses.firstIndex { $0.0 == failed && $0.1 == "idle" })
        #expect(statuses.suffix(from: idleOfFailed).count == 5)   // idle, then busy/idle for each of the two queued
        #expect(t.sent.filter { $0.1.msgType == "execute_reply" }.count == 3)
        let err = t.last("error")
        #expect(err?.content["ename"]?.stringValue == "ShapeError")
        #expect((err?.content["traceback"]?.strings)?.contains { $0.contains("Cell In[1]") } == true)
    }

    @Test func introspectionAndHistory() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("is_complete_request", ["code": "for i in range(3):"]), on: .shell)
        #expect(t.last("is_complete_reply")?.content["status"]?.stringValue == "incomplete")
        #expect(t.last("is_complete_reply")?.content["indent"]?.stringValue == "    ")
        k.handle(request("complete_request", ["code": "x = sigm", "cursor_pos": 8]), on: .shell)
        #expect(t.last("complete_reply")?.content["matches"]?.strings == ["sigmoid"])
        #expect(t.last("complete_reply")?.content["cursor_start"]?.intValue == 4)
        k.handle(request("inspect_request", ["code": "relu", "cursor_pos": 2, "detail_level": 0]), on: .shell)
        #expect((t.last("inspect_reply")?.content["data"]?["text/plain"]?.stringValue ?? "").contains("max(0, x)"))
        for code in ["a = 1", "b = 2", "a = 1"] { k.handle(request("execute_request", ["code": .string(code)]), on: .shell) }
        k.handle(request("history_request", ["hist_access_type": "tail", "n": 2, "output": false, "raw": true]), on: .shell)
        #expect(t.last("history_reply")?.content["history"]?.arrayValue?.map { $0[2]?.stringValue } == ["b = 2", "a = 1"])
        k.handle(request("history_request", ["hist_access_type": "search", "pattern": "a*", "unique": true, "output": false, "raw": true]), on: .shell)
        #expect(t.last("history_reply")?.content["history"]?.arrayValue?.count == 1)
        k.handle(request("history_request", ["hist_access_type": "range", "session": 0, "start": 2, "stop": 4, "output": false, "raw": true]), on: .shell)
        #expect(t.last("history_reply")?.content["history"]?.arrayValue?.map { $0[1]?.intValue } == [2, 3])
        k.handle(request("comm_open", ["comm_id": "c1", "target_name": "jupyter.widget", "data": [:]]), on: .shell)
        #expect(t.last("comm_close")?.content["comm_id"]?.stringValue == "c1")
        k.handle(request("no_such_request", [:]), on: .shell)
        #expect(t.last("no_such_reply") == nil)
    }

    @Test func stdinAndDisplays() {
        let t = MemoryTransport()
        t.inputReplies = ["Ada"]
        let k = Kernel(transport: t)
        k.handle(request("execute_request", ["code": "n = input('name? ')\nn", "allow_stdin": true]), on: .shell)
        #expect(t.last("input_request")?.content["prompt"]?.stringValue == "name? ")
        #expect(t.last("execute_result")?.content["data"]?["text/plain"]?.stringValue == "'Ada'")
        k.handle(request("execute_request", ["code": "display(1, id='p')\nupdate('p', 2)\nclear_output(wait=True)"]), on: .shell)
        #expect(t.types(.iopub).suffix(4) == ["display_data", "update_display_data", "clear_output", "status"])
        #expect(t.last("update_display_data")?.content["transient"]?["display_id"]?.stringValue == "p")
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
        #expect(decoded.content["protocol_version"]?.stringValue == "5.5")
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
        #expect(o["a"] == [1, -2500.0, true, false, nil, "x\"y\\z\né😀"])
        #expect(o["b"] == ["c": [:]] && o["d"] == [] && o["e"] == .int(12345678901))
    }

    @Test func refusesMalformedAndDeepInput() {
        for bad in ["", "[1]", "{", "{\"a\" 1}", "{\"a\": tru}", "{\"a\": 1,}", "{\"a\": \"x}", "{} x", "{\"a\": 1e}"] {
            #expect(JSONReader.object(Data(bad.utf8)) == nil, "\(bad)")
        }
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(JSONReader.object(Data(deep.utf8)) == nil)
    }

    @Test func writesAndReadsBack() throws {
        let o: JSON = ["s": "q\"\\\n\t\u{1}é", "i": 3, "d": 0.25, "f": 2.0, "big": 1e300, "b": true, "n": nil, "nan": .double(.nan), "a": [1, "x"]]
        let back = try #require(JSONReader.object(JSONWriter.data(o)))
        var expected = o.objectValue ?? [:]
        expected["nan"] = .null   // JSON has no NaN
        #expect(back == .object(expected))   // 2.0 stays a float, 1e300 exact
        #expect((try? JSONSerialization.jsonObject(with: JSONWriter.data(o))) != nil)   // Foundation agrees it is JSON
        #expect(JSONReader.object(JSONWriter.pretty(o)) == back)
    }

    /// Shapes Codable writes through the streaming encoder: nested keyed and unkeyed
    /// containers, a struct that encodes nothing, nils left out, JSON members, a custom
    /// `encode(to:)` that writes a nested container and then goes back to its outer one.
    struct Inner: Codable { var x: Int; var y: [Double]; var z: String? }
    struct Empty: Codable {}
    struct Custom: Encodable {
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: AnyKey.self)
            var nested = c.nestedUnkeyedContainer(forKey: AnyKey("list"))
            try nested.encode(1)
            var deeper = nested.nestedContainer(keyedBy: AnyKey.self)
            try deeper.encode("v", forKey: AnyKey("k"))
            try c.encode(true, forKey: AnyKey("after"))
            var sup = c.superEncoder(forKey: AnyKey("sup")).singleValueContainer()
            try sup.encode(Empty())
            _ = c.superEncoder()   // nothing written: an empty object
            var list = c.nestedUnkeyedContainer(forKey: AnyKey("list2"))
            var element = list.superEncoder().container(keyedBy: AnyKey.self)
            try element.encode(2, forKey: AnyKey("n"))
        }
    }
    struct Outer: Encodable {
        var inner: [Inner]
        var empty = Empty()
        var none: Int? = nil
        var free: JSON = ["a": [1, nil]]
        var map: [String: Inner] = [:]
        var custom = Custom()
        var nan = Double.nan
    }

    @Test func streamEncoderWritesNestedContainers() throws {
        let value = Outer(inner: [Inner(x: 1, y: [0.5, 2], z: nil), Inner(x: -3, y: [], z: "q\"")], map: ["m": Inner(x: 0, y: [1e300], z: "é")])
        let bytes = try JSONStreamEncoder.encode(value)
        let back = try #require(JSONReader.object(Data(bytes)), "\(String(decoding: bytes, as: UTF8.self))")
        #expect(back["inner"] == [["x": 1, "y": [0.5, 2.0]], ["x": -3, "y": [], "z": "q\""]])
        #expect(back["empty"] == [:] && back["none"] == nil && back["free"] == ["a": [1, nil]] && back["nan"] == .null)
        #expect(back["map"] == ["m": ["x": 0, "y": [1e300], "z": "é"]])
        #expect(back["custom"] == ["list": [1, ["k": "v"]], "after": true, "sup": [:], "super": [:], "list2": [["n": 2]]])
        // Members come out in the order they were encoded, as the structs declare them.
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"inner":[{"x":1,"y":[0.5,2.0]},"#))
    }
}

extension JSON {
    /// An array of strings (nil if any element is not one).
    var strings: [String]? {
        guard let a = arrayValue else { return nil }
        let s = a.compactMap(\.stringValue)
        return s.count == a.count ? s : nil
    }
}
