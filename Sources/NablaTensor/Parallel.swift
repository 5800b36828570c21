import Foundation
import Synchronization

/// Fork-join over the cores this process may use, for the engine's large loops and GEMMs.
/// The caller and resident workers take a job's parts from a shared counter, so a worker
/// that wakes late (another process holds its core) leaves its parts to the caller instead
/// of holding the job up. Workers spin briefly between jobs (a training step starts one
/// every few microseconds) and then sleep. OpenBLAS runs single-threaded inside each part:
/// its own pool spins after every GEMM and held the second core while the step's element
/// passes ran (docs/performance.md).
public enum Parallel {
    /// Threads a job may use, the caller included (`BLAS.threadCount()` at start-up).
    public static var width: Int { pool.width.load(ordering: .relaxed) }

    /// Sets the threads a job may use (at least 1); workers are started when first needed.
    public static func setWidth(_ n: Int) { pool.width.store(Swift.max(1, Swift.min(n, Pool.maxWorkers + 1)), ordering: .relaxed) }

    /// Elements from which an element-wise pass is split over the cores: below it, waking a
    /// worker costs about what the second core would save.
    static let elementwiseMinimum = 32_768

    /// Runs `body(part)` for every part in `0..<parts`, each exactly once, on the caller and
    /// the workers, and returns when all have finished. Nested jobs, and jobs started while
    /// another thread's job runs, run on their caller alone, so any code may call it.
    public static func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, width > 1,
              pool.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<Swift.max(parts, 0) { body(p) }
            return
        }
        defer { pool.busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            do {
                let job = Job(parts: parts, body: body)
                pool.publish(job)
                job.drain()
                pool.retire()
            }   // the job, and with it `body`, is released here: no worker holds it any more
        }
    }

    /// Splits `0..<count`, items holding `elements` elements together, into contiguous ranges,
    /// two per thread, and runs `body` on each; below `elementwiseMinimum` elements, where a job
    /// costs more than it saves, `body` gets the whole range on the caller.
    public static func chunks(_ count: Int, elements: Int, _ body: (Range<Int>) -> Void) {
        let parts = elements >= elementwiseMinimum ? Swift.min(2 * width, count) : 1
        guard parts > 1 else { if count > 0 { body(0..<count) }; return }
        run(parts: parts) { p in body((count * p / parts)..<(count * (p + 1) / parts)) }
    }

    /// One job: its parts are handed out by `next` to whoever asks first.
    final class Job: @unchecked Sendable {   // `body` is non-escaping: `run` retires the job before it returns
        let parts: Int
        let body: (Int) -> Void
        let next = Atomic<Int>(0)
        init(parts: Int, body: @escaping (Int) -> Void) { self.parts = parts; self.body = body }

        /// Runs parts until none is left.
        func drain() {
            while true {
                let p = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard p < parts else { return }
                body(p)
            }
        }
    }

    static let pool = Pool()

    final class Pool: Sendable {
        static let maxWorkers = 63
        let width = Atomic<Int>(1)
        let busy = Atomic<Bool>(false)
        /// Bumped once per job; workers wait for it to move.
        let generation = Atomic<Int>(0)
        /// The job running now, and how many workers are inside it.
        let job = Mutex<Job?>(nil)
        let active = Atomic<Int>(0)
        let workers = Mutex<[Worker]>([])

        /// A worker's sleeping flag and the semaphore it sleeps on.
        final class Worker: Sendable {
            let sleeping = Atomic<Bool>(false)
            let wake = DispatchSemaphore(value: 0)
        }

        /// Makes `job` the current one and wakes the sleeping workers (starting those the
        /// width asks for that are not running yet).
        func publish(_ job: Job) {
            let want = Swift.min(width.load(ordering: .relaxed), job.parts) - 1
            let crew = workers.withLock { crew in
                while crew.count < want { crew.append(spawn(index: crew.count + 1)) }
                return crew
            }
            self.job.withLock { $0 = job }
            generation.add(1, ordering: .releasing)
            for w in crew where w.sleeping.exchange(false, ordering: .acquiringAndReleasing) { w.wake.signal() }
        }

        /// Withdraws the current job and waits for the workers still running its parts.
        func retire() {
            job.withLock { $0 = nil }
            var spins = 0
            while active.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 100_000 { sched_yield() }   // about 0.1 ms: the worker is not coming back soon
            }
        }

        private func spawn(index: Int) -> Worker {
            let worker = Worker()
            let thread = Thread { [self] in self.serve(worker, index: index) }
            thread.name = "nabla-worker-\(index)"
            thread.start()
            return worker
        }

        /// A worker's loop: wait for a new generation, help with its job if it is still on (and
        /// the width, which may have shrunk since the worker started, still counts it in).
        private func serve(_ me: Worker, index: Int) {
            var seen = 0
            while true {
                var idle = ContinuousClock.now
                var spins = 0
                while generation.load(ordering: .acquiring) == seen {
                    spins += 1
                    if spins & 255 != 0 { continue }
                    if spins == 256 { idle = .now; continue }
                    // Spun for a while with no job: sleep until `publish` signals.
                    guard ContinuousClock.now - idle > .microseconds(300) else { continue }
                    me.sleeping.store(true, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen {
                        me.wake.wait()
                    } else if !me.sleeping.exchange(false, ordering: .acquiringAndReleasing) {
                        me.wake.wait()   // `publish` already took the flag and signals: take that signal
                    }
                    spins = 0
                }
                seen = generation.load(ordering: .acquiring)
                let joined: Bool
                do {
                    let inWidth = index < width.load(ordering: .relaxed)
                    let current = job.withLock { job -> Job? in
                        guard inWidth, job != nil else { return nil }
                        active.add(1, ordering: .relaxed)
                        return job
                    }
                    joined = current != nil
                    current?.drain()
                }   // the job is released before `retire` can see this worker leave
                if joined { active.subtract(1, ordering: .releasing) }
            }
        }
    }
}
