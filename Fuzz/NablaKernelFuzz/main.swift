// libFuzzer target for the kernel: any bytes, as the JSON frames of a message, must end as a
// reply or a refusal, never a crash. The first byte picks the msg_type, the rest is split at
// 0x1E bytes into content, metadata and parent header (no signing: the key is empty); the
// same parts are also tried as the header itself, and the content as every typed request;
// every reply is encoded.
// Build and run with scripts/fuzz RUNS kernel (it passes -sanitize=fuzzer). Cells are not
// executed: the language has a fuzz target of its own.
import Foundation
import NablaKernel

/// Drops what the kernel sends, after encoding it (so every reply goes through the encoder).
final class NullTransport: KernelTransport {
    func send(_ message: Message, on channel: Channel) { _ = wire.frames(message) }
    func askInput(_ request: Message) -> Message? { nil }
    func takeQueuedRequests() -> [Message] { [] }
}

/// Every typed request (a function: metatypes of non-Sendable types cannot be a global in Swift 6).
func requestTypes() -> [any Decodable.Type] { [ExecuteRequest.self, CompleteRequest.self, InspectRequest.self, HistoryRequest.self, IsCompleteRequest.self,
                                           CommOpen.self, CommMsg.self, CommClose.self, InputReply.self, ShutdownRequest.self, HistoryReply.self, Header.self] }
let types = ["complete_request", "inspect_request", "is_complete_request", "history_request", "kernel_info_request",
             "comm_info_request", "comm_open", "comm_msg", "comm_close", "interrupt_request", "input_reply", "no_such_request"]
nonisolated(unsafe) let kernel = Kernel(transport: NullTransport())   // libFuzzer calls back on one thread
let wire = Wire(key: "")

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let parts = bytes.dropFirst().split(separator: 0x1E, omittingEmptySubsequences: false).map { Data($0) }
    let header = Data("{\"msg_id\": \"f\", \"msg_type\": \"\(types[Int(first) % types.count])\", \"session\": \"s\", \"version\": \"5.5\"}".utf8)
    let frames = [Wire.delimiter, Data(), header, parts.count > 2 ? parts[2] : Data("{}".utf8),
                  parts.count > 1 ? parts[1] : Data("{}".utf8), parts.first ?? Data("{}".utf8)]
    if let msg = try? wire.decode(frames) {
        kernel.handle(msg, on: .shell)
        for t in requestTypes() { _ = try? msg.decode(t) }
        _ = wire.encode(msg)
    }
    if let hdr = parts.first { _ = try? wire.decode([Wire.delimiter, Data(), hdr, hdr, Data("{}".utf8), Data("{}".utf8)]) }
    return 0
}

#if NABLA_FUZZ
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
#else
// Without libFuzzer: N random mutations of the seeds (`NablaKernelFuzz N`), for a quick check.
let seeds = [#"{"code": "x = sof", "cursor_pos": 7}"#, #"{"hist_access_type": "search", "pattern": "a*", "unique": true, "n": 3}"#,
             #"{"code": "s = '\ud800\u0041'", "cursor_pos": -9223372036854775808}"#, #"{"comm_id": "c", "data": {"a": [1, 2.5e3, null]}}"#]
var rng = SystemRandomNumberGenerator()
let runs = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 10_000 : 10_000
for _ in 0..<runs {
    var b = [UInt8.random(in: 0...255, using: &rng)] + Array(seeds.randomElement(using: &rng)!.utf8)
    for _ in 0..<Int.random(in: 1...8, using: &rng) {
        let i = Int.random(in: 0..<b.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: b[i] = UInt8.random(in: 0...255, using: &rng)
        case 1: b.insert(Array(#"\u{}[]"0:,-eE.d8"#.utf8).randomElement(using: &rng)!, at: i)
        default: if b.count > 1 { b.remove(at: i) }
        }
    }
    _ = b.withUnsafeBufferPointer { fuzz($0.baseAddress!, $0.count) }
}
print("NablaKernelFuzz: \(runs) inputs, no crash")
#endif
