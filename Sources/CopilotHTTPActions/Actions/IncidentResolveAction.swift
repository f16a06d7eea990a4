import CopilotCore
import CopilotExpressions
import NIOHTTP1

/// `incident.resolve`: `POST {incident_manager.url}/v1/incidents/{id}/resolve`
/// `{"resolved_by": "copilot-agent", "method": "Automated", "notes", "root_cause"?}`.
struct IncidentResolveAction: Action {
    let name: ActionName = "incident.resolve"
    let integrationName = "incident_manager"
    let integration: HTTPActionsConfiguration.Integration?

    func perform(in context: ActionContext) async -> ActionOutcome {
        guard let integration else { return .failed(.notConfigured) }
        guard let id = ActionTargets.incidentID(with: context.with, event: context.event) else {
            return .failed(.invalidParameter("incident_id"))
        }
        var body: JSONObject = [
            "resolved_by": "copilot-agent",
            "method": "Automated",
            "notes": .string(context.with["notes"]?.templateText ?? ""),
        ]
        if let rootCause = context.with["root_cause"], !rootCause.isNull { body["root_cause"] = rootCause }
        let url = URLPath.join(integration.baseURL, "v1", "incidents", id, "resolve")
        let sent = await context.send(
            .json(.POST, url, body: .object(body), integration: integration, name: integrationName)
        )
        return IncidentUpdateAction.outcome(sent, id: id)
    }
}
