import CopilotCore
import CopilotExpressions
import Foundation
import Testing

@Suite struct PlanningSessionTests {
    static let agent = PlaybookAgent(instructions: "Fix it.", allowed: ["testbench.run", "incident.update"])
    static let playbook = Playbook(
        name: PlaybookName(rawValue: "p"),
        file: "p.yaml",
        triggers: [],
        agent: agent,
        steps: []
    )
    static let event = Event(
        id: EventID(rawValue: "evt-1"),
        source: .incident,
        type: "incident.detected",
        receivedAt: Date(timeIntervalSince1970: 0),
        deliveryID: DeliveryID(rawValue: "d-1"),
        subject: "payments",
        payload: [:]
    )

    static func session(allowed: [ActionName] = agent.allowed, maxReplans: Int = 1) -> PlanningSession {
        let agent = PlaybookAgent(instructions: "Fix it.", allowed: allowed)
        return PlanningSession(
            prompt: PlannerPrompt(playbook: playbook, agent: agent, event: event, recentRuns: [], secrets: []),
            offer: PlannerOffer(agent: agent, runAs: nil, serviceAccounts: .unrestricted, catalogue: .builtIn),
            maxSteps: 4,
            maxReplans: maxReplans,
            secrets: ["tok-12345"]
        )
    }

    static func reply(_ id: String, _ input: JSONValue, tokens: Int = 10) -> PlannerReply {
        PlannerReply(toolCallID: id, input: input, model: "m", usage: TokenUsage(inputTokens: tokens, outputTokens: 1))
    }

    static let valid: JSONValue = [
        "summary": "verify",
        "steps": [["id": "verify", "uses": "testbench.run", "with": ["test_suite": "smoke"], "reason": ""]],
    ]
    static let invalid: JSONValue = ["summary": "s", "steps": [["id": "x", "uses": "deploy.rollback", "with": [:]]]]

    @Test("a valid first answer is the plan, with usage and attempts counted")
    func planned() {
        var session = Self.session()
        guard case .ask(let conversation) = session.current else {
            Issue.record("the session must ask first")
            return
        }
        #expect(conversation.turns.count == 1)
        guard case .planned(let plan) = session.receive(Self.reply("c1", Self.valid)) else {
            Issue.record("a valid answer is the plan")
            return
        }
        #expect(plan.steps.map(\.id.rawValue) == ["verify"])
        #expect(session.attempts == 1)
        #expect(session.usage == TokenUsage(inputTokens: 10, outputTokens: 1))
    }

    @Test("an invalid plan goes back once with its problems as an error result; a second falls back")
    func invalidTwice() {
        var session = Self.session()
        guard case .ask(let retry) = session.receive(Self.reply("c1", Self.invalid)) else {
            Issue.record("the first invalid plan goes back")
            return
        }
        guard case .toolResult(let id, let content, let isError) = retry.turns.last else {
            Issue.record("the problems answer the tool call")
            return
        }
        #expect(id == "c1" && isError)
        #expect(content.contains("steps[0].uses 'deploy.rollback': not an action of this plan"))
        #expect(retry.turns.count == 3, "prompt, the model's call, our answer")
        #expect(session.receive(Self.reply("c2", Self.invalid)) == .fallback(reason: "invalid_plan"))
        #expect(session.attempts == 2)
        #expect(session.usage.inputTokens == 20)
    }

    @Test("an invalid plan corrected is the plan")
    func corrected() {
        var session = Self.session()
        _ = session.receive(Self.reply("c1", Self.invalid))
        guard case .planned = session.receive(Self.reply("c2", Self.valid)) else {
            Issue.record("a corrected plan is the plan")
            return
        }
    }

    @Test("a failed call falls back with its reason; nothing allowed is not asked at all")
    func fallbacks() {
        #expect(
            Self.session().fail(.http(status: 529, provider: "anthropic"))
                == .fallback(reason: "http 529 from anthropic")
        )
        #expect(Self.session().fail(.timeout) == .fallback(reason: "timeout"))
        #expect(Self.session(allowed: ["deploy.rollback"]).current == .fallback(reason: "no_allowed_action"))
    }

    @Test("a re-plan answers the plan's call with the outcomes, forbids the ids used, and is limited")
    func replan() throws {
        var session = Self.session(maxReplans: 1)
        #expect(!session.canReplan, "nothing planned yet")
        _ = session.receive(Self.reply("c1", Self.valid))
        let failed = RunStep(
            id: StepID(rawValue: "verify"),
            uses: "testbench.run",
            outcome: .failure,
            outputs: ["echo": "Bearer tok-12345"],
            error: "2 tests failed"
        )
        guard case .ask(let conversation) = session.replan(after: [failed]) else {
            Issue.record("a re-plan asks again")
            return
        }
        guard case .toolResult(let id, let content, let isError) = conversation.turns[conversation.turns.count - 2]
        else {
            Issue.record("the outcomes answer the plan's call")
            return
        }
        #expect(id == "c1" && !isError)
        #expect(content.contains(#""outcome":"failure""#) && content.contains("2 tests failed"))
        #expect(content.contains("Bearer [redacted]") && !content.contains("tok-12345"), "outcomes are redacted")
        guard case .ask = session.receive(Self.reply("c2", Self.valid)) else {
            Issue.record("a new plan may not reuse the id 'verify'")
            return
        }
        #expect(session.replans == 1)
        #expect(session.replan(after: [failed]) == nil, "max_replans is used up")
    }
}
