import CopilotTesting
import Foundation

/// Synthetic but realistic playbook files for the matching and loading benchmarks (issue 3).
///
/// Deterministic (a fixed-seed generator): the same `count` always gives the same files. Playbook `i` of
/// `count` listens to the benchmark event's source and type (GitHub `pull_request.opened`) when
/// `i % 100 == 0` — 1% of the set, at least one — and every other of those candidates (the even ones,
/// counted among candidates) also satisfies its `match:` conditions and its `if:`. The odd candidates
/// fail at a rotating stage: an equals, an `in`, a glob, a regex, or the `if:`. Everything else listens
/// to other sources, or to GitHub types that do not cover `pull_request.opened`.
struct PlaybookGenerator {
    let count: Int

    /// Candidates (source and type fit) in a set of `count`.
    var candidateCount: Int { (count + 99) / 100 }
    /// Candidates that also pass every condition.
    var expectedMatches: Int { (candidateCount + 1) / 2 }

    /// `(file name, YAML text)` for each playbook.
    func files() -> [(name: String, text: String)] {
        var random = SeededGenerator(seed: 0x5EED_0000 &+ UInt64(count))
        var candidateIndex = 0
        return (0..<count).map { index in
            let name = String(format: "pb-%05d", index)
            let text: String
            if index % 100 == 0 {
                text = candidate(name: name, matching: candidateIndex % 2 == 0, variant: candidateIndex / 2, &random)
                candidateIndex += 1
            } else {
                text = other(name: name, &random)
            }
            return (name + ".yaml", text)
        }
    }

    // MARK: - Candidates: github pull_request.opened

    private func candidate(name: String, matching: Bool, variant: Int, _ random: inout SeededGenerator) -> String {
        // The payload (corpus github/pull_request.opened): repository Codertocat/Hello-World, base
        // `master`, head `changes`, title "Update the README with new information.", draft false,
        // additions 1, label `bug`, sender Codertocat.
        let failAt = matching ? -1 : variant % 5
        let types = random.pick([
            "[pull_request.opened, pull_request.reopened]", "pull_request", "[pull_request.opened]",
        ])
        let repository = failAt == 0 ? "octo-org/service-\(random.next() % 1000)" : "Codertocat/Hello-World"
        let bases = failAt == 1 ? "[release, \"release/v\(random.next() % 9)\"]" : "[main, master]"
        let headGlob = failAt == 2 ? "hotfix/*" : random.pick(["chang*", "*ange?", "[a-c]hanges"])
        let titleRegex =
            failAt == 3 ? "^\\\\[security\\\\]" : random.pick(["(?i)readme", "^Update ", "new (info|data)"])
        let condition =
            failAt == 4
            ? "${{ event.payload.pull_request.additions > 500 && !event.payload.pull_request.draft }}"
            : "${{ !event.payload.pull_request.draft && event.payload.sender.login != 'dependabot[bot]' }}"
        return """
            # Generated for the matching benchmark: candidate, \(matching ? "matching" : "failing at stage \(failAt)").
            name: \(name)
            description: Run checks on pull requests of \(repository) (synthetic).
            on:
              github:
                types: \(types)
                match:
                  repository.full_name: \(repository)
                  pull_request.base.ref: { in: \(bases) }
                  pull_request.head.ref: { glob: "\(headGlob)" }
                  pull_request.title: { regex: "\(titleRegex)" }
            if: \(condition)
            concurrency: { key: "${{ event.subject }}#${{ event.payload.pull_request.number }}", limit: 1 }
            \(steps(&random))
            """
    }

    // MARK: - Everything else

    private func other(name: String, _ random: inout SeededGenerator) -> String {
        let body: String
        switch random.next() % 4 {
        case 0: body = otherGitHub(&random)
        case 1: body = incident(&random)
        case 2: body = alertmanager(&random)
        default: body = pagerDuty(&random)
        }
        return """
            # Generated for the matching benchmark: not a candidate for github pull_request.opened.
            name: \(name)
            description: Synthetic remediation \(random.next() % 100_000).
            \(body)
            \(random.next() % 3 == 0 ? "cooldown_seconds: \(60 * (1 + random.next() % 10))\n" : "")\
            \(steps(&random))
            """
    }

    private func otherGitHub(_ random: inout SeededGenerator) -> String {
        let type = random.pick([
            "push", "workflow_run.completed", "check_run.completed", "check_suite.completed", "issues.opened",
            "pull_request.closed", "pull_request.synchronize", "pull_request.labeled", "release.created",
            "deployment_status", "issue_comment.created", "pull_request_review.submitted",
        ])
        let repo = "octo-org/service-\(random.next() % 500)"
        return """
            on:
              github:
                types: [\(type)]
                match:
                  repository.full_name: { in: [\(repo), "octo-org/platform"] }
                  sender.login: { not: { glob: "*[bot]" } }
                  ref: { regex: "^refs/heads/(main|release/.+)$" }
            if: ${{ event.subject != 'octo-org/archive' && contains(event.type, '\(type.prefix(4))') }}
            """
    }

