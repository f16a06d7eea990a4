import ArgumentParser
import CopilotApp
import Foundation

/// `copilot-agent store copy`: moves a single node's store to PostgreSQL.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move the store between backends.",
        subcommands: [Copy.self]
    )

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a stopped node's SQLite store into an empty PostgreSQL store, then verify it.",
            discussion: """
                Copies events, runs (with their steps, plans and transcripts), API keys and the audit log. \
                Refuses a SQLite store a running service holds and a PostgreSQL store that holds anything.
                """
        )

        @Option(name: .long, help: "The source, sqlite://PATH (the service on it stopped).")
        var from: String

        @Option(name: .long, help: "The target, postgres://user@host:port/db?sslmode=…")
        var to: String

        @Option(name: .long, help: "The target's password as env:NAME or file:/path, if not in the URL.")
        var toPassword: String?

        func run() async throws {
            let status = await StoreTools.copy(
                from: from,
                to: to,
                password: toPassword,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }
}
