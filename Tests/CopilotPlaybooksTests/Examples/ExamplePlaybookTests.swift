import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import Foundation
import Testing

/// The shipped examples in `Playbooks/`: valid, and each matching the corpus payload it is written for.
@Suite struct ExamplePlaybookTests {
    /// `<repo>/Playbooks`, found from this file's location.
    static var directory: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Playbooks").path
    }

    /// The shipped config declares the `deploy.rollback` preset the payments example uses.
    static let loader = PlaybookLoader(catalogue: ActionCatalogue(presets: ["deploy.rollback": ["service"]]))

    /// The example files, read here: the directory loader is CopilotApp's, a layer above this one.
    static func sources() throws -> [PlaybookSource] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return try names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
            let path = directory + "/" + $0
            return PlaybookSource(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }

    static func set() throws -> PlaybookSet {
        try loader.loadSet(sources()).get()
    }

    @Test("every example is valid and starts with the schema comment")
    func valid() throws {
        let sources = try Self.sources()
        #expect(sources.count >= 5)
        if case .failure(let failure) = Self.loader.loadSet(sources) {
            Issue.record("\(failure.diagnostics.map(\.description).joined(separator: "\n"))")
        }
        for source in sources {
            let firstLine = String(decoding: source.bytes.prefix { $0 != 0x0A }, as: UTF8.self)
            #expect(firstLine == "# yaml-language-server: $schema=../Config/playbook.schema.json", "\(source.path)")
        }
    }

    @Test(
        "each corpus payload starts the example written for it, and only that one",
        arguments: [
            (
                "incident/incident.detected.payments.json", EventSource.incident, nil as String?,
                "payments-incident-rollback"
            ),
            ("github/pull_request.opened.payload.json", .github, "pull_request", "pr-checks"),
            ("github/pull_request.synchronize.payload.json", .github, "pull_request", "pr-checks"),
            ("alertmanager/firing.grouped.json", .alertmanager, nil, "alertmanager-high-error-rate"),
            ("pagerduty/incident.triggered.json", .pagerduty, nil, "pagerduty-triggered-smoke"),
        ]
    )
    func matches(file: String, source: EventSource, type: String?, playbook: String) throws {
        let event = try CorpusEvent.load(file, source: source, type: type)
        let result = try Self.set().match(event)
        #expect(result.matched.map(\.name.rawValue) == [playbook])
    }

    @Test(
        "payloads no example is for start nothing, and say why",
        arguments: [
            ("incident/incident.detected.P0.json", EventSource.incident, nil as String?),
            ("incident/incident.resolved.json", .incident, nil),
            ("alertmanager/resolved.single.json", .alertmanager, nil),
            ("pagerduty/service.updated.unknown-to-playbooks.json", .pagerduty, nil),
            ("github/push.payload.json", .github, "push"),
            ("github/pull_request.closed.payload.json", .github, "pull_request"),
            ("github/workflow_run.completed.payload.json", .github, "workflow_run"),
        ]
    )
    func nonMatches(file: String, source: EventSource, type: String?) throws {
        let event = try CorpusEvent.load(file, source: source, type: type)
        let result = try Self.set().match(event, scope: .all)
        #expect(result.matched.isEmpty)
        #expect(result.notMatched.count == (try Self.set().count))
    }

    @Test("a workflow run that fails on main starts the orchestrator; the corpus's successful one does not")
    func workflowFailureOnMain() throws {
        let event = try CorpusEvent.load(
            "github/workflow_run.completed.payload.json",
            source: .github,
            type: "workflow_run"
        )
        let success = try Self.set().match(event)
        #expect(
            success.notMatched.map(\.reason) == [
                #"on.github.match.workflow_run.conclusion: "failure" does not hold (found "success")"#
            ]
        )
        guard case .object(var payload) = event.payload, case .object(var run) = payload["workflow_run"] else {
            Issue.record("workflow_run payload is not an object")
            return
        }
        run["conclusion"] = "failure"
        run["head_branch"] = "main"
        payload["workflow_run"] = .object(run)
        let failed = CorpusEvent.make(.object(payload), source: .github, type: "workflow_run")
        let report = PlaybookDryRun.run(failed, against: try Self.set())
        #expect(report.matched.map(\.playbook.rawValue) == ["main-workflow-failure"])
        let inputs = report.matched.first?.steps.first?.with["inputs"]
        #expect(inputs?["run_id"] == 289_782_451)
        #expect(inputs?["repository"] == "octo-org/octo-repo")
    }

    @Test("the payments dry run renders what depends on the event and keeps what needs steps or run")
    func paymentsDryRun() throws {
        let event = try CorpusEvent.load("incident/incident.detected.payments.json", source: .incident)
        let report = PlaybookDryRun.run(event, against: try Self.set())
        let steps = try #require(report.matched.first?.steps)
        #expect(steps.map(\.id.rawValue) == ["rollback", "verify", "resolve", "report"])
        #expect(steps[0].approval)
        #expect(steps[0].with == ["service": "payments-api"])
        #expect(
            steps[1].with["target"] == [
                "service": "payments-api", "incident_id": "7d1f3a52-0c4e-4b8f-9a21-5e6b7c8d9e01",
            ]
        )
        #expect(steps[2].condition == "${{ success() }}")
        #expect(steps[2].with["root_cause"] == "Deploy 2026.11.24-3")
        #expect(
            steps[2].with["notes"]?.stringValue?.hasPrefix("Rolled back ${{ event.subject }}; ${{ steps.verify") == true
        )
        #expect(steps[3].with["notes"] == "Auto-remediation failed at ${{ run.failed_step }}; over to on-call.")
        #expect(steps.allSatisfy { $0.errors.isEmpty })
    }
}
