public import AsyncHTTPClient
public import CopilotCore
public import CopilotExpressions
public import Logging
import NIOCore
import NIOHTTP1
import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A model behind HTTP: Anthropic's Messages API, or any OpenAI-compatible server (OpenAI, vLLM,
/// llama.cpp's server, Ollama), on the one shared `HTTPClient` (CONTRACT §4a).
///
/// Each call streams (`"stream": true`) and reads the answer as it arrives; a server that answers
/// with plain JSON is read too. 429, 529, 5xx, broken connections and streams cut off are tried again,
/// at most `maxAttempts` times in all, after the server's `retry-after` or a doubling backoff with
/// jitter (so runs that met the same 429 do not come back together). The whole planning's
/// `agent.timeout_seconds` is the caller's to enforce: it cancels the task, and the call then throws
/// `cancelled`.
public struct ModelClient: PlannerClient {
    public enum WireFormat: String, Sendable, Hashable {
        case anthropic
        case openAI = "openai"

        /// CONTRACT §1: the base URL when `agent.base_url` is empty.
        public var defaultBaseURL: String {
            switch self {
            case .anthropic: "https://api.anthropic.com"
            case .openAI: "https://api.openai.com/v1"
            }
        }
    }

    public struct Configuration: Sendable, Hashable {
        public var format: WireFormat
        /// `https://api.anthropic.com`, or an OpenAI-compatible base ending in `/v1`.
        public var baseURL: String
        /// Sent as `x-api-key` (Anthropic) or `Authorization: Bearer` (OpenAI, only when given).
        public var apiKey: String?
        public var model: String
        public var maxTokens: Int
        public var maxAttempts: Int
        /// The wait before the second attempt when the server names none; doubled for each later one.
        public var initialBackoff: Duration
        /// The longest `retry-after` honoured; a longer one ends the retries.
        public var maxRetryAfter: Duration

        public init(
            format: WireFormat,
            baseURL: String,
            apiKey: String?,
            model: String,
            maxTokens: Int = 4096,
            maxAttempts: Int = 3,
            initialBackoff: Duration = .milliseconds(500),
            maxRetryAfter: Duration = .seconds(30)
        ) {
            self.format = format
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.model = model
            self.maxTokens = maxTokens
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxRetryAfter = maxRetryAfter
        }
    }

    private let client: HTTPClient
    private let configuration: Configuration
    private let sleep: @Sendable (Duration) async throws -> Void
    /// A number in 0..<1 for the backoff's jitter.
    private let random: @Sendable () -> Double
    private let logger: Logger
    /// Bodies of plain answers and of errors are read up to this size.
    private let maxBodyBytes = 4 * 1024 * 1024

    public init(
        client: HTTPClient,
        configuration: Configuration,
        logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.sleep = sleep
        self.random = random
    }

    public var provider: String { configuration.format.rawValue }

    public var model: String { configuration.model }

    public func submitPlan(_ conversation: PlannerConversation) async throws(PlannerError) -> PlannerReply {
        var attempt = 1
        while true {
            let failure: PlannerError
            let retryAfter: Duration?
            do {
                return try await call(conversation)
            } catch let error as RetryableFailure {
                (failure, retryAfter) = (error.failure, error.retryAfter)
            } catch let error as PlannerError {
                throw error
            } catch {
                throw Task.isCancelled ? .cancelled : .invalidAnswer("\(error)")
            }
            // Half the doubled backoff, plus up to as much again at random.
            let backoff = configuration.initialBackoff * (1 << min(attempt - 1, 16))
            let delay = retryAfter ?? backoff * (0.5 + 0.5 * random())
            guard attempt < configuration.maxAttempts, delay <= configuration.maxRetryAfter else { throw failure }
            logger.debug(
                "model call will be tried again",
                metadata: ["copilot.planner.provider": "\(provider)", "copilot.planner.failure": "\(failure.reason)"]
            )
            do { try await sleep(delay) } catch { throw .cancelled }
            attempt += 1
        }
    }

    /// A failure worth another attempt, and how long the server asked us to wait.
    private struct RetryableFailure: Error {
        var failure: PlannerError
        var retryAfter: Duration?
    }

    /// One attempt, as a client span with OpenTelemetry's GenAI attributes (a child of `run.plan`).
    /// Throws `RetryableFailure` for what may pass on its own, `PlannerError` otherwise.
    private func call(_ conversation: PlannerConversation) async throws -> PlannerReply {
        try await withSpan("chat \(model)", ofKind: .client) { span in
            span.attributes[GenAIAttributes.operationName] = "chat"
            span.attributes[GenAIAttributes.system] = provider
            span.attributes[GenAIAttributes.requestModel] = model
            span.attributes["http.request.method"] = "POST"
            span.attributes["server.address"] = URLComponents(string: endpoint)?.host
            let reply = try await call(conversation, in: span)
            span.attributes[GenAIAttributes.responseModel] = reply.model
            span.attributes[GenAIAttributes.inputTokens] = reply.usage.inputTokens
            span.attributes[GenAIAttributes.outputTokens] = reply.usage.outputTokens
            return reply
        }
    }

