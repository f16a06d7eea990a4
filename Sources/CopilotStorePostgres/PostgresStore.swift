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
    typealias InboxBatch = (deliveries: [Delivery], done: @Sendable ([Result<EnqueueOutcome, InboxError>]) -> Void)

    let client: PostgresClient
    let logger: Logger
    public let location: PostgresLocation
    let inboxCommit: GroupCommit<Delivery, EnqueueOutcome, InboxError>
    /// The inbox's batches, written one after the other by `run()`: no request's task does the writing,
    /// so a cancelled request never abandons the others' commit.
    private let inboxBatches: AsyncStream<InboxBatch>
    private let inboxBatchesInput: AsyncStream<InboxBatch>.Continuation
    /// The last bound read under the run changes' fence, and when (`settledChange`).
    let settledChanges = Mutex(SettledChanges())

    public init(location: PostgresLocation, logger: Logger) {
        self.client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        self.logger = logger
        self.location = location
        let (batches, input) = AsyncStream.makeStream(of: InboxBatch.self)
        inboxBatches = batches
        inboxBatchesInput = input
        inboxCommit = GroupCommit(missing: .unavailable) { deliveries, done in
            // A store that stopped answers at once.
            if case .terminated = input.yield((deliveries, done)) {
                done(deliveries.map { _ in .failure(.unavailable) })
            }
        }
    }

    /// Runs the connection pool and the inbox's writer until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                for await batch in self.inboxBatches {
                    batch.done(await Self.commit(batch.deliveries, client: self.client, logger: self.logger))
                }
                self.inboxBatchesInput.finish()
            }
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
