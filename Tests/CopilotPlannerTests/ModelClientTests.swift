import AsyncHTTPClient
import CopilotCore
import CopilotExpressions
import CopilotPlanner
import CopilotTesting
import Logging
import NIOCore
import Testing

/// The model clients over real HTTP on 127.0.0.1, against a stand-in that speaks both wire formats.
@Suite struct ModelClientTests {
    static let apiKey = "sk-test-3f9a1c"
    static let plan: JSONValue = [
        "summary": "Roll back the deploy; the error rate rose ×4 after it",
        "steps": [["id": "rollback", "uses": "deploy.rollback", "with": ["service": "payments-api"], "reason": "r"]],
    ]
    static let conversation = PlannerConversation(
        system: "You plan remediations.",
        turns: [.user("An incident: the payments API answers 503.")],
        toolDescription: "Submit the plan.",
        toolSchema: ["type": "object"]
    )

    /// The waits the client asked for, instead of waiting.
    actor Waits {
        var delays: [Duration] = []
        func add(_ delay: Duration) { delays.append(delay) }
    }

    static func client(
        _ format: ModelClient.WireFormat,
        _ baseURL: String,
        waits: Waits = Waits(),
        http: HTTPClient = .shared,
        apiKey: String? = apiKey
    ) -> ModelClient {
        ModelClient(
            client: http,
            configuration: .init(format: format, baseURL: baseURL, apiKey: apiKey, model: "stand-in-model-1"),
            logger: Logger(label: "model-client-test", factory: { _ in SwiftLogNoOpLogHandler() }),
            sleep: { await waits.add($0) },
            random: { 1 }  // the longest wait the jitter allows: the backoff itself
        )
    }

