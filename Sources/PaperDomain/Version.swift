import PaperKube
public enum PaperDomainVersion { public static let string = PaperKubeVersion.string }
