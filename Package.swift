// swift-tools-version: 6.1
import PackageDescription

/// Every target is compiled in Swift 6 mode with the upcoming features STYLE.md §B1 asks for.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "copilot-agent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "copilot-agent", targets: ["copilot-agent"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP/HTTP only: the gRPC exporter's packages are neither wanted (CONTRACT §7) nor built.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // The tests decode what the service exports with the opentelemetry-proto types swift-otel ships.
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // Layer 0: JSON values and GitHub Actions' expression language over them; no domain type.
        .target(name: "CopilotExpressions", swiftSettings: swiftSettings),
        // Layer 0: the pure domain. No I/O, no server packages.
        .target(name: "CopilotCore", dependencies: ["CopilotExpressions"], swiftSettings: swiftSettings),

        // Layer 1: parsing and verification, each with its one library.
        .target(
            name: "CopilotWebhooks",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CopilotPlaybooks",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // Layer 2: adapters behind Core's ports.
        .target(
            name: "CopilotStoreSQLite",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the WAL hook GRDB does not expose (WALCheckpointer).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                // SHA-256 for the audit log's hash chain: Core links records, the store hashes them.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "CopilotStorePostgres",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "CopilotHTTPActions",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "CopilotPlanner",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Layer 3: the worker that turns events into runs and runs into actions.
        .target(
            name: "CopilotEngine",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Layer 4: the HTTP application.
        .target(
            name: "CopilotServer",
            dependencies: [
                "CopilotCore", "CopilotExpressions", "CopilotAuth",
                "CopilotWebhooks",
                "CopilotPlaybooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "CopilotAuth",
            dependencies: [
                "CopilotCore", "CopilotExpressions",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Layer 5: the composition root.
        .target(
            name: "CopilotApp",
            dependencies: [
                "CopilotCore", "CopilotExpressions", "CopilotAuth",
                "CopilotWebhooks",
                "CopilotPlaybooks",
                "CopilotStoreSQLite",
                "CopilotStorePostgres",
                "CopilotHTTPActions",
                "CopilotEngine",
                "CopilotPlanner",
                "CopilotServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: swiftSettings
        ),

        // Layer 6: the command line.
        .executableTarget(
            name: "copilot-agent",
            dependencies: [
                "CopilotApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks (issues 3 and 4): `swift run -c release copilot-bench match|load|runs`.
        .executableTarget(
            name: "copilot-bench",
            dependencies: [
                "CopilotCore", "CopilotExpressions", "CopilotPlaybooks", "CopilotWebhooks", "CopilotApp",
                "CopilotTesting", "CopilotEngine", "CopilotPlanner", "CopilotStoreSQLite", "CopilotAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/Sources/copilot-bench",
            swiftSettings: swiftSettings
        ),

        // Test support: signers, fixtures and the corpus locator shared by the test targets.
        .target(
            name: "CopilotTesting",
            dependencies: [
                "CopilotCore", "CopilotExpressions", "CopilotAuth",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "CopilotExpressionsTests",
            dependencies: ["CopilotExpressions", "CopilotTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotPlannerTests",
            dependencies: [
                "CopilotPlanner", "CopilotCore", "CopilotExpressions", "CopilotTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotCoreTests",
            dependencies: ["CopilotCore", "CopilotExpressions", "CopilotTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotWebhooksTests",
            dependencies: ["CopilotWebhooks", "CopilotCore", "CopilotExpressions", "CopilotTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotPlaybooksTests",
            dependencies: [
                "CopilotPlaybooks", "CopilotCore", "CopilotExpressions", "CopilotTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotStoreSQLiteTests",
            dependencies: [
                "CopilotStoreSQLite", "CopilotCore", "CopilotTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotStorePostgresTests",
            dependencies: [
                "CopilotStorePostgres", "CopilotCore", "CopilotExpressions", "CopilotTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotHTTPActionsTests",
            dependencies: [
                "CopilotHTTPActions", "CopilotCore", "CopilotExpressions", "CopilotTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotEngineTests",
            dependencies: [
                "CopilotEngine", "CopilotCore", "CopilotExpressions", "CopilotTesting", "CopilotPlanner",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotServerTests",
            dependencies: [
                "CopilotServer", "CopilotCore", "CopilotExpressions", "CopilotTesting", "CopilotPlaybooks",
                "CopilotWebhooks", "CopilotAuth",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CopilotAppTests",
            dependencies: [
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                "CopilotApp", "CopilotCore", "CopilotExpressions", "CopilotTesting", "CopilotStoreSQLite",
                "CopilotServer",
                "CopilotHTTPActions", "CopilotPlaybooks",
                // Built first so the crash and signal tests can run the real binary.
                "copilot-agent",
                // The cluster tests make a database of their own on the test server.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
