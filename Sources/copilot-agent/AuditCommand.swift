import ArgumentParser
import CopilotApp
import Foundation

/// `copilot-agent audit verify`: checks the audit log's hash chain.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The tamper-evident audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain; exit 1 naming the first changed, removed or reordered record."
        )

        @Option(name: .long, help: "The configuration file (its storage.url holds the log).")
        var config: String = "Config/copilot.yaml"

        func run() async throws {
            let status = await AuditTools.verify(
                configurationPath: config,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }
}
