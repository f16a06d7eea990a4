import CopilotCore
import CopilotExpressions
import CopilotHTTPActions
import CopilotTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct GitHubActionTests {
    static let marker = "<!-- copilot-agent run=run-1 step=verify -->"

    @Test("github.comment posts the body with the hidden marker to the PR's issue")
    func comment() async throws {
        let gitHub = GitHubStandIn(token: Fixtures.token)
        try await withStandIn(gitHub) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.gitHub = Fixtures.integration(baseURL) })
            let outcome = await executor.execute(Fixtures.request("github.comment", with: ["body": "All green"]))
            #expect(
                outcome
                    == .succeeded(outputs: [
                        "comment_id": 1, "url": "https://github.com/octo/repo/issues/42#issuecomment-1",
                    ])
            )
            let request = try #require(await gitHub.journal.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/repos/octo/repo/issues/42/comments")
            #expect(request.header("Accept") == "application/vnd.github+json")
            #expect(request.header("X-GitHub-Api-Version") == "2022-11-28")
            Fixtures.expectCommonHeaders(request)
            #expect(request.json == ["body": .string("All green\n\n" + Self.marker)])
        }
    }

    @Test("attempt 2 finds its marker among the comments and does not post again")
    func noDoublePost() async throws {
        let gitHub = GitHubStandIn()
        for index in 0..<120 { await gitHub.seedComment(repo: "octo/repo", number: 42, body: "noise \(index)") }
        try await withStandIn(gitHub) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.gitHub = .init(baseURL: baseURL) })
            let first = await executor.execute(Fixtures.request("github.comment", with: ["body": "hello"]))
            let second = await executor.execute(Fixtures.request("github.comment", with: ["body": "hello"], attempt: 2))
            #expect(first.isSuccess)
            #expect(second == first)
            let requests = await gitHub.journal.requests
            #expect(
                requests.map { "\($0.method) \($0.path)?\($0.query ?? "")" } == [
                    "POST /repos/octo/repo/issues/42/comments?",
                    "GET /repos/octo/repo/issues/42/comments?per_page=100&page=1",
                    "GET /repos/octo/repo/issues/42/comments?per_page=100&page=2",
                ]
            )
            #expect(await gitHub.comments["octo/repo#42"]?.count == 121)
            #expect(await gitHub.journal.logicalExecutions("run-1:verify") == 1)
        }
    }

    @Test("attempt 2 posts when no comment bears the marker")
    func postsWhenMissing() async throws {
        let gitHub = GitHubStandIn()
        await gitHub.seedComment(repo: "octo/repo", number: 42, body: "<!-- copilot-agent run=run-1 step=other -->")
        try await withStandIn(gitHub) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.gitHub = .init(baseURL: baseURL) })
            let outcome = await executor.execute(
                Fixtures.request("github.comment", with: ["body": "hi", "number": 7, "repo": "a/b"], attempt: 2)
            )
            #expect(outcome.isSuccess)
            #expect(await gitHub.journal.requests.map(\.method) == ["GET", "POST"])
            #expect(await gitHub.journal.requests.last?.path == "/repos/a/b/issues/7/comments")
        }
    }

    @Test("github.status posts to the event's head SHA with a default context")
    func status() async throws {
        let gitHub = GitHubStandIn(token: Fixtures.token)
        try await withStandIn(gitHub) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.gitHub = Fixtures.integration(baseURL) })
            let outcome = await executor.execute(
                Fixtures.request(
                    "github.status",
                    with: ["state": "success", "description": "3 passed", "target_url": "https://ci/1"]
                )
            )
            #expect(outcome == .succeeded(outputs: ["state": "success", "sha": "abc123", "status_id": 1]))
            let request = try #require(await gitHub.journal.requests.first)
            #expect(request.path == "/repos/octo/repo/statuses/abc123")
            Fixtures.expectCommonHeaders(request)
            #expect(
                request.json
                    == [
                        "state": "success", "context": "copilot-agent", "description": "3 passed",
                        "target_url": "https://ci/1",
                    ]
            )
        }
    }

    @Test("a 422 is a permanent failure that names the status, never the body")
    func validationFailure() async throws {
        let gitHub = GitHubStandIn()
        try await withStandIn(gitHub) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.gitHub = .init(baseURL: baseURL) })
            let outcome = await executor.execute(Fixtures.request("github.status", with: ["state": "bogus"]))
            #expect(outcome == .failed(retryable: false, reason: "http 422 from github"))
            #expect(await gitHub.journal.requests.count == 1)
        }
    }

    @Test("no repository to derive from an incident event: invalid parameter, nothing sent")
    func missingRepo() async {
        let executor = Fixtures.executor(Fixtures.configuration { $0.gitHub = .init(baseURL: "http://127.0.0.1:9") })
        let outcome = await executor.execute(
            Fixtures.request("github.comment", with: ["body": "x"], event: Fixtures.incident)
        )
        #expect(outcome.failure == .invalidParameter("repo"))
    }
}
