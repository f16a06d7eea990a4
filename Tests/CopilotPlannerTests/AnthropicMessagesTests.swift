import CopilotCore
import CopilotExpressions
import Testing

@testable import CopilotPlanner

@Suite struct AnthropicMessagesTests {
    static func reply(_ chunks: [some Sequence<UInt8>]) throws -> PlannerReply {
        try CopilotPlannerTests.reply(reading: chunks, with: AnthropicMessages.StreamReader())
    }

    @Test("a streamed submit_plan call: the input from its fragments, the model, and usage as the API counts it")
    func stream() throws {
        let reply = try Self.reply([Array(Recordings.anthropic.utf8)])
        #expect(reply.toolCallID == "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
        #expect(reply.model == "claude-sonnet-4-5")
        #expect(reply.input == (try JSONValue(parsing: Array(Recordings.planInput.utf8))))
        #expect(reply.usage == TokenUsage(inputTokens: 472, outputTokens: 89), "output tokens: the last message_delta")
    }

    @Test("any split of the stream's bytes reads the same reply")
    func anySplit() throws {
        let bytes = Array(Recordings.anthropic.utf8)
        let whole = try Self.reply([bytes])
        for chunks in bytes.splits {
            #expect(try Self.reply(chunks) == whole)
        }
    }

    @Test("an error event fails the call with the status its type stands for")
    func errorEvent() {
        let stream =
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
        #expect(throws: PlannerError.http(status: 529, provider: "anthropic")) { try Self.reply([Array(stream.utf8)]) }
    }

    @Test("a stream cut before message_stop, or without a submit_plan call, is not a reply")
    func incomplete() {
        let cut = String(Recordings.anthropic.split(separator: "event: message_stop")[0])
        #expect(throws: PlannerError.invalidAnswer("the stream ended before message_stop")) {
            try Self.reply([Array(cut.utf8)])
        }
        let text = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        #expect(throws: PlannerError.invalidAnswer("the answer holds no submit_plan call")) {
            try Self.reply([Array(text.utf8)])
        }
    }

    @Test("an answer cut at max_tokens is not a plan; an unknown error type is a server error, billing is not")
    func cutAndErrors() {
        let cut = Recordings.anthropic.replacing(#""stop_reason":"tool_use""#, with: #""stop_reason":"max_tokens""#)
        #expect(throws: PlannerError.invalidAnswer("the answer was cut off at max_tokens")) {
            try Self.reply([Array(cut.utf8)])
        }
        #expect(AnthropicMessages.status(ofErrorType: "billing_error") == 402)
        #expect(AnthropicMessages.status(ofErrorType: "something_new") == 500)
    }

    @Test("huge numbers from a server are not trusted to convert")
    func hugeNumbers() throws {
        let stream = Recordings.anthropic.replacing(#""input_tokens":472"#, with: #""input_tokens":1e300"#)
        #expect(try Self.reply([Array(stream.utf8)]).usage.inputTokens == 0)
    }

    @Test("a non-streamed answer is read too")
    func message() throws {
        let body = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"tool_use",
             "content":[{"type":"text","text":"Planning."},{"type":"tool_use","id":"toolu_9","name":"submit_plan","input":{"summary":"s","steps":[]}}],
             "usage":{"input_tokens":10,"output_tokens":20}}
            """
        let reply = try AnthropicMessages.reply(fromMessage: Array(body.utf8))
        #expect(reply.toolCallID == "toolu_9")
        #expect(reply.input == ["summary": "s", "steps": []])
        #expect(reply.usage == TokenUsage(inputTokens: 10, outputTokens: 20))
    }

    @Test("the request: the conversation with alternating roles, submit_plan as the only and forced tool")
    func request() {
        let conversation = PlannerConversation(
            system: "sys",
            turns: [
                .user("plan this"),
                .toolCall(id: "toolu_1", input: ["summary": "s"]),
                .toolResult(id: "toolu_1", content: "steps: expected a list of steps", isError: true),
                .user("try again"),
            ],
            toolDescription: "desc",
            toolSchema: ["type": "object"]
        )
        let body = AnthropicMessages.requestBody(
            conversation,
            model: "claude-sonnet-4-5",
            maxTokens: 4096,
            stream: true
        )
        #expect(body["system"] == "sys")
        #expect(body["stream"] == true)
        #expect(body["tool_choice"] == ["type": "tool", "name": "submit_plan"])
        #expect(body["tools"] == [["name": "submit_plan", "description": "desc", "input_schema": ["type": "object"]]])
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"] } == ["user", "assistant", "user"])
        #expect(
            messages[2]["content"] == [
                [
                    "type": "tool_result", "tool_use_id": "toolu_1", "content": "steps: expected a list of steps",
                    "is_error": true,
                ],
                ["type": "text", "text": "try again"],
            ]
        )
        #expect(
            messages[1]["content"] == [
                ["type": "tool_use", "id": "toolu_1", "name": "submit_plan", "input": ["summary": "s"]]
            ]
        )
    }
}
