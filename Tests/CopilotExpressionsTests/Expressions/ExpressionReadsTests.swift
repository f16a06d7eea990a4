import Testing

@testable import CopilotExpressions

/// What an expression can read of a named value: the paths the worker keeps of a payload to match it.
@Suite struct ExpressionReadsTests {
    @Test(
        "member chains give their paths, cut before an index, a wildcard or a number; a bare value is all of it",
        arguments: [
            ("event.payload.pull_request.number", [["payload", "pull_request", "number"]]),
            ("EVENT.Payload['action'] == 'opened'", [["Payload", "action"]]),
            ("event.subject", [["subject"]]),
            ("toJSON(event)", [[]]),
            ("contains(event.payload.labels.*.name, 'bug')", [["payload", "labels"]]),
            ("event.payload.alerts[0].labels", [["payload", "alerts"]]),
            ("event.payload.alerts['0'].labels", [["payload", "alerts"]]),
            ("event.payload[event.payload.key].x", [["payload", "key"], ["payload"]]),
            ("fromJSON(event.payload.body).x", [["payload", "body"]]),
            ("!(event.payload.a && github.b) || event.payload.c != 1", [["payload", "a"], ["payload", "c"]]),
            ("steps.x.outputs.y", [[String]]()),
        ] as [(String, [[String]])]
    )
    func paths(source: String, expected: [[String]]) throws {
        let expression = try Expression(parsing: source)
        #expect(expression.paths(below: "event") == expected, "\(source)")
    }

    @Test("a template's paths are its expressions', a bare condition's included")
    func template() throws {
        #expect(
            try Template(parsing: "${{ event.subject }}#${{ event.payload.pull_request.number }}").paths(below: "event")
                == [["subject"], ["payload", "pull_request", "number"]]
        )
        #expect(
            try Template(parsingCondition: "event.payload.draft == false").paths(below: "event") == [
                ["payload", "draft"]
            ]
        )
    }
}