    private func incident(_ random: inout SeededGenerator) -> String {
        let service = "svc-\(random.next() % 300)"
        return """
            on:
              incident:
                types: [\(random.pick(["incident.detected", "incident.updated", "incident.detected, incident.updated"]))]
                match:
                  incident.severity: { in: [P0, P1] }
                  incident.affected_resources: { glob: "\(service)-*" }
                  incident.labels.environment: production
                  incident.title: { regex: "(?i)(latency|error rate|5\\\\d\\\\d)" }
            if: ${{ event.payload.incident.incident_type != 'Security' }}
            run_as: \(random.pick(["remediator", "default"]))
            concurrency: { key: "${{ event.subject }}", limit: 1 }
            """
    }

    private func alertmanager(_ random: inout SeededGenerator) -> String {
        let alert = random.pick(["HighErrorRate", "HighLatency", "DiskFull", "PodCrashLooping", "CertExpiring"])
        return """
            on:
              alertmanager:
                types: [alert.firing]
                match:
                  commonLabels.alertname: \(alert)
                  alerts.labels.severity: { in: [critical, page] }
                  commonLabels.namespace: { glob: "prod-*" }
            if: ${{ event.payload.status == 'firing' && event.payload.commonLabels.severity != 'info' }}
            """
    }

    private func pagerDuty(_ random: inout SeededGenerator) -> String {
        """
        on:
          pagerduty:
            types: [\(random.pick(["incident.triggered", "incident.acknowledged", "incident.triggered, incident.escalated"]))]
            match:
              event.data.priority.summary: { in: [P1, P2] }
              event.data.service.summary: { regex: "^(payments|checkout)-\(random.next() % 50)$" }
              event.data.urgency: high
        if: ${{ startsWith(event.payload.event.data.title, '[prod]') }}
        """
    }

    // MARK: - Steps

    /// Two to four steps with templated `with:`, drawn from the built-in actions.
    private func steps(_ random: inout SeededGenerator) -> String {
        let count = 2 + Int(random.next() % 3)
        var lines = ["steps:"]
        var earlier: [String] = []
        for index in 0..<count {
            let id = "s\(index + 1)"
            let previous = earlier.last
            switch (index, random.next() % 5) {
            case (0, _), (_, 0):
                lines.append(
                    """
                      - id: \(id)
                        uses: testbench.run
                        with:
                          test_suite: \(random.pick(["unit", "smoke", "integration", "payments-smoke"]))
                          filters: [fast, "${{ event.type }}"]
                          target: { repository: "${{ event.subject }}", ref: "${{ event.payload.after || 'main' }}" }
                        timeout_seconds: \(300 + 60 * Int(random.next() % 10))
                    """
                )
            case (_, 1):
                lines.append(
                    """
                      - id: \(id)
                        if: ${{ always() }}
                        uses: github.status
                        with:
                          state: "${{ steps.\(previous!).outcome == 'success' && 'success' || 'failure' }}"
                          context: copilot/\(id)
                          description: "${{ steps.\(previous!).outputs.passed }}/${{ steps.\(previous!).outputs.total }} passed"
                    """
                )
            case (_, 2):
                lines.append(
                    """
                      - id: \(id)
                        uses: incident.update
                        with: { state: Investigating, notes: "Step \(id) for ${{ event.subject }} (${{ run.id }})" }
                        retry: { attempts: 3, backoff_seconds: 2 }
                    """
                )
            case (_, 3):
                lines.append(
                    """
                      - id: \(id)
                        if: ${{ success() }}
                        uses: orchestrator.execute
                        with:
                          workflow_id: triage-\(random.next() % 20)
                          inputs: { subject: "${{ event.subject }}", event: "${{ event.id }}", step: "${{ steps.\(previous!).outcome }}" }
                    """
                )
            default:
                lines.append(
                    """
                      - id: \(id)
                        if: ${{ failure() }}
                        uses: github.comment
                        with:
                          body: "Remediation of ${{ event.subject }} failed at ${{ run.failed_step }} (${{ event.type }})."
                    """
                )
            }
            earlier.append(id)
        }
        return lines.joined(separator: "\n")
    }
}

extension SeededGenerator {
    /// One of `choices`, uniformly.
    mutating func pick<T>(_ choices: [T]) -> T { choices[Int(next() % UInt64(choices.count))] }
}
