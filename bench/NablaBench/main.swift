// Engine benchmarks, printed as JSON for bench/engine.py to set beside numpy and PyTorch.
// Each figure is the median of several timed repetitions.
import Foundation
import NablaAutograd
import NablaDisplay
import NablaKernel
import NablaLanguage
import NablaTensor

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds of `reps` runs of `body`, after one warm-up run.
func median(reps: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times = [Double]()
    for _ in 0..<reps {
        let t0 = now()
        try body()
        times.append(now() - t0)
    }
    times.sort()
    return times[times.count / 2]
}

// As the kernel starts: OpenBLAS's core and threads checked (may re-execute once), the
// allocator set to keep a step's large buffers for the next.
if let warning = BLAS.configureAtStartup() { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
Allocator.keepLargeBuffers()

var rng = Xoshiro256(seed: 0)
var results = [String: Double]()
/// Benchmarks named on the command line run alone (for profiling); none named runs all.
let only = Set(CommandLine.arguments.dropFirst())
func wanted(_ name: String) -> Bool { only.isEmpty || only.contains(name) }

// 1. 1024×1024 matmul.
if wanted("matmul_gflops") {
let a = try Tensor.randn([1024, 1024], using: &rng), b = try Tensor.randn([1024, 1024], using: &rng)
let tm = try median(reps: 15) { _ = try Tensor.matmul(a, b) }
results["matmul_gflops"] = 2 * pow(1024, 3) / tm / 1e9
}

// 2. exp over 1e6 elements.
if wanted("exp_1e6_ms") {
    let big = try Tensor.randn([1_000_000], using: &rng)
    results["exp_1e6_ms"] = median(reps: 30) { _ = big.exp() } * 1e3
}

// 3. One training step of a 784-128-10 MLP, batch 64.
let x = Variable(try Tensor.randn([64, 784], using: &rng))
let y = Variable(try Tensor(shape: [64], data: (0..<64).map { Double($0 % 10) }))
let W1 = Variable.param(try Tensor.randn([784, 128], using: &rng) * 0.05), b1 = Variable.param(try Tensor.zeros([128]))
let W2 = Variable.param(try Tensor.randn([128, 10], using: &rng) * 0.05), b2 = Variable.param(try Tensor.zeros([10]))
let opt = SGD([W1, b1, W2, b2], lr: 0.01)
/// Forward and backward; the graph is released on return, as PyTorch frees it after backward.
@MainActor func forwardBackward() throws {
    let h = F.relu(try Variable.matmul(x, W1) + b1)
    let loss = try F.softmaxCrossEntropy(try Variable.matmul(h, W2) + b2, y)
    try Autograd.backward(loss)
}
@MainActor func trainStep() throws {
    opt.zeroGrad()
    try forwardBackward()
    try opt.step()
}
if wanted("mlp_step_ms") { results["mlp_step_ms"] = try median(reps: 200) { try trainStep() } * 1e3 }

// 4. A chain of 20,000 scalar ops `x = x * 1.0001 + 0.5`, forward and backward.
let ops = 20_000
if wanted("scalar_op_us") {
let tc = try median(reps: 15) {
    let p = Variable.param(Tensor(1))
    var v = p
    for _ in 0..<(ops / 2) { v = v * 1.0001 + 0.5 }
    try Autograd.backward(v)
}
results["scalar_op_us"] = tc / Double(ops) * 1e6
}

// 5. The same loop written in the language: 100,000 iterations on a param, then backward.
if wanted("lang_op_us") {
    let session = Session()
    final class Quiet: OutputSink {
        func write(_ text: String, stream: String) {}
        func display(_ value: Value, id: String?, update: Bool) {}
        func clearOutput(wait: Bool) {}
        func readInput(prompt: String, password: Bool) throws -> String { "" }
    }
    let sink = Quiet()
    let code = "x = param(1.0)\nv = x\nfor i in range(100000):\n    v = v * 1.0001 + 0.5\nbackward(v)"
    let tl = median(reps: 5) { _ = session.execute(code, sink: sink) }
    results["lang_op_us"] = tl / 200_000 * 1e6
}

// 6. The notes' Keras CNN (28×28×3 → conv32/pool/conv64/pool/conv16/pool → dense16 → dense3,
// 'valid' padding, 28,947 parameters), one Adam train step at batch 10, with the builtin ops.
/// Resident set size of this process in MiB (Linux /proc/self/statm), or nil elsewhere.
func residentMiB() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return nil }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

