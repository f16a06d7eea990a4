import CopilotCore
import CopilotExpressions
import Testing

@Suite struct PlanCheckTests {
    static let offer = PlannerOffer(
        agent: PlaybookAgent(instructions: "", allowed: ["testbench.run", "incident.update", "deploy.rollback"]),
        runAs: nil,
        serviceAccounts: .unrestricted,
        catalogue: ActionCatalogue(presets: ["deploy.rollback": ["service"]])
    )
    static let check = PlanCheck(offer: offer, maxSteps: 3, usedIDs: [StepID(rawValue: "earlier")])

    static func problems(_ input: JSONValue) -> [String] {
        switch check.plan(from: input) {
        case .success: []
        case .failure(let failure): failure.problems
        }
    }

    @Test("a valid plan is read with its values as given")
    func valid() throws {
        let input: JSONValue = [
            "summary": "roll back, then verify",
            "steps": [
                ["id": "rollback", "uses": "deploy.rollback", "with": ["service": "payments"], "reason": "bad deploy"],
                [
                    "id": "verify", "uses": "testbench.run", "with": ["test_suite": "${{ secrets.x }}"],
                    "reason": "check",
                ],
            ],
        ]
        let plan = try Self.check.plan(from: input).get()
        #expect(plan.summary == "roll back, then verify")
        #expect(plan.steps.map(\.id.rawValue) == ["rollback", "verify"])
        #expect(plan.steps.map(\.uses.rawValue) == ["deploy.rollback", "testbench.run"])
        #expect(plan.steps[1].with["test_suite"] == "${{ secrets.x }}")
        #expect(plan.steps[0].reason == "bad deploy")
    }

    /// One step of a plan, as the model would write it.
    static func step(_ id: JSONValue, _ uses: JSONValue, with: JSONValue = [:]) -> JSONValue {
        ["id": id, "uses": uses, "with": with, "reason": ""]
    }

    static func plan(_ steps: [JSONValue]) -> JSONValue { ["summary": "s", "steps": .array(steps)] }

    static let ruleCases: [(input: JSONValue, problem: String)] = [
        (plan([]), "steps: expected 1 to 3 steps, found 0"),
        (plan(Array(repeating: step("a", "incident.update"), count: 4)), "steps: expected 1 to 3 steps, found 4"),
        (["steps": [step("a", "incident.update")]], "summary: expected a string"),
        (["summary": "s"], "steps: expected a list of steps"),
        (plan(["x"]), "steps[0]: expected an object"),
        (plan([step("Roll Back", "incident.update")]), "steps[0].id 'Roll Back': use only a-z, 0-9, '_' and '-'"),
        (plan([["uses": "incident.update", "with": [:]]]), "steps[0].id: expected a string"),
        (plan([step("a", "incident.update"), step("a", "incident.update")]), "steps[1].id 'a': used twice"),
        (plan([step("earlier", "incident.update")]), "steps[0].id 'earlier': already used by a step of this run"),
        (
            plan([step("a", "http.request", with: ["url": "https://x"])]),
            "steps[0].uses 'http.request': not an action of this plan; use one of: testbench.run, incident.update, deploy.rollback"
        ),
        (plan([step("a", "incident.update", with: "x")]), "steps[0].with: expected an object of parameters"),
        (
            plan([step("a", "testbench.run", with: ["suite": "smoke"])]),
            "steps[0].with.suite: testbench.run has no parameter 'suite'; its parameters: test_suite, filters, timeout_seconds, target"
        ),
        (plan([step("a", "testbench.run")]), "steps[0].with: testbench.run needs 'test_suite'"),
    ]

    @Test("each rule names the step and what is wrong", arguments: ruleCases)
    func rules(input: JSONValue, problem: String) {
        #expect(Self.problems(input).contains(problem), "\(Self.problems(input))")
    }

    @Test("every problem of a plan is listed, not only the first")
    func allProblems() {
        let input: JSONValue = [
            "summary": "s",
            "steps": [
                ["id": "A", "uses": "nope", "with": [:]],
                ["id": "b", "uses": "testbench.run", "with": ["x": 1]],
            ],
        ]
        #expect(
            Self.problems(input) == [
                "steps[0].id 'A': use only a-z, 0-9, '_' and '-'",
                "steps[0].uses 'nope': not an action of this plan; use one of: testbench.run, incident.update, deploy.rollback",
                "steps[1].with.x: testbench.run has no parameter 'x'; its parameters: test_suite, filters, timeout_seconds, target",
                "steps[1].with: testbench.run needs 'test_suite'",
            ]
        )
    }
}
