import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import Testing

@Suite struct DryRunTests {
    static let playbook = """
        name: pr-checks
        on:
          github:
            types: [pull_request.opened]
        steps:
          - id: tests
            uses: testbench.run
            with:
              test_suite: unit
              target: { ref: "${{ event.payload.pull_request.head.sha }}" }
              timeout_seconds: "${{ event.payload.pull_request.number }}"
              filters: ["${{ format('{0}') }}", "${{ run.id }}"]
          - id: note
            if: ${{ failure() }}
            uses: github.comment
            with: { body: "${{ format('{0}') }}" }
        """
    static let other = """
        name: payments-rollback
        on: { incident: { types: [incident.detected] } }
        steps: [{ id: s, uses: incident.update }]
        """

    static func report() throws -> DryRunReport {
        let set = try PlaybookLoader().loadSet([
            PlaybookSource(path: "Playbooks/pr-checks.yaml", text: playbook),
            PlaybookSource(path: "Playbooks/payments-rollback.yaml", text: other),
        ]).get()
        let event = CorpusEvent.make(
            [
                "action": "opened", "pull_request": ["number": 7, "head": ["sha": "abc123"]],
                "repository": ["full_name": "octo/repo"],
            ],
            source: .github,
            type: "pull_request"
        )
        return PlaybookDryRun.run(event, against: set)
    }

    @Test("prints the contract's --json object")
    func json() throws {
        let report = try Self.report()
        #expect(report.exitCode == 0)
        let expected: JSONValue = [
            "event": ["source": "github", "type": "pull_request.opened", "subject": "octo/repo"],
            "matched": [
                [
                    "playbook": "pr-checks", "file": "Playbooks/pr-checks.yaml",
                    "steps": [
                        [
                            "id": "tests", "uses": "testbench.run", "if": nil, "approval": false,
                            "with": [
                                "test_suite": "unit", "target": ["ref": "abc123"], "timeout_seconds": 7,
                                "filters": ["${{ format('{0}') }}", "${{ run.id }}"],
                            ],
                            "errors": [["key": "with.filters[0]", "message": .string(Self.formatError())]],
                        ],
                        [
                            "id": "note", "uses": "github.comment", "if": "${{ failure() }}", "approval": false,
                            "with": ["body": "${{ format('{0}') }}"],
                            "errors": [["key": "with.body", "message": .string(Self.formatError())]],
                        ],
                    ],
                ]
            ],
            "not_matched": [["playbook": "payments-rollback", "reason": "on.incident: source is github"]],
        ]
        #expect(report.jsonValue == expected, "\(report.jsonValue.jsonText)")
        #expect(report.text.contains("not matched payments-rollback: on.incident: source is github"))
    }

    /// The expression engine's message for `format('{0}')` without arguments.
    static func formatError() -> String {
        do {
            _ = try Template(parsing: "${{ format('{0}') }}").render(in: EvaluationContext(values: [:]))
            return "no error"
        } catch {
            return error.message
        }
    }

    @Test("exit code 1 when nothing matches")
    func nothingMatches() throws {
        let set = try PlaybookLoader().loadSet([PlaybookSource(path: "p.yaml", text: Self.other)]).get()
        let report = PlaybookDryRun.run(CorpusEvent.make([:], source: .pagerduty), against: set)
        #expect(report.exitCode == 1)
        #expect(report.jsonValue["matched"] == [])
    }
}
