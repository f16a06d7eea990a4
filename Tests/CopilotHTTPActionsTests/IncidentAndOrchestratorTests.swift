import CopilotCore
import CopilotExpressions
import CopilotHTTPActions
import CopilotTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct IncidentAndOrchestratorTests {
    @Test("incident.update PUTs the given fields to the event's incident")
    func update() async throws {
        let manager = IncidentManagerStandIn(incidentIDs: ["inc-1"], token: Fixtures.token)
        try await withStandIn(manager) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration { $0.incidentManager = Fixtures.integration(baseURL) }
            )
            let outcome = await executor.execute(
                Fixtures.request(
                    "incident.update",
                    with: ["state": "Investigating", "notes": "rolling back", "severity": nil],
                    event: Fixtures.incident
                )
            )
            #expect(outcome == .succeeded(outputs: ["incident_id": "inc-1", "state": "Investigating"]))
            let request = try #require(await manager.journal.requests.first)
            #expect(request.method == "PUT")
            #expect(request.path == "/v1/incidents/inc-1")
            Fixtures.expectCommonHeaders(request)
            #expect(request.json == ["state": "Investigating", "notes": "rolling back"])
        }
    }

    @Test("incident.resolve POSTs the resolution; a repeat with the same key executes once")
    func resolve() async throws {
        let manager = IncidentManagerStandIn(incidentIDs: ["inc-9"])
        try await withStandIn(manager) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.incidentManager = .init(baseURL: baseURL) })
            let request = Fixtures.request(
                "incident.resolve",
                with: ["notes": "Rolled back", "root_cause": "bad deploy", "incident_id": "inc-9"],
                event: Fixtures.incident
            )
            let first = await executor.execute(request)
            let resumed = await executor.execute(request)
            #expect(first == .succeeded(outputs: ["incident_id": "inc-9", "state": "Resolved"]))
            #expect(resumed == first)
            let requests = await manager.journal.requests
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.path == "/v1/incidents/inc-9/resolve" && $0.method == "POST" })
            #expect(
                requests.first?.json
                    == [
                        "resolved_by": "copilot-agent", "method": "Automated", "notes": "Rolled back",
                        "root_cause": "bad deploy",
                    ]
            )
            #expect(await manager.journal.logicalExecutions("run-1:verify") == 1)
        }
    }

    @Test("an unknown incident is a permanent 404")
    func unknownIncident() async throws {
        let manager = IncidentManagerStandIn()
        try await withStandIn(manager) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.incidentManager = .init(baseURL: baseURL) })
            let outcome = await executor.execute(Fixtures.request("incident.update", event: Fixtures.incident))
            #expect(outcome == .failed(retryable: false, reason: "http 404 from incident_manager"))
        }
    }

    @Test("orchestrator.execute: 202, then polls the status until completed")
    func orchestrator() async throws {
        let orchestrator = OrchestratorStandIn(pollsBeforeDone: 2, outputs: ["version": "v41"], token: Fixtures.token)
        try await withStandIn(orchestrator) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.orchestrator = Fixtures.integration(baseURL) })
            let outcome = await executor.execute(
                Fixtures.request(
                    "orchestrator.execute",
                    with: ["workflow_id": "rollback", "inputs": ["service": "payments"]]
                )
            )
            #expect(
                outcome
                    == .succeeded(outputs: [
                        "execution_id": "wf-exec-1", "status": "completed", "outputs": ["version": "v41"],
                    ])
            )
            let requests = await orchestrator.journal.requests
            #expect(
                requests.map { "\($0.method) \($0.path)?\($0.query ?? "")" } == [
                    "POST /api/v1/workflows/rollback/execute?",
                    "GET /api/v1/workflows/rollback/status?executionId=wf-exec-1",
                    "GET /api/v1/workflows/rollback/status?executionId=wf-exec-1",
                    "GET /api/v1/workflows/rollback/status?executionId=wf-exec-1",
                ]
            )
            #expect(requests.first?.json == ["inputs": ["service": "payments"], "async": true])
            for request in requests { Fixtures.expectCommonHeaders(request) }
        }
    }

    @Test("a workflow that ends failed fails the step with its execution id")
    func orchestratorFailed() async throws {
        let orchestrator = OrchestratorStandIn(pollsBeforeDone: 0, finalStatus: "failed")
        try await withStandIn(orchestrator) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.orchestrator = .init(baseURL: baseURL) })
            let outcome = await executor.execute(Fixtures.request("orchestrator.execute", with: ["workflow_id": "w"]))
            #expect(outcome.failure?.reason == "workflow failed")
            #expect(outcome.failure?.retryable == false)
            #expect(outcome.outputs["execution_id"] == "wf-exec-1")
        }
    }
}
