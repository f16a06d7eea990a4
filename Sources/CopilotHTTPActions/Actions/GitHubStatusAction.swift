import CopilotCore
import CopilotExpressions
import NIOHTTP1

/// `github.status`: `POST {api_url}/repos/{owner}/{repo}/statuses/{sha}`
/// `{"state", "context", "description", "target_url"}`. Commit statuses are idempotent by nature: the
/// latest one per context wins.
struct GitHubStatusAction: Action {
    let name: ActionName = "github.status"
    let integrationName = "github"
    let integration: HTTPActionsConfiguration.Integration?

    /// `context` when `with:` gives none.
    static let defaultContext = "copilot-agent"

    func perform(in context: ActionContext) async -> ActionOutcome {
        guard let integration else { return .failed(.notConfigured) }
        guard let state = context.with["state"]?.stringValue, !state.isEmpty else {
            return .failed(.invalidParameter("state"))
        }
        guard let repo = ActionTargets.gitHubRepository(with: context.with, event: context.event) else {
            return .failed(.invalidParameter("repo"))
        }
        guard let sha = ActionTargets.gitHubSHA(with: context.with, event: context.event) else {
            return .failed(.invalidParameter("sha"))
        }
        var body: JSONObject = [
            "state": .string(state),
            "context": context.with["context"].flatMap(\.stringValue).map(JSONValue.string)
                ?? .string(Self.defaultContext),
        ]
        for key in ["description", "target_url"] {
            if let value = context.with[key], !value.isNull { body[key] = value }
        }
        let url = URLPath.join(integration.baseURL, "repos", repo.owner, repo.name, "statuses", sha)
        let posted = await context.send(
            .json(
                .POST,
                url,
                body: .object(body),
                integration: integration,
                name: integrationName,
                headers: GitHubCommentAction.headers
            )
        )
        switch posted {
        case .failure(let failure): return .failed(failure)
        case .success(let response):
            var outputs: JSONObject = ["state": .string(state), "sha": .string(sha)]
            if let id = response.json?["id"], !id.isNull { outputs["status_id"] = id }
            return .succeeded(outputs: outputs)
        }
    }
}
