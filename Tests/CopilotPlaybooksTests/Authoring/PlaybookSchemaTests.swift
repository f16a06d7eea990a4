import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import Testing

@Suite struct PlaybookSchemaTests {
    static let schema = PlaybookSchema.jsonSchema(catalogue: ActionCatalogue(presets: ["deploy.rollback": ["service"]]))

    /// Every object schema with `properties` in the document.
    static func objectSchemas(_ value: JSONValue, at path: String = "#", into found: inout [(String, JSONValue)]) {
        switch value {
        case .object(let members):
            if members["properties"] != nil { found.append((path, value)) }
            for (key, member) in members { objectSchemas(member, at: "\(path)/\(key)", into: &found) }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                objectSchemas(element, at: "\(path)/\(index)", into: &found)
            }
        default: break
        }
    }

    @Test("is draft 2020-12 and requires name, on and steps")
    func header() {
        #expect(Self.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        #expect(Self.schema["required"] == ["name", "on", "steps"])
    }

    @Test("closes every object the language defines with additionalProperties: false")
    func closed() {
        var found: [(String, JSONValue)] = []
        Self.objectSchemas(Self.schema, into: &found)
        let open = found.filter { path, schema in
            // `if`/`then` rules of steps only narrow `with`; they are not object definitions.
            !path.contains("/allOf/") && schema["additionalProperties"] != false
        }
        #expect(open.map(\.0).isEmpty, "\(open.map(\.0))")
        #expect(found.count >= 10)
    }

    @Test("knows every top-level key, step key, action and its parameters")
    func coverage() {
        let top = Self.schema["properties"]?.objectValue?.keys.sorted()
        #expect(
            top == ["agent", "concurrency", "cooldown_seconds", "description", "if", "name", "on", "run_as", "steps"]
        )
        let step = Self.schema[path: ["$defs", "step", "properties"]]?.objectValue?.keys.sorted()
        #expect(
            step == [
                "approval", "approval_timeout_seconds", "continue_on_error", "id", "if", "needs", "retry",
                "timeout_seconds", "uses", "with",
            ]
        )
        #expect(Self.schema[path: ["$defs", "with.testbench.run", "required"]] == ["test_suite"])
        #expect(Self.schema[path: ["$defs", "with.deploy.rollback", "properties", "service"]] != nil)
    }
}
