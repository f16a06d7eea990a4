import CopilotCore
import Foundation

extension RunStoreContract {
    static func entry(_ actor: String, _ action: AuditAction = .accessDenied, at seconds: Double = 0) -> AuditEntry {
        AuditEntry(at: at(seconds), actor: actor, action: action, target: "GET /api/v1/audit", detail: ["why": "test"])
    }

    static let auditChecks: [Check] = [
        check("audit: records are numbered from 1, each linked to the one before, and the chain verifies") { store in
            try require(
                try await store.auditTip() == AuditTip(head: nil, newestSequence: 0),
                "an empty log has no head"
            )
            try require(try await store.verifyAudit(digest: MemoryRunStore.digest).count == 0, "an empty log verifies")
            try await store.appendAudit([entry("a"), entry("b")])
            try await store.appendAudit([entry("c", .tokenCreated, at: 1.25)])
            let records = try await store.auditRecords(after: 0, limit: 10)
            try require(records.map(\.sequence) == [1, 2, 3], "numbered in order")
            try require(records[0].previousHash == AuditRecord.genesisHash, "the first links to the genesis")
            try require(
                records[1].previousHash == records[0].hash && records[2].previousHash == records[1].hash,
                "linked"
            )
            try require(records[2].at == at(1.25) && records[2].detail == ["why": "test"], "fields round-trip")
            try require(
                records[2].hash == MemoryRunStore.digest(records[2].canonicalBytes),
                "a record's hash is the SHA-256 of its canonical bytes"
            )
            let tip = AuditTip(head: AuditHead(sequence: 3, hash: records[2].hash), newestSequence: 3)
            try require(try await store.auditTip() == tip, "the head")
            try require(try await store.verifyAudit(digest: MemoryRunStore.digest, pageSize: 2).count == 3, "verifies")
            try require(
                try await store.auditRecords(after: 1, limit: 1).map(\.sequence) == [2],
                "read on from a number"
            )
        },
        check("audit: listed newest first, filtered by action and actor, paged by cursor") { store in
            try await store.appendAudit((1...5).map { entry("op-\($0 % 2)", $0 == 5 ? .tokenRevoked : .accessDenied) })
            let first = try await store.auditRecords(AuditQuery(limit: 2))
            try require(first.records.map(\.sequence) == [5, 4] && first.nextCursor != nil, "newest first, paged")
            let rest = try await store.auditRecords(AuditQuery(limit: 10, cursor: first.nextCursor))
            try require(
                rest.records.map(\.sequence) == [3, 2, 1] && rest.nextCursor == nil,
                "the rest, then no cursor"
            )
            let denied = try await store.auditRecords(AuditQuery(action: .accessDenied, actor: "op-1"))
            try require(denied.records.map(\.sequence) == [3, 1], "both filters hold")
            try await requireError(.invalidCursor) { () throws(RunStoreError) in
                try await store.auditRecords(AuditQuery(cursor: "nonsense"))
            }
        },
        check("audit: a decision, a cancel and a token change take their record; a refused one takes none") { store in
            let run = try await awaitingRun(store)
            let decision = ApprovalDecision(decision: .approved, by: "alice (key_1)", comment: "go", at: at(10))
            _ = try await decide(store, run.id, decision)
            try await requireError(.conflict) { () throws(RunStoreError) in try await decide(store, run.id, decision) }
            _ = try await cancel(store, run.id, at: at(11))
            let key = APIKeyRecord(id: "key_a", name: "ci", role: "viewer", hash: "aa", createdAt: at(12))
            try await store.insertAPIKey(key, audit: .tokenCreated(key, by: "cli:root"))
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.insertAPIKey(key, audit: .tokenCreated(key, by: "cli:root"))
            }
            for second in [13.0, 14.0] {
                let revoked = try await store.revokeAPIKey(
                    id: "key_a",
                    at: at(second),
                    audit: .tokenRevoked(id: "key_a", by: "x", at: at(second))
                )
                try require(revoked.revokedAt == at(13), "a second revoke changes nothing")
            }
            try await requireError(.notFound) { () throws(RunStoreError) in
                try await store.revokeAPIKey(
                    id: "key_z",
                    at: at(13),
                    audit: .tokenRevoked(id: "key_z", by: "x", at: at(13))
                )
            }
            let records = try await store.auditRecords(after: 0, limit: 10)
            try require(
                records.map(\.action) == [.runApproved, .runCancelRequested, .tokenCreated, .tokenRevoked],
                "one record per change, none for a refused or repeated one: \(records.map(\.action))"
            )
            try require(records[0].actor == "alice (key_1)" && records[0].detail == ["comment": "go"], "who and why")
            try require(records[0].target == "run:\(run.id.rawValue)", "what")
        },
        check("audit: a save stores the run's records with it; a refused save stores none") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
            guard let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1)) else {
                throw Failure(message: "claimable", line: #line)
            }
            let sent = AuditEntry.action(
                "deploy.rollback",
                run: claimed.run.id,
                step: StepID(rawValue: "rollback"),
                attempt: 1,
                runAs: "deployer",
                outcome: .success,
                error: nil,
                at: at(2)
            )
            _ = try await store.save(claimed.run, lease: claimed.lease, release: false, audit: [sent])
            let stranger = RunLease(runID: claimed.run.id, owner: "other", expiresAt: at(60))
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.save(claimed.run, lease: stranger, release: false, audit: [sent])
            }
            let records = try await store.auditRecords(after: 0, limit: 10)
            try require(records.count == 1 && records[0].actor == "service-account:deployer", "stored once")
            try require(records[0].detail["outcome"] == "success" && records[0].detail["attempt"] == "1", "details")
        },
    ]
}
