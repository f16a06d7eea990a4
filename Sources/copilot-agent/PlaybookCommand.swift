import ArgumentParser
import CopilotApp
import Foundation

/// `copilot-agent playbook validate|test|schema`.
struct PlaybookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook",
        abstract: "Author playbooks: validate them, dry-run them against an event, print their JSON Schema.",
        subcommands: [Validate.self, Test.self, Schema.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check playbook files; print each problem as path:line:col: error: message.",
            discussion: """
                Exit 0 when all are valid, 1 when any has a problem, 2 when a path cannot be read. With a \
                configuration (--config, else Config/copilot.yaml when it exists) presets and service \
                accounts are checked against it.
                """
        )

        @Argument(help: "Files or directories (default: playbooks.dir of the configuration).")
        var paths: [String] = []

        @Option(name: .long, help: "The configuration file.")
        var config: String?

        func run() throws {
            let status = PlaybookTools.validate(
                paths: paths,
                configurationPath: config,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dry run: which playbooks an event matches, why the others do not, and the plan each would run.",
            discussion: """
                Nothing is executed and nothing is written. Exit 0 when some playbook matches, 1 when none \
                does, 2 when the event or the playbooks cannot be read or are invalid.
                """
        )

        @Option(name: .long, help: "The raw body a sender would post.")
        var event: String

        @Option(name: .long, help: "github, incident, alertmanager or pagerduty.")
        var source: String

        @Option(name: .long, help: "The event type where the body does not name it (GitHub: pull_request).")
        var type: String?

        @Option(name: .long, help: "The playbook directory (default: playbooks.dir of the configuration).")
        var playbooks: String?

        @Option(name: .long, help: "The configuration file.")
        var config: String?

        @Flag(name: .long, help: "Print one JSON object.")
        var json = false

        @Flag(
            name: .long,
            help: "Also ask the configured model (agent.provider) to plan each matched playbook with agent:."
        )
        var planner = false

        func validate() throws {
            guard SourceName.allNames.contains(source) else {
                throw ValidationError("--source must be one of \(SourceName.allNames.joined(separator: ", "))")
            }
        }

        func run() async throws {
            let status = await PlaybookTools.test(
                eventFile: event,
                sourceName: source,
                type: type,
                playbooksDirectory: playbooks,
                configurationPath: config,
                json: json,
                planner: planner,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the JSON Schema (draft 2020-12) of a playbook file, for editors."
        )

        @Option(name: .long, help: "The configuration file (its presets become known actions).")
        var config: String?

        func run() throws {
            let status = PlaybookTools.schema(
                configurationPath: config,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }
}
