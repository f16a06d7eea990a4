import CopilotCore
import CopilotExpressions
import Testing

@testable import CopilotPlanner

@Suite struct OpenAIChatCompletionsTests {
    static func reply(_ chunks: [some Sequence<UInt8>]) throws -> PlannerReply {
        try CopilotPlannerTests.reply(reading: chunks, with: OpenAIChatCompletions.StreamReader())
    }

    @Test("a streamed tool call: arguments joined from their fragments, usage from the last chunk")
    func stream() throws {
        let reply = try Self.reply([Array(Recordings.openAI.utf8)])
        #expect(reply.toolCallID == "call_abc123")
        #expect(reply.model == "qwen2.5-7b-instruct")
        #expect(reply.input == (try JSONValue(parsing: Array(Recordings.planInput.utf8))))
        #expect(reply.usage == TokenUsage(inputTokens: 512, outputTokens: 77))
    }

    @Test("any split of the stream's bytes reads the same reply")
    func anySplit() throws {
        let bytes = Array(Recordings.openAI.utf8)
        let whole = try Self.reply([bytes])
        for chunks in bytes.splits {
            #expect(try Self.reply(chunks) == whole)
        }
    }

    @Test("fragments of two calls are kept apart by index")
    func twoCalls() throws {
        let chunks = [
            #"data: {"choices":[{"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"other","arguments":"{"}},{"index":0,"id":"call_a","function":{"name":"submit_plan","arguments":"{\"sum"}}]}}]}"#,
            #"data: {"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"}"}},{"index":0,"function":{"arguments":"mary\":\"s\"}"}}]}}]}"#,
            "data: [DONE]", "",
        ]
        let reply = try Self.reply([Array((chunks.joined(separator: "\n\n") + "\n").utf8)])
        #expect(reply.toolCallID == "call_a")
        #expect(reply.input == ["summary": "s"])
    }

    @Test("an error chunk after the 200 fails the call with its code")
    func errorChunk() {
        let stream = "data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":429}}\n\n"
        #expect(throws: PlannerError.http(status: 429, provider: "openai")) { try Self.reply([Array(stream.utf8)]) }
    }

    @Test("a non-streamed answer is read too")
    func completion() throws {
        let body = """
            {"id":"chatcmpl-2","model":"llama3","choices":[{"index":0,"message":{"role":"assistant","content":null,
             "tool_calls":[{"id":"call_1","type":"function","function":{"name":"submit_plan","arguments":"{\\"summary\\":\\"s\\"}"}}]},
             "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}
            """
        let reply = try OpenAIChatCompletions.reply(fromCompletion: Array(body.utf8))
        #expect(reply.toolCallID == "call_1")
        #expect(reply.input == ["summary": "s"])
        #expect(reply.usage == TokenUsage(inputTokens: 5, outputTokens: 6))
    }

    @Test("the request: system first, a tool call's input as a JSON string, a refused plan as a tool message")
    func request() {
        let conversation = PlannerConversation(
            system: "sys",
            turns: [
                .user("plan this"),
                .toolCall(id: "call_1", input: ["summary": "s"]),
                .toolResult(id: "call_1", content: "steps: expected a list of steps", isError: true),
            ],
            toolDescription: "desc",
            toolSchema: ["type": "object"]
        )
        let body = OpenAIChatCompletions.requestBody(conversation, model: "llama3", maxTokens: 4096, stream: true)
        #expect(body["stream_options"] == ["include_usage": true])
        #expect(body["tool_choice"] == ["type": "function", "function": ["name": "submit_plan"]])
        #expect(body[path: ["tools"]]?.arrayValue?.first?[path: ["function", "parameters"]] == ["type": "object"])
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"] } == ["system", "user", "assistant", "tool"])
        #expect(
            messages[2][path: ["tool_calls"]]?.arrayValue?.first?[path: ["function", "arguments"]]
                == #"{"summary":"s"}"#
        )
        #expect(messages[3]["tool_call_id"] == "call_1")
        #expect(messages[3]["content"] == "steps: expected a list of steps")
        let unstreamed = OpenAIChatCompletions.requestBody(
            conversation,
            model: "llama3",
            maxTokens: 4096,
            stream: false
        )
        #expect(unstreamed["stream_options"] == nil)
    }
}
