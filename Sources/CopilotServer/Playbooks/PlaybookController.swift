import CopilotAuth
import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import CopilotWebhooks
import Foundation
import Hummingbird
import NIOCore

/// The playbook routes of CONTRACT §3 ("Authoring tools") and §6; their permissions are in `APIRoutes`.
struct PlaybookController<Context: OperatorRequestContext>: Sendable {
    let api: PlaybookAPI
    let maxBodyBytes: Int

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/playbooks") { _, _ in list() }
        router.post("/api/v1/playbooks/reload") { _, context in
            try await reload(by: context.caller?.name ?? "anonymous")
        }
        router.post("/api/v1/playbooks/validate") { request, _ in
            try await validate(Array(buffer: request.body.collect(upTo: maxBodyBytes)))
        }
        router.post("/api/v1/playbooks/test") { request, _ in
            try await dryRun(Array(buffer: request.body.collect(upTo: maxBodyBytes)))
        }
    }

    func list() -> Response {
        let snapshot = api.registry.current
        let playbooks: [JSONValue] = snapshot.set.playbooks.map { playbook in
            [
                "name": .string(playbook.name.rawValue),
                "file": .string(playbook.file),
                "description": playbook.description.map(JSONValue.string) ?? .null,
                "sources": .array(playbook.triggers.map { .string($0.source.rawValue) }),
            ]
        }
        return Response.json([
            "playbooks": .array(playbooks),
            "problems": Self.problems(snapshot.problems),
            "loaded_at": snapshot.loadedAt.map { .string($0.formatted(.iso8601)) } ?? .null,
        ])
    }

    func reload(by actor: String) async throws -> Response {
        switch await api.reload(actor) {
        case .reloaded(let count):
            return Response.json(["status": "reloaded", "playbooks": .number(Double(count))])
        case .refused(let problems):
            throw APIError(
                status: .unprocessableContent,
                code: "invalid_playbooks",
                message: "the playbooks were not reloaded: some files are invalid; the running set is unchanged",
                details: ["problems": Self.problems(problems)]
            )
        }
    }

    /// One playbook's YAML → its problems. The name is not checked against the running set: the file may
    /// be a new version of a running playbook.
    func validate(_ body: [UInt8]) -> Response {
        let result = api.loader.load(file: "playbook.yaml", bytes: body)
        return Response.json([
            "valid": .bool(!result.diagnostics.containsErrors),
            "problems": Self.problems(result.diagnostics),
        ])
    }

    /// `{"source", "type"?, "payload"}` → the dry run against the running set.
    func dryRun(_ body: [UInt8]) throws -> Response {
        guard let request = try? JSONValue(parsing: body) else {
            throw APIError(status: .badRequest, code: "invalid_json", message: "the body is not JSON")
        }
        guard let sourceName = request["source"]?.stringValue, let source = EventSource(rawValue: sourceName) else {
            throw APIError(
                status: .badRequest,
                code: "invalid_request",
                message: "'source' must be one of github, incident, alertmanager, pagerduty"
            )
        }
        guard let payload = request["payload"] else {
            throw APIError(status: .badRequest, code: "invalid_request", message: "'payload' is required")
        }
        let event: Event
        do {
            event = try Event.unverified(source: source, payload: payload, type: request["type"]?.stringValue)
        } catch {
            throw APIError(
                status: .badRequest,
                code: "invalid_payload",
                message: "the payload lacks the fields its source requires (GitHub needs 'type')"
            )
        }
        return Response.json(PlaybookDryRun.run(event, against: api.registry.current.set).jsonValue)
    }

    /// `[{"file", "line", "column", "message"}]`.
    static func problems(_ diagnostics: [Diagnostic]) -> JSONValue {
        .array(
            diagnostics.sorted().map {
                [
                    "file": .string($0.file), "line": .number(Double($0.line)), "column": .number(Double($0.column)),
                    "message": .string($0.message),
                ]
            }
        )
    }
}
