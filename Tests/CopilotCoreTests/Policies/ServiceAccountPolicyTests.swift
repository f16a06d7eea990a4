import CopilotCore
import CopilotExpressions
import Testing

@Suite struct ServiceAccountPolicyTests {
    static func policy(_ accounts: [String: [String]]) throws -> ServiceAccountPolicy {
        ServiceAccountPolicy(accounts: try accounts.mapValues { try $0.map { try GlobPattern($0) } })
    }

    @Test("with no service account configured, every playbook may use every action")
    func unrestricted() {
        for policy in [ServiceAccountPolicy.unrestricted, ServiceAccountPolicy(accounts: [:])] {
            #expect(policy.allows(runAs: nil, action: "deploy.rollback"))
            #expect(policy.allows(runAs: "remediator", action: "deploy.rollback"))
        }
    }

    @Test("an account may use the actions its allow list names or matches, and nothing else")
    func allowList() throws {
        let policy = try Self.policy(["remediator": ["testbench.run", "incident.*"]])
        #expect(policy.allows(runAs: "remediator", action: "testbench.run"))
        #expect(policy.allows(runAs: "remediator", action: "incident.update"))
        #expect(policy.allows(runAs: "remediator", action: "incident.resolve"))
        #expect(!policy.allows(runAs: "remediator", action: "deploy.rollback"))
        #expect(!policy.allows(runAs: "remediator", action: "testbench.runs"))
        #expect(!policy.allows(runAs: "remediator", action: "github.incident.update"))
    }

    @Test("an account that is not configured may use nothing")
    func unknownAccount() throws {
        let policy = try Self.policy(["remediator": ["*"]])
        #expect(!policy.allows(runAs: "intruder", action: "incident.update"))
    }

    @Test("a playbook without run_as uses the default account, which may use every action unless configured")
    func defaultAccount() throws {
        let withoutDefault = try Self.policy(["remediator": ["incident.*"]])
        #expect(withoutDefault.allows(runAs: nil, action: "deploy.rollback"))
        #expect(withoutDefault.allows(runAs: "default", action: "deploy.rollback"))
        let withDefault = try Self.policy(["default": ["testbench.run"], "remediator": ["*"]])
        #expect(withDefault.allows(runAs: nil, action: "testbench.run"))
        #expect(!withDefault.allows(runAs: nil, action: "deploy.rollback"))
        #expect(!withDefault.allows(runAs: "default", action: "deploy.rollback"))
    }
}
