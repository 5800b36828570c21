import Foundation
import NablaAutograd
import NablaTensor

/// How a cell ended.
public enum Outcome {
    /// Ran to the end; the value of its final expression, if any.
    case ok(Value?)
    case error(NablaError)
}

/// A session: one interpreter and the variables it keeps across cells. Cells run on a worker
/// thread of the session's own with a large stack, so deep recursion in a student's code
/// reaches the RecursionError limit long before the native stack ends; the engine's per-thread
/// state (grad mode, random generator, cancellation token) belongs to the session.
public final class Session: @unchecked Sendable {   // its interpreter runs only on the session's worker thread
    public let interpreter = Interpreter()
    private let worker: Worker

    public init(stackSize: Int = 1 << 30) {
        worker = Worker(stackSize: stackSize)
        let token = interpreter.token
        worker.run { Cancellation.current = token }
    }

    deinit { worker.stop() }

    /// Runs `code`, sending prints and displays to `sink`; blocks until the cell ends.
    public func execute(_ code: String, sink: OutputSink) -> Outcome {
        let interp = interpreter
        var outcome = Outcome.ok(nil)
        worker.run {
            interp.token.reset()
            interp.sink = sink
            defer { interp.sink = nil }
            do {
                outcome = .ok(try interp.execute(code))
            } catch let e as NablaError {
                outcome = .error(e)
            } catch let e as TensorError {
                outcome = .error(Interpreter.convert(e, .unknown))
            } catch {
                outcome = .error(NablaError(.value, "\(error)"))
            }
            for hook in interp.cellEndHooks { hook(interp) }
        }
        return outcome
    }

    /// Runs `body` on the session's thread as a cell runs (output to `sink`, interruptible):
    /// for callbacks a frontend triggers (widget changes). Returns the error it ended with.
    public func perform(sink: OutputSink, _ body: @escaping (Interpreter) throws -> Void) -> NablaError? {
        let interp = interpreter
        var failure: NablaError?
        worker.run {
            interp.token.reset()
            let saved = interp.sink
            interp.sink = sink
            defer { interp.sink = saved }
            do { try body(interp) } catch let e as NablaError {
                failure = e
            } catch let e as TensorError {
                failure = Interpreter.convert(e, .unknown)
            } catch {
                failure = NablaError(.value, "\(error)")
            }
        }
        return failure
    }

    /// Stops the running cell (from any thread): a KeyboardInterrupt is raised at the next loop
    /// iteration, call, or chunk of a long engine operation.
    public func interrupt() { interpreter.token.cancel() }

    /// Runs `body` on the session's thread (for work that touches the interpreter's state).
    /// Called from that thread itself, it runs at once; a kernel can run its whole request
    /// loop there and skip a thread hand-off per request.
    public func onSessionThread<T>(_ body: @escaping () -> T) -> T {
        var result: T?
        worker.run { result = body() }
        guard let result else { preconditionFailure("worker did not run") }
        return result
    }
}

/// One thread with a chosen stack size that runs submitted closures one at a time.
final class Worker: @unchecked Sendable {   // job and done are guarded by lock
    private let lock = NSCondition()
    private var job: (() -> Void)?
    private var done = false

    init(stackSize: Int) {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, stackSize)
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, &attr, { arg in
            guard let arg else { return nil }
            let w = Unmanaged<Worker>.fromOpaque(arg).takeRetainedValue()
            w.loop()
            return nil
        }, box)
        pthread_attr_destroy(&attr)
        if rc != 0 {
            // No thread: run jobs on the caller's thread instead.
            Unmanaged<Worker>.fromOpaque(box).release()
            inline = true
        } else {
            pthread_detach(tid)
        }
    }

    private var inline = false

    private var stopping = false

    /// Lets the thread end once it is idle.
    func stop() {
        lock.lock()
        stopping = true
        lock.broadcast()
        lock.unlock()
    }

    /// The worker's own thread, so work submitted from it runs at once instead of deadlocking.
    private var thread: pthread_t?

    private func loop() {
        lock.lock(); thread = pthread_self(); lock.broadcast(); lock.unlock()
        while true {
            lock.lock()
            while job == nil && !stopping { lock.wait() }
            if job == nil { lock.unlock(); return }
            let j = job
            lock.unlock()
            j?()
            lock.lock()
            job = nil
            done = true
            lock.broadcast()
            lock.unlock()
        }
    }

    /// Runs `body` on the worker and waits for it to finish.
    func run(_ body: @escaping () -> Void) {
        if inline { body(); return }
        lock.lock()
        if let t = thread, pthread_equal(t, pthread_self()) != 0 {
            lock.unlock()
            body()
            return
        }
        while job != nil { lock.wait() }
        done = false
        job = body
        lock.broadcast()
        while !done { lock.wait() }
        lock.unlock()
    }
}
