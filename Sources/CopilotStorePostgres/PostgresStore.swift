import CopilotCore
public import Logging
import PostgresNIO
public import ServiceLifecycle

/// The PostgreSQL store (`storage.url: postgres://…`), for several nodes sharing one server.
///
/// This version holds the inbox (`EventInbox`): each delivery is stored, de-duplicated across nodes by
/// the unique constraint on `(source, delivery_id)`, and acknowledged after its transaction committed;
/// concurrent deliveries share one transaction (`GroupCommit`). Bodies live in the table: the server
/// owns durability, and `synchronous_commit` is left as the server has it (on, by default). The runs,
/// claims and the rest of `RunStore` come next (issue 15); `serve` does not select this store yet.
///
/// The connection pool runs as a `Service` (`run()`): calls made before it runs wait for it.
public final class PostgresStore: Service, Sendable {
    let client: PostgresClient
    let logger: Logger
    public let location: PostgresLocation
    let inboxCommit: GroupCommit<Delivery, EnqueueOutcome, InboxError>

    public init(location: PostgresLocation, logger: Logger) {
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.location = location
        // A batch is written by a task of its own: no request's task does the writing, so a cancelled
        // request never abandons the others' commit.
        inboxCommit = GroupCommit(missing: .unavailable) { batch, done in
            Task { done(await Self.commit(batch, client: client, logger: logger)) }
        }
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }
}

extension PostgresStore {
    /// The schema's versions, in order. Each is applied once, in a transaction of its own, and recorded
    /// in `schema_migrations`.
    static let migrations: [(version: String, statements: [String])] = [
        (
            "v1-inbox",
            [
                """
                CREATE TABLE events (
                    seq BIGSERIAL PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    source TEXT NOT NULL,
                    delivery_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    received_at DOUBLE PRECISION NOT NULL,
                    headers TEXT NOT NULL,
                    body BYTEA NOT NULL,
                    UNIQUE (source, delivery_id)
                )
                """
            ]
        )
    ]

    /// A number of our own for `pg_advisory_lock`, so nodes starting together migrate one at a time.
    static let migrationLock: Int64 = 0x636f_7069_6c6f_7400  // "copilot\0"

    /// Applies the migrations this database lacks, under an advisory lock: of several nodes starting
    /// together, one applies them and the others find them applied. Answers the versions applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: logger)
            do {
                let applied = try await Self.applyMigrations(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                throw error
            }
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
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in migration.statements {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.query(
                    "INSERT INTO schema_migrations (version) VALUES (\(migration.version))",
                    logger: logger
                )
            }
            applied.append(migration.version)
        }
        return applied
    }
}
