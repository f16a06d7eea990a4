import CopilotTesting
import Testing

@testable import CopilotExpressions

/// `JSONValue(parsing:keeping:)` accepts and refuses exactly what `JSONValue(parsing:)` does, and keeps
/// exactly the projected part of its value.
@Suite struct JSONProjectionTests {
    /// The reference: the whole tree, cut down to the projection's paths after the fact.
    static func cut(_ value: JSONValue, _ paths: [[String]]) -> JSONValue {
        if paths.contains(where: \.isEmpty) { return value }
        switch value {
        case .object(let members):
            var kept: [(String, JSONValue)] = []
            for (key, member) in members {
                let rest = paths.filter { $0.first == key }.map { Array($0.dropFirst()) }
                if !rest.isEmpty { kept.append((key, cut(member, rest))) }
            }
            return .object(JSONObject(members: kept))
        case .array(let elements): return .array(elements.map { cut($0, paths) })
        default: return value
        }
    }

    static let paths: [[String]] = [
        ["action"], ["repository", "full_name"], ["organization", "login"], ["pull_request", "labels", "name"],
        ["alerts", "fingerprint"], ["commonLabels"], ["event", "data", "service", "summary"], ["incident", "id"],
    ]

    @Test("every corpus file reads to its whole tree cut down to the paths", arguments: JSONReaderTests.corpusFiles)
    func corpus(path: String) throws {
        let bytes = try Corpus.bytes(path)
        let projected = try JSONValue(parsing: bytes, keeping: JSONProjection(paths: Self.paths))
        #expect(projected == Self.cut(try JSONValue(parsing: bytes), Self.paths))
    }

    @Test("ignoring case, a member whose key equals a path's ignoring case is kept; the empty path keeps all")
    func ignoringCase() throws {
        let text = #"{"Pull_Request":{"NUMBER":7,"title":"t"},"pull_request":{"number":8},"ſha":"x","other":1}"#
        let projection = JSONProjection(paths: [["pull_request", "number"], ["SHA"]], ignoringCase: true)
        #expect(
            try JSONValue(parsing: Array(text.utf8), keeping: projection)
                == ["Pull_Request": ["NUMBER": 7], "pull_request": ["number": 8], "ſha": "x"]
        )
        #expect(
            try JSONValue(parsing: Array(text.utf8), keeping: JSONProjection(paths: [["pull_request", "number"]]))
                == ["pull_request": ["number": 8]]
        )
        #expect(JSONProjection(paths: [["a"], []], ignoringCase: true).keepsEverything)
        #expect(!JSONProjection(paths: [["a"]], ignoringCase: true).keepsEverything)
    }

    @Test("ignoring case, every key that equals a path's member ignoring case is kept, whatever its Unicode form")
    func ignoringCaseEveryForm() throws {
        for member in caseWords where !member.isEmpty {
            let projection = JSONProjection(paths: [[member, "x"]], ignoringCase: true)
            for key in caseWords where CaseInsensitive.equals(key, member) {
                let document: JSONValue = .object(JSONObject(members: [(key, ["x": 1, "y": 2] as JSONValue)]))
                let projected = try JSONValue(parsing: Array(document.jsonText.utf8), keeping: projection)
                #expect(projected[key]?["x"] == 1, "\(member) \(key)")
            }
        }
    }

    @Test("the projection keeps the named members, whole where a path ends, each array element's")
    func keeps() throws {
        let text = #"{"a":{"b":1,"c":[1,2]},"d":[{"e":1,"f":2},{"e":3}],"g":"x","h":{"i":1}}"#
        let projection = JSONProjection(paths: [["a"], ["a", "b"], ["d", "e"], ["h", "missing"]])
        let value = try JSONValue(parsing: Array(text.utf8), keeping: projection)
        #expect(value == (try JSONValue(parsing: #"{"a":{"b":1,"c":[1,2]},"d":[{"e":1},{"e":3}],"h":{}}"#)))
        #expect(try JSONValue(parsing: Array(text.utf8), keeping: .everything) == JSONValue(parsing: text))
        let repeated = try JSONValue(parsing: Array(#"{"a":1,"b":2,"a":3}"#.utf8), keeping: projection)
        #expect(repeated == .object(["a": .number(3)]))
    }

    @Test(
        "a document refused whole is refused projected, the fault in a dropped member included",
        arguments: JSONReaderTests.invalidDocuments
            + [
                #"{"dropped":{"x":1,,},"a":1}"#, #"{"dropped":[1 2],"a":1}"#, #"{"dropped":"\q","a":1}"#,
                #"{"dropped":"\ud800","a":1}"#, #"{"dropped":01,"a":1}"#, #"{"dropped":tru,"a":1}"#,
                #"{"dropped":{,},"a":1}"#, #"{"dropped":{"k" 1},"a":1}"#, #"{"dropped":[,]}"#, #"{"a":1,,}"#,
                #"{"dropped":1e400}"#,
            ].map { Array($0.utf8) } + [
                Array(#"{"dropped":""#.utf8) + [0xFF, 0x22, 0x7D],  // invalid UTF-8 in a dropped string
                Array(#"{"dropped":""#.utf8) + [0x01, 0x22, 0x7D],  // a raw control character there
                Array(#"{"dropped":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 600)
                    + Array(repeating: UInt8(ascii: "]"), count: 600) + [0x7D],
            ]
    )
    func refuses(bytes: [UInt8]) {
        #expect(throws: (any Error).self) { try JSONValue(parsing: bytes) }
        #expect(throws: JSONValueError.invalidJSON) {
            try JSONValue(parsing: bytes, keeping: JSONProjection(paths: [["a"]]))
        }
    }

    @Test("trailing commas in dropped members are accepted where the whole reader accepts them")
    func trailingCommas() throws {
        let text = #"{"dropped":{"x":[1,],"y":{"z":1,},},"a":1,}"#
        #expect(try JSONValue(parsing: Array(text.utf8), keeping: JSONProjection(paths: [["a"]])) == ["a": 1])
    }

    @Test("mutated corpus documents are accepted projected exactly when they are accepted whole")
    func mutations() throws {
        var generator = SeededGenerator(seed: 0x5EED_0F_0B1EC7)
        let sources = ["github/pull_request.opened.payload.json", "alertmanager/firing.grouped.json"].compactMap {
            try? Corpus.bytes($0)
        }
        #expect(!sources.isEmpty)
        let projection = JSONProjection(paths: Self.paths)
        let alphabet = Array(#"{}[],:"\ 0123456789.eE+-tfnul"#.utf8) + [0x80, 0xC3, 0xFF, 0x01]
        var refused = 0
        for round in 0..<2_000 {
            var bytes = sources[round % sources.count]
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] = alphabet.randomElement(using: &generator) ?? 0
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet.randomElement(using: &generator) ?? 0, at: position)
                }
            }
            let whole = try? JSONValue(parsing: bytes)
            let projected = try? JSONValue(parsing: bytes, keeping: projection)
            #expect((whole == nil) == (projected == nil), "round \(round)")
            if let whole { #expect(projected == Self.cut(whole, Self.paths), "round \(round)") } else { refused += 1 }
        }
        #expect(refused > 100, "the mutations must produce invalid documents to be a test")
    }
}
