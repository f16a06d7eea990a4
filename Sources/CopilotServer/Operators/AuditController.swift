import CopilotAuth
import CopilotCore
import CopilotExpressions
import Foundation
import Hummingbird

/// `GET /api/v1/audit?action=&actor=&limit=&cursor=` (auditor, CONTRACT §6): the audit log, newest
/// first, paged as runs are. Each record carries its number and both hashes, so a reader can check the
/// chain it pages through.
struct AuditController<Context: OperatorRequestContext>: Sendable {
    let log: any AuditLog

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/audit") { request, _ in try await records(request.uri.queryParameters) }
    }

    func records(_ parameters: Parameters) async throws -> Response {
        var query = AuditQuery()
        query.action = parameters.get("action").map(AuditAction.init(rawValue:))
        query.actor = parameters.get("actor")
        if let limit = parameters.get("limit") {
            guard let parsed = Int(limit), parsed > 0 else {
                throw APIError(
                    status: .badRequest,
                    code: "invalid_query",
                    message: "'limit' must be a positive integer"
                )
            }
            query.limit = parsed
        }
        query.cursor = parameters.get("cursor")
        let page: AuditPage
        do {
            page = try await log.auditRecords(query)
        } catch .invalidCursor {
            throw APIError(status: .badRequest, code: "invalid_query", message: "'cursor' is not one this server gave")
        } catch {
            throw APIError.unavailable
        }
        return Response.json([
            "records": .array(page.records.map(Self.json)),
            "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
        ])
    }

    static func json(_ record: AuditRecord) -> JSONValue {
        [
            "seq": .number(Double(record.sequence)),
            "at": .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(record.at)),
            "actor": .string(record.actor), "action": .string(record.action.rawValue),
            "target": .string(record.target),
            "detail": .object(JSONObject(record.detail.mapValues(JSONValue.string))),
            "previous_hash": .string(record.previousHash), "hash": .string(record.hash),
        ]
    }
}
