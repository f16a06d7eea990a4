import CopilotCore
import CopilotPlaybooks
import Testing

@Suite struct YAMLMappingReaderTests {
    private func read(_ text: String, _ body: (YAMLMappingReader) -> Void) -> [String] {
        let document = YAMLDocument(file: "c.yaml", text: text)
        let context = YAMLReadContext(document: document)
        if let root = document.root, let reader = context.mapping(root, path: "") { body(reader) }
        return context.diagnostics.sorted().map(\.description)
    }

    @Test("reads typed values and reports unknown keys with a suggestion")
    func unknownKey() {
        var port: Int?
        let problems = read("server:\n  prot: 80\n  host: h\n") { root in
            let server = root.mapping("server")
            port = server?.int("port")
            _ = server?.string("host")
            server?.finish()
            root.finish()
        }
        #expect(port == nil)
        #expect(problems == ["c.yaml:2:3: error: unknown key 'prot'; did you mean 'port'?"])
    }

    @Test("reports a wrong type at the value with the expected type")
    func wrongType() {
        let problems = read("server:\n  port: abc\n  watch: 3\n") { root in
            let server = root.mapping("server")
            _ = server?.int("port", in: 1...65535)
            _ = server?.bool("watch")
            server?.finish()
            root.finish()
        }
        #expect(
            problems == [
                "c.yaml:2:9: error: expected an integer for 'server.port', found a string",
                "c.yaml:3:10: error: expected a boolean (true or false) for 'server.watch', found a number",
            ]
        )
    }

    @Test("reports a missing required key at its mapping, and an out-of-range value")
    func requiredAndRange() {
        let problems = read("workers: { concurrency: 0 }\n") { root in
            _ = root.mapping("workers")?.int("concurrency", in: 1...Int.max)
            _ = root.string("name", required: true)
            root.finish()
        }
        #expect(
            problems == [
                "c.yaml:1:1: error: missing required key 'name'",
                "c.yaml:1:25: error: 'workers.concurrency' must be at least 1, found 0",
            ]
        )
    }

    @Test("suggests a close word for a fixed choice")
    func oneOf() {
        let problems = read("log: { level: inof }\n") { root in
            _ = root.mapping("log")?.oneOf(["trace", "debug", "info"], "level")
            root.finish()
        }
        #expect(
            problems == [
                "c.yaml:1:15: error: invalid value 'inof' for 'log.level': expected one of 'trace', 'debug', 'info'"
                    + "; did you mean 'info'?"
            ]
        )
    }

    @Test(
        "finds the column of a character inside a scalar",
        arguments: [
            ("k: abc ${{ x }}\n", 7, 1, 11),
            ("k: 'abc ${{ x }}'\n", 7, 1, 12),
            ("k: |\n  one\n  two ${{ x }}\n", 8, 3, 7),
        ]
    )
    func positionInScalar(text: String, offset: Int, line: Int, column: Int) throws {
        let document = YAMLDocument(file: "f.yaml", text: text)
        let context = YAMLReadContext(document: document)
        let value = try #require(document.root?.pairs?.first?.value)
        #expect(context.position(in: value, characterOffset: offset) == YAMLPosition(line: line, column: column))
    }
}
