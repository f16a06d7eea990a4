import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import Testing

@Suite struct PlaybookLoaderTests {
    static func text(_ name: String) -> String {
        "name: \(name)\non: { github: }\nsteps: [{ id: s, uses: testbench.run, with: { test_suite: x } }]\n"
    }

    @Test("a set refuses a name used twice, at the later file's name")
    func duplicateNames() {
        let result = PlaybookLoader().loadSet([
            PlaybookSource(path: "b.yaml", text: Self.text("same")),
            PlaybookSource(path: "a.yaml", text: Self.text("same")),
            PlaybookSource(path: "c.yaml", text: Self.text("other")),
        ])
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(
            failure.diagnostics.map(\.description) == [
                "b.yaml:1:7: error: duplicate playbook name 'same' (also in a.yaml)"
            ]
        )
    }

    @Test("a set is all or nothing, with every file's diagnostics sorted")
    func allOrNothing() {
        let result = PlaybookLoader().loadSet([
            PlaybookSource(path: "z.yaml", text: "name: z\non: { github: }\nsteps: []\nextra: 1\n"),
            PlaybookSource(path: "good.yaml", text: Self.text("good")),
            PlaybookSource(path: "a.yaml", text: "name: [\n"),
        ])
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.diagnostics.map(\.file) == ["a.yaml", "z.yaml", "z.yaml"])
        #expect(failure.diagnostics == failure.diagnostics.sorted())
    }

    @Test("a valid set is sorted by name and indexed")
    func validSet() throws {
        let set = try PlaybookLoader().loadSet([
            PlaybookSource(path: "b.yaml", text: Self.text("bravo")),
            PlaybookSource(path: "a.yaml", text: Self.text("alpha")),
        ]).get()
        #expect(set.playbooks.map(\.name.rawValue) == ["alpha", "bravo"])
        #expect(set[PlaybookName(rawValue: "bravo")]?.file == "b.yaml")
    }

    @Test("run_as is checked against configured service accounts, presets against the config")
    func configChecks() throws {
        let text = """
            name: x
            on: { github: }
            run_as: remediatr
            steps: [{ id: s, uses: deploy.rollback, with: { service: a } }]
            """
        let withConfig = PlaybookLoader(
            catalogue: ActionCatalogue(presets: ["deploy.rollback": ["service"]]),
            serviceAccounts: ServiceAccountPolicy(accounts: ["remediator": [try GlobPattern("deploy.*")]])
        )
        #expect(
            withConfig.load(file: "x.yaml", text: text).diagnostics.map(\.description) == [
                "x.yaml:3:9: error: unknown service account 'remediatr'; did you mean 'remediator'?"
            ]
        )
        #expect(
            PlaybookLoader().load(file: "x.yaml", text: text).diagnostics.map(\.description) == [
                "x.yaml:4:24: error: unknown action 'deploy.rollback'"
            ]
        )
        let asDefault = text.replacing("run_as: remediatr", with: "run_as: default")
        #expect(
            withConfig.load(file: "x.yaml", text: asDefault).diagnostics.isEmpty,
            "the account 'default' exists without an entry of its own"
        )
        let forbidden = """
            name: x
            on: { github: }
            run_as: remediator
            agent: { instructions: fix it, allowed: [deploy.rollback, incident.update] }
            steps:
              - { id: undo, uses: deploy.rollback, with: { service: a } }
              - { id: note, uses: incident.update }
            """
        #expect(
            withConfig.load(file: "x.yaml", text: forbidden).diagnostics.map(\.description) == [
                "x.yaml:3:9: warning: agent.allowed: service account 'remediator' may not use 'incident.update': the planner is never offered it",
                "x.yaml:3:9: warning: step 'note' uses 'incident.update', which service account 'remediator' may not use (rbac.service_accounts.remediator.allow): the step will end forbidden",
            ],
            "a step its account may never pass is a warning, not an error"
        )
    }

    @Test("a loaded playbook keeps what the file says")
    func model() throws {
        let text = """
            name: m
            on:
              github: { types: [push], match: { ref: refs/heads/main } }
            if: event.payload.forced == false
            steps:
              - id: a
                uses: testbench.run
                with: { test_suite: "${{ event.subject }}", filters: [x] }
                retry: { attempts: 3, backoff_seconds: 0.5 }
                approval: required
                continue_on_error: true
              - id: b
                uses: incident.update
                needs: a
            """
        let playbook = try #require(PlaybookLoader().load(file: "m.yaml", text: text).playbook)
        #expect(
            playbook.triggers == [
                Trigger(
                    source: .github,
                    types: ["push"],
                    conditions: [
                        FieldCondition(path: try FieldPath("ref"), matcher: .equals("refs/heads/main"))
                    ]
                )
            ]
        )
        #expect(playbook.condition?.text == "event.payload.forced == false")
        let step = playbook.steps[0]
        #expect(step.retry == StepRetry(attempts: 3, backoffSeconds: 0.5))
        #expect(step.approval == .required && step.continueOnError && step.timeoutSeconds == 300)
        #expect(step.with["filters"] == .literal(["x"]))
        #expect(playbook.steps[1].needs == [StepID(rawValue: "a")])
    }
}
