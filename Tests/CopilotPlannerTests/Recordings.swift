import CopilotCore

@testable import CopilotPlanner

/// Answers as the providers stream them, in their documented event formats.
enum Recordings {
    /// Anthropic's Messages API, a forced `submit_plan` call: input JSON in fragments, a `ping`, usage
    /// in `message_start` and (cumulative) in `message_delta`; CRLF line ends and a comment line, which
    /// the format allows; a non-ASCII character in the input.
    static let anthropic = [
        ": a comment line",
        "event: message_start",
        #"data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":472,"output_tokens":2}}}"#,
        "",
        "event: content_block_start",
        #"data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"submit_plan","input":{}}}"#,
        "",
        "event: ping",
        #"data: {"type": "ping"}"#,
        "",
        "event: content_block_delta",
        #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#,
        "",
        "event: content_block_delta",
        #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"summary\": \"Roll back"}}"#,
        "",
        "event: content_block_delta",
        #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":" the deploy\", \"steps\": [{\"id\": \"rollback\", \"uses\": \"deploy.rollback\", "}}"#,
        "",
        "event: content_block_delta",
        #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"with\": {\"service\": \"payments-api\"}, \"reason\": \"error rate ×4\"}]}"}}"#,
        "",
        "event: content_block_stop",
        #"data: {"type":"content_block_stop","index":0}"#,
        "",
        "event: message_delta",
        #"data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"#,
        "",
        "event: message_stop",
        #"data: {"type":"message_stop"}"#,
        "",
        "",
    ].joined(separator: "\r\n")

    /// The input the fragments above make.
    static let planInput: String =
        #"{"summary": "Roll back the deploy", "steps": [{"id": "rollback", "uses": "deploy.rollback", "with": {"service": "payments-api"}, "reason": "error rate ×4"}]}"#

    /// An OpenAI-compatible stream: the tool call's id and name in its first chunk, the arguments in
    /// fragments joined by `index`, `finish_reason`, the usage chunk `stream_options` asks for, `[DONE]`.
    static let openAI = [
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5-7b-instruct","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc123","type":"function","function":{"name":"submit_plan","arguments":""}}]},"finish_reason":null}]}"#,
        "",
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5-7b-instruct","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"summary\": \"Roll back"}}]},"finish_reason":null}]}"#,
        "",
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5-7b-instruct","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":" the deploy\", \"steps\": [{\"id\": \"rollback\", \"uses\": \"deploy.rollback\", "}}]},"finish_reason":null}]}"#,
        "",
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5-7b-instruct","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"with\": {\"service\": \"payments-api\"}, \"reason\": \"error rate ×4\"}]}"}}]},"finish_reason":null}]}"#,
        "",
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5-7b-instruct","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        "",
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5-7b-instruct","choices":[],"usage":{"prompt_tokens":512,"completion_tokens":77,"total_tokens":589}}"#,
        "",
        "data: [DONE]",
        "",
        "",
    ].joined(separator: "\n")
}

extension Array where Element == UInt8 {
    /// Every way of cutting the bytes in two, and the bytes one at a time.
    var splits: [[ArraySlice<UInt8>]] {
        (0...count).map { [self[..<$0], self[$0...]] } + [map { [$0][...] }]
    }
}

/// What a stream reader makes of the chunks, read in order: the one loop both wire formats' tests use.
func reply(
    reading chunks: [some Sequence<UInt8>],
    with reader: some AnswerStreamReader
) throws(PlannerError)
    -> PlannerReply
{
    var reader = reader
    for chunk in chunks { try reader.read(chunk) }
    return try reader.reply()
}
