import CopilotCore
public import CopilotExpressions

/// The Incident-Manager's API: `PUT /v1/incidents/{id}` merges `state`, `severity`, `labels`, `notes`;
/// `POST /v1/incidents/{id}/resolve` marks the incident `Resolved`. Unknown ids answer 404.
/// Honours `Idempotency-Key`.
public actor IncidentManagerStandIn: StandIn {
    public nonisolated let journal = StandInJournal()
    public nonisolated var honoursIdempotencyKey: Bool { true }
    private let token: String?
    /// Incidents by id.
    public private(set) var incidents: [String: JSONObject]

    public init(incidentIDs: [String] = [], token: String? = nil) {
        self.token = token
        self.incidents = Dictionary(
            uniqueKeysWithValues: incidentIDs.map { ($0, ["id": .string($0), "state": "Detected", "notes": []]) }
        )
    }

    public func respond(to request: RecordedRequest) async -> StandInResponse {
        if let failure = authorizationFailure(request, token: token) { return failure }
        let parts = request.segments
        guard parts.count >= 3, parts[0] == "v1", parts[1] == "incidents" else { return .error(404, "not found") }
        guard var incident = incidents[parts[2]] else { return .error(404, "incident not found") }
        guard let body = request.json?.objectValue else { return .error(400, "invalid JSON") }
        switch (request.method, parts.count) {
        case ("PUT", 3):
            for key in ["state", "severity", "labels"] {
                if let value = body[key] { incident[key] = value }
            }
            if let notes = body["notes"] { incident["notes"] = .array((incident["notes"]?.arrayValue ?? []) + [notes]) }
        case ("POST", 4) where parts[3] == "resolve":
            guard body["resolved_by"]?.stringValue != nil, body["method"]?.stringValue != nil else {
                return .error(422, "resolved_by and method are required")
            }
            incident["state"] = "Resolved"
            incident["resolution"] = .object(body)
        default:
            return .error(404, "not found")
        }
        incidents[parts[2]] = incident
        return .json(200, .object(incident))
    }
}
