/// Who made an API request, as their credential says (CONTRACT §6): the name decisions and audit
/// records carry, and the roles RBAC checks.
public struct Operator: Sendable, Hashable {
    public enum Credential: String, Sendable, Hashable {
        case apiKey = "api_key"
        case jwt
    }

    /// The key's name (`key:<name>`), or the token's subject.
    public var name: String
    public var roles: [String]
    public var credential: Credential

    public init(name: String, roles: [String], credential: Credential) {
        self.name = name
        self.roles = roles
        self.credential = credential
    }
}
