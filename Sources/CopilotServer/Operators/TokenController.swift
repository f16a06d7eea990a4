import CopilotAuth
import CopilotCore
import CopilotExpressions
import Foundation
import Hummingbird

/// `/api/v1/tokens` (admin, CONTRACT §6): create a key (shown once), list keys, revoke one.
struct TokenController<Context: OperatorRequestContext>: Sendable {
    let issuer: APIKeyIssuer
    let authenticator: OperatorAuthenticator
    let maxBodyBytes: Int

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/tokens") { _, _ in try await list() }
        router.post("/api/v1/tokens") { request, context in
            try await create(Array(buffer: try await request.body.collect(upTo: maxBodyBytes)), caller: context.caller)
        }
        router.delete("/api/v1/tokens/:id") { _, context in
            try await revoke(context.parameters.require("id"), caller: context.caller)
        }
    }

    /// `{"role", "name"?, "ttl"?}` (strings) → 201 with the record and `key`, which is never shown again.
    func create(_ body: [UInt8], caller: Operator?) async throws -> Response {
        let shape = APIError(
            status: .badRequest,
            code: "invalid_json",
            message: #"the body must be {"role", "name"?, "ttl"?}, each a string"#
        )
        guard let request = try? JSONValue(parsing: body), let role = request["role"]?.stringValue else { throw shape }
        // A member of another type is refused, not dropped: a number `ttl` must not make a key that never expires.
        for member in ["name", "ttl"] where request[member] != nil && request[member]?.stringValue == nil {
            throw shape
        }
        do {
            let (key, record) = try await issuer.create(
                role: role,
                name: request["name"]?.stringValue,
                ttl: request["ttl"]?.stringValue,
                caller: caller
            )
            authenticator.forget(hash: record.hash)
            var object = Self.json(record).objectValue ?? [:]
            object["key"] = .string(key)
            return Response.json(.object(object), status: .created)
        } catch .store {
            throw APIError.unavailable
        } catch .escalation {
            throw APIError(status: .forbidden, code: "forbidden", message: "the caller may not grant that role")
        } catch {
            throw APIError(status: .badRequest, code: "invalid_token_request", message: error.description)
        }
    }

    func list() async throws -> Response {
        let records = try await stored { () throws(RunStoreError) in try await issuer.list() }
        return Response.json(["tokens": .array(records.map(Self.json))])
    }

    func revoke(_ id: String, caller: Operator?) async throws -> Response {
        let record = try await stored { () throws(RunStoreError) in try await issuer.revoke(id: id, caller: caller) }
        authenticator.forget(hash: record.hash)
        return Response.json(Self.json(record))
    }

    private func stored<T: Sendable>(_ body: () async throws(RunStoreError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch .notFound {
            throw APIError.notFound
        } catch {
            throw APIError.unavailable
        }
    }

    /// A key as the API shows it: never its hash.
    static func json(_ record: APIKeyRecord) -> JSONValue {
        func date(_ value: Date?) -> JSONValue { value.map { .string($0.formatted(.iso8601)) } ?? .null }
        return [
            "id": .string(record.id), "name": .string(record.name), "role": .string(record.role),
            "created_at": date(record.createdAt), "expires_at": date(record.expiresAt),
            "revoked_at": date(record.revokedAt),
        ]
    }
}
