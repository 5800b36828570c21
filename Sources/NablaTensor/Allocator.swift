/// The C allocator's settings for an engine that frees and re-allocates the same large
/// buffers (im2col columns, activations, gradients) at every training step.
public enum Allocator {
    /// Serves tensors up to 32 MiB from the heap instead of fresh `mmap` pages, and keeps up
    /// to 64 MiB of freed memory for the next step instead of returning it to the kernel.
    /// glibc's defaults map and unmap each large buffer, so every step paid for zero-filled
    /// pages again (36,000 page faults in the CNN benchmark's 30 steps; 7,000 with this).
    /// Peak memory is unchanged: only memory the process already used is kept.
    public static func keepLargeBuffers() {
        #if os(Linux)
        _ = glibcMallopt(mmapThreshold, 32 << 20)
        _ = glibcMallopt(trimThreshold, 64 << 20)
        #endif
    }

    #if os(Linux)
    // <malloc.h> is not part of Swift's Glibc module; these are its M_TRIM_THRESHOLD and
    // M_MMAP_THRESHOLD, whose values are part of glibc's ABI.
    private static let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
    #endif
}

#if os(Linux)
/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
