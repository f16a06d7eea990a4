import CopilotCore
import CopilotExpressions

/// Anthropic's Messages API as the planner speaks it (CONTRACT §4a): the request body of a
/// conversation, and the reading of the answer, streamed or not.
enum AnthropicMessages {
    static let provider = "anthropic"
    static let version = "2023-06-01"

    /// `POST /v1/messages`: the conversation, `submit_plan` as the only tool and the forced choice.
    static func requestBody(
        _ conversation: PlannerConversation,
        model: String,
        maxTokens: Int,
        stream: Bool
    ) -> JSONValue {
        [
            "model": .string(model),
            "max_tokens": .number(Double(maxTokens)),
            "system": .string(conversation.system),
            "messages": .array(messages(conversation.turns)),
            "tools": [
                [
                    "name": .string(PlannerOffer.toolName),
                    "description": .string(conversation.toolDescription),
                    "input_schema": conversation.toolSchema,
                ]
            ],
            "tool_choice": ["type": "tool", "name": .string(PlannerOffer.toolName)],
            "stream": .bool(stream),
        ]
    }

    /// The turns as messages; consecutive turns of one role become one message, as the API requires
    /// user and assistant to alternate (a tool result and the re-plan's text are one user message).
    static func messages(_ turns: [PlannerConversation.Turn]) -> [JSONValue] {
        var messages: [(role: String, content: [JSONValue])] = []
        for turn in turns {
            let (role, block): (String, JSONValue) =
                switch turn {
                case .user(let text): ("user", ["type": "text", "text": .string(text)])
                case .toolCall(let id, let input):
                    (
                        "assistant",
                        ["type": "tool_use", "id": .string(id), "name": .string(PlannerOffer.toolName), "input": input]
                    )
                case .toolResult(let id, let content, let isError):
                    (
                        "user",
                        [
                            "type": "tool_result", "tool_use_id": .string(id), "content": .string(content),
                            "is_error": .bool(isError),
                        ]
                    )
                }
            if messages.last?.role == role {
                messages[messages.count - 1].content.append(block)
            } else {
                messages.append((role, [block]))
            }
        }
        return messages.map { ["role": .string($0.role), "content": .array($0.content)] }
    }

    /// The HTTP status an `error` event's type stands for, so a stream that fails after its 200 is
    /// retried or not as the same error before the stream would be.
    static func status(ofErrorType type: String) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "permission_error": 403
        case "not_found_error": 404
        case "billing_error": 402
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "timeout_error": 504
        case "overloaded_error": 529
        default: 500
        }
    }

    /// Reads a streamed answer as its bytes arrive: `message_start` (model, input tokens),
    /// `content_block_start`/`content_block_delta` (`input_json_delta`)/`content_block_stop`,
    /// `message_delta` (cumulative output tokens), `message_stop`, `ping` and `error`.
    struct StreamReader: AnswerStreamReader {
        private var decoder = ServerSentEventDecoder()
        private var answer = StreamedAnswer()

        /// Takes the next bytes; throws for an `error` event or an event that is not JSON.
        mutating func read(_ bytes: some Sequence<UInt8>) throws(PlannerError) {
            for event in decoder.decode(bytes) {
                guard let payload = try? JSONValue(parsing: Array(event.data.utf8)) else {
                    throw .invalidAnswer("an event of the stream is not JSON")
                }
                switch payload["type"]?.stringValue ?? event.type {
                case "message_start":
                    answer.model = payload[path: ["message", "model"]]?.stringValue ?? answer.model
                    answer.usage.inputTokens =
                        StreamedAnswer.int(payload[path: ["message", "usage", "input_tokens"]])
                        ?? answer.usage.inputTokens
                    answer.usage.outputTokens =
                        StreamedAnswer.int(payload[path: ["message", "usage", "output_tokens"]])
                        ?? answer.usage.outputTokens
                case "content_block_start":
                    guard let index = StreamedAnswer.int(payload["index"]), let block = payload["content_block"],
                        block["type"]?.stringValue == "tool_use"
                    else { continue }
                    answer.toolCalls[index] = (block["id"]?.stringValue ?? "", block["name"]?.stringValue ?? "", "")
                case "content_block_delta":
                    guard let index = StreamedAnswer.int(payload["index"]),
                        let fragment = payload[path: ["delta", "partial_json"]]?.stringValue
                    else { continue }
                    answer.toolCalls[index]?.json += fragment
                case "message_delta":
                    answer.cutAtMaxTokens = payload[path: ["delta", "stop_reason"]]?.stringValue == "max_tokens"
                    // Cumulative: the last one counts.
                    answer.usage.outputTokens =
                        StreamedAnswer.int(payload[path: ["usage", "output_tokens"]]) ?? answer.usage.outputTokens
                case "message_stop":
                    answer.finished = true
                case "error":
                    let type = payload[path: ["error", "type"]]?.stringValue ?? "api_error"
                    throw .http(
                        status: AnthropicMessages.status(ofErrorType: type),
                        provider: AnthropicMessages.provider
                    )
                default:
                    continue  // `ping`, `content_block_stop`, and event types added later
                }
            }
        }

        /// The stream said it is complete: ended earlier, it was cut off.
        var finished: Bool { answer.finished }

        /// The `submit_plan` call of a finished stream.
        func reply() throws(PlannerError) -> PlannerReply {
            try answer.reply(end: "message_stop")
        }
    }

    /// Reads a non-streamed answer: `{"model", "content": [{"type": "tool_use", …}], "usage"}`.
    static func reply(fromMessage body: [UInt8]) throws(PlannerError) -> PlannerReply {
        guard let message = try? JSONValue(parsing: body) else { throw .invalidAnswer("the answer is not JSON") }
        guard
            let call = message["content"]?.arrayValue?.first(where: {
                $0["type"]?.stringValue == "tool_use" && $0["name"]?.stringValue == PlannerOffer.toolName
            })
        else { throw .invalidAnswer("the answer holds no \(PlannerOffer.toolName) call") }
        return PlannerReply(
            toolCallID: StreamedAnswer.callID(call["id"]?.stringValue ?? ""),
            input: call["input"] ?? .object([:]),
            model: message["model"]?.stringValue ?? "",
            usage: TokenUsage(
                inputTokens: StreamedAnswer.int(message[path: ["usage", "input_tokens"]]) ?? 0,
                outputTokens: StreamedAnswer.int(message[path: ["usage", "output_tokens"]]) ?? 0
            )
        )
    }
}
