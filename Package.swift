// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "paperctl-tui",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "paperctl-tui", targets: ["paperctl-tui"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The simulated Kubernetes API server (demo + test bed).
        .target(
            name: "SimCluster",
            dependencies: [
                "PaperKube",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The real CloudNativePG CRDs its API server validates custom resources against.
            resources: [.copy("Resources/crds")],
            swiftSettings: strict
        ),
        // The kubectl boundary: commands as values, the runner, typed errors, Codable models.
        .target(
            name: "PaperKube",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                // The HTTP/1.1 client for the dashboard's kubectl proxy on a unix socket.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Configuration, snapshot, checks, redaction.
        .target(
            name: "PaperDomain",
            dependencies: [
                "PaperKube",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // ncursesw, wide-character API, behind a shim header.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // UI core: state, messages, update, render into a ScreenBuffer, themes, keymap.
        .target(
            name: "PaperUI",
            dependencies: [
                "PaperDomain",
                "PaperKube",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // The app loop and the effect runner (every side effect of the dashboard), the refresher,
        // the recording runner and the journal file: library code, tested with fakes.
        .target(
            name: "PaperRuntime",
            dependencies: ["PaperUI", "PaperDomain", "PaperKube"],
            swiftSettings: strict
        ),
        // The ncurses backend (one owner of every curses call), driving the app loop.
        .target(
            name: "PaperTerminal",
            dependencies: ["PaperUI", "PaperRuntime", "PaperKube", "CNcursesw"],
            swiftSettings: strict
        ),
        // Writes BuildInfo.swift (the version and the commit) before every build: the version's one
        // source. A build tool plugin, not the manifest: SwiftPM caches an evaluated manifest, so
        // git facts read there go stale after the next commit.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Sources/BuildInfoPlugin"),
        .executableTarget(
            name: "paperctl-tui",
            dependencies: [
                "PaperUI",
                "PaperRuntime",
                "PaperTerminal",
                "SimCluster",
                "PaperKube",
                "PaperDomain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            plugins: ["BuildInfoPlugin"]
        ),
        // Benchmarks for the budgets README names (run with -c release).
        .executableTarget(
            name: "paperctl-bench",
            dependencies: [
                "SimCluster",
                "PaperUI",
                "PaperDomain",
                "PaperKube",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        // Shared by the end-to-end test targets: run a subprocess with a process-group watchdog.
        .target(
            name: "ProcessTestSupport",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")],
            path: "Tests/ProcessTestSupport",
            swiftSettings: strict
        ),
        // Shared by the unit test targets: a kubectl runner that records commands and answers from a table.
        .target(
            name: "TestSupport",
            dependencies: ["PaperKube"],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "SimClusterTests",
            dependencies: [
                "ProcessTestSupport",
                "SimCluster",
                "PaperKube",
                // A unix-socket HTTP server that answers and closes at once, for the proxy client.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PaperUITests",
            dependencies: ["PaperUI", "PaperRuntime", "PaperTerminal", "PaperDomain", "PaperKube", "TestSupport"],
            exclude: ["Golden"],  // read from the source tree (#filePath), so recording writes back there
            swiftSettings: strict
        ),
        .testTarget(
            name: "DashboardE2ETests",
            dependencies: ["ProcessTestSupport", "PaperUI", "PaperDomain", "PaperKube", "SimCluster", .product(name: "Subprocess", package: "swift-subprocess")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CheckE2ETests",
            dependencies: [
                "ProcessTestSupport",
                "SimCluster",
                "PaperDomain",
                "PaperKube",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        // End-to-end tests of the runbook actions: the built binary against the simulator.
        .testTarget(
            name: "ActionE2ETests",
            dependencies: [
                "ProcessTestSupport",
                "SimCluster",
                "PaperDomain",
                "PaperKube",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // The installed tool: --version and version run as the built binary, and
        // Sources/packaging/install.sh's install, uninstall and Debian package (dpkg -i as root).
        .testTarget(
            name: "PackageE2ETests",
            dependencies: [
                "ProcessTestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        // In-process only: no server, no subprocess (those are in DomainE2ETests).
        .testTarget(
            name: "PaperDomainTests",
            dependencies: [
                "TestSupport",
                "PaperDomain",
                "PaperKube",
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        // The kubectl runner, its watchdog and whole check sessions against scripted kubectl
        // executables: real processes, so they run in the end-to-end lane. The scripts read
        // PaperDomainTests' fixtures in place.
        .testTarget(
            name: "DomainE2ETests",
            dependencies: [
                "PaperDomain",
                "PaperKube",
            ],
            swiftSettings: strict
        ),
    ]
)
