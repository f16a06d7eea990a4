public import CopilotCore
import CopilotExpressions
public import Foundation
import GRDB
import Logging

extension SQLiteStore: RunStore {
    public func claimEvents(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        needsBody: @escaping @Sendable (EventSource, String) -> Bool
    ) async throws(RunStoreError) -> [Delivery] {
        let until = now.addingTimeInterval(Self.seconds(lease))
        let nowSeconds = now.timeIntervalSince1970
        return try await write("claim events") { [bodies, logger] db in
            // Without the bodies: each is read below only if the caller needs it.
            let rows = try db.rows(
                """
                SELECT e.* FROM events e
                WHERE e.match_state = 'pending' AND (e.match_lease_owner IS NULL OR e.match_lease_until <= \(nowSeconds))
                ORDER BY e.seq LIMIT \(max(limit, 0))
                """
            )
            var deliveries: [Delivery] = []
            deliveries.reserveCapacity(rows.count)
            for row in rows {
                let seq: Int64 = row["seq"]
                do {
                    let wanted = EventSource(rawValue: row["source"]).map { needsBody($0, row["type"]) } ?? true
                    let body = wanted ? try Self.body(of: row, bodies: bodies, in: db) : []
                    if let body, let delivery = Self.delivery(from: row, body: body) {
                        deliveries.append(delivery)
                    } else {
                        // Nothing to match, ever: its body is gone or the row is not a delivery.
                        logger.error(
                            "stored event cannot be read; recorded as unmatched",
                            metadata: [LogField.eventID: "\(row["id"] as String? ?? "")"]
                        )
                        try db.run("UPDATE events SET match_state = 'unmatched' WHERE seq = \(seq)")
                        continue
                    }
                } catch let error as BodyLogError {
                    // The disk failing, perhaps for a while: claimed without being handed out, so it is
                    // tried again when the lease ends, and the rest of the batch goes on.
                    logger.warning(
                        "stored event's body cannot be read; tried again when its lease ends",
                        metadata: [LogField.eventID: "\(row["id"] as String? ?? "")", "error": "\(error)"]
                    )
                }
                try db.run(
                    """
                    UPDATE events SET match_lease_owner = \(owner), match_lease_until = \(until.timeIntervalSince1970)
                    WHERE seq = \(seq)
                    """
                )
            }
            return deliveries
        }
    }

    public func recordMatches(_ records: [MatchRecord]) async throws(RunStoreError) -> [EventRecord.MatchState?] {
        try await write("record matches") { db in try records.map { try Self.recordMatch($0, in: db) } }
    }

    /// One record of `recordMatches`, inside its transaction; nil for an unknown event.
    static func recordMatch(_ record: MatchRecord, in db: Database) throws -> EventRecord.MatchState? {
        guard let event = try db.row("SELECT match_state FROM events WHERE id = \(record.eventID.rawValue)") else {
            return nil
        }
        let stored = EventRecord.MatchState(rawValue: event["match_state"]) ?? .pending
        guard stored == .pending else { return stored }
        var reasons = record.notMatched
        var created = 0
        for newRun in record.runs {
            if let cooldown = newRun.cooldownSeconds, cooldown > 0,
                let last = try lastCreated(newRun.run.playbook, newRun.run.concurrencyKey, in: db),
                record.at.timeIntervalSince1970 - last < Double(cooldown)
            {
                reasons.append(.init(playbook: newRun.run.playbook, reason: MatchRecord.cooldownReason))
                continue
            }
            try insert(newRun.run, in: db)
            created += 1
        }
        let state: EventRecord.MatchState = created > 0 ? .matched : .unmatched
        try db.run(
            """
            UPDATE events SET match_state = \(state.rawValue), match_reasons = \(reasons.storedText),
                match_lease_owner = NULL, match_lease_until = NULL
            WHERE id = \(record.eventID.rawValue)
            """
        )
        return state
    }

    public func event(_ id: EventID) async throws(RunStoreError) -> EventRecord? {
        try await read("read event") { [bodies] db in
            try db.row("SELECT * FROM events WHERE id = \(id.rawValue)").map { row in
                try Self.eventRecord(row, bodies: bodies, in: db)
            }
        }
    }

