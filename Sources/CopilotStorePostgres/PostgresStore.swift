import CopilotCore
public import Logging
import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// The PostgreSQL store (`storage.url: postgres://…`), for several nodes sharing one server.
///
/// The same `RunStore` as SQLite, checked by the same contract suite, built for concurrent writers:
/// - the inbox de-duplicates across nodes by the unique constraint on `(source, delivery_id)` and
///   acknowledges after its transaction committed; concurrent deliveries share one transaction
///   (`GroupCommit`). Bodies live in the table: the server owns durability, and `synchronous_commit`
///   is left as the server has it (on, by default);
/// - events and runs are claimed with `FOR UPDATE SKIP LOCKED` over the claim queue's partial indexes
///   (`PostgresStore+ClaimQueue`), with leases any node may take over once expired;
/// - concurrency limits and cooldowns are decided in the database, under a per-key advisory lock;
/// - run changes are numbered in commit order (`PostgresStore+RunChanges`), the audit chain is one
///   chain whichever node appends (`PostgresStore+Audit`);
/// - commits that make work for others `NOTIFY` them (`PostgresStore+Notices`).
///
/// The connection pool runs as a `Service` (`run()`): calls made before it runs wait for it.
public final class PostgresStore: Service, Sendable {
    let client: PostgresClient
    let logger: Logger
    public let location: PostgresLocation
    let inboxCommit: GroupCommit<Delivery, EnqueueOutcome, InboxError>
    private let inboxBatches = BatchQueue<Delivery, EnqueueOutcome, InboxError>()
    /// Concurrent saves of runs, in one transaction: a busy node's executing runs save at about the
    /// same moments, and a transaction per save was most of the store's round trips.
    let runSaves: GroupCommit<RunSave, Run, RunStoreError>
    private let saveBatches = BatchQueue<RunSave, Run, RunStoreError>()
    /// The last bound read under the run changes' fence, and when (`settledChange`).
    let settledChanges = Mutex(SettledChanges())

    public init(location: PostgresLocation, logger: Logger) {
        self.client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        self.logger = logger
        self.location = location
        inboxCommit = inboxBatches.groupCommit(maxBatch: 512, missing: .unavailable)
        runSaves = saveBatches.groupCommit(maxBatch: 64, missing: .unavailable)
    }

    /// Runs the connection pool and the writers of the inbox and of the saves until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await self.inboxBatches.drain { await Self.commit($0, client: self.client, logger: self.logger) }
            }
            group.addTask { await self.saveBatches.drain { await self.save($0) } }
        }
    }
}

extension PostgresStore {
    /// A number of our own for `pg_advisory_lock`, so nodes starting together migrate one at a time.
    static let migrationLock: Int64 = 0x636f_7069_6c6f_7400  // "copilot\0"

    /// Applies the migrations this database lacks, in one transaction that first takes an advisory
    /// lock: of several nodes starting together, one applies them and the others, waiting on the lock,
    /// then find them applied. The lock is the transaction's, so a failure or a cancelled task can never
    /// leave it held (DDL is transactional in PostgreSQL). Answers the versions applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            return try await Self.applyMigrations(on: connection, logger: logger)
        }
    }

    private static func applyMigrations(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version TEXT PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        var done: Set<String> = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
            .decode(String.self)
        {
            done.insert(version)
        }
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.version) {
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO schema_migrations (version) VALUES (\(migration.version))",
                logger: logger
            )
            applied.append(migration.version)
        }
        return applied
    }
}
