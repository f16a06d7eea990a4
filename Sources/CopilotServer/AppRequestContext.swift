public import CopilotAuth
public import CopilotCore
public import Hummingbird

/// The request context of every route: the operator who made an API request joins it once the access
/// middleware authenticated them.
public struct AppRequestContext: OperatorRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Operator?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
