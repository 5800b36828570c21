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
        let open = try #require(t.sent.last { $0.1.msgType == "comm_open" && (($0.1.content["data"] as? JSONObject)?["state"] as? JSONObject)?["_model_name"] as? String == "IntSliderModel" }?.1)
        #expect(open.parentHeader["msg_id"] as? String == exec.msgID)
        let id = try #require(open.content["comm_id"] as? String)
        let view = (t.last("execute_result")?.content["data"] as? JSONObject)?["application/vnd.jupyter.widget-view+json"] as? JSONObject
        #expect(view?["model_id"] as? String == id && view?["version_major"] as? Int == 2)

        let msg = request("comm_msg", ["comm_id": id, "data": ["method": "update", "state": ["value": 5]] as JSONObject])
        k.handle(msg, on: .shell)
        let echo = try #require(t.last("comm_msg"))
        #expect(echo.parentHeader["msg_id"] as? String == msg.msgID)
        #expect(((echo.content["data"] as? JSONObject)?["state"] as? JSONObject)?["value"] as? Int == 5)
        k.handle(request("execute_request", ["code": "seen"]), on: .shell)
        #expect((t.last("execute_result")?.content["data"] as? JSONObject)?["text/plain"] as? String == "[5]")

        k.handle(request("comm_info_request", ["target_name": "jupyter.widget"]), on: .shell)
        #expect((t.last("comm_info_reply")?.content["comms"] as? JSONObject)?[id] != nil)
        // An unknown comm id is ignored: busy and idle, nothing else.
        let before = t.sent.count
        k.handle(request("comm_msg", ["comm_id": "nope", "data": ["method": "update"] as JSONObject]), on: .shell)
        #expect(t.sent[before...].map { $0.1.msgType } == ["status", "status"])
    }
}
