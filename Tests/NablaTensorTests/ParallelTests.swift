import Foundation
import Synchronization
import Testing
@testable import NablaTensor

/// The fork-join pool and the GEMMs split over it. The width is process-wide, so the tests
/// that change it run one at a time and put it back; other suites running meanwhile see a
/// wider pool, which must not change their results either.
@Suite(.serialized) struct ParallelTests {
    /// Runs `body` with the pool at `width` threads, then restores the width.
    func with(width: Int, _ body: () throws -> Void) rethrows {
        let saved = Parallel.width
        Parallel.setWidth(width)
        defer { Parallel.setWidth(saved) }
        try body()
    }

    @Test(arguments: [1, 2, 3])
    func everyPartRunsOnce(width: Int) {
        with(width: width) {
            for parts in 0...9 {
                let hits = Mutex([Int](repeating: 0, count: parts))
                Parallel.run(parts: parts) { p in hits.withLock { $0[p] += 1 } }
                #expect(hits.withLock { $0.allSatisfy { $0 == 1 } }, "\(parts) parts on \(width) threads")
            }
        }
    }

    /// A job uses at most `width` threads, also after the width shrank below the workers started.
    @Test func aShrunkWidthIsHonoured() {
        func threads(width: Int) -> Int {
            let seen = Mutex(Set<UInt>())
            with(width: width) {
                Parallel.run(parts: 24) { _ in
                    usleep(500)
                    seen.withLock { _ = $0.insert(UInt(pthread_self())) }
                }
            }
            return seen.withLock { $0.count }
        }
        #expect(threads(width: 3) <= 3)
        #expect(threads(width: 2) <= 2)
        #expect(threads(width: 1) == 1)
    }

    @Test func chunksCoverTheRangeOnce() {
        with(width: 2) {
            for count in [0, 1, 2, 7, 100] {
                let hits = Mutex([Int](repeating: 0, count: count))
                Parallel.chunks(count, elements: Parallel.elementwiseMinimum) { r in hits.withLock { for i in r { $0[i] += 1 } } }
                #expect(hits.withLock { $0.allSatisfy { $0 == 1 } })
            }
        }
    }

    @Test func nestedAndConcurrentJobsRunOnTheirCaller() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            with(width: 2) {
                // A job inside a part, and jobs from two threads at once, all complete.
                let total = Atomic<Int>(0)
                DispatchQueue.concurrentPerform(iterations: 4) { _ in
                    for _ in 0..<200 {
                        Parallel.run(parts: 3) { _ in
                            Parallel.run(parts: 2) { _ in total.add(1, ordering: .relaxed) }
                        }
                    }
                }
                #expect(total.load(ordering: .relaxed) == 4 * 200 * 3 * 2)
            }
            done.resume()
        }
    }

    /// A GEMM split over the cores agrees with one call for every transpose, to rounding (an
    /// OpenBLAS kernel may sum an edge tile in another order than an inner one).
    @Test func splitGemmMatchesOneCall() throws {
        var rng = Xoshiro256(seed: 9)
        for (m, n, k) in [(300, 200, 70), (40, 700, 30), (700, 40, 30)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = try Tensor.randn(ta ? [k, m] : [m, k], using: &rng), b = try Tensor.randn(tb ? [n, k] : [k, n], using: &rng)
                var one: Tensor?, split: Tensor?
                try with(width: 1) { one = try Tensor.gemm(a, b, transA: ta, transB: tb) }
                try with(width: 2) { split = try Tensor.gemm(a, b, transA: ta, transB: tb) }
                let (p, q) = (try #require(one), try #require(split))
                #expect(p.shape == q.shape && p.shape == [m, n])
                let worst = zip(p.data, q.data).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($0)) }.max() ?? 0
                #expect(worst < 1e-13, "\(m)×\(n)×\(k) transA \(ta) transB \(tb): \(worst)")
            }
        }
    }

    /// An empty inner dimension gives zeros (the result buffer starts uninitialized), and
    /// `overwrite` ignores what C held.
    @Test func emptyInnerDimensionAndOverwrite() throws {
        for width in [1, 2] {
            try with(width: width) {
                let z = try Tensor.gemm(try Tensor.zeros([300, 0]), try Tensor.zeros([0, 400]), transA: false, transB: false)
                #expect(z.shape == [300, 400] && z.data.allSatisfy { $0 == 0 })
                var rng = Xoshiro256(seed: 3)
                let a = try Tensor.randn([300, 50], using: &rng), b = try Tensor.randn([50, 400], using: &rng)
                let fresh = try Tensor.gemm(a, b, transA: false, transB: false)
                var c = [Double](repeating: .nan, count: 300 * 400)
                a.data.withUnsafeBufferPointer { pa in b.data.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                    Tensor.gemm(pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: 300, n: 400, k: 50, transA: false, transB: false, overwrite: true)
                } } }
                #expect(c == fresh.data)
            }
        }
    }
}
