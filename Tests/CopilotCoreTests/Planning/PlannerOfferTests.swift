import CopilotCore
import CopilotExpressions
import Testing

@Suite struct PlannerOfferTests {
    static let agent = PlaybookAgent(
        instructions: "",
        allowed: ["deploy.rollback", "testbench.run", "incident.update", "testbench.run", "unknown.action"]
    )
    static let catalogue = ActionCatalogue(presets: ["deploy.rollback": ["service"]])

    @Test("the offer is agent.allowed ∩ run_as, known actions only, once each, in allowed's order")
    func intersection() throws {
        let accounts = ServiceAccountPolicy(accounts: [
            "remediator": [try GlobPattern("testbench.*"), try GlobPattern("incident.*")]
        ])
        let offer = PlannerOffer(
            agent: Self.agent,
            runAs: "remediator",
            serviceAccounts: accounts,
            catalogue: Self.catalogue
        )
        #expect(offer.actions.map(\.name) == ["testbench.run", "incident.update"])
        let unrestricted = PlannerOffer(
            agent: Self.agent,
            runAs: nil,
            serviceAccounts: .unrestricted,
            catalogue: Self.catalogue
        )
        #expect(unrestricted.actions.map(\.name) == ["deploy.rollback", "testbench.run", "incident.update"])
    }

    @Test("the tool names exactly the offered actions, and describes each one's parameters")
    func tool() {
        let offer = PlannerOffer(
            agent: Self.agent,
            runAs: nil,
            serviceAccounts: .unrestricted,
            catalogue: Self.catalogue
        )
        let schema = offer.toolSchema(maxSteps: 4)
        let step = schema["properties"]?["steps"]?["items"]
        #expect(step?["properties"]?["uses"]?["enum"] == ["deploy.rollback", "testbench.run", "incident.update"])
        #expect(schema["properties"]?["steps"]?["maxItems"] == 4)
        #expect(schema["required"] == ["summary", "steps"])
        #expect(
            offer.toolDescription.contains("- testbench.run: test_suite (required), filters, timeout_seconds, target")
        )
        #expect(offer.toolDescription.contains("- deploy.rollback: service"))
        #expect(!offer.toolDescription.contains("http.request"))
    }
}
