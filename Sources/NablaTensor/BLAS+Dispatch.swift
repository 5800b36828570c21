import CBLAS
import Foundation

/// Which OpenBLAS kernels run, and on how many threads. Debian's OpenBLAS 0.3.21 picks its
/// kernels at load time from the CPU model, and does not know newer CPUs: on a Sapphire
/// Rapids it falls back to Prescott (SSE3) kernels, 3× slower. `BLAS.Choice` compares what
/// the CPU supports (its instruction-set level, from /proc/cpuinfo) with the core OpenBLAS
/// reports; when OpenBLAS chose a weaker core (or one the CPU cannot run), the `nabla`
/// executable re-executes itself once with `OPENBLAS_CORETYPE` set to the best core the CPU
/// supports (OpenBLAS reads it only when it loads). docs/performance.md gives the reasons.
public enum BLAS {
    /// Instruction-set levels that decide which kernels OpenBLAS may use.
    public enum Level: Int, Comparable, Sendable, CustomStringConvertible {
        case generic = 0, sse3, avx, avx2, avx512
        // arm64
        case neon = 10, sve

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .generic: return "generic"
            case .sse3: return "SSE3"
            case .avx: return "AVX"
            case .avx2: return "AVX2+FMA"
            case .avx512: return "AVX-512"
            case .neon: return "NEON"
            case .sve: return "SVE"
            }
        }
    }

    /// The best level a CPU with these /proc/cpuinfo flags (x86 `flags`, arm64 `Features`) supports.
    public static func level(flags: Set<String>) -> Level {
        if flags.contains("sve") { return .sve }
        if flags.contains("asimd") { return .neon }
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) { return .avx512 }
        if flags.contains("avx2") && flags.contains("fma") { return .avx2 }
        if flags.contains("avx") { return .avx }
        if flags.contains("pni") || flags.contains("sse3") { return .sse3 }
        return .generic
    }

    /// The level of an OpenBLAS core name (`openblas_get_corename`), nil when unknown.
    public static func level(core: String) -> Level? {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .avx512
        case "haswell", "zen", "skylake", "excavator", "steamroller": return .avx2
        case "sandybridge", "bulldozer", "piledriver": return .avx
        case "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "opteron", "opteron_sse3", "barcelona", "bobcat", "nano", "katmai", "coppermine", "northwood", "banias":
            return .sse3
        case "neoversev1", "neoversev2", "a64fx", "armv8sve": return .sve
        case "armv8", "cortexa53", "cortexa55", "cortexa57", "cortexa72", "cortexa73", "neoversen1", "neoversen2", "thunderx", "thunderx2t99", "thunderx3t110", "tsv110", "emag8180", "falkor", "vortex":
            return .neon
        default: return nil
        }
    }

    /// The OpenBLAS core to ask for on a CPU of `level` from `vendor` (`AuthenticAMD`, `GenuineIntel`).
    public static func core(for level: Level, vendor: String) -> String? {
        switch level {
        case .avx512: return "SkylakeX"
        case .avx2: return vendor == "AuthenticAMD" ? "Zen" : "Haswell"
        case .avx: return "SandyBridge"
        case .sse3: return "Prescott"
        case .sve: return "ARMV8SVE"
        case .neon: return "ARMV8"
        case .generic: return nil
        }
    }

    /// What the CPU supports, what OpenBLAS chose, and what should run.
    public struct Choice: Sendable, Equatable {
        public var cpu: Level
        public var reported: String
        /// The core to set through OPENBLAS_CORETYPE, or nil when OpenBLAS's own choice is right.
        public var correction: String?
    }

    /// Decides from the CPU's level and vendor and the core OpenBLAS reports.
    public static func choose(cpu: Level, vendor: String, reported: String) -> Choice {
        let have = level(core: reported)
        // A weaker core wastes the CPU; a stronger one would fault on an illegal instruction.
        let wrong = have.map { $0 != cpu && sameFamily($0, cpu) } ?? false
        return Choice(cpu: cpu, reported: reported, correction: wrong ? core(for: cpu, vendor: vendor) : nil)
    }

    static func sameFamily(_ a: Level, _ b: Level) -> Bool { (a.rawValue >= 10) == (b.rawValue >= 10) }

    /// This machine's CPU flags and vendor, from /proc/cpuinfo (empty elsewhere). Read as bytes
    /// (the file is ASCII): Character-wise splitting and trimming showed in the start-up.
    public static func cpuInfo() -> (flags: Set<String>, vendor: String) {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return ([], "") }
        var flags = Set<String>(), vendor = ""
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let key = trimmedASCII(line[..<colon]), value = trimmedASCII(line[line.index(after: colon)...])
            if flags.isEmpty, key == "flags" || key == "Features" { flags = Set(value.split(separator: " ").map(String.init)) }
            if vendor.isEmpty, key == "vendor_id" { vendor = value }
            if !flags.isEmpty && !vendor.isEmpty { break }
        }
        return (flags, vendor)
    }

    /// The text of ASCII bytes without leading and trailing spaces and tabs.
    static func trimmedASCII(_ bytes: Substring.UTF8View) -> String {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// The core OpenBLAS runs on now.
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// OpenBLAS's build description (`OpenBLAS 0.3.21 DYNAMIC_ARCH … Zen MAX_THREADS=64`).
    public static var config: String { openblas_get_config().map { String(cString: $0) } ?? "unknown" }

    /// This machine's CPU, read once: it does not change while the program runs.
    static let machine = cpuInfo()

    /// The decision for this machine now.
    public static func currentChoice() -> Choice {
        choose(cpu: level(flags: machine.flags), vendor: machine.vendor, reported: coreName)
    }

    /// Threads for BLAS: `NABLA_THREADS` if set, else the CPUs this process may run on
    /// (its affinity mask, capped by a cgroup CPU quota).
    public static func threadCount(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let s = environment["NABLA_THREADS"], let n = Int(s), n >= 1 { return Swift.min(n, 256) }
        var n = ProcessInfo.processInfo.activeProcessorCount
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.utf8.split(separator: UInt8(ascii: "\n")).first(where: { $0.starts(with: "Cpus_allowed_list:".utf8) }),
           let count = cpuListCount(String(decoding: line.dropFirst("Cpus_allowed_list:".utf8.count), as: UTF8.self)), count > 0 {
            n = count
        }
        if let quota = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8) {
            let f = quota.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if f.count == 2, let q = Double(f[0]), let p = Double(f[1]), p > 0 { n = Swift.min(n, Swift.max(1, Int((q / p).rounded(.up)))) }
        }
        return Swift.max(1, n)
    }

    /// The number of CPUs in a kernel CPU list such as `0-3,8,10-11`; nil if malformed.
    public static func cpuListCount(_ list: String) -> Int? {
        var n = 0
        for part in list.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let ends = part.split(separator: "-").map { Int($0) }
            switch ends.count {
            case 1: guard ends[0] != nil else { return nil }; n += 1
            case 2:
                guard let a = ends[0], let b = ends[1], b >= a, b - a < 1 << 20 else { return nil }
                n += b - a + 1
            default: return nil
            }
        }
        return n
    }

    /// Sets the threads the engine's GEMMs and large loops use (`Parallel`); OpenBLAS itself
    /// runs single-threaded inside each part, and its own workers are stopped: started when
    /// the library loads, they spun (`sched_yield`) for a tenth of a second on the core
    /// Nabla's worker needs.
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(1)
        blas_thread_shutdown_()
        Parallel.setWidth(n)
    }
    public static var threads: Int { Parallel.width }

    /// One line for `nabla --version` and the kernel banner.
    public static var summary: String {
        let version = config.split(separator: " ").prefix(2).joined(separator: " ")
        let c = currentChoice()
        let kernels = level(core: coreName).map { " [\($0)]" } ?? ""
        return "\(version), core \(coreName)\(kernels) (CPU: \(c.cpu)), \(threads) thread\(threads == 1 ? "" : "s")"
    }

    /// Run first thing in the executable: when OpenBLAS chose the wrong core, re-execute this
    /// program once with OPENBLAS_CORETYPE set (OpenBLAS reads it only when it loads); then set
    /// the thread count. Returns a warning to print, if any.
    public static func configureAtStartup() -> String? {
        let choice = currentChoice()
        var warning: String?
        if let core = choice.correction {
            if getenv("NABLA_BLAS_REEXEC") == nil {
                setenv("OPENBLAS_CORETYPE", core, 1)
                setenv("NABLA_BLAS_REEXEC", "1", 1)
                execv("/proc/self/exe", CommandLine.unsafeArgv)
                // exec failed: carry on with OpenBLAS's own choice.
            }
            warning = "nabla: OpenBLAS runs its \(choice.reported) kernels on a CPU with \(choice.cpu); set OPENBLAS_CORETYPE=\(core) for the right ones"
        }
        // Only the variable threadCount reads: the whole environment as a dictionary showed in the start-up.
        setThreads(threadCount(environment: getenv("NABLA_THREADS").map { ["NABLA_THREADS": String(cString: $0)] } ?? [:]))
        return warning
    }
}
