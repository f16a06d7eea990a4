import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CopilotStorePostgres

/// The PostgreSQL store against a real server: `.ci/run` starts one on 127.0.0.1 and sets
/// `TEST_POSTGRES_URL`. Without it these tests are skipped, and say so.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: PostgresServer.url != nil, "TEST_POSTGRES_URL is not set: the PostgreSQL tests are skipped")
)
struct PostgresStoreTests {
    @Test("PostgresStore keeps the EventInbox contract", arguments: EventInboxContract.checks)
    func inboxContract(_ check: EventInboxContract.Check) async throws {
        try await PostgresServer.withFreshDatabase { store in try await check.body(store) }
    }

    @Test("PostgresStore keeps the RunStore contract", arguments: RunStoreContract.checks)
    func runStoreContract(_ check: RunStoreContract.Check) async throws {
        try await PostgresServer.withFreshDatabase { store in try await check.body(store) }
    }

    @Test("a concurrency key holding U+0000 and a limit beyond 32 bits are stored, and matching goes on")
    func awkwardKeys() async throws {
        try await PostgresServer.withFreshDatabase { store in
            let now = Date(timeIntervalSince1970: 1_764_000_000)
            for (index, limit) in [Int.max, 1].enumerated() {
                _ = try await store.enqueue(EventInboxContract.delivery("awkward-\(index)", eventID: "evt-\(index)"))
                let run = Run(
                    id: RunID(rawValue: "run-\(index)"),
                    eventID: EventID(rawValue: "evt-\(index)"),
                    playbook: PlaybookName(rawValue: "p\(index)"),
                    createdAt: now,
                    concurrencyKey: "a\u{0}b",
                    concurrencyLimit: limit,
                    steps: [RunStep(id: StepID(rawValue: "s"), uses: "testbench.run")]
                )
                let states = try await store.recordMatches([
                    MatchRecord(
                        eventID: run.eventID,
                        at: now,
                        runs: [.init(run: run, cooldownSeconds: 60)],
                        notMatched: []
                    )
                ])
                #expect(states == [.matched])
            }
            let claimed = try await store.claimRuns(owner: "w", limit: 5, lease: .seconds(10), now: now)
            #expect(claimed.map(\.run.concurrencyLimit) == [Int.max, 1])
            #expect(claimed.allSatisfy { $0.run.concurrencyKey == "a\u{FFFD}b" })
        }
    }

    @Test("a run changed on one node is in the other node's stream of changes, in order, soon after")
    func changesAcrossNodes() async throws {
        try await PostgresServer.withFreshDatabase { first in
            let second = PostgresStore(location: first.location, logger: PostgresServer.logger)
            try await PostgresServer.running(second) {
                let now = Date(timeIntervalSince1970: 1_764_000_000)
                #expect(try await first.runChanges(after: 0, limit: 10).changes.isEmpty)
                for index in 0..<3 {
                    _ = try await second.enqueue(EventInboxContract.delivery("node-\(index)", eventID: "evt-\(index)"))
                    let run = Run(
                        id: RunID(rawValue: "run-\(index)"),
                        eventID: EventID(rawValue: "evt-\(index)"),
                        playbook: PlaybookName(rawValue: "p"),
                        createdAt: now,
                        steps: [RunStep(id: StepID(rawValue: "s"), uses: "testbench.run")]
                    )
                    _ = try await second.recordMatches([
                        MatchRecord(eventID: run.eventID, at: now, runs: [.init(run: run)], notMatched: [])
                    ])
                }
                // Bounded: the other node's bound is reused for at most `fenceReuse`.
                var seen: [String] = []
                for _ in 0..<50 where seen.count < 3 {
                    try await Task.sleep(for: .milliseconds(20))
                    seen = try await first.runChanges(after: 0, limit: 10).changes.compactMap {
                        $0.state["id"]?.stringValue
                    }
                }
                #expect(seen == ["run-0", "run-1", "run-2"])
            }
        }
    }

