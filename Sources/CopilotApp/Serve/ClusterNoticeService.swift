import CopilotEngine
import CopilotStorePostgres
import Logging
import ServiceLifecycle

/// On a PostgreSQL store, what other nodes announce reaches this one: new deliveries and claimable runs
/// wake the worker now instead of at its next poll, and a playbook reload asked of another node
/// through the API reloads this node's directory too.
struct ClusterNoticeService: Service {
    let store: PostgresStore
    let worker: WorkerService
    let reloader: PlaybookReloader
    let nodeID: String

    func run() async throws {
        // The reloads requested, read one at a time: a burst of notices is one reload in flight and at
        // most one more owed.
        let (reloads, requestReload) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in reloads { _ = await reloader.reload(reason: "cluster") }
            }
            group.addTask {
                await store.listen { [worker, nodeID] notice in
                    switch notice {
                    case .events: worker.wake()
                    case .runs: worker.wakeRuns()
                    case .playbooks(let origin) where origin != nodeID: requestReload.yield()
                    case .playbooks: break
                    }
                }
                requestReload.finish()
            }
            // Until shutdown: then the listening connection is given back before the store closes.
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
