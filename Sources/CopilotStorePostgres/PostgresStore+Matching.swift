public import CopilotCore
import CopilotExpressions
import Logging
import NIOCore
import PostgresNIO

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension PostgresStore: RunStore {
    public func claimEvents(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        needsBody: @escaping @Sendable (EventSource, String) -> Bool
    ) async throws(RunStoreError) -> [Delivery] {
        let until = now.addingTimeInterval(Self.seconds(lease)).timeIntervalSince1970
        let nowSeconds = now.timeIntervalSince1970
        return try await transaction("claim events", durability: .workerState) { [logger] transaction in
            // Another node's claim in flight holds its rows: skipped, not waited for.
            let rows = try await transaction.rows(
                """
                UPDATE events SET match_lease_owner = \(owner), match_lease_until = \(until)
                WHERE seq IN (
                    SELECT seq FROM events
                    WHERE match_state = 'pending' AND (match_lease_owner IS NULL OR match_lease_until <= \(nowSeconds))
                    ORDER BY seq LIMIT \(max(limit, 0))
                    FOR UPDATE SKIP LOCKED)
                RETURNING seq, id, source, delivery_id, type, subject, received_at, headers
                """
            )
            var claimed: [(seq: Int64, delivery: Delivery)] = []
            var unreadable: [Int64] = []
            for row in rows {
                let seq: Int64 = try row("seq")
                guard let delivery = try Self.delivery(from: row, body: []) else {
                    let id: String = try row("id")
                    logger.error(
                        "stored event cannot be read; recorded as unmatched",
                        metadata: [LogField.eventID: "\(id)"]
                    )
                    unreadable.append(seq)
                    continue
                }
                claimed.append((seq, delivery))
            }
            if !unreadable.isEmpty {
                try await transaction.run("UPDATE events SET match_state = 'unmatched' WHERE seq = ANY(\(unreadable))")
            }
            claimed.sort { $0.seq < $1.seq }
            // Bodies only of the events the caller will read: most of a busy sender's are not.
            let wanted = claimed.filter { needsBody($0.delivery.source, $0.delivery.type) }.map(\.seq)
            var bodies: [Int64: [UInt8]] = [:]
            if !wanted.isEmpty {
                for row in try await transaction.rows("SELECT seq, body FROM events WHERE seq = ANY(\(wanted))") {
                    bodies[try row("seq")] = Array(buffer: try row("body", as: ByteBuffer.self))
                }
            }
            return claimed.map { seq, delivery in
                var delivery = delivery
                delivery.body = bodies[seq] ?? []
                return delivery
            }
        }
    }

    public func recordMatches(_ records: [MatchRecord]) async throws(RunStoreError) -> [EventRecord.MatchState?] {
        try await transaction("record matches", durability: .workerState) { transaction in
            // Every key a new run may park behind or cool down on, locked first (`StoreLock`).
            try await Self.lockKeys(
                records.flatMap { record in
                    record.runs.filter { $0.run.concurrencyLimit != nil || ($0.cooldownSeconds ?? 0) > 0 }
                        .map { ($0.run.playbook, $0.run.concurrencyKey) }
                },
                in: transaction
            )
            var states: [EventRecord.MatchState?] = []
            for record in records {
                states.append(try await Self.recordMatch(record, in: transaction))
            }
            return states
        }
    }

    /// One record of `recordMatches`, inside its transaction; nil for an unknown event. The event's row
    /// is locked, so two nodes recording the same event (after a lost lease) create its runs once.
    private static func recordMatch(
        _ record: MatchRecord,
        in transaction: StoreTransaction
    ) async throws -> EventRecord.MatchState? {
        guard
            let event = try await transaction.row(
                "SELECT match_state FROM events WHERE id = \(record.eventID.rawValue) FOR UPDATE"
            )
        else { return nil }
        let stored = EventRecord.MatchState(rawValue: try event("match_state")) ?? .pending
        guard stored == .pending else { return stored }
        var reasons = record.notMatched
        var created = 0
        for newRun in record.runs {
            if let cooldown = newRun.cooldownSeconds, cooldown > 0,
                let last = try await lastCreated(newRun.run.playbook, newRun.run.concurrencyKey, in: transaction),
                record.at.timeIntervalSince1970 - last < Double(cooldown)
            {
                reasons.append(.init(playbook: newRun.run.playbook, reason: MatchRecord.cooldownReason))
                continue
            }
            try await insert(newRun.run, in: transaction)
            created += 1
        }
        let state: EventRecord.MatchState = created > 0 ? .matched : .unmatched
        try await transaction.run(
            """
            UPDATE events SET match_state = \(state.rawValue), match_reasons = \(reasons.storedText),
                match_lease_owner = NULL, match_lease_until = NULL
            WHERE id = \(record.eventID.rawValue)
            """
        )
        return state
    }

    public func event(_ id: EventID) async throws(RunStoreError) -> EventRecord? {
        try await read("read event") { transaction in
            guard let row = try await transaction.row("SELECT * FROM events WHERE id = \(id.rawValue)"),
                let delivery = try Self.delivery(from: row, body: Array(buffer: try row("body", as: ByteBuffer.self)))
            else { return nil }
            let runs = try await transaction.rows("SELECT * FROM runs WHERE event_id = \(id.rawValue) ORDER BY seq")
            return EventRecord(
                delivery: delivery,
                matchState: EventRecord.MatchState(rawValue: try row("match_state")) ?? .pending,
                reasons: [MatchResult.NotMatched](storedText: try row("match_reasons")),
                runs: try Self.runs(from: runs)
            )
        }
    }

    public func events(_ query: EventQuery) async throws(RunStoreError) -> EventPage {
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let limit = query.effectiveLimit
        return try await read("list events") { transaction in
            let rows = try await transaction.rows(
                """
                SELECT seq, id, source, type, subject, delivery_id, received_at, match_state FROM events
                WHERE (\(before)::bigint IS NULL OR seq < \(before))
                  AND (\(query.source?.rawValue)::text IS NULL OR source = \(query.source?.rawValue))
                  AND (\(query.type)::text IS NULL OR type = \(query.type))
                ORDER BY seq DESC LIMIT \(limit + 1)
                """
            )
            let (page, next) = try StoredRow.page(rows, limit: limit)
            let ids = try page.map { try $0("id", as: String.self) }
            var runs: [String: [RunID]] = [:]
            if !ids.isEmpty {
                for row in try await transaction.rows(
                    "SELECT id, event_id FROM runs WHERE event_id = ANY(\(ids)) ORDER BY seq"
                ) {
                    runs[try row("event_id"), default: []].append(RunID(rawValue: try row("id")))
                }
            }
            let events = try page.compactMap { row -> EventSummary? in
                guard let source = EventSource(rawValue: try row("source")),
                    let state = EventRecord.MatchState(rawValue: try row("match_state"))
                else { return nil }
                let id: String = try row("id")
                return EventSummary(
                    id: EventID(rawValue: id),
                    source: source,
                    type: try row("type"),
                    subject: try row("subject"),
                    deliveryID: DeliveryID(rawValue: try row("delivery_id")),
                    receivedAt: try row.date("received_at") ?? .distantPast,
                    matchState: state,
                    runs: runs[id] ?? []
                )
            }
            return EventPage(events: events, nextCursor: next)
        }
    }

    public func lastRunCreatedAt(
        playbook: PlaybookName,
        concurrencyKey: String?
    ) async throws(RunStoreError) -> Date? {
        try await read("read last run") { transaction in
            try await Self.lastCreated(playbook, concurrencyKey, in: transaction).map(Date.init(timeIntervalSince1970:))
        }
    }

    static func lastCreated(
        _ playbook: PlaybookName,
        _ key: String?,
        in transaction: StoreTransaction
    ) async throws
        -> Double?
    {
        // `=` and `IS NULL` apart: PostgreSQL serves neither `IS NOT DISTINCT FROM` nor an `OR` of them
        // from `runs_by_key_created`, and this is read under the key's lock.
        let stored = storedKey(key)
        let query: PostgresQuery =
            if let stored {
                """
                SELECT MAX(created_at) AS last FROM runs
                WHERE playbook = \(playbook.rawValue) AND concurrency_key = \(stored)
                """
            } else {
                "SELECT MAX(created_at) AS last FROM runs WHERE playbook = \(playbook.rawValue) AND concurrency_key IS NULL"
            }
        return try await transaction.row(query)?("last", as: Double?.self)
    }

    public func backlog() async throws(RunStoreError) -> Backlog {
        try await read("count the backlog") { transaction in
            // Each count is one partial index: what waits, not every run or event kept.
            var backlog = Backlog()
            for row in try await transaction.rows(
                "SELECT status, COUNT(*) AS count FROM runs WHERE status IN (\(unescaped: Self.unfinishedList)) GROUP BY status"
            ) {
                if let status = RunStatus(rawValue: try row("status")) { backlog.runs[status] = try row("count") }
            }
            let events = try await transaction.row(
                """
                SELECT COUNT(*) AS count, MIN(received_at) AS oldest FROM events WHERE match_state = 'pending'
                """
            )
            backlog.unmatchedEvents = try events?("count") ?? 0
            backlog.oldestUnmatchedAt = try events?.date("oldest")
            return backlog
        }
    }

    /// The delivery of a row of `events` with `body`; nil for a row that cannot be one (an unknown source).
    static func delivery(from row: StoredRow, body: [UInt8]) throws -> Delivery? {
        guard let source = EventSource(rawValue: try row("source")) else { return nil }
        return Delivery(
            eventID: EventID(rawValue: try row("id")),
            source: source,
            deliveryID: DeliveryID(rawValue: try row("delivery_id")),
            type: try row("type"),
            subject: try row("subject"),
            receivedAt: Date(timeIntervalSince1970: try row("received_at")),
            headers: Delivery.headers(stored: try row("headers")),
            body: body
        )
    }

    /// The unfinished statuses as SQL literals (the predicate of `runs_unfinished`).
    static var unfinishedList: String {
        RunStatus.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