    private func call(_ conversation: PlannerConversation, in span: any Span) async throws -> PlannerReply {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers = headers
        let body = requestBody(conversation)
        request.body = .bytes(ByteBuffer(bytes: body.jsonBytes))
        let response: HTTPClientResponse
        do {
            // A bound for one attempt, far above a model's answer time: the planning's own
            // `agent.timeout_seconds` cancels the task sooner.
            response = try await client.execute(request, timeout: .seconds(300), logger: logger)
        } catch let error as HTTPClientError where Self.misconfigured.contains(error) {
            throw PlannerError.connection(provider: provider)  // a wrong base_url does not heal
        } catch {
            if Task.isCancelled { throw PlannerError.cancelled }
            throw RetryableFailure(failure: .connection(provider: provider), retryAfter: nil)
        }
        let status = Int(response.status.code)
        span.attributes["http.response.status_code"] = status
        guard status == 200 else {
            _ = try? await response.body.collect(upTo: maxBodyBytes)
            let failure = PlannerError.http(status: status, provider: provider)
            guard Self.isRetryable(status) else { throw failure }
            let retryAfter = response.headers.first(name: "retry-after").flatMap { RetryAfter.parse($0, now: Date()) }
            throw RetryableFailure(failure: failure, retryAfter: retryAfter)
        }
        do {
            if response.headers.first(name: "content-type")?.lowercased().hasPrefix("text/event-stream") == true {
                return try await readStream(response.body)
            }
            let bytes = Array(buffer: try await response.body.collect(upTo: maxBodyBytes))
            return switch configuration.format {
            case .anthropic: try AnthropicMessages.reply(fromMessage: bytes)
            case .openAI: try OpenAIChatCompletions.reply(fromCompletion: bytes)
            }
        } catch let error as PlannerError {
            if case .http(let status, _) = error, Self.isRetryable(status) {
                throw RetryableFailure(failure: error, retryAfter: nil)
            }
            throw error
        } catch is NIOTooManyBytesError {
            throw PlannerError.invalidAnswer("the answer is larger than \(maxBodyBytes) bytes")
        } catch {
            if Task.isCancelled { throw PlannerError.cancelled }
            // The connection broke in the middle of the answer.
            throw RetryableFailure(failure: .connection(provider: provider), retryAfter: nil)
        }
    }

    /// Errors of the configuration, not of the network.
    private static let misconfigured: [HTTPClientError] = [.invalidURL, .emptyHost, .emptyScheme]

    /// Reads the stream up to `maxBodyBytes`; one closed before its end is a broken connection.
    private func readStream(_ body: HTTPClientResponse.Body) async throws -> PlannerReply {
        switch configuration.format {
        case .anthropic: try await readStream(body, with: AnthropicMessages.StreamReader())
        case .openAI: try await readStream(body, with: OpenAIChatCompletions.StreamReader())
        }
    }

    private func readStream(
        _ body: HTTPClientResponse.Body,
        with reader: some AnswerStreamReader
    ) async throws
        -> PlannerReply
    {
        var reader = reader
        var received = 0
        for try await buffer in body {
            received += buffer.readableBytes
            if received > maxBodyBytes { throw NIOTooManyBytesError(maxBytes: maxBodyBytes) }
            try reader.read(buffer.readableBytesView)
        }
        guard reader.finished else { throw RetryableFailure(failure: .connection(provider: provider), retryAfter: nil) }
        return try reader.reply()
    }

    /// 429 (rate limited), 529 (Anthropic overloaded) and server errors pass on their own.
    private static func isRetryable(_ status: Int) -> Bool {
        status == 429 || status == 529 || (500...599).contains(status)
    }

    private var endpoint: String {
        let base =
            configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
        return switch configuration.format {
        case .anthropic: base + "/v1/messages"
        case .openAI: base + "/chat/completions"
        }
    }

    private var headers: HTTPHeaders {
        var headers: HTTPHeaders = [
            "content-type": "application/json", "accept": "text/event-stream, application/json",
        ]
        switch configuration.format {
        case .anthropic:
            headers.add(name: "anthropic-version", value: AnthropicMessages.version)
            if let apiKey = configuration.apiKey { headers.add(name: "x-api-key", value: apiKey) }
        case .openAI:
            if let apiKey = configuration.apiKey { headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        }
        return headers
    }

    /// What is sent for `conversation`: the transcript a run keeps is exactly this, and never holds the
    /// key, which travels in a header.
    public func requestBody(_ conversation: PlannerConversation) -> JSONValue {
        switch configuration.format {
        case .anthropic:
            AnthropicMessages.requestBody(
                conversation,
                model: configuration.model,
                maxTokens: configuration.maxTokens,
                stream: true
            )
        case .openAI:
            OpenAIChatCompletions.requestBody(
                conversation,
                model: configuration.model,
                maxTokens: configuration.maxTokens,
                stream: true
            )
        }
    }
}
