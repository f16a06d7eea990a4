import CopilotApp
import CopilotCore
import CopilotTesting
import Foundation
import Testing

/// The authoring tools' exit codes (CONTRACT §3): their output is checked in CopilotPlaybooksTests.
@Suite
struct PlaybookToolsTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var config: String { examples.appendingPathComponent("Config/copilot.yaml").path }
    static var playbooks: String { examples.appendingPathComponent("Playbooks").path }

    @Test("validate: 0 for the shipped examples, 1 for a bad file, 2 for an unreadable path")
    func validateExitCodes() throws {
        #expect(PlaybookTools.validate(paths: [Self.playbooks], configurationPath: Self.config, environment: [:]) == 0)
        let directory = try PlaybookReloadTests.directory(["bad.yaml": "name: Bad Name\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(PlaybookTools.validate(paths: [directory], configurationPath: Self.config, environment: [:]) == 1)
        #expect(
            PlaybookTools.validate(paths: ["/nonexistent/\(UUID())"], configurationPath: Self.config, environment: [:])
                == 2
        )
    }

    @Test("validate without the config does not know the site's presets")
    func presetsComeFromTheConfig() throws {
        let emptyConfig = try PlaybookReloadTests.directory(["copilot.yaml": "log: { level: info }\n"])
        defer { try? FileManager.default.removeItem(atPath: emptyConfig) }
        #expect(
            PlaybookTools.validate(
                paths: [Self.playbooks],
                configurationPath: emptyConfig + "/copilot.yaml",
                environment: [:]
            ) == 1
        )
    }

    @Test("test: 0 when a playbook matches, 1 when none does, 2 for an unusable event")
    func testExitCodes() async throws {
        let corpus = Corpus.directory
        func run(_ file: String, _ source: String, _ type: String? = nil) async -> Int32 {
            await PlaybookTools.test(
                eventFile: corpus.appendingPathComponent(file).path,
                sourceName: source,
                type: type,
                playbooksDirectory: Self.playbooks,
                configurationPath: Self.config,
                json: true,
                environment: [:]
            )
        }
        #expect(await run("incident/incident.detected.payments.json", "incident") == 0)
        #expect(await run("github/pull_request.opened.payload.json", "github", "pull_request") == 0)
        #expect(await run("github/push.payload.json", "github", "push") == 1)
        #expect(await run("github/push.payload.json", "github") == 2, "GitHub needs --type")
        #expect(await run("incident/incident.detected.payments.json", "jira") == 2)
        #expect(await run("expressions/LICENSE", "incident") == 2)
    }
}
