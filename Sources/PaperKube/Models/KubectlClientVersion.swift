import Foundation

// MARK: - KubectlClientVersion

/// What `kubectl version --client -o json` says about kubectl itself (no server is contacted).
public struct KubectlClientVersion: Sendable, Equatable, Decodable {
    /// e.g. `v1.32.4` (vendor builds add a suffix: `v1.32.4-dispatcher`).
    public var gitVersion: String
    public var major: Int?
    /// kubectl prints e.g. `"32+"` for vendor builds; the digits are kept.
    public var minor: Int?
    public var platform: String?

    /// The kubectl minor versions this tool is tested with (README: kubectl 1.28–1.33).
    public static let testedMinors = 28...33

    public init(gitVersion: String, major: Int?, minor: Int?, platform: String? = nil) {
        self.gitVersion = gitVersion
        self.major = major
        self.minor = minor
        self.platform = platform
    }

    enum RootKeys: String, CodingKey { case clientVersion }
    enum Keys: String, CodingKey { case gitVersion, major, minor, platform }

    public init(from decoder: any Decoder) throws {
        let root = try decoder.container(keyedBy: RootKeys.self)
        let c = try root.nestedContainer(keyedBy: Keys.self, forKey: .clientVersion)
        gitVersion = try c.decode(String.self, forKey: .gitVersion)
        major = Self.leadingNumber(try c.decodeIfPresent(String.self, forKey: .major))
        minor = Self.leadingNumber(try c.decodeIfPresent(String.self, forKey: .minor))
        platform = try c.decodeIfPresent(String.self, forKey: .platform)
    }

    /// Parses kubectl's JSON, or throws `.unparseableOutput` saying what was wrong.
    public static func parse(_ data: Data) throws(KubectlError) -> KubectlClientVersion {
        do {
            return try JSONDecoder().decode(KubectlClientVersion.self, from: data)
        } catch {
            throw .unparseableOutput(detail: "kubectl version --client -o json: \(error)")
        }
    }

    /// True for 1.28–1.33; nil when kubectl did not say its major and minor.
    public var isTested: Bool? {
        guard let major, let minor else { return nil }
        return major == 1 && Self.testedMinors.contains(minor)
    }

    static func leadingNumber(_ text: String?) -> Int? {
        guard let digits = text?.prefix(while: \.isNumber), !digits.isEmpty else { return nil }
        return Int(digits)
    }
}
