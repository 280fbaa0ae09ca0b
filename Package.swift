// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Strict concurrency and Swift 6 mode for every target of ours, set in one place.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "compactd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "compactctl", targets: ["compactctl"]),
        .executable(name: "compactd", targets: ["compactd"]),
        .library(name: "CompactdCore", targets: ["CompactdCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The HTTP listener (action links, status pages, health, metrics). Without its default
        // traits: swift-configuration support and full Foundation are not used here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // The PostgreSQL state store for several replicas; swift-nio-ssl for its TLS settings.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries behind typed shims. Swift cannot call variadic C functions, so the
        // shim headers wrap them in typed static inline functions.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),

        // The pure core: calendar expressions, time zones, the domain, the planner. No I/O
        // except reading the system's zoneinfo files.
        .target(
            name: "CompactdCore",
            swiftSettings: strictSettings
        ),
        // Reading and validating the TOML configuration into the core's model, with a TOML 1.0
        // parser of its own (no input can abort the process; see TOMLParser).
        .target(
            name: "CompactdConfig",
            dependencies: ["CompactdCore"],
            swiftSettings: strictSettings
        ),
        // The durable state: the outbox, attempts, acknowledgments, history. SQLite today.
        .target(
            name: "CompactdStore",
            dependencies: ["CompactdCore", "CSQLite"],
            swiftSettings: strictSettings
        ),
        // Getting notices out: libcurl, webhooks, email, templates, the dispatcher.
        .target(
            name: "CompactdDelivery",
            dependencies: [
                "CompactdCore",
                "CompactdStore",
                "CompactdSystemd",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The same state in PostgreSQL, shared by several compactd replicas: leases with fencing,
        // the database's clock, LISTEN/NOTIFY, a replicas table.
        .target(
            name: "CompactdPostgres",
            dependencies: [
                "CompactdCore", "CompactdStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The systemd shell: journal logging, sd_notify, wall-clock timers, the control socket,
        // threads named for the kernel (the delivery engine's among them).
        .target(
            name: "CompactdSystemd",
            dependencies: [
                "CompactdCore",
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP side: signed action links, status pages, the calendar feed, health and
        // metrics, on Hummingbird 2; one more service in the daemon's group.
        .target(
            name: "CompactdHTTP",
            dependencies: [
                "CompactdCore", "CompactdStore", "CompactdDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The long-running service: the loop, reload, notify, watchdog.
        .target(
            name: "CompactdDaemon",
            dependencies: [
                "CompactdCore", "CompactdConfig", "CompactdStore", "CompactdDelivery", "CompactdSystemd", "CompactdHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "compactctl",
            dependencies: [
                "CompactdCore",
                "CompactdConfig",
                "CompactdStore",
                "CompactdDelivery",
                "CompactdSystemd",
                "CompactdPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "compactd",
            dependencies: [
                "CompactdCore",
                "CompactdConfig",
                "CompactdStore",
                "CompactdDelivery",
                "CompactdSystemd",
                "CompactdDaemon",
                "CompactdHTTP",
                "CompactdPostgres",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "compactd-bench",
            dependencies: ["CompactdCore"],
            swiftSettings: strictSettings
        ),
        // The state stores under load, no network: Benchmarks/replica-bench.sh.
        .executableTarget(
            name: "compactd-store-bench",
            dependencies: ["CompactdCore", "CompactdStore", "CompactdPostgres"],
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "CompactdCoreTests",
            dependencies: ["CompactdCore", "CompactdTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompactdConfigTests",
            dependencies: ["CompactdCore", "CompactdConfig", "CompactdTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompactdStoreTests",
            dependencies: ["CompactdCore", "CompactdStore", "CompactdPostgres", "CompactdTestSupport"],
            swiftSettings: strictSettings
        ),
        // Real servers for tests: started from Tests/Fixtures, on 127.0.0.1.
        .target(
            name: "CompactdTestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompactdDeliveryTests",
            dependencies: [
                "CompactdCore", "CompactdConfig", "CompactdStore", "CompactdDelivery", "CompactdTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompactdSystemdTests",
            dependencies: ["CompactdSystemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompactdDaemonTests",
            dependencies: ["CompactdCore", "CompactdDaemon"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompactdHTTPTests",
            dependencies: ["CompactdCore", "CompactdHTTP"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CShimTests",
            dependencies: ["CCurl", "CSystemd"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CompactctlTests",
            dependencies: ["CompactdConfig", "CompactdCore", "CompactdStore", "CompactdSystemd", "CompactdDelivery", "CompactdTestSupport"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The coverage-guided fuzzer of the configuration loader (libFuzzer), only when asked for:
// `make fuzz` builds it with COMPACTD_FUZZ=1 and -sanitize=fuzzer,address. It has no main of
// its own (libFuzzer brings one), so an ordinary build must not try to link it.
if ProcessInfo.processInfo.environment["COMPACTD_FUZZ"] == "1" {
    package.products.append(.executable(name: "compactd-config-fuzzer", targets: ["compactd-config-fuzzer"]))
    package.targets.append(.target(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"))
    package.targets.append(.executableTarget(
        name: "compactd-config-fuzzer",
        dependencies: ["CompactdCore", "CompactdConfig", "CLibFuzzer"],
        path: "Tests/Fuzz/ConfigFuzzer",
        swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]
    ))
}
