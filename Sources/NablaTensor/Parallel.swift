import Foundation
import Synchronization

/// Fork-join over the cores this process may use, for the engine's large loops and GEMMs.
/// Part 0 runs on the caller, the others on resident workers that spin briefly between jobs
/// (a training step starts one every few microseconds) and then sleep. OpenBLAS runs
/// single-threaded inside each part: its own pool spins after every GEMM and held the second
/// core while the step's element passes ran (docs/performance.md).
public enum Parallel {
    /// Threads a job uses, the caller included (`BLAS.threadCount()` at start-up).
    public static var width: Int { pool.width.load(ordering: .relaxed) }

    /// Sets the threads a job uses (at least 1); workers are started when first needed.
    public static func setWidth(_ n: Int) { pool.width.store(Swift.max(1, Swift.min(n, Pool.maxWorkers + 1)), ordering: .relaxed) }

    /// Runs `body(part)` for every part in `0..<parts` and returns when all have finished.
    /// Parts beyond the width, nested jobs and jobs started while another thread's job runs
    /// are run on the caller, one after another, so any caller may use it.
    public static func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1 else { if parts == 1 { body(0) }; return }
        let w = Swift.min(parts, width)
        guard w > 1, pool.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<parts { body(p) }
            return
        }
        defer { pool.busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            pool.start(Job(parts: parts, width: w, body: body))
            // The caller takes part 0 and any parts past the workers' share.
            var p = 0
            while p < parts { body(p); p += w }
            pool.finish()
        }
    }

    /// Splits `0..<count` into one contiguous range per thread (none when `count` is below
    /// `minimum`, where a job costs more than it saves) and runs `body` on each.
    public static func chunks(_ count: Int, minimum: Int, _ body: (Range<Int>) -> Void) {
        let parts = count >= Swift.max(minimum, 2) ? Swift.min(width, count) : 1
        guard parts > 1 else { if count > 0 { body(0..<count) }; return }
        run(parts: parts) { p in body((count * p / parts)..<(count * (p + 1) / parts)) }
    }

    /// One job: worker `i` runs parts i, i + width, … (part 0 and its stride are the caller's).
    struct Job: @unchecked Sendable {   // `body` is non-escaping: `run` waits for every part before it returns
        let parts, width: Int
        let body: (Int) -> Void
    }

    static let pool = Pool()

    final class Pool: Sendable {
        static let maxWorkers = 63
        let width = Atomic<Int>(1)
        let busy = Atomic<Bool>(false)
        /// Bumped once per job; workers wait for it to move.
        let generation = Atomic<Int>(0)
        /// Workers still running the current job.
        let pending = Atomic<Int>(0)
        let job = Mutex<Job?>(nil)
        let workers = Mutex<[Worker]>([])

        /// A worker's sleeping flag and the semaphore it sleeps on.
        final class Worker: Sendable {
            let sleeping = Atomic<Bool>(false)
            let wake = DispatchSemaphore(value: 0)
        }

        /// Publishes `job` and wakes every worker (starting any the width needs that is not yet
        /// running); each reports back, so those past the job's width just report.
        func start(_ job: Job) {
            let crew = workers.withLock { crew in
                let seen = generation.load(ordering: .acquiring)
                while crew.count < job.width - 1 { crew.append(spawn(index: crew.count + 1, seen: seen)) }
                return crew
            }
            self.job.withLock { $0 = job }
            pending.store(crew.count, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            for w in crew where w.sleeping.exchange(false, ordering: .acquiringAndReleasing) { w.wake.signal() }
        }

        /// Waits for the workers' parts, then drops the job (its closure dies with `run`).
        func finish() {
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 10_000 { sched_yield() }
            }
            job.withLock { $0 = nil }
        }

        /// A worker that waits for the generation after `seen`, the job it was started for.
        private func spawn(index: Int, seen: Int) -> Worker {
            let worker = Worker()
            let thread = Thread { [self] in self.serve(worker, index: index, seen: seen) }
            thread.name = "nabla-worker-\(index)"
            thread.start()
            return worker
        }

        /// A worker's loop: wait for a new generation, run its parts of the job, report.
        private func serve(_ me: Worker, index: Int, seen: Int) {
            var seen = seen
            while true {
                var idle = ContinuousClock.now
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    spins += 1
                    if spins & 255 != 0 { continue }
                    if spins == 256 { idle = .now; continue }
                    // Spun for a while with no job: sleep until `start` signals.
                    guard ContinuousClock.now - idle > .microseconds(300) else { continue }
                    me.sleeping.store(true, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen {
                        me.wake.wait()
                    } else if !me.sleeping.exchange(false, ordering: .acquiringAndReleasing) {
                        me.wake.wait()   // `start` already took the flag and signals: take that signal
                    }
                    spins = 0
                }
                seen = generation.load(ordering: .acquiring)
                if let job = job.withLock({ $0 }), index < job.width {
                    var p = index
                    while p < job.parts { job.body(p); p += job.width }
                }
                pending.subtract(1, ordering: .releasing)
            }
        }
    }
}
