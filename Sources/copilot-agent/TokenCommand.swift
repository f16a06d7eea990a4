import ArgumentParser
import CopilotApp
import Foundation

/// `copilot-agent token create|list|revoke`: operator API keys.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Operator API keys: create one (printed once, alone on stdout), list them, revoke one.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Options: ParsableArguments {
        @Option(name: .long, help: "The configuration file (its storage.url holds the keys).")
        var config: String = "Config/copilot.yaml"
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key with a role; print the key alone on standard output."
        )

        @Option(name: .long, help: "viewer, author, operator, auditor, admin, or a role of rbac.roles.")
        var role: String

        @Option(name: .long, help: "A name to recognise it by (default: its id).")
        var name: String?

        @Option(name: .long, help: "How long it is valid: 90m, 12h, 30d (default: until revoked).")
        var ttl: String?

        @OptionGroup var options: Options

        func run() async throws {
            let status = await TokenTools.create(
                role: role,
                name: name,
                ttl: ttl,
                configurationPath: options.config,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys: id, name, role, state.")

        @OptionGroup var options: Options

        func run() async throws {
            let status = await TokenTools.list(
                configurationPath: options.config,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id.")

        @Argument(help: "The key's id (key_…), as token list shows it.")
        var id: String

        @OptionGroup var options: Options

        func run() async throws {
            let status = await TokenTools.revoke(
                id: id,
                configurationPath: options.config,
                environment: ProcessInfo.processInfo.environment
            )
            if status != 0 { throw ExitCode(status) }
        }
    }
}
