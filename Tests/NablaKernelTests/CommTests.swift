import Foundation
import Testing
@testable import NablaKernel

/// The kernel's comm routing: what a cell's widgets send answers to that cell's request, a
/// frontend's comm_msg reaches the widget and what it causes answers to the comm_msg, and
/// widget views go out as JSON objects.
@Suite struct CommTests {
    @Test func commMessagesAnswerToTheRequestThatCausedThem() throws {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        let exec = request("execute_request", ["code": "s = IntSlider(value=2)\nseen = []\ns.observe(lambda c: seen.append(c.new), 'value')\ns"])
        k.handle(exec, on: .shell)
        let open = try #require(t.sent.last { $0.1.msgType == "comm_open" && $0.1.content["data"]?["state"]?["_model_name"] == "IntSliderModel" }?.1)
        #expect(open.parentHeader?.msg_id == exec.msgID)
        let id = try #require(open.content["comm_id"]?.stringValue)
        let view = t.last("execute_result")?.content["data"]?["application/vnd.jupyter.widget-view+json"]
        #expect(view?["model_id"]?.stringValue == id && view?["version_major"]?.intValue == 2)

        let msg = request("comm_msg", ["comm_id": .string(id), "data": ["method": "update", "state": ["value": 5]]])
        k.handle(msg, on: .shell)
        let echo = try #require(t.last("comm_msg"))
        #expect(echo.parentHeader?.msg_id == msg.msgID)
        #expect(echo.content["data"]?["state"]?["value"]?.intValue == 5)
        k.handle(request("execute_request", ["code": "seen"]), on: .shell)
        #expect(t.last("execute_result")?.content["data"]?["text/plain"]?.stringValue == "[5]")

        k.handle(request("comm_info_request", ["target_name": "jupyter.widget"]), on: .shell)
        #expect(t.last("comm_info_reply")?.content["comms"]?[id]?["target_name"]?.stringValue == "jupyter.widget")
        // An unknown comm id is ignored: busy and idle, nothing else.
        let before = t.sent.count
        k.handle(request("comm_msg", ["comm_id": "nope", "data": ["method": "update"]]), on: .shell)
        #expect(t.sent[before...].map { $0.1.msgType } == ["status", "status"])
        // A comm_msg whose comm_id is not a string is refused by its typed struct, kernel alive.
        k.handle(request("comm_msg", ["comm_id": 7, "data": [:]]), on: .shell)
        k.handle(request("execute_request", ["code": "s.value"]), on: .shell)
        #expect(t.last("execute_result")?.content["data"]?["text/plain"]?.stringValue == "5")
    }
}
