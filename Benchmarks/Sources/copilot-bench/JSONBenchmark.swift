import CopilotCore
import CopilotExpressions
import CopilotTesting
import CopilotWebhooks
import Foundation

/// Reading a delivery's JSON body: the whole tree (what the worker builds to match an event) and what
/// ingress reads (`WebhookReceiver.receive`: verify, then validate the body and keep only the fields that
/// normalization needs), per payload of the corpus.
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
        print("| payload | bytes | tree p50 µs | ingress receive p50 µs |")
        print("|---|---:|---:|---:|")
        for name in ["github/pull_request.opened.payload.json", "github/push.payload.json"] {
            let body = try Corpus.bytes(name)
            let headers = WebhookSigner.github(secret: secret, body: body, event: "pull_request", delivery: "d-1")
            let request = WebhookRequest(headers: headers, body: body)
            let tree = measure(seconds: seconds) { blackHole(try? JSONValue(parsing: body)) }
            let ingress = measure(seconds: seconds) {
                blackHole(try? receiver.receive(request, receivedAt: Date(), newEventID: EventID(rawValue: "e")))
            }
            print(
                "| \(name) | \(body.count) | \(microseconds(tree.percentile(50))) | \(microseconds(ingress.percentile(50))) |"
            )
        }
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
