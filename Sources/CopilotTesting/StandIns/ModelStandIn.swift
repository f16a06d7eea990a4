import CopilotCore
public import CopilotExpressions

/// A model provider on 127.0.0.1 that speaks both wire formats the planner uses (CONTRACT §4a):
/// Anthropic's `POST /v1/messages` and the OpenAI-compatible `POST /chat/completions`, streamed as
/// Server-Sent Events when the request says `"stream": true`, plain JSON otherwise. Each request takes
/// the next scripted answer; when the script runs out the last answer is given again.
public actor ModelStandIn: StandIn {
    /// One scripted answer.
    public enum Answer: Sendable, Hashable {
        /// A `submit_plan` call with this input, its JSON sent in fragments of `fragmentLength` characters.
        case plan(JSONValue, fragmentLength: Int = 16)
        /// A `submit_plan` call with this input as plain JSON, whatever the request asked (a server that
        /// does not stream).
        case unstreamedPlan(JSONValue)
        /// The stream of `plan`, cut before its last event (`message_stop`, `[DONE]`): a connection
        /// closed early.
        case cutOffPlan(JSONValue)
        /// An HTTP error before any stream, in the provider's error format.
        case status(Int, retryAfter: String? = nil)
        /// A 200 stream that fails after it started (Anthropic's `error` event, OpenAI's error chunk).
        case streamError(status: Int)
    }

    /// How a streamed answer goes out.
    public enum Writes: Sendable, Hashable {
        /// One write per event, as a model sends them while it writes its answer.
        case eachEvent
        /// The whole stream in one write: an answer that was ready at once (the events are the same).
        case whole
    }

    public nonisolated let journal = StandInJournal()
    public nonisolated var honoursIdempotencyKey: Bool { false }
    public static let model = "stand-in-model-1"
    private let apiKey: String?
    private let writes: Writes
    private var script: [Answer]
    private var last: Answer?
    /// Answers given, for distinct tool-call ids.
    private var answered = 0

    public init(apiKey: String? = "test-api-key", answers: [Answer] = [], writes: Writes = .eachEvent) {
        self.apiKey = apiKey
        self.script = answers
        self.writes = writes
    }

    public func script(_ answers: [Answer]) {
        script += answers
    }

    public func respond(to request: RecordedRequest) async -> StandInResponse {
        var response = answer(request)
        if writes == .whole, let events = response.eventStream { response.eventStream = [Array(events.joined())] }
        return response
    }

    private func answer(_ request: RecordedRequest) -> StandInResponse {
        guard request.method == "POST", let body = request.json else { return .error(404, "not found") }
        let streamed = body["stream"] == true
        switch request.path {
        case "/v1/messages":
            guard apiKey == nil || request.header("x-api-key") == apiKey else {
                return anthropicError(401, "authentication_error")
            }
            guard request.header("anthropic-version") == "2023-06-01" else {
                return anthropicError(400, "invalid_request_error")
            }
            return anthropic(nextAnswer(), streamed: streamed)
        case "/chat/completions":
            guard apiKey == nil || request.header("Authorization") == "Bearer \(apiKey ?? "")" else {
                return openAIError(401)
            }
            return openAI(nextAnswer(), streamed: streamed)
        default:
            return .error(404, "not found")
        }
    }

    /// A stream without its last event.
    private static func cutOff(_ response: StandInResponse) -> StandInResponse {
        var response = response
        response.eventStream?.removeLast()
        return response
    }

    private func nextAnswer() -> Answer {
        let answer = script.isEmpty ? (last ?? .status(500)) : script.removeFirst()
        last = answer
        answered += 1
        return answer
    }

    // MARK: Anthropic

    private func anthropic(_ answer: Answer, streamed: Bool) -> StandInResponse {
        switch answer {
        case .status(let status, let retryAfter):
            var response = anthropicError(status, Self.anthropicErrorType(status))
            if let retryAfter { response.headers.append(.init(name: "retry-after", value: retryAfter)) }
            return response
        case .streamError(let status):
            let type = Self.anthropicErrorType(status)
            return StandInResponse(
                status: 200,
                eventStream: [
                    Self.event("message_start", Self.messageStart),
                    Self.event("error", ["type": "error", "error": ["type": .string(type), "message": "scripted"]]),
                ]
            )
        case .unstreamedPlan(let input):
            return anthropic(.plan(input), streamed: false)
        case .cutOffPlan(let input):
            return Self.cutOff(anthropic(.plan(input), streamed: true))
        case .plan(let input, let fragmentLength):
            let id = "toolu_\(answered)"
            guard streamed else {
                return .json(
                    200,
                    [
                        "id": "msg_1", "type": "message", "role": "assistant", "model": .string(Self.model),
                        "content": [["type": "tool_use", "id": .string(id), "name": "submit_plan", "input": input]],
                        "stop_reason": "tool_use", "usage": ["input_tokens": 100, "output_tokens": 50],
                    ]
                )
            }
            let fragments = Self.fragments(of: input.jsonText, length: fragmentLength)
            var chunks = [
                Self.event("message_start", Self.messageStart),
                Self.event(
                    "content_block_start",
                    [
                        "type": "content_block_start", "index": 0,
                        "content_block": ["type": "tool_use", "id": .string(id), "name": "submit_plan", "input": [:]],
                    ]
                ),
                Self.event("ping", ["type": "ping"]),
            ]
            chunks += fragments.map { fragment in
                Self.event(
                    "content_block_delta",
                    [
                        "type": "content_block_delta", "index": 0,
                        "delta": ["type": "input_json_delta", "partial_json": .string(fragment)],
                    ]
                )
            }
            chunks += [
                Self.event("content_block_stop", ["type": "content_block_stop", "index": 0]),
                Self.event(
                    "message_delta",
                    [
                        "type": "message_delta", "delta": ["stop_reason": "tool_use"],
                        "usage": ["output_tokens": .number(Double(fragments.count))],
                    ]
                ),
                Self.event("message_stop", ["type": "message_stop"]),
            ]
            return StandInResponse(status: 200, eventStream: chunks)
        }
    }

    private static let messageStart: JSONValue = [
        "type": "message_start",
        "message": [
            "id": "msg_1", "type": "message", "role": "assistant", "model": .string(model), "content": [],
            "usage": ["input_tokens": 100, "output_tokens": 1],
        ],
    ]

    /// The error type Anthropic names for a status (the scripted ones).
    private static func anthropicErrorType(_ status: Int) -> String {
        switch status {
        case 529: "overloaded_error"
        case 429: "rate_limit_error"
        default: "api_error"
        }
    }

    private func anthropicError(_ status: Int, _ type: String) -> StandInResponse {
        .json(status, ["type": "error", "error": ["type": .string(type), "message": "scripted"]])
    }

    private static func event(_ type: String, _ data: JSONValue) -> [UInt8] {
        ServerSentEvent(type: type, data: data.jsonText).encoded
    }

    // MARK: OpenAI-compatible

    private func openAI(_ answer: Answer, streamed: Bool) -> StandInResponse {
        switch answer {
        case .status(let status, let retryAfter):
            var response = openAIError(status)
            if let retryAfter { response.headers.append(.init(name: "retry-after", value: retryAfter)) }
            return response
        case .streamError(let status):
            return StandInResponse(
                status: 200,
                eventStream: [
                    Self.data([
                        "error": ["message": "scripted", "type": "server_error", "code": .number(Double(status))]
                    ])
                ]
            )
        case .unstreamedPlan(let input):
            return openAI(.plan(input), streamed: false)
        case .cutOffPlan(let input):
            return Self.cutOff(openAI(.plan(input), streamed: true))
        case .plan(let input, let fragmentLength):
            let id = "call_\(answered)"
            guard streamed else {
                return .json(
                    200,
                    [
                        "id": "chatcmpl-1", "object": "chat.completion", "model": .string(Self.model),
                        "choices": [
                            [
                                "index": 0, "finish_reason": "tool_calls",
                                "message": [
                                    "role": "assistant", "content": .null,
                                    "tool_calls": [
                                        [
                                            "id": .string(id), "type": "function",
                                            "function": ["name": "submit_plan", "arguments": .string(input.jsonText)],
                                        ]
                                    ],
                                ],
                            ]
                        ],
                        "usage": ["prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150],
                    ]
                )
            }
            let fragments = Self.fragments(of: input.jsonText, length: fragmentLength)
            var chunks = [
                Self.chunk([
                    "index": 0, "id": .string(id), "type": "function",
                    "function": ["name": "submit_plan", "arguments": ""],
                ])
            ]
            chunks += fragments.map { Self.chunk(["index": 0, "function": ["arguments": .string($0)]]) }
            chunks += [
                Self.data([
                    "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": .string(Self.model),
                    "choices": [["index": 0, "delta": [:], "finish_reason": "tool_calls"]],
                ]),
                Self.data([
                    "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": .string(Self.model), "choices": [],
                    "usage": [
                        "prompt_tokens": 100, "completion_tokens": .number(Double(fragments.count)),
                        "total_tokens": .number(Double(100 + fragments.count)),
                    ],
                ]),
                ServerSentEvent(data: "[DONE]").encoded,
            ]
            return StandInResponse(status: 200, eventStream: chunks)
        }
    }

    private func openAIError(_ status: Int) -> StandInResponse {
        .json(status, ["error": ["message": "scripted", "type": "server_error", "code": .number(Double(status))]])
    }

    private static func chunk(_ toolCall: JSONValue) -> [UInt8] {
        data([
            "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": .string(model),
            "choices": [["index": 0, "delta": ["tool_calls": [toolCall]], "finish_reason": .null]],
        ])
    }

    private static func data(_ value: JSONValue) -> [UInt8] {
        ServerSentEvent(data: value.jsonText).encoded
    }

    /// The text cut into pieces of `length` characters (never inside a character).
    private static func fragments(of text: String, length: Int) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(max(1, length))))
            rest = rest.dropFirst(max(1, length))
        }
        return pieces
    }
}
