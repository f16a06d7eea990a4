public import CopilotExpressions

// A run's transcript (`GET /api/v1/runs/{id}/transcript`, CONTRACT §4a) and the store's copy of it: the
// conversation as it was sent and answered, provider-neutral, and read back to re-plan a resumed run.
// It never holds the API key: that goes in a header of each request and is not part of the conversation.
extension PlannerConversation {
    /// `{"tool": {"name", "description", "input_schema"}, "messages": [...]}`; messages are
    /// `{"role": "system"|"user", "content"}`, `{"role": "assistant", "tool_call": {"id", "name",
    /// "input"}}` and `{"role": "tool", "tool_call_id", "content", "is_error"}`.
    public var jsonValue: JSONValue {
        var messages: [JSONValue] = [["role": "system", "content": .string(system)]]
        for turn in turns {
            switch turn {
            case .user(let text):
                messages.append(["role": "user", "content": .string(text)])
            case .toolCall(let id, let input):
                messages.append([
                    "role": "assistant",
                    "tool_call": ["id": .string(id), "name": .string(PlannerOffer.toolName), "input": input],
                ])
            case .toolResult(let id, let content, let isError):
                messages.append([
                    "role": "tool", "tool_call_id": .string(id), "content": .string(content),
                    "is_error": .bool(isError),
                ])
            }
        }
        return [
            "tool": [
                "name": .string(PlannerOffer.toolName), "description": .string(toolDescription),
                "input_schema": toolSchema,
            ],
            "messages": .array(messages),
        ]
    }

    /// A conversation as `jsonValue` wrote it; nil when it is not one.
    public init?(jsonValue value: JSONValue) {
        guard let tool = value["tool"]?.objectValue, let messages = value["messages"]?.arrayValue else { return nil }
        var system = ""
        var turns: [Turn] = []
        for message in messages {
            switch message["role"]?.stringValue {
            case "system":
                system = message["content"]?.stringValue ?? ""
            case "user":
                turns.append(.user(message["content"]?.stringValue ?? ""))
            case "assistant":
                guard let call = message["tool_call"], let id = call["id"]?.stringValue else { return nil }
                turns.append(.toolCall(id: id, input: call["input"] ?? .null))
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue else { return nil }
                turns.append(
                    .toolResult(
                        id: id,
                        content: message["content"]?.stringValue ?? "",
                        isError: message["is_error"] == true
                    )
                )
            default:
                return nil
            }
        }
        self.init(
            system: system,
            turns: turns,
            toolDescription: tool["description"]?.stringValue ?? "",
            toolSchema: tool["input_schema"] ?? .null
        )
    }
}
