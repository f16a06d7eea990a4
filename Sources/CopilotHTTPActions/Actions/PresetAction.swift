import CopilotCore
import CopilotExpressions

/// A site action of the config's `actions:` (`deploy.rollback`, …): an `http.request` template whose
/// strings may hold `${{ with.x }}` and `${{ secrets.X }}`, rendered per step by CONTRACT §3's rules.
///
/// The URL is the operator's own (written in the config), so it is not checked against
/// `integrations.http.allow`; what `${{ }}` puts into it is percent-encoded (`URLPath.encode`), so a
/// `with:` value cannot change its path or add a query. A URL that is one `${{ }}` and nothing else is
/// taken as the value gives it. Its circuit breaker and metrics label are the preset's name.
struct PresetAction: Action {
    let name: ActionName
    let preset: HTTPActionsConfiguration.Preset
    let secrets: [String: String]

    var integrationName: String { name.rawValue }

    /// The only names a preset's templates may use.
    static let allowedNames: Set<String> = ["with", "secrets"]

    init(name: ActionName, preset: HTTPActionsConfiguration.Preset, secrets: [String: String]) {
        self.name = name
        self.preset = preset
        self.secrets = secrets
    }

    func perform(in context: ActionContext) async -> ActionOutcome {
        let evaluation = EvaluationContext(values: [
            "with": .object(context.with),
            "secrets": .object(JSONObject(secrets.mapValues(JSONValue.string))),
        ])
        let rendered: (url: String, headers: JSONValue, body: JSONValue?)
        do {
            rendered = (
                try Template(parsing: preset.url, allowedNames: Self.allowedNames)
                    .renderText(in: evaluation, escaping: URLPath.encode),
                try Self.render(.object(JSONObject(preset.headers.mapValues(JSONValue.string))), in: evaluation),
                try preset.body.map { try Self.render($0, in: evaluation) }
            )
        } catch {
            // The expression error may quote a rendered value, which may be a secret: say no more.
            return .failed(retryable: false, reason: "invalid preset template")
        }
        let url = rendered.url
        guard !url.isEmpty else {
            return .failed(.invalidParameter("url"))
        }
        return await HTTPRequestAction.send(
            method: .string(preset.method),
            url: url,
            headers: rendered.headers,
            body: rendered.body,
            integrationName: integrationName,
            in: context
        )
    }

    /// Renders every string of `value`, at any depth, as a template.
    static func render(_ value: JSONValue, in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        switch value {
        case .string(let text):
            return try Template(parsing: text, allowedNames: allowedNames).render(in: context)
        case .array(let elements):
            var rendered: [JSONValue] = []
            for element in elements { rendered.append(try render(element, in: context)) }
            return .array(rendered)
        case .object(let members):
            var rendered = JSONObject()
            for (key, member) in members { rendered[key] = try render(member, in: context) }
            return .object(rendered)
        case .null, .bool, .number:
            return value
        }
    }
}
