import CopilotCore
public import CopilotExpressions

/// GitHub's REST API, the parts Copilot Agent uses: issue comments (create and list, paginated by
/// `per_page`/`page`) and commit statuses. Like GitHub, it ignores `Idempotency-Key` and refuses
/// requests without a `User-Agent` (403).
public actor GitHubStandIn: StandIn {
    public nonisolated let journal = StandInJournal()
    public nonisolated var honoursIdempotencyKey: Bool { false }
    private let token: String?
    /// Comments by `owner/repo#number`, oldest first.
    public private(set) var comments: [String: [JSONObject]] = [:]
    /// Statuses by `owner/repo@sha`, oldest first.
    public private(set) var statuses: [String: [JSONObject]] = [:]
    private var nextID = 1

    public init(token: String? = nil) {
        self.token = token
    }

    /// Adds a comment as if someone had posted it earlier.
    public func seedComment(repo: String, number: Int, body: String) {
        _ = addComment(key: "\(repo)#\(number)", repo: repo, number: number, body: body)
    }

    public func respond(to request: RecordedRequest) async -> StandInResponse {
        guard request.header("User-Agent") != nil else { return .error(403, "User-Agent required") }
        if let failure = authorizationFailure(request, token: token) { return failure }
        let parts = request.segments
        if parts.count == 6, parts[0] == "repos", parts[3] == "issues", parts[5] == "comments",
            let number = Int(parts[4])
        {
            let repo = "\(parts[1])/\(parts[2])"
            switch request.method {
            case "POST": return createComment(request, repo: repo, number: number)
            case "GET": return listComments(request, key: "\(repo)#\(number)")
            default: return .error(404, "Not Found")
            }
        }
        if parts.count == 5, parts[0] == "repos", parts[3] == "statuses", request.method == "POST" {
            return createStatus(request, key: "\(parts[1])/\(parts[2])@\(parts[4])")
        }
        return .error(404, "Not Found")
    }

    private func createComment(_ request: RecordedRequest, repo: String, number: Int) -> StandInResponse {
        guard let body = request.json?["body"]?.stringValue else { return .error(422, "Validation Failed") }
        return .json(201, .object(addComment(key: "\(repo)#\(number)", repo: repo, number: number, body: body)))
    }

    private func addComment(key: String, repo: String, number: Int, body: String) -> JSONObject {
        let id = nextID
        nextID += 1
        let comment: JSONObject = [
            "id": .number(Double(id)), "body": .string(body),
            "html_url": .string("https://github.com/\(repo)/issues/\(number)#issuecomment-\(id)"),
            "user": ["login": "copilot-agent[bot]"],
        ]
        comments[key, default: []].append(comment)
        return comment
    }

    private func listComments(_ request: RecordedRequest, key: String) -> StandInResponse {
        let perPage = min(100, max(1, request.queryParameter("per_page").flatMap { Int($0) } ?? 30))
        let page = max(1, request.queryParameter("page").flatMap { Int($0) } ?? 1)
        let all = comments[key] ?? []
        let start = min(all.count, (page - 1) * perPage)
        let slice = all[start..<min(all.count, start + perPage)]
        return .json(200, .array(slice.map(JSONValue.object)))
    }

    private func createStatus(_ request: RecordedRequest, key: String) -> StandInResponse {
        guard let body = request.json?.objectValue, let state = body["state"]?.stringValue,
            ["error", "failure", "pending", "success"].contains(state)
        else { return .error(422, "Validation Failed") }
        var status = body
        status["id"] = .number(Double(nextID))
        status["context"] = body["context"] ?? "default"
        nextID += 1
        statuses[key, default: []].append(status)
        return .json(201, .object(status))
    }
}
