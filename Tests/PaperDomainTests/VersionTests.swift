import Testing
@testable import PaperDomain
@Test func versionIsSet() { #expect(!PaperDomainVersion.string.isEmpty) }
