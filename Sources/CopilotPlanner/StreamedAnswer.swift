import CopilotCore
import CopilotExpressions

/// Reads one wire format's streamed answer as its bytes arrive.
protocol AnswerStreamReader: Sendable {
    mutating func read(_ bytes: some Sequence<UInt8>) throws(PlannerError)
    /// The stream said it is complete: ended earlier, it was cut off.
    var finished: Bool { get }
    /// The `submit_plan` call of a finished stream.
    func reply() throws(PlannerError) -> PlannerReply
}

/// What a streamed answer has said so far, whatever its wire format: the model, the usage, and each
/// tool call's id, name and input JSON, by the index the stream gives the call.
struct StreamedAnswer: Sendable {
    var model = ""
    var usage = TokenUsage()
    var toolCalls: [Int: (id: String, name: String, json: String)] = [:]
    /// The stream said it is complete (`message_stop`, `[DONE]`).
    var finished = false
    /// Anthropic's `stop_reason: max_tokens`: the input JSON was cut off.
    var cutAtMaxTokens = false

    /// The `submit_plan` call of a finished stream; `end` names the event that finishes one.
    func reply(end: String) throws(PlannerError) -> PlannerReply {
        guard finished else { throw .invalidAnswer("the stream ended before \(end)") }
        let calls = toolCalls.sorted { $0.key < $1.key }.map(\.value)
        guard let call = calls.first(where: { $0.name == PlannerOffer.toolName }) else {
            throw .invalidAnswer("the answer holds no \(PlannerOffer.toolName) call")
        }
        guard !cutAtMaxTokens else { throw .invalidAnswer("the answer was cut off at max_tokens") }
        return PlannerReply(
            toolCallID: Self.callID(call.id),
            input: try Self.input(call.json),
            model: model,
            usage: usage
        )
    }

    /// The call's id, or one made up when the server sent none: the id is echoed back when a plan is
    /// refused, and an empty one would make that request fail.
    static func callID(_ id: String) -> String {
        id.isEmpty ? "\(PlannerOffer.toolName)_1" : id
    }

    /// A count or an index in an answer: a whole number that fits an `Int`, else nil (a server's number is
    /// never trusted to convert).
    static func int(_ value: JSONValue?) -> Int? {
        value?.numberValue.flatMap { Int(exactly: $0) }
    }

    /// A tool call's input from its JSON text; a call that streamed no input has the empty object.
    static func input(_ json: String) throws(PlannerError) -> JSONValue {
        guard let input = try? JSONValue(parsing: Array((json.isEmpty ? "{}" : json).utf8)) else {
            throw .invalidAnswer("the \(PlannerOffer.toolName) input is not JSON")
        }
        return input
    }
}
