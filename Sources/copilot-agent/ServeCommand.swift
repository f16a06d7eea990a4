import ArgumentParser
import CopilotApp
import Foundation

/// `copilot-agent serve [--config FILE] [--dev]`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the service.",
        discussion: """
            Reads the configuration file (plus COPILOT_* environment overrides) and serves the webhook \
            endpoints and the API until SIGTERM or SIGINT, then finishes in-flight requests and stops. \
            SIGHUP reloads the playbooks.
            With --dev, all four webhook sources are enabled with secrets generated into \
            data/dev-secrets.yaml (reused on later starts), and a signed curl example is printed.
            """
    )

    @Option(name: .long, help: "The configuration file.")
    var config: String = "Config/copilot.yaml"

    @Flag(name: .long, help: "Development mode: generated webhook secrets for every source.")
    var dev = false

    func run() async throws {
        let status = await Serve.run(
            configurationPath: config,
            dev: dev,
            environment: ProcessInfo.processInfo.environment
        )
        if status != 0 { throw ExitCode(status) }
    }
}