    public func lastRunCreatedAt(
        playbook: PlaybookName,
        concurrencyKey: String?
    ) async throws(RunStoreError) -> Date? {
        try await read("read last run") { db in
            try Self.lastCreated(playbook, concurrencyKey, in: db).map(Date.init(timeIntervalSince1970:))
        }
    }

    static func lastCreated(_ playbook: PlaybookName, _ key: String?, in db: Database) throws -> Double? {
        try Double.fetchOne(
            db.cachedStatement(
                literal:
                    "SELECT MAX(created_at) FROM runs INDEXED BY runs_by_key_created WHERE playbook = \(playbook.rawValue) AND concurrency_key IS \(key)"
            )
        )
    }

    /// The record of a row of `events`.
    static func eventRecord(
        _ row: Row,
        bodies: BodyLog?,
        in db: Database,
        withRuns: Bool = true
    ) throws
        -> EventRecord
    {
        guard let body = try body(of: row, bodies: bodies, in: db), let delivery = delivery(from: row, body: body)
        else { throw RunStoreError.unavailable }
        let runRows =
            withRuns
            ? try db.rows("SELECT * FROM runs WHERE event_id = \(delivery.eventID.rawValue) ORDER BY seq") : []
        return EventRecord(
            delivery: delivery,
            matchState: EventRecord.MatchState(rawValue: row["match_state"]) ?? .pending,
            reasons: [MatchResult.NotMatched](storedText: row["match_reasons"]),
            runs: try runs(from: runRows, in: db)
        )
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A write transaction of run state; a `RunStoreError` thrown inside passes through, any other
    /// error is logged (its type only) and answered `unavailable`.
    ///
    /// Run-state transactions commit with `synchronous = NORMAL`: in WAL mode that is safe against a
    /// crash of the process (the commit is in the WAL before the worker acts on it) but is not synced to
    /// the disk on its own. Power loss may therefore undo the last few state changes, and a step may be
    /// sent again with the same idempotency key, which is the at-least-once contract runs already have
    /// (CONTRACT §4). The next inbox commit, which is `FULL`, syncs them too. This keeps fsyncs off the
    /// run path: with a sync per state change, one SQLite writer capped the engine at about 290 runs/s.
    /// Acknowledged deliveries keep `FULL`: a 202 must survive power loss.
    func write<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(RunStoreError) -> T {
        try await withCheckedContinuation { continuation in
            Self.write(operation, to: writer, logger: logger, body) { continuation.resume(returning: $0) }
        }.get()
    }

    /// `write(_:_:)` on a given writer, answering `done` on the writer's queue (`GroupCommit` starts its
    /// next batch from there).
    ///
    /// Through GRDB's callback write, not its `async` one: a cancelled task does not interrupt the
    /// transaction. A batch of saves (`GroupCommit`) holds several runs' saves, which no one caller's
    /// cancellation may fail; a lone write that completes for a cancelled caller costs nothing.
    static func write<T: Sendable>(
        _ operation: String,
        to writer: any DatabaseWriter,
        logger: Logger,
        _ body: @escaping @Sendable (Database) throws -> T,
        then done: @escaping @Sendable (Result<T, RunStoreError>) -> Void
    ) {
        writer.asyncWriteWithoutTransaction { db in
            done(
                Result { try runStateTransaction(db, body) }.mapError { error in
                    if let error = error as? RunStoreError { return error }
                    logger.warning(
                        "run store write failed",
                        metadata: ["copilot.store.operation": "\(operation)", "error.type": "\(type(of: error))"]
                    )
                    return .unavailable
                }
            )
        }
    }

    /// `body` in a transaction that commits with `synchronous = NORMAL`, the connection's FULL restored.
    private static func runStateTransaction<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
        let result: Result<T, any Error>
        do {
            var value: T?
            try db.inTransaction {
                value = try body(db)
                return .commit
            }
            guard let value else { throw RunStoreError.unavailable }
            result = .success(value)
        } catch {
            result = .failure(error)
        }
        try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
        return try result.get()
    }

    /// A read; errors as in `write`.
    func read<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(RunStoreError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as RunStoreError {
            throw error
        } catch {
            logger.warning(
                "run store read failed",
                metadata: ["copilot.store.operation": "\(operation)", "error.type": "\(type(of: error))"]
            )
            throw .unavailable
        }
    }
}
