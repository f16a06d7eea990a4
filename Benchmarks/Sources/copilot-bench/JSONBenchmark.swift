import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import CopilotTesting
import CopilotWebhooks
import Foundation

/// Reading a delivery's JSON body: the whole tree (what the worker built to match an event until
/// session 11, and what a run's execution builds) and what ingress reads (`WebhookReceiver.receive`:
/// verify, then validate the body and keep only the fields that normalization needs), per payload of
/// the corpus, and what a planned run writes of the tree. Then the worker's matching of a stored pull
/// request against the shipped `pr-checks` playbook, reading the whole tree or only what the playbook
/// reads (`PlaybookSet.payloadProjection`).
///
///     swift run -c release copilot-bench json [--seconds 1]
struct JSONBenchmark {
    let options: Options

    func run() throws {
        let seconds = options.double("seconds", 1)
        let secret = "json-benchmark-secret"
        let receiver = WebhookReceiver(
            configuration: .init(source: .github, verification: .hmacSHA256(secrets: [Array(secret.utf8)]))
        )
        print(
            "| payload | bytes | tree p50 µs | ingress receive p50 µs | tree → JSON text p50 µs | planner's event text p50 µs |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name in ["github/pull_request.opened.payload.json", "github/push.payload.json"] {
            let body = try Corpus.bytes(name)
            let headers = WebhookSigner.github(secret: secret, body: body, event: "pull_request", delivery: "d-1")
            let request = WebhookRequest(headers: headers, body: body)
            let tree = measure(seconds: seconds) { blackHole(try? JSONValue(parsing: body)) }
            let ingress = measure(seconds: seconds) {
                blackHole(try? receiver.receive(request, receivedAt: Date(), newEventID: EventID(rawValue: "e")))
            }
            // What a planned run writes of it: the whole tree as JSON, and the prompt's text within its budget.
            let value = try JSONValue(parsing: body)
            let text = measure(seconds: seconds) { blackHole(value.jsonBytes) }
            let prompt = measure(seconds: seconds) {
                blackHole(PlannerPrompt.payloadText(value, secrets: [], budget: PlannerPrompt.defaultPayloadBudget))
            }
            print(
                "| \(name) | \(body.count) | \(microseconds(tree.percentile(50))) | \(microseconds(ingress.percentile(50))) "
                    + "| \(microseconds(text.percentile(50))) | \(microseconds(prompt.percentile(50))) |"
            )
        }
        try matching(seconds: seconds)
    }

    /// `pr-checks` of `Playbooks/` as far as matching reads it: its trigger (a `match:` on the draft flag) and
    /// its concurrency key per pull request; its steps are cut to one.
    static let prChecks = """
        name: pr-checks
        on:
          github:
            types: [pull_request.opened, pull_request.synchronize]
            match:
              pull_request.draft: { not: true }
        concurrency: { key: "${{ event.subject }}#${{ event.payload.pull_request.number }}", limit: 1 }
        steps: [{ id: tests, uses: testbench.run, with: { test_suite: unit } }]
        """

    /// One stored delivery matched as the worker does: read, match, and the new run's concurrency key.
    private func matching(seconds: Double) throws {
        let loaded = PlaybookLoader().loadSet([PlaybookSource(path: "pr-checks.yaml", bytes: Array(Self.prChecks.utf8))]
        )
        guard case .success(let set) = loaded else { throw BenchError("pr-checks does not load") }
        let delivery = Delivery(
            eventID: EventID(rawValue: "evt-1"),
            source: .github,
            deliveryID: DeliveryID(rawValue: "d-1"),
            type: "pull_request.opened",
            subject: "Codertocat/Hello-World",
            receivedAt: Date(),
            headers: ["content-type": "application/json"],
            body: try Corpus.bytes("github/pull_request.opened.payload.json")
        )
        // The projection is made in the loop, as the worker makes one per source and type in each batch.
        func match(_ projection: () -> JSONProjection) -> Samples {
            measure(seconds: seconds) {
                guard let event = try? delivery.event(keeping: projection()) else { return }
                for playbook in set.match(event).matched {
                    blackHole(try? playbook.newRun(id: RunID(rawValue: "r"), for: event, at: Date()))
                }
            }
        }
        let whole = match { .everything }
        let projected = match { set.payloadProjection(source: .github, type: "pull_request.opened") }
        print("")
        print("| worker matching one stored pull_request.opened against pr-checks | p50 µs |")
        print("|---|---:|")
        print("| reading the whole tree | \(microseconds(whole.percentile(50))) |")
        print("| reading what the playbook reads | \(microseconds(projected.percentile(50))) |")
    }

    private func measure(seconds: Double, _ body: () -> Void) -> Samples {
        for _ in 0..<200 { body() }
        var samples = Samples()
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int64(seconds * 1000))
        while clock.now < end || samples.nanoseconds.count < 1000 {
            let start = clock.now
            body()
            samples.nanoseconds.append((clock.now - start).nanoseconds)
        }
        return samples
    }
}
