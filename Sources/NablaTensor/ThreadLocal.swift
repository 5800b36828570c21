import Foundation

/// A value each thread sees its own copy of. The engine's ambient state (grad mode, the
/// random generator, the cancellation token) lives here, so two sessions or two parallel
/// tests on different threads never see each other's settings.
public final class ThreadLocal<Value>: @unchecked Sendable {
    private final class Box { var value: Value; init(_ v: Value) { value = v } }
    private var key = pthread_key_t()
    private let initial: () -> Value

    public init(_ initial: @escaping () -> Value) {
        self.initial = initial
        pthread_key_create(&key) { p in
            if let p { Unmanaged<AnyObject>.fromOpaque(p).release() }
        }
    }

    private var box: Box {
        if let p = pthread_getspecific(key) { return Unmanaged<Box>.fromOpaque(p).takeUnretainedValue() }
        let b = Box(initial())
        pthread_setspecific(key, Unmanaged.passRetained(b).toOpaque())
        return b
    }

    public var value: Value {
        get { box.value }
        set { box.value = newValue }
    }
}
