import CopilotExpressions
import Testing

/// `JSONValue`'s text within a byte budget: the planner's prompt asks for the whole payload, then for
/// stronger elisions, each given up as soon as it passes the budget.
@Suite struct JSONTextTests {
    static let value: JSONValue = [
        "title": "a \"quoted\" title", "labels": ["a", "b", "c"], "body": .string(String(repeating: "x", count: 40)),
    ]

    @Test("within the budget the text is the whole encoding, at the bound too; past it there is none")
    func budget() {
        let whole = Self.value.jsonText
        #expect(Self.value.jsonText(elision: nil) == whole)
        #expect(Self.value.jsonText(elision: nil, maxBytes: whole.utf8.count) == whole)
        #expect(Self.value.jsonText(elision: nil, maxBytes: whole.utf8.count - 1) == nil)
        #expect(Self.value.jsonBytes == Array(whole.utf8))
    }

    @Test("an elision shortens strings, lists and objects with markers, and is still JSON")
    func elision() throws {
        let elided = Self.value.jsonText(elision: .init(stringLimit: 8, listLimit: 2, memberLimit: 2))
        #expect(
            elided
                == #"{"title":"a \"quote…[8 more bytes]","labels":["a","b","…[1 more items]"],"…":"[1 more members]"}"#
        )
        #expect(try JSONValue(parsing: Array((elided ?? "").utf8)).objectValue?.count == 3)
    }
}
