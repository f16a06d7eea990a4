import CopilotCore
import CopilotExpressions
import NIOHTTP1

/// `incident.update`: `PUT {incident_manager.url}/v1/incidents/{id}` with those of `state`, `severity`,
/// `labels` and `notes` that `with:` gives; the id defaults to the event's incident.
struct IncidentUpdateAction: Action {
    let name: ActionName = "incident.update"
    let integrationName = "incident_manager"
    let integration: HTTPActionsConfiguration.Integration?

    static let fields = ["state", "severity", "labels", "notes"]

    func perform(in context: ActionContext) async -> ActionOutcome {
        guard let integration else { return .failed(.notConfigured) }
        guard let id = ActionTargets.incidentID(with: context.with, event: context.event) else {
            return .failed(.invalidParameter("incident_id"))
        }
        var body = JSONObject()
        for key in Self.fields {
            if let value = context.with[key], !value.isNull { body[key] = value }
        }
        let url = URLPath.join(integration.baseURL, "v1", "incidents", id)
        let sent = await context.send(
            .json(.PUT, url, body: .object(body), integration: integration, name: integrationName)
        )
        return IncidentUpdateAction.outcome(sent, id: id)
    }

    /// Success with `incident_id` (and the incident's `state` when the answer carries it).
    static func outcome(_ sent: Result<OutboundResponse, ActionFailure>, id: String) -> ActionOutcome {
        switch sent {
        case .failure(let failure): return .failed(failure)
        case .success(let response):
            var outputs: JSONObject = ["incident_id": .string(id)]
            if let state = response.json?["state"]?.stringValue { outputs["state"] = .string(state) }
            return .succeeded(outputs: outputs)
        }
    }
}
