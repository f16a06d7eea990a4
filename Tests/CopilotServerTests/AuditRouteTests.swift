import CopilotAuth
import CopilotCore
import CopilotExpressions
import CopilotServer
import CopilotTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The audit log as the API writes and shows it (CONTRACT §6): refusals, replays and token changes are
/// recorded with who did them; `GET /api/v1/audit` pages through the records for an auditor.
@Suite(.timeLimit(.minutes(1)))
struct AuditRouteTests {
    @Test("refusals, a replay and token changes are audited with their actor; an auditor pages through them")
    func recordsAndPages() async throws {
        let (store, eventID, _) = try await RunRouteTests.seededStore()
        let installed = try await store.auditTip().newestSequence
        try await Application(router: try OperatorAccessTests.router(store)).test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/v1/runs", method: .get)
            #expect(anonymous.status == .unauthorized)
            let viewer = try await client.execute(
                uri: "/api/v1/audit",
                method: .get,
                headers: TestOperators.headers("viewer")
            )
            #expect(viewer.status == .forbidden, "a viewer does not read the audit log")
            let replay = try await client.execute(
                uri: "/api/v1/events/\(eventID)/replay",
                method: .post,
                headers: TestOperators.headers()
            )
            let replayID = try #require(try RunRouteTests.json(replay)["event_id"]?.stringValue)
            let created = try await client.execute(
                uri: "/api/v1/tokens",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: #"{"role": "viewer", "name": "dashboards"}"#)
            )
            let tokenID = try #require(try RunRouteTests.json(created)["id"]?.stringValue)
            _ = try await client.execute(
                uri: "/api/v1/tokens/\(tokenID)",
                method: .delete,
                headers: TestOperators.headers()
            )

            let page = try RunRouteTests.json(
                try await client.execute(
                    uri: "/api/v1/audit?limit=3",
                    method: .get,
                    headers: TestOperators.headers("auditor")
                )
            )
            let records = try #require(page["records"]?.arrayValue)
            #expect(records.map { $0["action"] } == ["token.revoked", "token.created", "event.replayed"])
            #expect(records.allSatisfy { $0["actor"] == "test-admin (key_test_admin)" })
            #expect(records[0]["target"] == .string("token:\(tokenID)"))
            #expect(records[1]["detail"] == ["name": "dashboards", "role": "viewer"])
            #expect(records[2]["target"] == .string("event:\(eventID.rawValue)"))
            #expect(records[2]["detail"]?["event_id"] == .string(replayID))
            #expect(records[0]["previous_hash"] == records[1]["hash"], "each record names the one before")
            let cursor = try #require(page["next_cursor"]?.stringValue)

            let rest = try RunRouteTests.json(
                try await client.execute(
                    uri: "/api/v1/audit?cursor=\(cursor)&limit=500",
                    method: .get,
                    headers: TestOperators.headers("auditor")
                )
            )
            let older = try #require(rest["records"]?.arrayValue)
            #expect(older.prefix(2).map { $0["action"] } == ["access.denied", "auth.failed"])
            #expect(older[0]["actor"] == "test-viewer (key_test_viewer)")
            #expect(older[0]["target"] == "GET /api/v1/audit" && older[0]["detail"] == ["permission": "audit.read"])
            #expect(older[1]["actor"] == "anonymous" && older[1]["detail"] == ["reason": "missing_credentials"])
            #expect(older.count == Int(installed) + 2 && rest["next_cursor"] == .null)

            let filtered = try RunRouteTests.json(
                try await client.execute(
                    uri: "/api/v1/audit?action=auth.failed",
                    method: .get,
                    headers: TestOperators.headers("auditor")
                )
            )
            #expect(filtered["records"]?.arrayValue?.count == 1)
            let bad = try await client.execute(
                uri: "/api/v1/audit?cursor=zz",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(bad.status == .badRequest)
        }
        #expect(try await store.verifyAudit().count == Int(installed) + 5, "the chain the API wrote verifies")
    }

    @Test("a flood of refusals is recorded up to the budget; the next record says how many were left out")
    func refusalFlood() async throws {
        let store = MemoryRunStore()
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let audit = RefusalAudit(log: store, perSecond: 5, now: { start + elapsed.withLock { $0 } })
        let refusal = AuditEntry(
            at: Date(),
            actor: "anonymous",
            action: .authenticationFailed,
            target: "GET /api/v1/runs"
        )
        for _ in 0..<12 { try await audit.record(refusal) }
        #expect(try await store.auditTip().newestSequence == 5, "five recorded, seven counted")
        elapsed.withLock { $0 = .seconds(1) }
        try await audit.record(refusal)
        let newest = try #require(try await store.auditRecords(after: 5, limit: 1).first)
        #expect(newest.detail["unrecorded"] == "7")
    }
}
