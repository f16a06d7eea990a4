import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import Testing

@Suite struct ActionTargetsTests {
    static func event(_ source: EventSource, subject: String, payload: JSONValue) -> Event {
        .fixture(source, subject: subject, payload: payload)
    }

    static let pullRequest = event(
        .github,
        subject: "octo/repo",
        payload: ["pull_request": ["number": 42, "head": ["sha": "abc123"]], "number": 42]
    )
    static let push = event(.github, subject: "octo/repo", payload: ["after": "def456", "ref": "refs/heads/main"])
    static let checkRun = event(.github, subject: "octo/repo", payload: ["check_run": ["head_sha": "c0ffee"]])
    static let workflowRun = event(.github, subject: "octo/repo", payload: ["workflow_run": ["head_sha": "f00d"]])
    static let issue = event(.github, subject: "octo/repo", payload: ["issue": ["number": 7]])
    static let branchDeleted = event(
        .github,
        subject: "octo/repo",
        payload: ["after": "0000000000000000000000000000000000000000"]
    )
    static let incident = event(
        .incident,
        subject: "api-gateway",
        payload: ["incident": ["id": "550e8400", "affected_resources": ["api-gateway"]]]
    )
    static let alert = event(.alertmanager, subject: "payments", payload: ["groupKey": "g"])
    static let page = event(.pagerduty, subject: "Checkout", payload: ["event": ["id": "e"]])

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var event: Event
        var with: JSONObject = [:]
        var repo: String?
        var sha: String?
        var number: Int?
        var incidentID: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "pull request", event: pullRequest, repo: "octo/repo", sha: "abc123", number: 42),
        Case(name: "push", event: push, repo: "octo/repo", sha: "def456"),
        Case(name: "check run", event: checkRun, repo: "octo/repo", sha: "c0ffee"),
        Case(name: "workflow run", event: workflowRun, repo: "octo/repo", sha: "f00d"),
        Case(name: "issue", event: issue, repo: "octo/repo", number: 7),
        Case(name: "branch deleted has no sha", event: branchDeleted, repo: "octo/repo"),
        Case(
            name: "overrides win",
            event: pullRequest,
            with: ["repo": "other/place", "sha": "999", "number": "5", "incident_id": 12],
            repo: "other/place",
            sha: "999",
            number: 5,
            incidentID: "12"
        ),
        Case(
            name: "a bad repo override is no repo",
            event: pullRequest,
            with: ["repo": "nope"],
            sha: "abc123",
            number: 42
        ),
        Case(name: "incident", event: incident, incidentID: "550e8400"),
        Case(
            name: "incident subject is not a repository",
            event: incident,
            with: ["number": 0],
            incidentID: "550e8400"
        ),
        Case(name: "alert", event: alert),
    ]

    @Test("derives GitHub and incident targets", arguments: cases)
    func derives(testCase: Case) {
        #expect(
            ActionTargets.gitHubRepository(with: testCase.with, event: testCase.event)?.description == testCase.repo
        )
        #expect(ActionTargets.gitHubSHA(with: testCase.with, event: testCase.event) == testCase.sha)
        #expect(ActionTargets.gitHubNumber(with: testCase.with, event: testCase.event) == testCase.number)
        #expect(ActionTargets.incidentID(with: testCase.with, event: testCase.event) == testCase.incidentID)
    }

    static let targets: [(Event, JSONObject)] = [
        (pullRequest, ["repository": "octo/repo", "ref": "abc123", "pull_request": 42]),
        (push, ["repository": "octo/repo", "ref": "def456"]),
        (incident, ["incident_id": "550e8400", "service": "api-gateway"]),
        (alert, ["service": "payments"]),
        (page, ["service": "Checkout"]),
    ]

    @Test("Test-Bench target defaults per source", arguments: targets)
    func testBenchTarget(event: Event, expected: JSONObject) {
        #expect(ActionTargets.testBenchTarget(with: [:], event: event) == expected)
    }

    @Test("with.target wins")
    func targetOverride() {
        let target: JSONObject = ["environment": "staging"]
        #expect(ActionTargets.testBenchTarget(with: ["target": .object(target)], event: Self.push) == target)
    }

    @Test("the idempotency key is <run_id>:<step_id>")
    func idempotencyKey() {
        let request = ActionRequest(
            runID: RunID(rawValue: "run-9"),
            stepID: StepID(rawValue: "verify"),
            action: "testbench.run",
            event: Self.push,
            attempt: 3
        )
        #expect(request.idempotencyKey == "run-9:verify")
    }
}
