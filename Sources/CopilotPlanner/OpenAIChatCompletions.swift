import CopilotCore
import CopilotExpressions

/// OpenAI's chat completions API, as OpenAI, vLLM, llama.cpp's server and Ollama serve it (CONTRACT
/// §4a): the request body of a conversation, and the reading of the answer, streamed or not.
enum OpenAIChatCompletions {
    static let provider = "openai"

    /// `POST /chat/completions`: the conversation, `submit_plan` as the only function and the forced
    /// choice; a streamed answer ends with a usage chunk.
    static func requestBody(
        _ conversation: PlannerConversation,
        model: String,
        maxTokens: Int,
        stream: Bool
    ) -> JSONValue {
        var body: JSONObject = [
            "model": .string(model),
            // `max_tokens`, not OpenAI's newer `max_completion_tokens`: the one every compatible server
            // (vLLM, llama.cpp, Ollama) reads.
            "max_tokens": .number(Double(maxTokens)),
            "messages": .array(messages(conversation)),
            "tools": [
                [
                    "type": "function",
                    "function": [
                        "name": .string(PlannerOffer.toolName),
                        "description": .string(conversation.toolDescription),
                        "parameters": conversation.toolSchema,
                    ],
                ]
            ],
            "tool_choice": ["type": "function", "function": ["name": .string(PlannerOffer.toolName)]],
            "stream": .bool(stream),
        ]
        if stream { body["stream_options"] = ["include_usage": true] }
        return .object(body)
    }

    /// The system text, then the turns: a tool call is an assistant message with `tool_calls` (the
    /// input as a JSON string, as the API carries arguments), a tool result a `tool` message. The API
    /// has no error flag for tool results; a refused plan's content says so in words.
    static func messages(_ conversation: PlannerConversation) -> [JSONValue] {
        [["role": "system", "content": .string(conversation.system)]]
            + conversation.turns.map { turn in
                switch turn {
                case .user(let text):
                    return ["role": "user", "content": .string(text)]
                case .toolCall(let id, let input):
                    return [
                        "role": "assistant", "content": .null,
                        "tool_calls": [
                            [
                                "id": .string(id), "type": "function",
                                "function": [
                                    "name": .string(PlannerOffer.toolName), "arguments": .string(input.jsonText),
                                ],
                            ]
                        ],
                    ]
                case .toolResult(let id, let content, _):
                    return ["role": "tool", "tool_call_id": .string(id), "content": .string(content)]
                }
            }
    }

    /// Reads a streamed answer as its bytes arrive: `data:` chunks whose `choices[].delta.tool_calls`
    /// carry argument fragments, joined by the call's `index`; the usage chunk; `[DONE]`; and an
    /// `error` object, which some servers send after their 200.
    struct StreamReader: AnswerStreamReader {
        private var decoder = ServerSentEventDecoder()
        private var answer = StreamedAnswer()

        mutating func read(_ bytes: some Sequence<UInt8>) throws(PlannerError) {
            for event in decoder.decode(bytes) {
                if event.data == "[DONE]" {
                    answer.finished = true
                    continue
                }
                guard let chunk = try? JSONValue(parsing: Array(event.data.utf8)) else {
                    throw .invalidAnswer("a chunk of the stream is not JSON")
                }
                if let error = chunk["error"], error != .null {
                    let status = StreamedAnswer.int(error["code"]) ?? 500
                    throw .http(
                        status: (400...599).contains(status) ? status : 500,
                        provider: OpenAIChatCompletions.provider
                    )
                }
                answer.model = chunk["model"]?.stringValue ?? answer.model
                if let counted = OpenAIChatCompletions.usage(chunk["usage"]) { answer.usage = counted }
                for choice in chunk["choices"]?.arrayValue ?? [] {
                    for call in choice[path: ["delta", "tool_calls"]]?.arrayValue ?? [] {
                        let index = StreamedAnswer.int(call["index"]) ?? 0
                        var current = answer.toolCalls[index] ?? ("", "", "")
                        if let id = call["id"]?.stringValue, !id.isEmpty { current.id = id }
                        if let name = call[path: ["function", "name"]]?.stringValue, !name.isEmpty {
                            current.name = name
                        }
                        current.json += call[path: ["function", "arguments"]]?.stringValue ?? ""
                        answer.toolCalls[index] = current
                    }
                }
            }
        }

        /// The stream said it is complete: ended earlier, it was cut off.
        var finished: Bool { answer.finished }

        /// The `submit_plan` call of a finished stream.
        func reply() throws(PlannerError) -> PlannerReply {
            try answer.reply(end: "[DONE]")
        }
    }

    /// Reads a non-streamed answer: `{"model", "choices": [{"message": {"tool_calls": […]}}], "usage"}`.
    static func reply(fromCompletion body: [UInt8]) throws(PlannerError) -> PlannerReply {
        guard let completion = try? JSONValue(parsing: body) else { throw .invalidAnswer("the answer is not JSON") }
        let calls =
            completion["choices"]?.arrayValue?.flatMap { $0[path: ["message", "tool_calls"]]?.arrayValue ?? [] } ?? []
        guard let call = calls.first(where: { $0[path: ["function", "name"]]?.stringValue == PlannerOffer.toolName })
        else { throw .invalidAnswer("the answer holds no \(PlannerOffer.toolName) call") }
        return PlannerReply(
            toolCallID: StreamedAnswer.callID(call["id"]?.stringValue ?? ""),
            input: try StreamedAnswer.input(call[path: ["function", "arguments"]]?.stringValue ?? ""),
            model: completion["model"]?.stringValue ?? "",
            usage: usage(completion["usage"]) ?? TokenUsage()
        )
    }

    private static func usage(_ value: JSONValue?) -> TokenUsage? {
        guard let value, value != .null else { return nil }
        return TokenUsage(
            inputTokens: StreamedAnswer.int(value["prompt_tokens"]) ?? 0,
            outputTokens: StreamedAnswer.int(value["completion_tokens"]) ?? 0
        )
    }
}