    @Test("migrations apply once, under the advisory lock, whichever of several nodes starts first")
    func migrationsOnce() async throws {
        try await PostgresServer.withFreshDatabase(migrated: false) { first in
            let second = PostgresStore(location: first.location, logger: PostgresServer.logger)
            try await PostgresServer.running(second) {
                async let a = first.migrate()
                async let b = second.migrate()
                let applied = try await [a, b]
                #expect(applied.flatMap { $0 } == PostgresStore.migrations.map(\.version), "each once: \(applied)")
                #expect(try await first.migrate().isEmpty)
            }
        }
    }

    @Test("two nodes on one database: a delivery sent to both is stored once, and both answer its id")
    func deduplicatedAcrossNodes() async throws {
        try await PostgresServer.withFreshDatabase { first in
            let second = PostgresStore(location: first.location, logger: PostgresServer.logger)
            try await PostgresServer.running(second) {
                for index in 0..<20 {
                    async let viaFirst = first.enqueue(
                        EventInboxContract.delivery("shared-\(index)", eventID: "a-\(index)")
                    )
                    async let viaSecond = second.enqueue(
                        EventInboxContract.delivery("shared-\(index)", eventID: "b-\(index)")
                    )
                    let (one, two) = try await (viaFirst, viaSecond)
                    #expect(one.eventID == two.eventID)
                    #expect([one, two].filter { if case .accepted = $0 { true } else { false } }.count == 1)
                }
                #expect(try await first.count() == 20)
            }
        }
    }
}

/// `storage.url` read into a PostgreSQL location (no server needed).
@Suite struct PostgresLocationTests {
    @Test("storage URLs: user, password, database, port and sslmode; the password never in the description")
    func locations() throws {
        let location = try PostgresLocation(url: "postgres://copilot:s%40cret@db.internal:6543/agent?sslmode=require")
        #expect(location.username == "copilot")
        #expect(location.password == "s@cret")
        #expect(location.host == "db.internal" && location.port == 6543 && location.database == "agent")
        #expect(location.tls == .require)
        #expect(!location.description.contains("cret"))
        #expect(try PostgresLocation(url: "postgresql://u@h/d").tls == .prefer)
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://u@h/d?sslmode=maybe") }
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://h/d") }
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "mysql://u@h/d") }
    }
}

/// The test server named by `TEST_POSTGRES_URL`, and a fresh database on it per test.
enum PostgresServer {
    static let url = ProcessInfo.processInfo.environment["TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Silent, unless `TEST_POSTGRES_LOG` is set: then the store's warnings (a failed call's error type
    /// and SQLSTATE) go to standard error.
    static let logger = Logger(label: "copilot.postgres.test") { label in
        guard ProcessInfo.processInfo.environment["TEST_POSTGRES_LOG"] != nil else { return SwiftLogNoOpLogHandler() }
        return StreamLogHandler.standardError(label: label)
    }

    /// Runs `store`'s pool while `body` runs.
    @discardableResult
    static func running<T: Sendable>(_ store: PostgresStore, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// A new schema on the server's database, a migrated store in it for `body`, and the schema dropped
    /// after. (A client's pool runs once: the admin connection lives for the whole call.)
    static func withFreshDatabase(
        migrated: Bool = true,
        _ body: (PostgresStore) async throws -> Void
    ) async throws {
        let base = try PostgresLocation(url: try #require(url))
        let admin = PostgresStore(location: base, logger: logger)
        let name = "copilot_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await running(admin) {
            try await admin.client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(name)"), logger: logger)
            var location = base
            location.schema = name
            let store = PostgresStore(location: location, logger: logger)
            let outcome: Result<Void, any Error>
            do {
                try await running(store) {
                    if migrated { try await store.migrate() }
                    try await body(store)
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            try await admin.client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(name) CASCADE"), logger: logger)
            try outcome.get()
        }
    }
}
