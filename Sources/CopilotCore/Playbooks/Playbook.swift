public import CopilotExpressions

/// One playbook file, validated: when and how Copilot Agent remediates (CONTRACT §3).
public struct Playbook: Sendable, Hashable {
    public var name: PlaybookName
    public var description: String?
    /// The file it was loaded from, as the loader was given it (for messages and the API).
    public var file: String
    /// One trigger per source under `on:`, in the order written.
    public var triggers: [Trigger]
    /// The playbook's `if:` (over `event` and `playbook`); nil means true.
    public var condition: Template?
    /// The service account whose permissions gate every step; nil means the account `default`.
    public var runAs: String?
    public var concurrency: PlaybookConcurrency?
    public var cooldownSeconds: Int?
    public var agent: PlaybookAgent?
    /// Never empty in a loaded playbook.
    public var steps: [Step]

    public init(
        name: PlaybookName,
        description: String? = nil,
        file: String,
        triggers: [Trigger],
        condition: Template? = nil,
        runAs: String? = nil,
        concurrency: PlaybookConcurrency? = nil,
        cooldownSeconds: Int? = nil,
        agent: PlaybookAgent? = nil,
        steps: [Step]
    ) {
        self.name = name
        self.description = description
        self.file = file
        self.triggers = triggers
        self.condition = condition
        self.runAs = runAs
        self.concurrency = concurrency
        self.cooldownSeconds = cooldownSeconds
        self.agent = agent
        self.steps = steps
    }

    /// The sources of its triggers, in the order written.
    public var sources: [EventSource] { triggers.map(\.source) }

    /// The trigger for a source, if the playbook has one.
    public func trigger(for source: EventSource) -> Trigger? {
        triggers.first { $0.source == source }
    }

    /// The playbook as expressions see it: `playbook.name`, `playbook.description`, `playbook.file`.
    public var contextValue: JSONValue {
        .object([
            "name": .string(name.rawValue),
            "description": description.map(JSONValue.string) ?? .null,
            "file": .string(file),
        ])
    }

    /// The names a playbook-level expression (`if:`, `concurrency.key`) may use.
    public static let playbookContextNames: Set<String> = ["event", "playbook"]
    /// The names a step's `if:` and `with:` may use.
    public static let stepContextNames: Set<String> = ["event", "steps", "run", "playbook"]
}

/// `concurrency: {key, limit}`: at most `limit` runs of the playbook per rendered key are `running`.
public struct PlaybookConcurrency: Sendable, Hashable {
    public var key: Template
    public var limit: Int

    public init(key: Template, limit: Int = 1) {
        self.key = key
        self.limit = limit
    }
}

/// `agent: {instructions, allowed}`: let the planner propose the steps, from these actions only.
public struct PlaybookAgent: Sendable, Hashable {
    public var instructions: String
    public var allowed: [ActionName]

    public init(instructions: String, allowed: [ActionName]) {
        self.instructions = instructions
        self.allowed = allowed
    }
}
