public import CopilotCore
import Synchronization

/// The agent planner as runs use it (CONTRACT §4a): a model client, the `agent.*` settings, and the
/// provider's circuit breaker, shared by every run of the node. The worker has none when
/// `agent.provider` is `playbook`; then every run executes its playbook's steps.
public struct RunPlanner: Sendable {
    /// `agent.*` and what the offer and prompt are made of.
    public struct Settings: Sendable, Hashable {
        /// `agent.max_steps`: the most steps one plan may have.
        public var maxSteps: Int
        /// `agent.max_replans`: how often a failed planned step may be answered with a new plan.
        public var maxReplans: Int
        /// `agent.timeout_seconds`: a run's planning, and each re-plan, within this.
        public var timeout: Duration
        /// Configured secret values: never shown to the model.
        public var secrets: [String]
        /// The actions and their `with:` parameters, for the offer.
        public var catalogue: ActionCatalogue
        /// CONTRACT §4a: 5 planning failures in a row skip the provider for 30 s.
        public var circuit: CircuitBreakerConfiguration

        public init(
            maxSteps: Int = 8,
            maxReplans: Int = 1,
            timeout: Duration = .seconds(120),
            secrets: [String] = [],
            catalogue: ActionCatalogue = .builtIn,
            circuit: CircuitBreakerConfiguration = CircuitBreakerConfiguration(
                failureThreshold: 5,
                coolDown: .seconds(30)
            )
        ) {
            self.maxSteps = maxSteps
            self.maxReplans = maxReplans
            self.timeout = timeout
            self.secrets = secrets
            self.catalogue = catalogue
            self.circuit = circuit
        }
    }

    /// How one planning (or re-plan) ended.
    public struct Result: Sendable {
        public var decision: PlanningSession.Next
        public var session: PlanningSession
        public var latencyMilliseconds: Int
        /// False when no request was made (nothing allowed, or the circuit open): the session's last
        /// turns were never sent, so they are no transcript.
        public var asked: Bool
    }

    public let client: any PlannerClient
    public let settings: Settings
    private let circuit: ProviderCircuit

    public init(client: any PlannerClient, settings: Settings) {
        self.client = client
        self.settings = settings
        circuit = ProviderCircuit(settings.circuit)
    }

    /// The provider's name as runs show it.
    public var provider: String { client.provider }

    /// The model asked, as `agent.model` names it.
    public var model: String { client.model }

    /// The actions the model may propose for a playbook: `agent.allowed ∩ run_as`.
    public func offer(
        for playbook: Playbook,
        agent: PlaybookAgent,
        serviceAccounts: ServiceAccountPolicy
    ) -> PlannerOffer {
        PlannerOffer(
            agent: agent,
            runAs: playbook.runAs,
            serviceAccounts: serviceAccounts,
            catalogue: settings.catalogue
        )
    }

    /// The event as the prompt shows it: trimmed to its budget, the configured secrets redacted (the
    /// costly part of the prompt).
    public func eventText(_ event: Event) -> PlannerPrompt.EventText {
        PlannerPrompt.EventText(event, secrets: settings.secrets)
    }

    /// The first question of a run's planning.
    public func session(
        for playbook: Playbook,
        agent: PlaybookAgent,
        event: PlannerPrompt.EventText,
        recentRuns: [PastRun],
        serviceAccounts: ServiceAccountPolicy
    ) -> PlanningSession {
        PlanningSession(
            prompt: PlannerPrompt(playbook: playbook, agent: agent, event: event, recentRuns: recentRuns),
            offer: offer(for: playbook, agent: agent, serviceAccounts: serviceAccounts),
            maxSteps: settings.maxSteps,
            maxReplans: settings.maxReplans,
            secrets: settings.secrets
        )
    }

    /// The session of a run planned earlier, to ask it for a re-plan.
    public func session(
        resuming transcript: PlannerConversation,
        of run: Run,
        plan: RunPlan,
        playbook: Playbook,
        agent: PlaybookAgent,
        serviceAccounts: ServiceAccountPolicy
    ) -> PlanningSession {
        PlanningSession(
            resuming: transcript,
            plan: plan,
            usedIDs: run.steps.map(\.id) + plan.steps.map(\.id),
            offer: offer(for: playbook, agent: agent, serviceAccounts: serviceAccounts),
            maxSteps: settings.maxSteps,
            maxReplans: settings.maxReplans,
            secrets: settings.secrets
        )
    }

    /// Asks the model what `session` asks now, within `agent.timeout_seconds` (each re-plan has its own
    /// timeout), unless there is nothing to ask (`no_allowed_action`) or the provider's circuit is open:
    /// then the answer is a fallback without a call.
    ///
    /// The circuit counts every planning that got no answer as a failure, 4xx included (unlike the
    /// actions' breakers): a wrong key or model name fails every run the same way, so after 5 in a row
    /// runs stop waiting on the provider for 30 s. An invalid plan is an answer.
    public func plan(_ session: PlanningSession, clock: any Clock<Duration> = ContinuousClock()) async -> Result {
        let started = ContinuousClock.now
        guard case .ask = session.current else {
            return Result(decision: session.current, session: session, latencyMilliseconds: 0, asked: false)
        }
        guard circuit.acquire() else {
            return Result(decision: session.fail(.circuitOpen), session: session, latencyMilliseconds: 0, asked: false)
        }
        let outcome = await Planning.run(session, with: client, timeout: settings.timeout, clock: clock)
        if case .fallback(let reason) = outcome.decision, reason == PlannerError.cancelled.reason {
            circuit.release()
        } else {
            circuit.record(success: !outcome.providerFailed)
        }
        return Result(
            decision: outcome.decision,
            session: outcome.session,
            latencyMilliseconds: Int((started.duration(to: .now).timeInterval * 1000).rounded()),
            asked: true
        )
    }
}

/// The provider's circuit breaker, shared by the node's concurrent runs.
private final class ProviderCircuit: Sendable {
    private let breaker: Mutex<CircuitBreaker<ContinuousClock.Instant>>

    init(_ configuration: CircuitBreakerConfiguration) {
        breaker = Mutex(CircuitBreaker(configuration: configuration))
    }

    func acquire() -> Bool {
        breaker.withLock { $0.acquire(now: .now) } == .allow
    }

    func record(success: Bool) {
        breaker.withLock { $0.record(success: success, now: .now) }
    }

    func release() {
        breaker.withLock { $0.release() }
    }
}
