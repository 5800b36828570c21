import Foundation
import Testing
@testable import NablaKernel

/// Prints coalesced into few stream messages, complete and in order.
@Suite struct StreamTests {
    @Test func printsAreCoalescedCompleteAndInOrder() throws {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("execute_request", ["code": "for i in range(20000):\n    print(i)\nwarn('w')\nprint('end')\n7"]), on: .shell)
        let streams = t.sent.filter { $0.1.msgType == "stream" }.map { ($0.1.content["name"]?.stringValue ?? "", $0.1.content["text"]?.stringValue ?? "") }
        #expect(streams.count < 200)   // coalesced: far fewer messages than 20,002 prints
        let stdout = streams.filter { $0.0 == "stdout" }.map(\.1).joined()
        #expect(stdout == (0..<20000).map { "\($0)\n" }.joined() + "end\n")
        #expect(streams.contains { $0.0 == "stderr" && $0.1.contains("w") })
        // stderr's warning sits between the numbers and "end"; the result and idle come after all text.
        let types = t.types(.iopub)
        #expect(types.last == "status" && types.dropLast().last == "execute_result")
        let order = t.sent.filter { $0.1.msgType == "stream" }.map { $0.1.content["name"]?.stringValue ?? "" }
        #expect(order.last == "stdout" && order.dropLast().last == "stderr")
    }

    @Test func chunksNeverSplitAScalar() {
        let text = String(repeating: "é😀a", count: 1000)
        for max in [1, 2, 3, 4, 5, 7, 64, 10_000] {
            let parts = StreamBuffer.chunks(text, max: max)
            #expect(parts.joined() == text)
            #expect(parts.allSatisfy { $0.utf8.count <= Swift.max(max, 4) })
        }
        #expect(StreamBuffer.chunks("", max: 3).isEmpty)
    }
}
