import Foundation

/// Process-wide set-up of `nabla kernel`: signals, logging that survives a closed stderr,
/// and Jupyter's directories.
public enum KernelProcess {
    /// SIGPIPE: a closed stdout/stderr means nobody listens, not a reason to die (writes then
    /// fail with EPIPE and are dropped). SIGXFSZ: a history file past RLIMIT_FSIZE fails its
    /// write with EFBIG, which the history handles, instead of killing the kernel.
    public static func ignoreSignals() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
    }

    /// Writes all of `text` to a file descriptor, dropping it on any error (EPIPE included).
    static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// One line on stderr, prefixed `[nabla]`.
    public static func log(_ line: String) { writeAll(2, "[nabla] \(line)\n") }

    /// Text on stdout.
    public static func say(_ text: String) { writeAll(1, text) }

    /// An environment variable, read alone (`ProcessInfo.environment` copies the whole
    /// environment into a dictionary at every call, which showed in the kernel's start-up).
    public static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// Jupyter's data dir: $JUPYTER_DATA_DIR, else ~/.local/share/jupyter.
    public static func dataDir() -> URL {
        environment("JUPYTER_DATA_DIR").map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/jupyter")
    }

    /// Jupyter's runtime dir (connection files): $JUPYTER_RUNTIME_DIR, else DATA/runtime.
    public static func runtimeDir() -> URL {
        environment("JUPYTER_RUNTIME_DIR").map { URL(fileURLWithPath: $0) }
            ?? dataDir().appendingPathComponent("runtime")
    }

    /// NABLA_HISTORY_FILE names the history database (default DATA/nabla_history.sqlite); set
    /// empty, history stays in memory.
    public static func historyFile() -> URL? {
        if let h = environment("NABLA_HISTORY_FILE") { return h.isEmpty ? nil : URL(fileURLWithPath: h) }
        return dataDir().appendingPathComponent("nabla_history.sqlite")
    }
}
