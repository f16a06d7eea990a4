import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import CopilotTesting
import Foundation
import Testing

/// The worker matches an event on only what its candidates read of the payload
/// (`PlaybookSet.payloadProjection`): matching must decide exactly as on the whole payload.
@Suite struct PayloadProjectionTests {
    /// Playbooks that read payloads in every way an expression can: in other letter cases, through
    /// wildcards, list indexes and computed indexes, and whole.
    static let crafted = [
        """
        name: cased-reads
        on:
          github:
            types: [pull_request.opened, pull_request.synchronize, pull_request.labeled, pull_request.closed]
        if: ${{ event.Payload.Pull_Request.Head.Ref != 'x' && !contains(event.payload.pull_request.labels.*.name, 'wip') }}
        concurrency: { key: "${{ event.PAYLOAD.pull_request.NUMBER }}@${{ event.payload.repository['full_name'] }}", limit: 1 }
        steps: [{ id: a, uses: testbench.run, with: { test_suite: unit } }]
        """,
        """
        name: indexed-alerts
        on:
          alertmanager:
            types: [alert.firing, alert.resolved]
            match:
              alerts.0.labels.alertname: { exists: true }
        if: ${{ event.payload.alerts[0].labels.severity != 'info' && event.payload.commonLabels.service != '' }}
        steps: [{ id: a, uses: testbench.run, with: { test_suite: unit } }]
        """,
        """
        name: whole-commits
        on:
          github:
            types: [push]
        if: ${{ contains(toJSON(event.payload.commits), 'Update') || event.payload.ref == 'refs/heads/main' }}
        steps: [{ id: a, uses: testbench.run, with: { test_suite: unit } }]
        """,
        """
        name: computed-index
        on:
          incident:
            types: [incident.detected, incident.resolved]
          pagerduty:
            types: ["incident.*"]
        if: ${{ event.payload[event.payload.event_type == 'incident.detected' && 'incident' || 'event'].severity != 'P9' }}
        steps: [{ id: a, uses: testbench.run, with: { test_suite: unit } }]
        """,
    ]

    static func craftedSet() throws -> PlaybookSet {
        let sources = Self.crafted.enumerated().map {
            PlaybookSource(path: "crafted-\($0.offset).yaml", bytes: Array($0.element.utf8))
        }
        switch ExamplePlaybookTests.loader.loadSet(sources) {
        case .success(let set): return set
        case .failure(let failure): throw LoadFailure(failure.diagnostics.map(\.description).joined(separator: "\n"))
        }
    }

    struct LoadFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Every corpus payload, with its source and, for GitHub, the event name its file is named after.
    static func payloads() throws -> [(path: String, source: EventSource, type: String?)] {
        let folders: [(String, EventSource)] = [
            ("github", .github), ("incident", .incident), ("alertmanager", .alertmanager), ("pagerduty", .pagerduty),
        ]
        return try folders.flatMap { folder, source in
            try Corpus.files(in: folder).map { url in
                let name = url.lastPathComponent
                let type = source == .github ? String(name.prefix { $0 != "." }) : nil
                return (path: "\(folder)/\(name)", source: source, type: type)
            }
        }
    }

    @Test("on every corpus payload, the shipped examples and crafted playbooks decide as on the whole payload")
    func sameDecisions() throws {
        var matched = 0
        var projectedSmaller = 0
        for set in [try ExamplePlaybookTests.set(), try Self.craftedSet()] {
            for (path, source, type) in try Self.payloads() {
                let bytes = try Corpus.bytes(path)
                let whole = CorpusEvent.make(try JSONValue(parsing: bytes), source: source, type: type)
                let projection = set.payloadProjection(source: source, type: whole.type)
                var projected = whole
                projected.payload = try JSONValue(parsing: bytes, keeping: projection)
                if projected.payload.jsonText.utf8.count < whole.payload.jsonText.utf8.count { projectedSmaller += 1 }
                let expected = set.match(whole)
                let result = set.match(projected)
                #expect(result.matched.map(\.name) == expected.matched.map(\.name), "\(path)")
                #expect(result.notMatched == expected.notMatched, "\(path)")
                for playbook in expected.matched {
                    #expect(
                        try playbook.concurrencyKey(for: projected) == playbook.concurrencyKey(for: whole),
                        "\(path) \(playbook.name)"
                    )
                }
                matched += expected.matched.count
            }
        }
        // Not vacuous: payloads matched, and most were read in part.
        #expect(matched >= 10)
        #expect(projectedSmaller >= 20)
    }

    @Test("the shipped pr-checks reads a few fields of a 28 KB pull request; a whole read keeps everything")
    func sizes() throws {
        let set = try ExamplePlaybookTests.set()
        let bytes = try Corpus.bytes("github/pull_request.opened.payload.json")
        let projection = set.payloadProjection(source: .github, type: "pull_request.opened")
        #expect(!projection.keepsEverything)
        #expect(try JSONValue(parsing: bytes, keeping: projection) == ["pull_request": ["draft": false, "number": 2]])
        #expect(try Self.craftedSet().payloadProjection(source: .incident, type: "incident.detected").keepsEverything)
    }
}
