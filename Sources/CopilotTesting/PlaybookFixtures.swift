/// Playbook texts shared by the tests and the benchmarks.
public enum PlaybookFixtures {
    /// `pr-unit`: every opened pull request runs the Test-Bench's unit suite (step `unit`).
    public static let prUnit = """
        name: pr-unit
        on:
          github:
            types: [pull_request.opened]
        steps:
          - id: unit
            uses: testbench.run
            with: { test_suite: unit }
        """
}
