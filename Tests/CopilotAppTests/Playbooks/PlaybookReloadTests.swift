import CopilotApp
import CopilotCore
import CopilotPlaybooks
import CopilotServer
import CopilotTesting
import Foundation
import Logging
import Testing

@Suite(.timeLimit(.minutes(1)))
struct PlaybookReloadTests {
    static let valid = """
        name: smoke
        on:
          alertmanager:
            types: [alert.firing]
        steps:
          - id: smoke
            uses: testbench.run
            with: { test_suite: smoke }
        """

    /// A fresh directory holding the given files; removed by the caller.
    static func directory(_ files: [String: String]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("playbooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
        return url.path
    }

    static func reloader(_ directory: String, audit: MemoryRunStore? = nil) -> PlaybookReloader {
        PlaybookReloader(directory: directory, loader: PlaybookLoader(), audit: audit, logger: Logger(label: "test"))
    }

    @Test("a good directory is installed; a bad file keeps the old set and reports every problem")
    func keepsOldSetOnBadFile() async throws {
        let directory = try Self.directory(["smoke.yaml": Self.valid])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let audit = MemoryRunStore()
        let reloader = Self.reloader(directory, audit: audit)
        #expect(await reloader.reload(reason: "test") == .reloaded(count: 1))
        let loadedAt = reloader.registry.current.loadedAt

        try Data("name: broken\nstpes: []\n".utf8).write(to: URL(fileURLWithPath: directory + "/broken.yaml"))
        guard case .refused(let problems) = await reloader.reload(reason: "test") else {
            Issue.record("a bad file was accepted")
            return
        }
        #expect(
            problems.map(\.description).contains(
                "\(directory)/broken.yaml:2:1: error: unknown key 'stpes'; did you mean 'steps'?"
            )
        )
        let snapshot = reloader.registry.current
        #expect(snapshot.set.playbooks.map(\.name.rawValue) == ["smoke"])
        #expect(snapshot.loadedAt == loadedAt)
        #expect(snapshot.problems == problems)

        try FileManager.default.removeItem(atPath: directory + "/broken.yaml")
        #expect(await reloader.reload(reason: "api", by: "alice (key_1)") == .reloaded(count: 1))
        #expect(reloader.registry.current.problems.isEmpty)
        let audited = try await audit.auditRecords(after: 0, limit: 10)
        #expect(audited.map(\.action) == [.playbooksReloaded, .playbooksReloadRefused, .playbooksReloaded])
        #expect(audited.map(\.actor) == ["copilot-agent", "copilot-agent", "alice (key_1)"])
        #expect(audited[1].detail == ["reason": "test", "problems": String(problems.count)])
    }

    @Test("an unreadable directory is refused like a bad file")
    func unreadableDirectory() async {
        let reloader = Self.reloader("/nonexistent/playbooks-\(UUID().uuidString)")
        guard case .refused(let problems) = await reloader.reload(reason: "test") else {
            Issue.record("a missing directory was accepted")
            return
        }
        #expect(problems.first?.message == "cannot read the playbook directory")
    }

    @Test("the committed Config/playbook.schema.json is what `playbook schema` prints for the shipped config")
    func committedSchemaIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try ConfigurationLoader.load(
            path: root.appendingPathComponent("Config/copilot.yaml").path,
            environment: [:]
        )
        let committed = try String(
            contentsOf: root.appendingPathComponent("Config/playbook.schema.json"),
            encoding: .utf8
        )
        #expect(committed == PlaybookTools.schemaText(loader: configuration.playbookLoader) + "\n")
    }
}