if wanted("cnn_step_ms") || wanted("cnn_rss_growth_mib") {
    func he(_ shape: [Int], _ fanIn: Int) throws -> Variable { Variable.param(try Tensor.randn(shape, using: &rng) * (2 / Double(fanIn)).squareRoot()) }
    let images = Variable(try Tensor.randn([10, 3, 28, 28], using: &rng))
    let labels = Variable(try Tensor(shape: [10], data: (0..<10).map { Double($0 % 3) }))
    let k1 = try he([32, 3, 3, 3], 27), c1 = Variable.param(try Tensor.zeros([32]))
    let k2 = try he([64, 32, 3, 3], 288), c2 = Variable.param(try Tensor.zeros([64]))
    let k3 = try he([16, 64, 3, 3], 576), c3 = Variable.param(try Tensor.zeros([16]))
    let w1 = try he([16, 16], 16), d1 = Variable.param(try Tensor.zeros([16]))
    let w2 = try he([16, 3], 16), d2 = Variable.param(try Tensor.zeros([3]))
    let cnnOpt = Adam([k1, c1, k2, c2, k3, c3, w1, d1, w2, d2])
    func cnnStep() throws {
        cnnOpt.zeroGrad()
        var h = try F.maxpool(F.relu(try F.conv2d(images, k1, bias: c1)), size: 2)   // 13×13×32
        h = try F.maxpool(F.relu(try F.conv2d(h, k2, bias: c2)), size: 2)            // 5×5×64
        h = try F.maxpool(F.relu(try F.conv2d(h, k3, bias: c3)), size: 2)            // 1×1×16
        let flat = try h.reshaped([10, 16])
        let logits = try Variable.matmul(F.relu(try Variable.matmul(flat, w1) + d1), w2) + d2
        try Autograd.backward(try F.softmaxCrossEntropy(logits, labels))
        try cnnOpt.step()
    }
    if wanted("cnn_step_ms") { results["cnn_step_ms"] = try median(reps: 30) { try cnnStep() } * 1e3 }
    // 6b. Memory: RSS growth over 1,000 train steps, after 20 warm-up steps (allocator pools filled).
    if wanted("cnn_rss_growth_mib") {
        for _ in 0..<20 { try cnnStep() }
        if let before = residentMiB() {
            for _ in 0..<1_000 { try cnnStep() }
            if let after = residentMiB() { results["cnn_rss_growth_mib"] = after - before }
        }
    }
}

// 7. explain of an expression over 1,000 elements (softmax, entropy, MSE), rendered both ways.
if wanted("explain_1000_ms") {
    let v = Variable(try Tensor.randn([1000], using: &rng)), target = Variable(try Tensor.zeros([1000]))
    results["explain_1000_ms"] = try median(reps: 20) {
        let e = try GradMode.with(.recordAll) { try F.entropy(try F.softmax(v)) + F.mse(v, target) }
        _ = Explanation(e, precision: 4).mimeData(precision: 4)
    } * 1e3
}

// 7b. Views: a transpose, a block of 64 rows and a block of 64 columns of a 1024² matrix, µs
//     each. numpy's are views; a copy of each would move 8 MB, 512 KB and 512 KB.
if wanted("views_us") {
    let m = try Tensor.randn([1024, 1024], using: &rng)
    var reached = 0
    let tv = try median(reps: 50) {
        for i in 0..<100 {
            reached &+= try m.transposed().count
            reached &+= try m[[.slice(i, i + 64, nil)]].count
            reached &+= try m[[.all, .slice(i, i + 64, nil)]].count
        }
    }
    precondition(reached > 0)
    results["views_us"] = tv / 300 * 1e6
}

// 8. The kernel's own work for one `1+1` execute_request, without sockets: the signed frames
//    decoded, the request run, its five messages (busy, execute_input, execute_result,
//    execute_reply, idle) encoded and signed. The rest of a round trip is ZeroMQ and threads.
/// Runs on the kernel's session thread, as the kernel does (nonisolated: not the main actor's).
nonisolated func kernelRequestMicroseconds() throws -> Double {
    final class EncodeOnly: KernelTransport {
        let wire: Wire
        var bytes = 0
        init(_ wire: Wire) { self.wire = wire }
        func send(_ message: Message, on channel: Channel) { bytes += wire.frames(message).body.count }
        func askInput(_ request: Message) -> Message? { nil }
        func takeQueuedRequests() -> [Message] { [] }
    }
    let wire = Wire(key: "4c2b8f1e-8d67-4a1f-9c1d-3e5f7a9b0c2d")
    let kernel = Kernel(transport: EncodeOnly(wire))
    let request = Message(identities: [Data("client".utf8)],
                          header: Header(msg_id: "b3f1c0de", msg_type: "execute_request", session: "bench", username: "bench",
                                         date: "2026-01-01T00:00:00Z", version: "5.5"),
                          content: ["code": "1+1", "silent": false, "store_history": false, "user_expressions": [:], "allow_stdin": false])
    let frames = wire.encode(request), reps = 20_000
    // The session thread's CPU time, not wall time: one thread's work, steady on a shared machine.
    func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
    let times = try kernel.session.onSessionThread {
        Result {
            try (0..<6).map { _ in
                let t0 = cpu()
                for _ in 0..<reps { kernel.handle(try wire.decode(frames), on: .shell) }
                return cpu() - t0
            }.dropFirst().sorted()
        }
    }.get()
    return times[times.count / 2] / Double(reps) * 1e6
}
if wanted("kernel_request_us") { results["kernel_request_us"] = try kernelRequestMicroseconds() }

let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
