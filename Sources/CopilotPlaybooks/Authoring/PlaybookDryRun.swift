public import CopilotCore
import CopilotExpressions

/// `playbook test`: matches an event against a set and plans each match without running anything.
public enum PlaybookDryRun {
    /// The report for an event (every non-matching playbook explained).
    public static func run(_ event: Event, against set: PlaybookSet) -> DryRunReport {
        let result = set.match(event, scope: .all)
        let eventValue = event.contextValue
        let matched = result.matched.map { playbook in
            let context = EvaluationContext(values: ["event": eventValue, "playbook": playbook.contextValue])
            return DryRunReport.MatchedPlaybook(
                playbook: playbook.name,
                file: playbook.file,
                steps: playbook.steps.map { plan($0, in: context) }
            )
        }
        return DryRunReport(
            source: event.source,
            type: event.type,
            subject: event.subject,
            matched: matched,
            notMatched: result.notMatched
        )
    }

    /// A step with `with:` rendered where it depends only on `event` and `playbook`.
    static func plan(_ step: Step, in context: EvaluationContext) -> DryRunReport.PlannedStep {
        var errors: [DryRunReport.RenderError] = []
        var with: [String: JSONValue] = [:]
        for key in step.with.keys.sorted() {
            guard let value = step.with[key] else { continue }
            with[key] = render(value, path: "with.\(key)", in: context, errors: &errors)
        }
        return DryRunReport.PlannedStep(
            id: step.id,
            uses: step.uses,
            condition: step.condition?.text,
            approval: step.approval == .required,
            with: with,
            errors: errors
        )
    }

    /// Renders the templates that need nothing but `event` and `playbook`; others stay as written, and
    /// a failing one stays as written with an error.
    static func render(
        _ value: TemplateValue,
        path: String,
        in context: EvaluationContext,
        errors: inout [DryRunReport.RenderError]
    ) -> JSONValue {
        switch value {
        case .literal(let json):
            return json
        case .template(let template):
            let needsOnlyEvent = template.expressions.allSatisfy {
                $0.referencedNames.isSubset(of: Playbook.playbookContextNames) && !$0.referencesStatusFunction
            }
            guard needsOnlyEvent else { return .string(template.text) }
            do {
                return try template.render(in: context)
            } catch {
                errors.append(DryRunReport.RenderError(key: path, message: error.message))
                return .string(template.text)
            }
        case .array(let elements):
            return .array(
                elements.enumerated().map { render($1, path: "\(path)[\($0)]", in: context, errors: &errors) }
            )
        case .object(let members):
            var rendered: [String: JSONValue] = [:]
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                rendered[key] = render(member, path: "\(path).\(key)", in: context, errors: &errors)
            }
            return .object(JSONObject(rendered))
        }
    }
}
