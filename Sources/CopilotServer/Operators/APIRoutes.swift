public import CopilotAuth
import CopilotCore

/// Every route of the service and what it requires (CONTRACT §6): the one table the access middleware
/// reads, keyed `METHOD /route/{parameter}` as the router names its routes. A route missing here is
/// refused to everyone, and a test fails when the router has a route this table does not name.
public enum APIRoutes {
    public static let access: [String: RouteAccess] = {
        var table: [String: RouteAccess] = [
            "GET /healthz": .open,
            "GET /readyz": .open,
            "GET /metrics": .open,
            "GET /api/v1/events": .permission(.eventsRead),
            "GET /api/v1/events/{id}": .permission(.eventsRead),
            "POST /api/v1/events/{id}/replay": .permission(.eventsReplay),
            "GET /api/v1/runs": .permission(.runsRead),
            "GET /api/v1/runs/{id}": .permission(.runsRead),
            "GET /api/v1/runs/{id}/transcript": .permission(.runsRead),
            "POST /api/v1/runs/{id}/approve": .permission(.runsApprove),
            "POST /api/v1/runs/{id}/reject": .permission(.runsApprove),
            "POST /api/v1/runs/{id}/cancel": .permission(.runsCancel),
            "GET /api/v1/stream": .permission(.runsRead),
            "GET /api/v1/playbooks": .permission(.playbooksRead),
            "POST /api/v1/playbooks/validate": .permission(.playbooksAuthor),
            "POST /api/v1/playbooks/test": .permission(.playbooksAuthor),
            "POST /api/v1/playbooks/reload": .permission(.playbooksReload),
            "GET /api/v1/tokens": .permission(.tokensManage),
            "POST /api/v1/tokens": .permission(.tokensManage),
            "DELETE /api/v1/tokens/{id}": .permission(.tokensManage),
            "GET /api/v1/audit": .permission(.auditRead),
        ]
        // Senders sign their deliveries; the signature is their credential (CONTRACT §2).
        for source in EventSource.allCases { table["POST /webhooks/\(source.rawValue)"] = .open }
        return table
    }()
}
