import CopilotCore
import CopilotExpressions
import NIOHTTP1

/// `github.comment`: `POST {api_url}/repos/{owner}/{repo}/issues/{number}/comments` `{"body"}`.
///
/// GitHub ignores `Idempotency-Key`, so the body ends with a hidden marker
/// `<!-- copilot-agent run=<run_id> step=<step_id> -->`; from the second attempt on, the action first
/// lists the comments and does not post again when one bears the marker (CONTRACT §8).
struct GitHubCommentAction: Action {
    let name: ActionName = "github.comment"
    let integrationName = "github"
    let integration: HTTPActionsConfiguration.Integration?
    /// Pages of 100 comments read when looking for the marker.
    let maxPages = 10

    static let headers = [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")]

    static func marker(for request: ActionRequest) -> String {
        "<!-- copilot-agent run=\(request.runID.rawValue) step=\(request.stepID.rawValue) -->"
    }

    func perform(in context: ActionContext) async -> ActionOutcome {
        guard let integration else { return .failed(.notConfigured) }
        guard let text = context.with["body"]?.stringValue else { return .failed(.invalidParameter("body")) }
        guard let repo = ActionTargets.gitHubRepository(with: context.with, event: context.event) else {
            return .failed(.invalidParameter("repo"))
        }
        guard let number = ActionTargets.gitHubNumber(with: context.with, event: context.event) else {
            return .failed(.invalidParameter("number"))
        }
        let url = URLPath.join(integration.baseURL, "repos", repo.owner, repo.name, "issues", "\(number)", "comments")
        let marker = Self.marker(for: context.request)
        if context.request.attempt > 1 {
            switch await existingComment(url: url, marker: marker, integration: integration, in: context) {
            case .failure(let failure): return .failed(failure)
            case .success(let comment?): return .succeeded(outputs: Self.outputs(comment))
            case .success(nil): break
            }
        }
        let body: JSONValue = ["body": .string(text + "\n\n" + marker)]
        let posted = await context.send(
            .json(.POST, url, body: body, integration: integration, name: integrationName, headers: Self.headers)
        )
        switch posted.flatMap({ context.object($0, from: integrationName) }) {
        case .failure(let failure): return .failed(failure)
        case .success(let comment): return .succeeded(outputs: Self.outputs(comment))
        }
    }

    /// The first comment whose body holds `marker`, reading up to `maxPages` pages.
    private func existingComment(
        url: String,
        marker: String,
        integration: HTTPActionsConfiguration.Integration,
        in context: ActionContext
    ) async -> Result<JSONObject?, ActionFailure> {
        for page in 1...maxPages {
            let listed = await context.send(
                .json(
                    .GET,
                    url + "?per_page=100&page=\(page)",
                    body: nil,
                    integration: integration,
                    name: integrationName,
                    headers: Self.headers
                )
            )
            let comments: [JSONValue]
            switch listed {
            case .failure(let failure): return .failure(failure)
            case .success(let response):
                guard let list = response.json?.arrayValue else {
                    return .failure(.invalidResponse(from: integrationName))
                }
                comments = list
            }
            if let found = comments.first(where: { $0["body"]?.stringValue?.contains(marker) == true }) {
                return .success(found.objectValue)
            }
            if comments.count < 100 { break }
        }
        return .success(nil)
    }

    static func outputs(_ comment: JSONObject) -> JSONObject {
        var outputs = JSONObject()
        if let id = comment["id"], !id.isNull { outputs["comment_id"] = id }
        if let url = comment["html_url"], !url.isNull { outputs["url"] = url }
        return outputs
    }
}
