import Foundation
import NablaAutograd
import NablaTensor

/// A generator function's body running lazily: on its own thread, strictly handing off with the
/// consumer, so `next()` runs it only up to the next `yield` and an endless `while True: yield …`
/// is fine. Exactly one of the two threads runs at any time.
final class GeneratorRunner: @unchecked Sendable {  // the consumer and the body never run at once: semaphores hand off
    /// Thrown inside the body when the generator is dropped unfinished, so its thread unwinds.
    struct Closed: Error {}

    /// The per-thread state a hand-off carries along: grad mode, the random generator, the interrupt token.
    struct ThreadState {
        var grad: GradMode, random: Xoshiro256, token: CancellationToken?
        static func capture() -> ThreadState { ThreadState(grad: GradMode.current, random: RandomSource.generator, token: Cancellation.current) }
        func install() { GradMode.current = grad; RandomSource.generator = random; Cancellation.current = token }
    }

    private let toBody = DispatchSemaphore(value: 0)
    private let toConsumer = DispatchSemaphore(value: 0)
    private var body: ((@escaping (Value) throws -> Void) throws -> Void)?
    private var state: ThreadState?
    private var produced: Value?
    private var failure: Error?
    private var started = false, finished = false, closed = false
    static let stackSize = 256 << 20

    init(_ body: @escaping (@escaping (Value) throws -> Void) throws -> Void) { self.body = body }

    /// The next value, nil when the body has returned; errors raised in the body surface here.
    func next() throws -> Value? {
        guard !finished else { return nil }
        if !started {
            started = true
            guard start() else { finished = true; throw NablaError(.memory, "cannot start a generator: no thread available") }
        }
        state = .capture()
        toBody.signal()
        toConsumer.wait()
        state?.install()
        if let e = failure { failure = nil; finished = true; throw e }
        if finished { return nil }
        defer { produced = nil }
        return produced
    }

    /// Ends a generator dropped before its end (its thread unwinds through `Closed`).
    func close() {
        guard started, !finished else { return }
        closed = true
        toBody.signal()
        toConsumer.wait()
    }

    private func start() -> Bool {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, GeneratorRunner.stackSize)
        defer { pthread_attr_destroy(&attr) }
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, &attr, { arg in
            guard let arg else { return nil }
            Unmanaged<GeneratorRunner>.fromOpaque(arg).takeRetainedValue().run()
            return nil
        }, box)
        guard rc == 0 else { Unmanaged<GeneratorRunner>.fromOpaque(box).release(); return false }
        pthread_detach(tid)
        return true
    }

    private func run() {
        toBody.wait()
        state?.install()
        if !closed, let body {
            do {
                try body { [self] v in
                    produced = v
                    state = .capture()
                    toConsumer.signal()
                    toBody.wait()
                    state?.install()
                    if closed { throw Closed() }
                }
            } catch is Closed {
            } catch { failure = error }
        }
        body = nil
        finished = true
        state = .capture()
        toConsumer.signal()
    }
}
