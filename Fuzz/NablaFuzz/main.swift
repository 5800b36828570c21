// libFuzzer target: any bytes as a cell must end as a value or a typed error, never a crash.
// Build and run with scripts/fuzz (it passes -sanitize=fuzzer, which links libFuzzer).
import Foundation
import NablaLanguage
import NablaTensor

final class NullSink: OutputSink {
    func write(_ text: String, stream: String) {}
    func display(_ value: Value, id: String?, update: Bool) {}
    func clearOutput(wait: Bool) {}
    func readInput(prompt: String, password: Bool) throws -> String { "1" }
}

nonisolated(unsafe) var session: Session?   // libFuzzer calls back on one thread
nonisolated(unsafe) let sink = NullSink()   // likewise
nonisolated(unsafe) var generation = 0   // likewise
let watchLock = NSLock()

/// Interrupts any input that runs longer than 200 ms (runaway loops are legal code).
func startWatchdog() {
    Thread.detachNewThread {
        var seen = -1
        while true {
            watchLock.lock(); let g = generation; watchLock.unlock()
            if g == seen { session?.interrupt() }
            seen = g
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if session == nil {
        TensorLimits.maxBytes = 64 << 20
        session = Session()
        startWatchdog()
    }
    guard let s = session else { return 0 }
    watchLock.lock(); generation &+= 1; watchLock.unlock()
    let code = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = s.execute(code, sink: sink)
    _ = Session.isComplete(code)
    let n = code.unicodeScalars.count
    _ = s.complete(code, cursor: n / 2)
    _ = s.inspect(code, cursor: n)
    // Keep state from growing without bound across millions of inputs.
    if s.interpreter.variableNames.count > 200 { session = Session() }
    return 0
}

#if NABLA_FUZZ
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32
#endif

#if NABLA_FUZZ
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
#else
print("NablaFuzz runs under libFuzzer: build and run it with scripts/fuzz")
#endif
