import CopilotExpressions
import Testing

/// Evaluates `source` against `values`, with every value's name allowed.
private func evaluate(_ source: String, _ values: [String: JSONValue] = [:]) throws -> JSONValue {
    try Expression(parsing: source).evaluate(in: EvaluationContext(values: values))
}

/// A source text and the value it must evaluate to.
struct ExpressionExample: Sendable, CustomTestStringConvertible {
    var source: String
    var expected: JSONValue
    var testDescription: String { "\(source) → \(expected.jsonText)" }

    init(_ source: String, _ expected: JSONValue) {
        self.source = source
        self.expected = expected
    }
}

@Suite struct ExpressionEvaluationTests {
    static let context: [String: JSONValue] = [
        "event": [
            "action": "opened",
            "number": 7,
            "labels": [["name": "bug"], ["name": "help wanted"]],
            "pull_request": ["title": "Fix Payments", "draft": false],
        ],
        "steps": ["verify": ["outputs": ["passed": 41, "total": 42], "outcome": "success"]],
    ]

    @Test(
        "operators bind with GitHub's precedence",
        arguments: [
            ExpressionExample("!true == false", true),  // ! binds tighter than ==
            ExpressionExample("1 < 2 == true", true),  // < binds tighter than ==
            ExpressionExample("true || false && false", true),  // && binds tighter than ||
            ExpressionExample("(true || false) && false", false),
            ExpressionExample("1 == 1 && 'yes' || 'no'", "yes"),
            ExpressionExample("1 == 2 && 'yes' || 'no'", "no"),
            ExpressionExample("!event.pull_request.draft", true),  // . binds tighter than !
            ExpressionExample("3 > 2 > 1", false),  // (3 > 2) > 1 → true > 1 → 1 > 1
        ]
    )
    func precedence(_ example: ExpressionExample) throws {
        #expect(try evaluate(example.source, Self.context) == example.expected)
    }

    @Test(
        "functions behave as GitHub's do",
        arguments: [
            ExpressionExample("contains('Hello World', 'WORLD')", true),
            ExpressionExample("contains(event.labels.*.name, 'BUG')", true),
            ExpressionExample("contains(event.labels.*.name, 'feature')", false),
            ExpressionExample("startsWith(event.action, 'OPEN')", true),
            ExpressionExample("endsWith('refs/heads/main', '/MAIN')", true),
            ExpressionExample(
                "format('PR #{0}: {1} {{ok}}', event.number, event.pull_request.title)",
                "PR #7: Fix Payments {ok}"
            ),
            ExpressionExample("join(event.labels.*.name)", "bug,help wanted"),
            ExpressionExample("join(event.labels.*.name, ' + ')", "bug + help wanted"),
            ExpressionExample("toJSON(event.labels[0])", "{\n  \"name\": \"bug\"\n}"),
            ExpressionExample("toJSON(fromJSON('[1,[],{}]'))", "[\n  1,\n  [],\n  {}\n]"),
            ExpressionExample("fromJSON('{\"a\": [1, 2.5]}').a[1]", 2.5),
            ExpressionExample("case(event.number > 5, 'big', 'small')", "big"),
            ExpressionExample("case(false, 1, event.number == 7, 2, 3)", 2),
            ExpressionExample("success() && !failure() && !cancelled() && always()", true),
            ExpressionExample("FORMAT('{0}', 1)", "1"),  // function names ignore case
        ]
    )
    func functions(_ example: ExpressionExample) throws {
        #expect(try evaluate(example.source, Self.context) == example.expected)
    }

    @Test(
        "values are coerced by GitHub's loose rules",
        arguments: [
            ExpressionExample("'1' == 1", true),
            ExpressionExample("null == false", true),
            ExpressionExample("'ABC' == 'abc'", true),
            ExpressionExample("' 0x10 ' == 16", true),
            ExpressionExample("NaN == NaN", false),
            ExpressionExample("'b' > 'A'", true),
            ExpressionExample("event.missing.deeper == null", true),  // missing is null, not an error
            ExpressionExample("event.number >= '7'", true),
            ExpressionExample("event == event", true),  // the same object
            ExpressionExample("fromJSON('{}') == fromJSON('{}')", false),  // objects compare by identity
            ExpressionExample("event.labels[1.9].name", "help wanted"),  // indexes are floored
            ExpressionExample("EVENT.Pull_Request.TITLE", "Fix Payments"),  // names ignore case
            ExpressionExample("0 || '' || null", .null),  // || returns the last operand
            // Numbers as strings: .NET's G15, as GitHub's runner writes them (NumberTextTests has more).
            ExpressionExample("format('{0} {1} {2} {3}', 0.0001, 0.00001, 1e-7, 1e21)", "0.0001 1E-05 1E-07 1E+21"),
            ExpressionExample("format('{0}|{1}|{2}', null, true, fromJSON('[]'))", "|true|Array"),
            ExpressionExample("format('{0} {1}', 1.2345678901234567e20, -2.5e-8)", "1.23456789012346E+20 -2.5E-08"),
            ExpressionExample("'1.' == 1 && ' +.5 ' == 0.5 && '1e400' == Infinity", true),
            ExpressionExample("'0xffffffff' == -1", true),  // 32-bit, as .NET reads hex
            ExpressionExample("'0x1p3' == 8 || 'inf' == Infinity", false),  // no C-style hex floats or inf
        ]
    )
    func coercion(_ example: ExpressionExample) throws {
        #expect(try evaluate(example.source, Self.context) == example.expected)
    }

    @Test("&& and || short-circuit, so a later operand's error never happens")
    func shortCircuit() throws {
        #expect(try evaluate("false && case(1, 2, 3)") == false)
        #expect(try evaluate("'x' || format('{0}')") == "x")
        #expect(throws: ExpressionError.self) { try evaluate("true && case(1, 2, 3)") }
    }

    @Test(
        "misusing a function is an evaluation error",
        arguments: ["format('{0}')", "format('{')", "case('yes', 1, 2)", "fromJSON('{nope')"]
    )
    func evaluationErrors(_ source: String) throws {
        let expression = try Expression(parsing: source)
        let error = try #require(throws: ExpressionError.self) {
            try expression.evaluate(in: EvaluationContext(values: [:]))
        }
        #expect(error.kind == .evaluation)
    }

    @Test("status functions read the run's status")
    func statusFunctions() throws {
        let failed = EvaluationContext(values: [:], status: StatusFunctions(anyStepFailed: true))
        let cancelled = EvaluationContext(values: [:], status: StatusFunctions(cancelled: true))
        #expect(try Expression(parsing: "success()").evaluate(in: failed) == false)
        #expect(try Expression(parsing: "failure()").evaluate(in: failed) == true)
        #expect(try Expression(parsing: "success()").evaluate(in: cancelled) == false)
        #expect(try Expression(parsing: "cancelled()").evaluate(in: cancelled) == true)
        #expect(try Expression(parsing: "always()").evaluate(in: cancelled) == true)
    }

    @Test("building strings beyond the memory limit is an evaluation error")
    func memoryLimit() throws {
        let expression = try Expression(parsing: "format('{0}{0}{0}{0}', toJSON(event))")
        let context = EvaluationContext(values: Self.context, memoryLimit: 1_000)
        let error = try #require(throws: ExpressionError.self) { try expression.evaluate(in: context) }
        #expect(error.kind == .evaluation)
        #expect(try expression.evaluate(in: EvaluationContext(values: Self.context)).stringValue != nil)
    }
}
