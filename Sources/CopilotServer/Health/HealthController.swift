import CopilotCore
import CopilotExpressions
import Hummingbird

/// `GET /healthz` (the process answers) and `GET /readyz` (it can take traffic).
struct HealthController<Context: RequestContext>: Sendable {
    let readiness: Readiness

    func addRoutes(to router: Router<Context>) {
        router.get("/healthz") { _, _ in
            Response.json(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            readiness.isReady
                ? Response.json(["status": "ready"])
                : Response.json(["status": "not_ready"], status: .serviceUnavailable)
        }
    }
}
