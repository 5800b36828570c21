import Foundation

/// Writes the kernelspec (kernel.json and logos) for this binary, as `ipykernel install` does.
public enum KernelspecInstaller {
    public enum Location {
        case user, sysPrefix, prefix(String)
    }

    /// The kernels directory for a location: ~/.local/share/jupyter/kernels, $prefix/share/jupyter/kernels.
    public static func kernelsDir(_ location: Location) throws -> URL {
        switch location {
        case .user:
            let base = ProcessInfo.processInfo.environment["JUPYTER_DATA_DIR"].map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/jupyter")
            return base.appendingPathComponent("kernels")
        case .sysPrefix:
            guard let venv = ProcessInfo.processInfo.environment["VIRTUAL_ENV"] ?? ProcessInfo.processInfo.environment["CONDA_PREFIX"] else {
                throw KernelError.connectionFile("--sys-prefix needs an active Python environment (VIRTUAL_ENV); use --prefix DIR")
            }
            return URL(fileURLWithPath: venv).appendingPathComponent("share/jupyter/kernels")
        case let .prefix(p):
            return URL(fileURLWithPath: p).appendingPathComponent("share/jupyter/kernels")
        }
    }

    /// Installs into `<kernels>/<name>/`; `template` is the repo's kernelspec/ folder (logos),
    /// `executable` the absolute path written into argv. Returns the folder written.
    @discardableResult
    public static func install(name: String, location: Location, executable: String, template: URL?) throws -> URL {
        let dir = try kernelsDir(location).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var spec: [String: JSON] = ["display_name": "Nabla", "language": "nabla", "interrupt_mode": "message", "metadata": ["supported_encryption": ["curve"]]]
        if let template, let data = try? Data(contentsOf: template.appendingPathComponent("kernel.json")),
           let o = JSONReader.object(data)?.objectValue {
            spec = o
        }
        spec["argv"] = [.string(executable), "kernel", "-f", "{connection_file}"]
        let json = JSONWriter.pretty(.object(spec))
        try json.write(to: dir.appendingPathComponent("kernel.json"))
        if let template {
            for logo in ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"] {
                let src = template.appendingPathComponent(logo), dst = dir.appendingPathComponent(logo)
                guard FileManager.default.fileExists(atPath: src.path) else { continue }
                try? FileManager.default.removeItem(at: dst)
                try FileManager.default.copyItem(at: src, to: dst)
            }
        }
        return dir
    }
}
