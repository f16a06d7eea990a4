import CopilotServer
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import CopilotApp

/// `/readyz` must turn 503 before the HTTP server drains, so a load balancer stops sending first.
@Suite(.timeLimit(.minutes(1)))
struct ReadinessGateTests {
    /// Stands where the HTTP server stands in `buildServiceGroup`: before the gate, so it is told to
    /// shut down after it (a `ServiceGroup` shuts its services down in reverse order).
    final class Server: Service {
        let readiness: Readiness
        /// `readiness.isReady` when graceful shutdown reached this service.
        let readyWhenToldToStop = Mutex<Bool?>(nil)

        init(readiness: Readiness) { self.readiness = readiness }

        func run() async throws {
            try? await gracefulShutdown()
            readyWhenToldToStop.withLock { $0 = readiness.isReady }
        }
    }

    @Test("readiness is off by the time the server is told to stop")
    func gateFirst() async throws {
        let readiness = Readiness()
        readiness.storeOpened()
        readiness.playbooksLoaded()
        let server = Server(readiness: readiness)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server), .init(service: ReadinessGate(readiness: readiness))],
                logger: Logger(label: "readiness-gate-test")
            )
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(readiness.isReady)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(server.readyWhenToldToStop.withLock { $0 } == false)
    }
}
