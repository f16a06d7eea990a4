import CopilotCore

/// Reads one playbook document into a `Playbook`, recording every problem in its context.
///
/// The parser goes on after a problem wherever it can, so that one run reports all of a file's
/// problems. It returns a playbook only when the file has no error.
struct PlaybookParser {
    let context: YAMLReadContext
    let catalogue: ActionCatalogue
    /// `rbac.service_accounts`: `run_as` must name one, and a step it may never pass is a warning.
    let serviceAccounts: ServiceAccountPolicy

    /// The top-level keys, in the order the contract lists them (for suggestions and the schema).
    static let topLevelKeys = [
        "name", "description", "on", "if", "run_as", "concurrency", "cooldown_seconds", "agent", "steps",
    ]

    /// The playbook's name and where it was written, for the set's uniqueness check.
    struct Parsed {
        var playbook: Playbook?
        var name: PlaybookName?
        var namePosition: YAMLPosition?
    }

    func parse(_ root: YAMLNode?) -> Parsed {
        guard let root else {
            if !context.hasErrors {
                context.error("the file is empty: a playbook needs 'name', 'on' and 'steps'", at: .start)
            }
            return Parsed()
        }
        guard root.pairs != nil else {
            context.error("a playbook must be a mapping, found \(root.kindDescription)", at: root)
            return Parsed()
        }
        let top = YAMLMappingReader(root, path: "", context: context)

        let nameNode = top.value("name", required: true)
        let name = nameNode.flatMap { node -> PlaybookName? in
            guard let text = context.string(node, path: "name") else { return nil }
            guard PlaybookName.isValid(text) else {
                context.error("invalid name '\(text)': use 1 to 64 characters among a-z, 0-9 and '-'", at: node)
                return nil
            }
            return PlaybookName(rawValue: text)
        }
        let description = top.string("description")
        let triggers = top.value("on", required: true).map(parseTriggers) ?? []
        let condition = top.value("if").flatMap {
            parseCondition($0, path: "if", allowedNames: Playbook.playbookContextNames)
        }
        let runAsNode = top.value("run_as")
        let runAs = runAsNode.flatMap { node -> String? in
            guard let account = context.string(node, path: "run_as") else { return nil }
            // `default` always exists: without an entry of its own it may use every action (CONTRACT §3).
            if let names = serviceAccounts.accountNames, !names.contains(account),
                account != ServiceAccountPolicy.defaultAccount
            {
                context.error(
                    "unknown service account '\(account)'" + Suggestion.didYouMean(account, among: names.sorted()),
                    at: node
                )
            }
            return account
        }
        let concurrency = top.mapping("concurrency").flatMap(parseConcurrency)
        let cooldown = top.int("cooldown_seconds", in: 0...Int.max)
        let agent = top.mapping("agent").flatMap(parseAgent)
        let stepsNode = top.value("steps", required: true)
        let steps = stepsNode.map(parseSteps) ?? []
        top.declare(contentsOf: Self.topLevelKeys)
        top.finish()
        if let position = (runAsNode ?? stepsNode)?.position {
            warnForbiddenActions(runAs: runAs, steps: steps, agent: agent, at: position)
        }

        guard !context.hasErrors, let name else {
            return Parsed(playbook: nil, name: name, namePosition: nameNode?.position)
        }
        let playbook = Playbook(
            name: name,
            description: description,
            file: context.file,
            triggers: triggers,
            condition: condition,
            runAs: runAs,
            concurrency: concurrency,
            cooldownSeconds: cooldown,
            agent: agent,
            steps: steps
        )
        return Parsed(playbook: playbook, name: name, namePosition: nameNode?.position)
    }

    /// Warnings for what the playbook's service account may never use: such a step always ends
    /// `forbidden` (and fails the run), and such an `agent.allowed` action is never offered.
    private func warnForbiddenActions(runAs: String?, steps: [Step], agent: PlaybookAgent?, at position: YAMLPosition) {
        let account = runAs ?? ServiceAccountPolicy.defaultAccount
        // An unknown account is an error already; no account configured allows everything.
        guard let names = serviceAccounts.accountNames,
            names.contains(account) || account == ServiceAccountPolicy.defaultAccount
        else { return }
        for step in steps where !serviceAccounts.allows(runAs: runAs, action: step.uses) {
            context.warning(
                "step '\(step.id)' uses '\(step.uses)', which service account '\(account)' may not use "
                    + "(rbac.service_accounts.\(account).allow): the step will end forbidden",
                at: position
            )
        }
        for action in agent?.allowed ?? [] where !serviceAccounts.allows(runAs: runAs, action: action) {
            context.warning(
                "agent.allowed: service account '\(account)' may not use '\(action)': the planner is never offered it",
                at: position
            )
        }
    }

    private func parseConcurrency(_ reader: YAMLMappingReader) -> PlaybookConcurrency? {
        let key = reader.value("key", required: true).flatMap {
            template($0, path: "concurrency.key", allowedNames: Playbook.playbookContextNames)
        }
        let limit = reader.int("limit", in: 1...Int.max) ?? 1
        reader.finish()
        return key.map { PlaybookConcurrency(key: $0, limit: limit) }
    }

    private func parseAgent(_ reader: YAMLMappingReader) -> PlaybookAgent? {
        let instructions = reader.string("instructions", required: true)
        var allowed: [ActionName] = []
        for node in reader.list("allowed", required: true) ?? [] {
            if let action = actionName(node, path: "agent.allowed") { allowed.append(action) }
        }
        reader.finish()
        return instructions.map { PlaybookAgent(instructions: $0, allowed: allowed) }
    }

    /// An action the catalogue knows; otherwise a diagnostic with the closest name.
    func actionName(_ node: YAMLNode, path: String) -> ActionName? {
        guard let text = context.string(node, path: path) else { return nil }
        let name = ActionName(rawValue: text)
        guard catalogue[name] != nil else {
            context.error(
                "unknown action '\(text)'" + Suggestion.didYouMean(text, among: catalogue.names.map(\.rawValue)),
                at: node
            )
            return nil
        }
        return name
    }
}

extension YAMLMappingReader {
    /// Marks many keys known.
    func declare(contentsOf keys: [String]) {
        for key in keys { _ = pair(key) }
    }
}
