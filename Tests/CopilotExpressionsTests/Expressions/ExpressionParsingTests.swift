import Testing

@testable import CopilotExpressions

/// A source text that must fail to parse, the kind of error and where.
struct ParseFailure: Sendable, CustomTestStringConvertible {
    var source: String
    var kind: ExpressionError.Kind
    var offset: Int
    var testDescription: String { "\(source) → \(kind) at \(offset)" }
}

@Suite struct ExpressionParsingTests {
    static let product: Set<String> = ["event", "steps", "run", "playbook"]

    @Test("a named value outside allowedNames is rejected at its offset")
    func rejectsUnknownName() throws {
        let error = try #require(throws: ExpressionError.self) {
            try Expression(parsing: "event.action == 'x' && env.TOKEN", allowedNames: Self.product)
        }
        #expect(error.kind == .parsing)
        #expect(error.message == "unrecognized named-value 'env'")
        #expect(error.offset == 23)
    }

    @Test("allowed names match in any letter case")
    func allowedNamesIgnoreCase() throws {
        let mixedCase = try Expression(parsing: "Event.action", allowedNames: Self.product)
        #expect(mixedCase.root == .property(.namedValue("Event"), "action"))
        #expect(mixedCase.referencedNames == ["event"])
        let upperAllowed = try Expression(parsing: "event.action", allowedNames: ["EVENT"])
        #expect(upperAllowed.root == .property(.namedValue("event"), "action"))
    }

    @Test(
        "malformed expressions fail with the kind and offset of the problem",
        arguments: [
            ParseFailure(source: "1 = 2", kind: .lexing, offset: 2),
            ParseFailure(source: "'open", kind: .lexing, offset: 0),
            ParseFailure(source: "event.", kind: .parsing, offset: 5),
            ParseFailure(source: "(1 == 1", kind: .parsing, offset: 6),  // unexpected end: at the last token,
            ParseFailure(source: "event.action event", kind: .parsing, offset: 13),
            ParseFailure(source: "nope(1)", kind: .parsing, offset: 0),
            ParseFailure(source: "contains('a')", kind: .parsing, offset: 0),
            ParseFailure(source: "success(1)", kind: .parsing, offset: 0),
            ParseFailure(source: "case(true, 1)", kind: .parsing, offset: 0),
            ParseFailure(source: "héllo ≠ 1", kind: .lexing, offset: 6),  // offsets count Characters
        ]
    )
    func failures(_ failure: ParseFailure) throws {
        let error = try #require(throws: ExpressionError.self) { try Expression(parsing: failure.source) }
        #expect(error.kind == failure.kind)
        #expect(error.offset == failure.offset)
    }

    @Test("expressions deeper than 50 levels are rejected without exhausting the stack")
    func depthLimit() throws {
        let deepCalls = String(repeating: "toJSON(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        let deepGroups = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        let longChain = "a" + String(repeating: ".b", count: 5_000)
        for source in [deepCalls, deepGroups, longChain] {
            let error = try #require(throws: ExpressionError.self) { try Expression(parsing: source) }
            #expect(error.kind == .parsing)
        }
        // Long && / || chains are flat and do not count against the depth; only the length limit stops them.
        let chain = try Expression(parsing: String(repeating: "1 || ", count: 1_000) + "1")
        #expect(chain.root == .or(Array(repeating: .literal(1), count: 1_001)))
        let tooLong = try #require(throws: ExpressionError.self) {
            try Expression(parsing: String(repeating: "1 || ", count: 5_000) + "1")
        }
        #expect(tooLong.message == "Exceeded max expression length 21000")
    }

    @Test(
        "the tree is GitHub's: precedence, flat && and || chains, properties, indexes and wildcards",
        arguments: [
            (
                "a.b['c'][d] == 1",
                ExpressionNode.comparison(
                    .equal,
                    .index(.property(.property(.namedValue("a"), "b"), "c"), .namedValue("d")),
                    .literal(1)
                )
            ),
            (
                "!a || b && c || d",
                .or([.not(.namedValue("a")), .and([.namedValue("b"), .namedValue("c")]), .namedValue("d")])
            ),
            (
                "a == b < c",
                .comparison(.equal, .namedValue("a"), .comparison(.less, .namedValue("b"), .namedValue("c")))
            ),
            ("(a || b) && c", .and([.or([.namedValue("a"), .namedValue("b")]), .namedValue("c")])),
            ("a.*.b", .property(.wildcard(.namedValue("a")), "b")),
            ("a[*]", .wildcard(.namedValue("a"))),
            ("'it''s' != null", .comparison(.notEqual, .literal("it's"), .literal(nil))),
        ]
    )
    func trees(source: String, tree: ExpressionNode) throws {
        #expect(try Expression(parsing: source).root == tree)
    }

    @Test("referencedNames lists the lower-cased named values")
    func referencedNames() throws {
        let expression = try Expression(parsing: "Event.action == 'opened' && steps.verify.outcome || RUN.id")
        #expect(expression.referencedNames == ["event", "steps", "run"])
    }

    @Test("referencedStepIDs lists steps.<id> and steps['<id>']")
    func referencedStepIDs() throws {
        let expression = try Expression(
            parsing: "steps.verify.outputs.passed == steps['roll-back'].outcome && steps[event.id] && event.steps.x"
        )
        #expect(expression.referencedStepIDs == ["verify", "roll-back"])
        #expect(try Expression(parsing: "success()").referencesStatusFunction)
        #expect(try !Expression(parsing: "event.x").referencesStatusFunction)
    }

    @Test("expressions are equal when their text is")
    func equality() throws {
        #expect(try Expression(parsing: "a.b") == Expression(parsing: "a.b"))
        #expect(try Expression(parsing: "a.b").description == "a.b")
    }
}
