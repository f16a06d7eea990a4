/// The actions steps may use and the `with:` parameters each takes (CONTRACT §3, "Parameters of
/// `with:` per action"): the built-in actions plus the site's presets from the config's `actions:`.
public struct ActionCatalogue: Sendable, Hashable {
    /// One action and its parameters.
    public struct Action: Sendable, Hashable {
        public var name: ActionName
        /// Every parameter `with:` may hold, in the contract's order.
        public var parameters: [String]
        /// The parameters `with:` must hold.
        public var required: Set<String>
        /// True for a preset of the config's `actions:` (an `http.request` template).
        public var isPreset: Bool

        public init(name: ActionName, parameters: [String], required: Set<String> = [], isPreset: Bool = false) {
            self.name = name
            self.parameters = parameters
            self.required = required
            self.isPreset = isPreset
        }

        /// The required parameters a `with:` holding `keys` lacks, in the action's order: one rule for a
        /// playbook's steps and a planner's.
        public func missingParameters(in keys: some Sequence<String>) -> [String] {
            let written = Set(keys)
            return parameters.filter { required.contains($0) && !written.contains($0) }
        }
    }

    /// By name.
    public private(set) var actions: [ActionName: Action]

    /// The built-in actions and, when given, presets by name with the names in their `params`.
    /// A preset's parameters are all optional: the preset's templates see a missing one as null.
    public init(presets: [ActionName: [String]] = [:]) {
        var actions = Dictionary(uniqueKeysWithValues: Self.builtInActions.map { ($0.name, $0) })
        for (name, parameters) in presets {
            actions[name] = Action(name: name, parameters: parameters, isPreset: true)
        }
        self.actions = actions
    }

    /// The built-in actions only: what `playbook validate` knows without a config.
    public static let builtIn = ActionCatalogue()

    public subscript(name: ActionName) -> Action? { actions[name] }

    /// Every action name, sorted.
    public var names: [ActionName] { actions.keys.sorted() }

    /// The actions of CONTRACT §5.
    public static let builtInActions: [Action] = [
        Action(
            name: "testbench.run",
            parameters: ["test_suite", "filters", "timeout_seconds", "target"],
            required: ["test_suite"]
        ),
        Action(
            name: "github.status",
            parameters: ["state", "context", "description", "target_url", "repo", "sha"],
            required: ["state"]
        ),
        Action(name: "github.comment", parameters: ["body", "repo", "number"], required: ["body"]),
        Action(name: "incident.update", parameters: ["state", "severity", "labels", "notes", "incident_id"]),
        Action(name: "incident.resolve", parameters: ["notes", "root_cause", "incident_id"]),
        Action(name: "orchestrator.execute", parameters: ["workflow_id", "inputs"], required: ["workflow_id"]),
        Action(name: "http.request", parameters: ["method", "url", "headers", "body"], required: ["url"]),
    ]
}
