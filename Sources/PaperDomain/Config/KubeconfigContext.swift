import Foundation
import Yams

// MARK: - KubeconfigContext

/// Reads the current context name from the kubeconfig files, without running kubectl.
///
/// Labels reports, and names the context on every call when none was given (`ClusterOptions.target`),
/// so that commands printed for pasting name the cluster they were meant for.
public enum KubeconfigContext {
    /// `current-context` of the first file that sets it: `--kubeconfig`, else each file in
    /// `$KUBECONFIG`, else `~/.kube/config`.
    public static func current(kubeconfig: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let files: [String]
        if let kubeconfig, !kubeconfig.isEmpty {
            files = [kubeconfig]
        } else if let list = environment["KUBECONFIG"], !list.isEmpty {
            files = list.split(separator: ":").map(String.init)
        } else {
            files = ["\(environment["HOME"] ?? NSHomeDirectory())/.kube/config"]
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8),
                  let node = try? Yams.compose(yaml: text), let name = node["current-context"]?.string, !name.isEmpty
            else { continue }
            return name
        }
        return nil
    }
}
