import Foundation
import Testing

/// The `copilot-agent` executable's command line (CONTRACT §1): every subcommand has help, and a wrong
/// invocation says how to call it instead of failing silently.
@Suite(.timeLimit(.minutes(1)))
struct CommandLineTests {
    /// Runs the binary with `arguments`; answers its exit status and everything it printed.
    static func run(
        _ arguments: [String],
        environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = AgentProcess.binary
        process.arguments = arguments
        if let environment { process.environment = environment }
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
            (["token"], "copilot-agent token <subcommand>"),
            (["token", "create"], "copilot-agent token create"),
            (["token", "list"], "copilot-agent token list"),
            (["token", "revoke"], "copilot-agent token revoke"),
            (["audit"], "copilot-agent audit <subcommand>"),
            (["audit", "verify"], "copilot-agent audit verify"),
            (["store"], "copilot-agent store <subcommand>"),
            (["store", "copy"], "copilot-agent store copy"),
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

    @Test("token create prints the key alone on stdout; list shows it active, revoke revokes it; a bad role is refused")
    func tokens() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("copilot.yaml").path
        try Data(#"storage: { url: "sqlite://\#(directory.path)/copilot.db" }"#.utf8).write(
            to: URL(fileURLWithPath: config)
        )
        let key = try AgentProcess.createAdminKey(config: config, directory: directory, environment: [:])
        #expect(key.hasPrefix("cpa_") && !key.contains("\n"), "the key alone on stdout")
        let (listed, listing) = try Self.run(["token", "list", "--config", config])
        #expect(listed == 0, "\(listing)")
        let line = try #require(listing.split(separator: "\n").first { $0.contains("\ttest\t") })
        #expect(line.hasSuffix("admin\tactive"), "\(line)")
        #expect(!listing.contains(key), "the key is never shown again")
        let id = String(line.split(separator: "\t")[0])
        let (revoked, said) = try Self.run(["token", "revoke", id, "--config", config])
        #expect(revoked == 0, "\(said)")
        #expect(try Self.run(["token", "list", "--config", config]).output.contains("\(id)\ttest\tadmin\trevoked"))
        let (refused, why) = try Self.run(["token", "create", "--role", "root", "--config", config])
        #expect(refused == 1 && why.contains("unknown role 'root'"), "\(why)")
        #expect(try Self.run(["token", "revoke", "key_nope", "--config", config]).status == 1)
    }

    @Test("audit verify passes on the log token changes wrote, and exits 1 naming a record changed in the file")
    func auditVerify() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("copilot.yaml").path
        let database = directory.appendingPathComponent("copilot.db")
        try Data(#"storage: { url: "sqlite://\#(database.path)" }"#.utf8).write(to: URL(fileURLWithPath: config))
        // The local user is who the record names: a name found nowhere else in the file.
        let user = "auditmarker\(Int.random(in: 1000...9999))"
        _ = try AgentProcess.createAdminKey(config: config, directory: directory, environment: ["USER": user])
        let (verified, summary) = try Self.run(["audit", "verify", "--config", config])
        #expect(verified == 0 && summary.contains("audit log verified: 1 records"), "\(summary)")

        var bytes = try Data(contentsOf: database)
        let found = try #require(bytes.range(of: Data("cli:\(user)".utf8)), "the record is in the database file")
        bytes[found.lowerBound] = UInt8(ascii: "C")
        try bytes.write(to: database)
        let (broken, said) = try Self.run(["audit", "verify", "--config", config])
        #expect(broken == 1, "\(said)")
        #expect(said.contains("record 1 was changed"), "\(said)")
    }
}