    @Test("Anthropic: a streamed plan arrives whole, with the headers and body the Messages API expects")
    func anthropic() async throws {
        let standIn = ModelStandIn(apiKey: Self.apiKey, answers: [.plan(Self.plan, fragmentLength: 7)])
        let reply = try await withStandIn(standIn) {
            try await Self.client(.anthropic, $0).submitPlan(Self.conversation)
        }
        #expect(reply.input == Self.plan)
        #expect(reply.model == ModelStandIn.model)
        #expect(reply.toolCallID == "toolu_1")
        let fragments = (Self.plan.jsonText.count + 6) / 7
        #expect(reply.usage == TokenUsage(inputTokens: 100, outputTokens: fragments))
        let request = try #require(await standIn.journal.requests.first)
        #expect(request.path == "/v1/messages")
        #expect(request.header("x-api-key") == Self.apiKey)
        #expect(request.header("anthropic-version") == "2023-06-01")
        let body = try #require(request.json)
        #expect(body["stream"] == true && body["model"] == "stand-in-model-1")
        #expect(body["tool_choice"] == ["type": "tool", "name": "submit_plan"])
        #expect(
            !String(decoding: request.body, as: UTF8.self).contains(Self.apiKey),
            "the key travels in a header only"
        )
    }

    @Test("OpenAI-compatible: a streamed plan arrives whole, with a bearer token and usage requested")
    func openAI() async throws {
        let standIn = ModelStandIn(apiKey: Self.apiKey, answers: [.plan(Self.plan, fragmentLength: 5)])
        let reply = try await withStandIn(standIn) {
            try await Self.client(.openAI, $0 + "/").submitPlan(Self.conversation)
        }
        #expect(reply.input == Self.plan)
        #expect(reply.toolCallID == "call_1")
        let request = try #require(await standIn.journal.requests.first)
        #expect(request.path == "/chat/completions")
        #expect(request.header("Authorization") == "Bearer \(Self.apiKey)")
        #expect(request.json?["stream_options"] == ["include_usage": true])
    }

    @Test("429 and 529 are tried again after retry-after or the backoff; the plan of the third attempt counts")
    func retries() async throws {
        let standIn = ModelStandIn(
            apiKey: Self.apiKey,
            answers: [.status(429, retryAfter: "2"), .status(529), .plan(Self.plan)]
        )
        let waits = Waits()
        let reply = try await withStandIn(standIn) {
            try await Self.client(.anthropic, $0, waits: waits).submitPlan(Self.conversation)
        }
        #expect(reply.input == Self.plan)
        #expect(await standIn.journal.requests.count == 3)
        #expect(await waits.delays == [.seconds(2), .seconds(1)], "retry-after, then the doubled backoff")
    }

    @Test("a failure that lasts ends after three attempts with its status; a 400 is not tried again")
    func givesUp() async throws {
        let overloaded = ModelStandIn(apiKey: Self.apiKey, answers: [.status(529)])
        await #expect(throws: PlannerError.http(status: 529, provider: "anthropic")) {
            try await withStandIn(overloaded) { try await Self.client(.anthropic, $0).submitPlan(Self.conversation) }
        }
        #expect(await overloaded.journal.requests.count == 3)
        let refused = ModelStandIn(apiKey: Self.apiKey, answers: [.status(400)])
        await #expect(throws: PlannerError.http(status: 400, provider: "openai")) {
            try await withStandIn(refused) { try await Self.client(.openAI, $0).submitPlan(Self.conversation) }
        }
        #expect(await refused.journal.requests.count == 1)
    }

    @Test("a stream that fails after its 200 is tried again, in both formats")
    func streamErrors() async throws {
        for format in [ModelClient.WireFormat.anthropic, .openAI] {
            let standIn = ModelStandIn(apiKey: Self.apiKey, answers: [.streamError(status: 529), .plan(Self.plan)])
            let reply = try await withStandIn(standIn) {
                try await Self.client(format, $0).submitPlan(Self.conversation)
            }
            #expect(reply.input == Self.plan, "\(format)")
            #expect(await standIn.journal.requests.count == 2, "\(format)")
        }
    }

    @Test("a plain JSON answer is read; a stream cut before its end is tried again, in both formats")
    func plainAndCutOff() async throws {
        for format in [ModelClient.WireFormat.anthropic, .openAI] {
            let standIn = ModelStandIn(
                apiKey: Self.apiKey,
                answers: [.cutOffPlan(Self.plan), .unstreamedPlan(Self.plan)]
            )
            let reply = try await withStandIn(standIn) {
                try await Self.client(format, $0).submitPlan(Self.conversation)
            }
            #expect(reply.input == Self.plan, "\(format)")
            #expect(
                reply.usage == TokenUsage(inputTokens: 100, outputTokens: 50),
                "\(format): the plain answer's usage"
            )
            #expect(await standIn.journal.requests.count == 2, "\(format)")
        }
    }

    @Test("a stream that arrives in one piece, its events and fragments whole, is read in both formats")
    func streamInOnePiece() async throws {
        for format in [ModelClient.WireFormat.anthropic, .openAI] {
            let standIn = ModelStandIn(
                apiKey: Self.apiKey,
                answers: [.plan(Self.plan, fragmentLength: 5)],
                writes: .whole
            )
            let reply = try await withStandIn(standIn) {
                try await Self.client(format, $0).submitPlan(Self.conversation)
            }
            #expect(reply.input == Self.plan, "\(format)")
            // The same request answered by stand-ins of both kinds: one piece, or one per event.
            let request = try #require(await standIn.journal.requests.first)
            let pieces = await ModelStandIn(apiKey: Self.apiKey, answers: [.plan(Self.plan, fragmentLength: 5)])
                .respond(to: request).eventStream?.count
            #expect(await standIn.respond(to: request).eventStream?.count == 1, "\(format)")
            #expect((pieces ?? 0) > 5, "\(format)")
        }
    }

    @Test("without an api_key, an OpenAI-compatible server gets no Authorization header")
    func noKey() async throws {
        let standIn = ModelStandIn(apiKey: nil, answers: [.plan(Self.plan)])
        let reply = try await withStandIn(standIn) {
            try await Self.client(.openAI, $0, apiKey: nil).submitPlan(Self.conversation)
        }
        #expect(reply.input == Self.plan)
        #expect(await standIn.journal.requests.first?.header("Authorization") == nil)
    }

    @Test("a retry-after beyond the limit ends the retries at once")
    func longRetryAfter() async throws {
        let standIn = ModelStandIn(apiKey: Self.apiKey, answers: [.status(429, retryAfter: "3600"), .plan(Self.plan)])
        let waits = Waits()
        await #expect(throws: PlannerError.http(status: 429, provider: "anthropic")) {
            try await withStandIn(standIn) {
                try await Self.client(.anthropic, $0, waits: waits).submitPlan(Self.conversation)
            }
        }
        #expect(await standIn.journal.requests.count == 1)
        #expect(await waits.delays.isEmpty)
    }

    @Test("a call cancelled while the model is slow ends as cancelled, not as a timeout or an outage")
    func cancelled() async throws {
        let standIn = ModelStandIn(apiKey: Self.apiKey, answers: [.plan(Self.plan)])
        await standIn.journal.delayResponses(by: .seconds(2))
        try await withStandIn(standIn) { baseURL in
            let call = Task { try await Self.client(.anthropic, baseURL).submitPlan(Self.conversation) }
            try await Task.sleep(for: .milliseconds(200))
            call.cancel()
            await #expect(throws: PlannerError.cancelled) { try await call.value }
        }
    }

    @Test("a wrong key is a 401, not tried again; a server nobody runs is a connection failure")
    func unreachable() async throws {
        let standIn = ModelStandIn(apiKey: "another-key", answers: [.plan(Self.plan)])
        await #expect(throws: PlannerError.http(status: 401, provider: "anthropic")) {
            try await withStandIn(standIn) { try await Self.client(.anthropic, $0).submitPlan(Self.conversation) }
        }
        // Port 1 on loopback: nothing listens there. The client keeps trying to connect until its
        // connect timeout, as the service's shared client does (5 s there, 200 ms here).
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(200))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        await #expect(throws: PlannerError.connection(provider: "openai")) {
            try await Self.client(.openAI, "http://127.0.0.1:1", http: http).submitPlan(Self.conversation)
        }
        try await http.shutdown()
    }
}
