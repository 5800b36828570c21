// swift-tools-version:6.0
// Nabla: a Jupyter kernel for learning how models learn. One target per layer, each
// depending only on the layers below it:
//   CBLAS, CZeroMQ, CSQLite, CPNG, CTurboJPEG (C shims) → NablaTensor → NablaAutograd → NablaLanguage → NablaDisplay
//   → NablaKernel → nabla (executable).
import PackageDescription

let settings: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// `-static-stdlib`, plus the libraries static Foundation needs that the modules' autolink
/// entries (written for the shared libraries) leave out.
let staticSwift = ["-static-stdlib", "-Xlinker", "--start-group", "-lFoundation", "-lCoreFoundation", "-lFoundationInternationalization",
                   "-lFoundationEssentials", "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections", "-Xlinker", "--end-group"]
/// The engine's, the interpreter's and the kernel's hot targets skip the runtime exclusivity
/// checks in release builds (~12% of a scalar op and of a call loop, ~7% of a kernel request);
/// debug builds, which the tests use, keep them, so a violation still shows there.
let releaseUnchecked: [SwiftSetting] = settings + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Nabla",
    products: [
        .executable(name: "nabla", targets: ["nabla"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .target(name: "NablaTensor", dependencies: ["CBLAS"], swiftSettings: releaseUnchecked),
        .target(name: "NablaAutograd", dependencies: ["NablaTensor"], swiftSettings: releaseUnchecked),
        .target(name: "NablaLanguage", dependencies: ["NablaAutograd", "CPNG", "CTurboJPEG"], swiftSettings: releaseUnchecked),
        .target(name: "NablaDisplay", dependencies: ["NablaLanguage"], swiftSettings: settings),
        .target(name: "NablaKernel", dependencies: ["NablaDisplay", "CZeroMQ", "CSQLite", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: releaseUnchecked),
        // The Swift runtime and Foundation linked in statically: the dynamic linker has far fewer
        // symbols to bind at start-up (`nabla --help`: 51 → 36 M instructions) and fewer library
        // pages stay mapped (idle kernel RSS 32.9 → 27.0 MiB).
        .executableTarget(name: "nabla", dependencies: ["NablaKernel", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: settings,
                          linkerSettings: [.unsafeFlags(staticSwift, .when(platforms: [.linux]))]),
        .executableTarget(name: "NablaFuzz", dependencies: ["NablaLanguage"], path: "Fuzz/NablaFuzz", swiftSettings: settings),
        .executableTarget(name: "NablaKernelFuzz", dependencies: ["NablaKernel"], path: "Fuzz/NablaKernelFuzz", swiftSettings: settings),
        .executableTarget(name: "NablaBench", dependencies: ["NablaKernel"], path: "bench/NablaBench", swiftSettings: settings),
        .testTarget(name: "NablaTensorTests", dependencies: ["NablaTensor"], swiftSettings: settings),
        .testTarget(name: "NablaAutogradTests", dependencies: ["NablaAutograd"], swiftSettings: settings),
        .testTarget(name: "NablaLanguageTests", dependencies: ["NablaLanguage", "CPNG", "CTurboJPEG"], exclude: ["Golden"], swiftSettings: settings),
        .testTarget(name: "NablaDisplayTests", dependencies: ["NablaDisplay"], exclude: ["Golden"], swiftSettings: settings),
        .testTarget(name: "NablaKernelTests", dependencies: ["NablaKernel"], swiftSettings: settings),
    ]
)
