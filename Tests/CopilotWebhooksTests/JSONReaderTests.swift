import CopilotCore
import CopilotTesting
import Foundation
import Testing

@testable import CopilotWebhooks

/// The ingress JSON reader accepts and rejects what `JSONValue(parsing:)` does, with the same values.
@Suite struct JSONReaderTests {
    static let corpusFiles: [String] = {
        let folders = ["github", "incident", "alertmanager", "pagerduty", "expressions", "signatures"]
        return folders.flatMap { folder in
            ((try? Corpus.files(in: folder)) ?? []).map { "\(folder)/\($0.lastPathComponent)" }
        }
    }()

    @Test("every corpus JSON file reads to the same value as JSONValue(parsing:)", arguments: corpusFiles)
    func corpus(path: String) throws {
        let bytes = try Corpus.bytes(path)
        #expect(try JSONReader.parse(bytes) == JSONValue(parsing: bytes))
    }

    @Test(
        "valid documents read as JSONValue(parsing:) reads them",
        arguments: [
            #"{}"#, #"[]"#, #" [ ] "#, "\n{\"a\":\t[1, 2.5, -0, 1e5, 1E-2, 0.5, -12.75e+3]}\r\n", #"1"#, #""x""#,
            #"null"#, #"true"#, #"false"#, #""\u00e9\u0041\n\t\"\\\/""#, #""\ud83d\ude80 🚀 é""#,
            #"{"nested":{"list":[{"a":null},[true,false]]}}"#, #""""#, #""\u0000""#,
            #"123456789012345678901234567890"#, #"1.7976931348623157e308"#, "[1,]", #"{"a":1,}"#, "\u{FEFF}{}",
        ]
    )
    func valid(text: String) throws {
        let bytes = Array(text.utf8)
        #expect(try JSONReader.parse(bytes) == JSONValue(parsing: bytes))
    }

    static let invalidDocuments: [[UInt8]] =
        [
            "", " ", "{", "}", "[,]", "{,}", "[1,,]", "01", "-01", "1.", ".5", "-", "1e", "1e+", "+1", #""\x""#,
            #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\u12""#, "tru", "nul", "falsey", #"{"a" 1}"#,
            "{1:2}", "[1 2]", "1 2", "1e400", "-1e400", "NaN", "Infinity", #"{"a":1}}"#, #""unterminated"#,
            "'single'", "[1,,2]", "\u{FEFF}\u{FEFF}{}",
        ].map { Array($0.utf8) } + [
            [0x22, 0x01, 0x22],  // a raw control character in a string
            [0x22, 0xFF, 0x22],  // invalid UTF-8
            [0x22, 0xC3, 0x22],  // a truncated UTF-8 sequence
            Array(repeating: UInt8(ascii: "["), count: 600) + Array(repeating: UInt8(ascii: "]"), count: 600),
        ]

    @Test("invalid documents are rejected as JSONValue(parsing:) rejects them", arguments: invalidDocuments)
    func invalid(bytes: [UInt8]) {
        #expect(throws: WebhookError.invalidJSON) { try JSONReader.parse(bytes) }
        #expect(throws: JSONValueError.invalidJSON) { try JSONValue(parsing: bytes) }
    }

    @Test("nesting up to the limit is read")
    func depth() throws {
        let depth = JSONReader.maximumDepth
        let bytes =
            Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
        var value = try JSONReader.parse(bytes)
        for _ in 1..<depth { value = try #require(value.arrayValue?.first) }
        #expect(value == [])
    }

    @Test("a repeated key keeps its last value")
    func repeatedKey() throws {
        #expect(try JSONReader.parse(Array(#"{"a":1,"a":2}"#.utf8)) == ["a": 2])
    }
}
