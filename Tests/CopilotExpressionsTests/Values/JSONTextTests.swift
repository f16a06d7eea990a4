import CopilotExpressions
import CopilotTesting
import Foundation
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

    /// Values whose text the count before writing could overestimate: escapes, numbers of every form,
    /// scalars of one to four bytes where an elision cuts, empty and nested containers.
    static let awkward: JSONValue = [
        "escapes": "line\n\t\"quoted\" \\ \u{1}", "integers": [0, -1, 7, -9_007_199_254_740_993, 1e18, -1e18],
        "others": [0.5, -0.25, 1e-7, 1e21, 9.3e18, 1e19, -1e300, .number(-0.0), .number(.nan), .number(.infinity)],
        "negativeInfinity": .number(-.infinity), "empty": [[], [:], ""],
        "cut": [
            .string(String(repeating: "é", count: 300)), .string(String(repeating: "€", count: 300)),
            .string(String(repeating: "🚀", count: 300)), .string("a" + String(repeating: "🚀", count: 100)),
        ],
        "nested": [["a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "b": ["c": ["d": "e"]]]], "flags": [true, false, .null],
    ]

    @Test("a text that fits its budget exactly is written: the count before writing never refuses it")
    func countNeverRefusesWhatFits() throws {
        let elisions: [JSONValue.Elision?] = [
            nil, .init(stringLimit: 512, listLimit: 20, memberLimit: 64),
            .init(stringLimit: 64, listLimit: 3, memberLimit: 12), .init(stringLimit: 4, listLimit: 1, memberLimit: 1),
            .init(stringLimit: 0, listLimit: 0, memberLimit: 0),
        ]
        var values: [JSONValue] = [Self.value, Self.awkward]
        for folder in ["github", "alertmanager", "pagerduty", "incident"] {
            for file in try Corpus.files(in: folder) {
                values.append(try JSONValue(parsing: Array(try Data(contentsOf: file))))
            }
        }
        #expect(values.count > 20)
        for value in values {
            for elision in elisions {
                let text = try #require(value.jsonText(elision: elision))
                let size = text.utf8.count
                #expect(value.jsonText(elision: elision, maxBytes: size) == text)
                #expect(value.jsonText(elision: elision, maxBytes: size - 1) == nil)
            }
        }
    }
}
