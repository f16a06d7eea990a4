public import CopilotCore
public import CopilotExpressions

/// `playbook schema`: the JSON Schema (draft 2020-12) of one playbook file, with
/// `additionalProperties: false` at every level the language defines, so editors flag unknown keys.
public enum PlaybookSchema {
    /// The schema; `catalogue` adds its presets to the known actions and their `with:` parameters.
    public static func jsonSchema(catalogue: ActionCatalogue = .builtIn) -> JSONValue {
        let sources = EventSource.allCases.map(\.rawValue)
        return .object([
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://copilot-agent.dev/schemas/playbook.schema.json",
            "title": "Copilot Agent playbook",
            "description": "One playbook file (CONTRACT §3).",
            "type": "object",
            "additionalProperties": false,
            "required": ["name", "on", "steps"],
            "properties": .object([
                "name": .object([
                    "type": "string", "pattern": "^[a-z0-9-]+$", "minLength": 1, "maxLength": 64,
                    "description": "Unique in the set: a-z, 0-9 and '-'.",
                ]),
                "description": string("What the playbook is for."),
                "on": .object([
                    "type": "object", "additionalProperties": false, "minProperties": 1,
                    "description": "Sources and the events of each that start the playbook.",
                    "properties": .object(JSONObject(members: sources.map { ($0, ref("trigger")) })),
                ]),
                "if": ref("condition"),
                "run_as": string("The service account whose permissions gate every step."),
                "concurrency": object(
                    required: ["key"],
                    [
                        "key": string("A template; at most `limit` runs per rendered key are running."),
                        "limit": integer(minimum: 1),
                    ]
                ),
                "cooldown_seconds": integer(minimum: 0),
                "agent": object(
                    required: ["instructions", "allowed"],
                    [
                        "instructions": string("What the planner should do."),
                        "allowed": .object(["type": "array", "items": ref("action")]),
                    ]
                ),
                "steps": .object(["type": "array", "minItems": 1, "items": ref("step")]),
            ]),
            "$defs": definitions(catalogue: catalogue),
        ])
    }

    private static func definitions(catalogue: ActionCatalogue) -> JSONValue {
        var definitions: [String: JSONValue] = [
            "trigger": .object([
                "type": ["object", "null"], "additionalProperties": false,
                "properties": .object([
                    "types": .object([
                        "description": "Full types (pull_request.opened) or GitHub event names (pull_request).",
                        "anyOf": [
                            ["type": "string"], ["type": "array", "items": ["type": "string", "minLength": 1]],
                        ],
                    ]),
                    "match": .object([
                        "type": "object", "description": "Dot paths into event.payload; all must hold.",
                        "additionalProperties": ref("matcher"),
                    ]),
                ]),
            ]),
            "matcher": .object([
                "anyOf": [
                    ["type": ["string", "number", "boolean", "null"], "description": "Equals (loosely)."],
                    .object([
                        "type": "object", "additionalProperties": false, "minProperties": 1,
                        "properties": .object([
                            "in": ["type": "array", "items": ["type": ["string", "number", "boolean", "null"]]],
                            "glob": string("* any run, ? one character, [...] a class; whole string."),
                            "regex": string("A search; anchor with ^…$."),
                            "exists": ["type": "boolean"],
                            "gt": ["type": ["number", "string"]], "gte": ["type": ["number", "string"]],
                            "lt": ["type": ["number", "string"]], "lte": ["type": ["number", "string"]],
                            "not": ref("matcher"),
                        ]),
                    ]),
                ]
            ]),
            "condition": .object([
                "type": ["string", "boolean"],
                "description": "An expression, with or without ${{ }}.",
            ]),
            "action": .object([
                "type": "string",
                "anyOf": [.object(["enum": .array(catalogue.names.map { .string($0.rawValue) })]), ["type": "string"]],
            ]),
            "step": step(catalogue: catalogue),
        ]
        for action in catalogue.names.compactMap({ catalogue[$0] }) {
            definitions["with." + action.name.rawValue] = object(
                required: action.required.sorted(),
                Dictionary(uniqueKeysWithValues: action.parameters.map { ($0, JSONValue.object([:])) })
            )
        }
        return .object(JSONObject(definitions))
    }

    private static func step(catalogue: ActionCatalogue) -> JSONValue {
        var schema = object(
            required: ["id", "uses"],
            [
                "id": .object(["type": "string", "pattern": "^[a-z0-9_-]+$"]),
                "uses": ref("action"),
                "with": .object(["type": "object", "description": "The action's parameters; strings may hold ${{ }}."]),
                "if": ref("condition"),
                "needs": .object(["anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]]]),
                "approval": .object(["enum": ["required", "none"]]),
                "approval_timeout_seconds": integer(minimum: 1),
                "timeout_seconds": integer(minimum: 1),
                "retry": object(
                    required: [],
                    [
                        "attempts": integer(minimum: 1), "backoff_seconds": .object(["type": "number", "minimum": 0]),
                        "max_backoff_seconds": .object(["type": "number", "minimum": 0]),
                    ]
                ),
                "continue_on_error": .object(["type": "boolean"]),
            ]
        )
        let rules: [JSONValue] = catalogue.names.map { name in
            .object([
                "if": .object([
                    "properties": .object(["uses": .object(["const": .string(name.rawValue)])]), "required": ["uses"],
                ]),
                "then": .object(["properties": .object(["with": ref("with." + name.rawValue)])]),
            ])
        }
        if case .object(var members) = schema {
            members["allOf"] = .array(rules)
            schema = .object(members)
        }
        return schema
    }

    private static func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/$defs/" + name)]) }

    private static func string(_ description: String) -> JSONValue {
        .object(["type": "string", "description": .string(description)])
    }

    private static func integer(minimum: Int) -> JSONValue {
        .object(["type": "integer", "minimum": .number(Double(minimum))])
    }

    private static func object(required: [String], _ properties: [String: JSONValue]) -> JSONValue {
        var members: JSONObject = [
            "type": "object", "additionalProperties": false, "properties": .object(JSONObject(properties)),
        ]
        if !required.isEmpty { members["required"] = .array(required.map(JSONValue.string)) }
        return .object(members)
    }
}
