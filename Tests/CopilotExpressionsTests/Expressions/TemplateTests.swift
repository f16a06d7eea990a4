import CopilotExpressions
import Testing

/// A template text and what it must render to.
struct TemplateExample: Sendable, CustomTestStringConvertible {
    var text: String
    var expected: JSONValue
    var testDescription: String { "\(text) → \(expected.jsonText)" }

    init(_ text: String, _ expected: JSONValue) {
        self.text = text
        self.expected = expected
    }
}

@Suite struct TemplateTests {
    static let context = EvaluationContext(values: [
        "event": [
            "subject": "payments", "count": 7, "ratio": 0.5, "ok": true, "none": nil,
            "labels": ["a", "b"], "meta": ["k": 1, "a": [true]],
        ]
    ])

    @Test(
        "renders as CONTRACT §3 says",
        arguments: [
            TemplateExample("${{ event.count }}", 7),  // a single expression keeps its type
            TemplateExample("  ${{ event.ok }}  ", true),  // surrounding whitespace allowed
            TemplateExample("${{ event.labels }}", ["a", "b"]),
            TemplateExample("${{ event.none }}", .null),
            TemplateExample("n=${{ event.count }}", "n=7"),  // 7, not 7.0
            TemplateExample("r=${{ event.ratio }}", "r=0.5"),
            TemplateExample("[${{ event.none }}]", "[]"),  // null renders as ""
            TemplateExample("${{ event.ok }}/${{ event.subject }}", "true/payments"),
            TemplateExample("m=${{ event.meta }}", "m={\"k\":1,\"a\":[true]}"),  // compact JSON, members in order
            TemplateExample("l=${{ event.labels }}", "l=[\"a\",\"b\"]"),
            TemplateExample("no expressions", "no expressions"),
            TemplateExample("${{ format('{{{0}}}', event.count) }}", "{7}"),  // `}}` inside a string
            TemplateExample("${{ 'it''s' }}!", "it's!"),
        ]
    )
    func render(_ example: TemplateExample) throws {
        #expect(try Template(parsing: example.text).render(in: Self.context) == example.expected)
    }

    @Test("isSingleExpression only for exactly one ${{ }} with nothing but whitespace around")
    func singleExpression() throws {
        #expect(try Template(parsing: " ${{ event.count }} ").isSingleExpression)
        #expect(try !Template(parsing: "x${{ event.count }}").isSingleExpression)
        #expect(try !Template(parsing: "${{ 1 }}${{ 2 }}").isSingleExpression)
        #expect(try !Template(parsing: "plain").isSingleExpression)
        #expect(try Template(parsing: "a ${{ 1 }} b ${{ 2 }}").expressions.map(\.source) == ["1", "2"])
    }

    @Test("renderText escapes what each expression gives, not the text around it, nor a lone expression")
    func renderText() throws {
        let escape = { (text: String) in "<\(text)>" }
        let mixed = try Template(parsing: "/a/${{ event.subject }}?n=${{ event.count }}")
        #expect(try mixed.renderText(in: Self.context, escaping: escape) == "/a/<payments>?n=<7>")
        let lone = try Template(parsing: " ${{ event.subject }} ")
        #expect(try lone.renderText(in: Self.context, escaping: escape) == "payments")
        #expect(try Template(parsing: "plain").renderText(in: Self.context, escaping: escape) == "plain")
    }

    @Test("an unclosed ${{ is a parse error at its start")
    func unclosed() throws {
        let error = try #require(throws: ExpressionError.self) { try Template(parsing: "ok ${{ event.count") }
        #expect(error.kind == .parsing)
        #expect(error.offset == 3)
    }

    @Test("errors inside ${{ }} are placed relative to the start of the text")
    func errorOffsets() throws {
        let parse = try #require(throws: ExpressionError.self) {
            try Template(parsing: "id: ${{  event.x == env.Y }}", allowedNames: ["event"])
        }
        #expect(parse.offset == 20)
        #expect(parse.message == "unrecognized named-value 'env'")

        let evaluation = try #require(throws: ExpressionError.self) {
            try Template(parsing: "x ${{ format('{0}') }}").render(in: Self.context)
        }
        #expect(evaluation.kind == .evaluation)
        #expect(evaluation.offset == 6)
    }

    @Test("conditions are truthiness, with or without ${{ }}")
    func conditions() throws {
        #expect(try Template(parsingCondition: "event.count > 5").evaluateCondition(in: Self.context))
        #expect(try Template(parsingCondition: "${{ event.none }}").evaluateCondition(in: Self.context) == false)
        #expect(try Template(parsingCondition: "${{ event.subject }}").evaluateCondition(in: Self.context))
        #expect(try Template(parsing: "success()").evaluateCondition(in: Self.context))
        #expect(throws: ExpressionError.self) { try Template(parsingCondition: "event.count >") }
    }

    @Test("a step condition without a status function implies success()")
    func implicitStatusCheck() throws {
        let failed = EvaluationContext(values: Self.context.values, status: StatusFunctions(anyStepFailed: true))
        let plain = try Template(parsingCondition: "${{ event.ok }}")
        #expect(try plain.evaluateCondition(in: failed))
        #expect(try !plain.evaluateCondition(in: failed, implicitStatusCheck: true))
        let always = try Template(parsingCondition: "always() && event.ok")
        #expect(try always.evaluateCondition(in: failed, implicitStatusCheck: true))
    }
}
