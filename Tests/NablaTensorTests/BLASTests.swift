import Testing
@testable import NablaTensor

/// The OpenBLAS core choice: a decision table for the CPUs Nabla has met, and this machine.
@Suite struct BLASDispatchTests {
    let sapphireRapids: Set<String> = ["sse3", "pni", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "amx_tile"]
    let epyc: Set<String> = ["pni", "avx", "avx2", "fma"]

    @Test func levelsFromFlags() {
        #expect(BLAS.level(flags: sapphireRapids) == .avx512)
        #expect(BLAS.level(flags: epyc) == .avx2)
        #expect(BLAS.level(flags: ["pni", "avx"]) == .avx)
        #expect(BLAS.level(flags: ["avx2"]) == .generic || BLAS.level(flags: ["avx2"]) == .sse3)
        #expect(BLAS.level(flags: ["fp", "asimd"]) == .neon)
        #expect(BLAS.level(flags: ["fp", "asimd", "sve"]) == .sve)
    }

    @Test func misdetectionsAreCorrected() {
        // Debian's 0.3.21 on a Sapphire Rapids reports Prescott: ask for SkylakeX.
        #expect(BLAS.choose(cpu: .avx512, vendor: "GenuineIntel", reported: "Prescott").correction == "SkylakeX")
        // An AMD EPYC detected as Zen is right; as Prescott, it gets Zen back.
        #expect(BLAS.choose(cpu: .avx2, vendor: "AuthenticAMD", reported: "Zen").correction == nil)
        #expect(BLAS.choose(cpu: .avx2, vendor: "AuthenticAMD", reported: "Prescott").correction == "Zen")
        #expect(BLAS.choose(cpu: .avx2, vendor: "GenuineIntel", reported: "Haswell").correction == nil)
        // A core the CPU cannot run (AVX-512 kernels on an AVX2 CPU) is replaced too.
        #expect(BLAS.choose(cpu: .avx2, vendor: "GenuineIntel", reported: "SkylakeX").correction == "Haswell")
        // Unknown names and other families are left to OpenBLAS.
        #expect(BLAS.choose(cpu: .avx2, vendor: "GenuineIntel", reported: "SomeFutureCore").correction == nil)
        #expect(BLAS.choose(cpu: .neon, vendor: "", reported: "NEOVERSEN1").correction == nil)
    }

    @Test func threadCounts() {
        #expect(BLAS.cpuListCount("0-3,8,10-11") == 7)
        #expect(BLAS.cpuListCount("0") == 1)
        #expect(BLAS.cpuListCount("x-1") == nil && BLAS.cpuListCount("3-1") == nil)
        #expect(BLAS.threadCount(environment: ["NABLA_THREADS": "3"]) == 3)
        #expect(BLAS.threadCount(environment: [:]) >= 1)
    }

    /// On whatever machine runs the tests: the level of the core OpenBLAS runs, once corrected,
    /// is the CPU's own.
    @Test func thisMachinesChoiceMatchesItsCPU() throws {
        let c = BLAS.currentChoice()
        let running = c.correction ?? c.reported
        if let level = BLAS.level(core: running) { #expect(level == c.cpu, "\(running) for a \(c.cpu) CPU") }
    }
}
