import CopilotCore
import CopilotExpressions

/// Playbook builders for the engine tests: incident-triggered playbooks whose steps use `incident.update`.
enum Playbooks {
    /// A step; `if` is an `if:` text, `with` values may hold `${{ }}`.
    static func step(
        _ id: String,
        uses: ActionName = "incident.update",
        if condition: String? = nil,
        with: [String: String] = [:],
        approval: Step.Approval = .none,
        approvalTimeout: Int? = nil,
        timeout: Int = Step.defaultTimeoutSeconds,
        retry: StepRetry = StepRetry()
    ) -> Step {
        Step(
            id: StepID(rawValue: id),
            uses: uses,
            with: with.mapValues { text in
                (try? TemplateValue(.string(text), allowedNames: Playbook.stepContextNames)) ?? .literal(.string(text))
            },
            condition: condition.flatMap {
                try? Template(parsingCondition: $0, allowedNames: Playbook.stepContextNames)
            },
            approval: approval,
            approvalTimeoutSeconds: approvalTimeout,
            timeoutSeconds: timeout,
            retry: retry
        )
    }

    /// A playbook on `incident.detected` events.
    static func playbook(
        _ name: String = "remediate",
        concurrencyLimit: Int? = nil,
        cooldownSeconds: Int? = nil,
        runAs: String? = nil,
        steps: [Step]
    ) -> Playbook {
        Playbook(
            name: PlaybookName(rawValue: name),
            file: "Playbooks/\(name).yaml",
            triggers: [Trigger(source: .incident, types: ["incident.detected"])],
            runAs: runAs,
            concurrency: concurrencyLimit.flatMap { limit in
                (try? Template(parsing: "${{ event.subject }}", allowedNames: Playbook.playbookContextNames))
                    .map { PlaybookConcurrency(key: $0, limit: limit) }
            },
            cooldownSeconds: cooldownSeconds,
            steps: steps
        )
    }

    /// A playbook that no incident matches (it listens to GitHub pushes).
    static let github = Playbook(
        name: PlaybookName(rawValue: "on-push"),
        file: "Playbooks/on-push.yaml",
        triggers: [Trigger(source: .github, types: ["push"])],
        steps: [step("comment", uses: "github.comment")]
    )

    /// Retries quickly: no backoff, so a retry is due at once.
    static func retry(_ attempts: Int) -> StepRetry {
        StepRetry(attempts: attempts, backoffSeconds: 0, maxBackoffSeconds: 0)
    }
}
