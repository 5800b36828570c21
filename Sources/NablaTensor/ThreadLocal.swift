import Foundation

/// A value each thread sees its own copy of. The engine's ambient state (grad mode, the
/// random generator, the cancellation token) lives here, so two sessions or two parallel
/// tests on different threads never see each other's settings.
public final class ThreadLocal<Value>: @unchecked Sendable {   // each thread reaches only its own value, through the pthread key
    @usableFromInline final class Box {
        @usableFromInline var value: Value
        init(_ v: Value) { value = v }
    }
    @usableFromInline var key = pthread_key_t()
    private let initial: () -> Value

    public init(_ initial: @escaping () -> Value) {
        self.initial = initial
        pthread_key_create(&key) { p in
            if let p { Unmanaged<AnyObject>.fromOpaque(p).release() }
        }
    }

    /// This thread's box, created on first use.
    @usableFromInline var box: Box {
        if let p = pthread_getspecific(key) { return Unmanaged<Box>.fromOpaque(p).takeUnretainedValue() }
        let b = Box(initial())
        pthread_setspecific(key, Unmanaged.passRetained(b).toOpaque())
        return b
    }

    /// Inlinable, and reading without retaining the box: grad mode is read once per op.
    @inlinable public var value: Value {
        get {
            if let p = pthread_getspecific(key) { return Unmanaged<Box>.fromOpaque(p)._withUnsafeGuaranteedRef { $0.value } }
            return box.value
        }
        set { box.value = newValue }
    }
}
