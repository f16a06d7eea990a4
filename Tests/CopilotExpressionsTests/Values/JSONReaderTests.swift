import CopilotExpressions
import CopilotTesting
import Foundation
import Testing

/// `JSONValue(parsing:)` (the hand-written reader) accepts and rejects what Foundation's `JSONDecoder`
/// does, with the same values, and keeps member order.
@Suite struct JSONReaderTests {
    /// The reference: Foundation's decoder through `JSONValue`'s `Decodable` conformance.
    static func reference(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    static let corpusFiles: [String] = {
        let folders = ["github", "incident", "alertmanager", "pagerduty", "expressions", "signatures"]
        return folders.flatMap { folder in
            ((try? Corpus.files(in: folder)) ?? []).map { "\(folder)/\($0.lastPathComponent)" }
        }
    }()

    @Test("the corpus is there: a missing folder would leave the next test without cases")
    func corpusIsThere() {
        #expect(Self.corpusFiles.count == 54)
    }

    @Test("every corpus JSON file reads to the same value as JSONValue(parsing:)", arguments: corpusFiles)
    func corpus(path: String) throws {
        let bytes = try Corpus.bytes(path)
        #expect(try JSONValue(parsing: bytes) == Self.reference(bytes))
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
        #expect(try JSONValue(parsing: bytes) == Self.reference(bytes))
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
        #expect(throws: JSONValueError.invalidJSON) { try JSONValue(parsing: bytes) }
        #expect(throws: (any Error).self) { try Self.reference(bytes) }
    }

    @Test("nesting up to the limit is read")
    func depth() throws {
        let depth = 512
        let bytes =
            Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
        var value = try JSONValue(parsing: bytes)
        for _ in 1..<depth { value = try #require(value.arrayValue?.first) }
        #expect(value == [])
    }

    @Test("a repeated key keeps its last value")
    func repeatedKey() throws {
        #expect(try JSONValue(parsing: Array(#"{"a":1,"a":2}"#.utf8)) == ["a": 2])
    }

    @Test("members keep the order they were written in, and equality ignores it")
    func memberOrder() throws {
        let value = try JSONValue(parsing: #"{"zeta":1,"alpha":{"y":2,"b":3},"mid":[]}"#)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value.jsonText == #"{"zeta":1,"alpha":{"y":2,"b":3},"mid":[]}"#)
        #expect(value == ["alpha": ["b": 3, "y": 2], "mid": [], "zeta": 1])
    }
}

/// The reader looks at strings eight bytes at a time: each kind of byte that needs a look (a quote, a
/// backslash, a control character, UTF-8 beyond ASCII, valid or not) is tried at every position of
/// strings around the word size, whole and projected away, against Foundation's decoder.
@Suite struct JSONReaderStringTests {
    static let insertions: [[UInt8]] = [
        [0x01], [0x1F], [0x20], [0x7F], [0xFF], [0xC3, 0xA9], [0xE2, 0x82], [0xF0, 0x9F, 0x98, 0x80],
        Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), Array(#"\ud83d\ude00"#.utf8), Array(#"\q"#.utf8),
        Array(#"\""#.utf8), [UInt8(ascii: "\"")], [UInt8(ascii: "\\")],
    ]

    @Test("every position of strings of 0 to 19 bytes, whole and projected", arguments: 0..<20)
    func positions(length: Int) throws {
        let plain = Array("abcdefghijklmnopqrstuvwxyz".utf8.prefix(length))
        var contents = [plain]
        for insertion in Self.insertions {
            for position in 0...length {
                contents.append(Array(plain[..<position]) + insertion + Array(plain[position...]))
            }
        }
        for content in contents {
            let document = Array(#"{"k":""#.utf8) + content + Array(#"","x":1}"#.utf8)
            let expected = try? JSONReaderTests.reference(document)
            let whole = try? JSONValue(parsing: document)
            #expect(whole == expected, "\(content)")
            let projected = try? JSONValue(parsing: document, keeping: JSONProjection(paths: [["x"]]))
            #expect(projected == (expected == nil ? nil : ["x": 1]), "\(content)")
            // Alone, the string ends within a word of the document's end: the scan's tail.
            let alone = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]
            #expect((try? JSONValue(parsing: alone)) == (try? JSONReaderTests.reference(alone)), "\(content)")
        }
    }

    @Test("every byte that needs an escape, at every position of strings of 0 to 19 bytes, is written back readable")
    func writtenPositions() throws {
        let special: [UInt8] = [0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, UInt8(ascii: "\""), UInt8(ascii: "\\")]
        for length in 0..<20 {
            let plain = Array("abcdéfghijklmnopqrstuvwxyz".utf8.prefix(length))
            for byte in special {
                for position in 0...plain.count {
                    let string = String(
                        decoding: Array(plain[..<position]) + [byte] + Array(plain[position...]),
                        as: UTF8.self
                    )
                    let text = JSONValue.string(string).jsonText
                    #expect(try JSONReaderTests.reference(Array(text.utf8)) == .string(string), "\(text)")
                }
            }
        }
    }
}
