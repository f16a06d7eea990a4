import Foundation
import Testing

/// The `copilot-agent` executable's command line (CONTRACT §1): every subcommand has help, and a wrong
/// invocation says how to call it instead of failing silently.
@Suite(.timeLimit(.minutes(1)))
struct CommandLineTests {
    /// Runs the binary with `arguments`; answers its exit status and everything it printed.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = AgentProcess.binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test(
        "--help works for every command and names its usage",
        arguments: [
            ([], "copilot-agent <subcommand>"),
            (["serve"], "copilot-agent serve"),
            (["playbook"], "copilot-agent playbook <subcommand>"),
            (["playbook", "validate"], "copilot-agent playbook validate"),
            (["playbook", "test"], "copilot-agent playbook test"),
            (["playbook", "schema"], "copilot-agent playbook schema"),
        ]
    )
    func help(command: [String], usage: String) throws {
        let (status, output) = try Self.run(command + ["--help"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("USAGE: \(usage)"), "\(output)")
    }

    @Test("an unknown subcommand or option exits 64 with a usage line")
    func wrongInvocation() throws {
        for arguments in [["nosuch"], ["serve", "--no-such-option"]] {
            let (status, output) = try Self.run(arguments)
            #expect(status == 64, "\(arguments): \(output)")
            #expect(output.contains("Usage: copilot-agent"), "\(arguments): \(output)")
        }
    }
}
