import ArgumentParser

/// `copilot-agent`: the command line of CONTRACT §1.
@main
struct CopilotAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copilot-agent",
        abstract: "Webhook-driven auto-remediation: receive, match playbooks, plan, act, verify.",
        subcommands: [ServeCommand.self, PlaybookCommand.self, TokenCommand.self, AuditCommand.self, StoreCommand.self]
    )
}
