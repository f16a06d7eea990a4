import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import Testing

@Suite struct YAMLDocumentTests {
    private func messages(_ document: YAMLDocument) -> [String] {
        document.diagnostics.map(\.description)
    }

    @Test("keeps positions of keys and values, 1-based")
    func positions() throws {
        let document = YAMLDocument(file: "f.yaml", text: "a: 1\nb:\n  c: [x, 'y']\n")
        let root = try #require(document.root)
        let pairs = try #require(root.pairs)
        #expect(pairs.map(\.keyText) == ["a", "b"])
        #expect(pairs[1].key.position == YAMLPosition(line: 2, column: 1))
        let inner = try #require(pairs[1].value.pairs?.first)
        #expect(inner.key.position == YAMLPosition(line: 3, column: 3))
        #expect(
            inner.value.elements?.map(\.position) == [
                YAMLPosition(line: 3, column: 7), YAMLPosition(line: 3, column: 10),
            ]
        )
    }

    @Test("reads `on` as a key, and scalars by the YAML 1.2 core schema")
    func coreSchema() throws {
        let document = YAMLDocument(
            file: "f.yaml",
            text: "on: yes\nt: true\nn: ~\ni: 0x1f\nf: 1.5e3\ns: '12'\nv: 1.2.3\n"
        )
        let root = try #require(document.root)
        #expect(root.jsonValue == ["on": "yes", "t": true, "n": nil, "i": 31, "f": 1500, "s": "12", "v": "1.2.3"])
    }

    @Test("reports a syntax error with its position")
    func syntaxError() {
        let document = YAMLDocument(file: "f.yaml", text: "a: [1, 2\nb: 3\n")
        #expect(document.root == nil)
        #expect(document.diagnostics.count == 1)
        #expect(document.diagnostics.first?.description.hasPrefix("f.yaml:") == true)
    }

    @Test(
        "reports a duplicate key at its second occurrence and keeps reading",
        arguments: [
            ("a: 1\nb: 2\na: 3\n", 3, 1),
            ("x:\n  - id: one\n    name: n\n    id: two\n", 4, 5),
            ("m: {k: 1, j: 2, k: 3}\n", 1, 17),
            ("m: {\"k\": 1,\n    'k': 2}\n", 2, 5),
        ]
    )
    func duplicateKey(text: String, line: Int, column: Int) throws {
        let document = YAMLDocument(file: "f.yaml", text: text)
        #expect(document.root != nil)
        let diagnostic = try #require(document.diagnostics.first)
        #expect(document.diagnostics.count == 1)
        #expect((diagnostic.line, diagnostic.column) == (line, column))
        #expect(diagnostic.message.hasPrefix("duplicate key"))
    }

    @Test("reports every duplicate key, not only the first")
    func severalDuplicates() {
        let document = YAMLDocument(file: "f.yaml", text: "a: 1\na: 2\nb:\n  c: 1\n  c: 2\na: 3\n")
        #expect(document.diagnostics.map { "\($0.line):\($0.column)" }.sorted() == ["2:1", "5:3", "6:1"])
    }

    @Test("reports bytes that are not UTF-8")
    func notUTF8() {
        let document = YAMLDocument(file: "f.yaml", bytes: [0x61, 0xFF, 0x3A])
        #expect(messages(document) == ["f.yaml:1:1: error: the file is not valid UTF-8"])
    }
}
