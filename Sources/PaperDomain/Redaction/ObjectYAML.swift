import Foundation
import Yams

// MARK: - ObjectYAML

/// An object's manifest as the operator reads it in the object view: `kubectl get -o json`
/// turned into YAML with what could carry a credential taken out first.
///
/// - A Secret's `data` and `stringData` are never shown: each value becomes `***`.
/// - Every literal env value of a pod template is masked (`EnvDisplay`), as the plans show them.
/// - `metadata.managedFields` and the `last-applied-configuration` annotation (a whole copy of
///   the manifest, env included) are dropped.
/// - Every line then goes through the redactor.
public enum ObjectYAML {
    public static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    /// The YAML to show for `json` (one object), or a one-line reason when it is not an object.
    public static func shown(json: Data) -> String {
        // JSON is YAML: loading it with Yams keeps booleans and numbers as they were.
        guard let object = (try? Yams.load(yaml: String(decoding: json, as: UTF8.self))) as? [String: Any] else {
            return "(not a Kubernetes object: \(json.count) bytes)"
        }
        let cleaned = masked(object)
        let yaml = (try? Yams.dump(object: cleaned, sortKeys: true)) ?? "(could not be shown as YAML)"
        return Redactor.redact(yaml)
    }

    /// `object` without its credentials, managed fields and last-applied copy.
    static func masked(_ object: [String: Any]) -> [String: Any] {
        var o = object
        if var metadata = o["metadata"] as? [String: Any] {
            metadata["managedFields"] = nil
            if var annotations = metadata["annotations"] as? [String: Any] {
                annotations[lastApplied] = nil
                metadata["annotations"] = annotations.isEmpty ? nil : annotations
            }
            o["metadata"] = metadata
        }
        for key in ["data", "stringData"] where (o["kind"] as? String) == "Secret" {
            if let data = o[key] as? [String: Any] { o[key] = data.mapValues { _ in Redactor.mask } }
        }
        if var spec = o["spec"] as? [String: Any] {
            if (o["kind"] as? String) == "Pod" {
                spec = EnvDisplay.masked(podSpec: spec)
            }
            // A Job's, Deployment's or CronJob's pod template (a CronJob's one level further down).
            if var template = spec["template"] as? [String: Any], let podSpec = template["spec"] as? [String: Any] {
                template["spec"] = EnvDisplay.masked(podSpec: podSpec)
                spec["template"] = template
            }
            if var jobTemplate = spec["jobTemplate"] as? [String: Any], var jobSpec = jobTemplate["spec"] as? [String: Any],
               var template = jobSpec["template"] as? [String: Any], let podSpec = template["spec"] as? [String: Any] {
                template["spec"] = EnvDisplay.masked(podSpec: podSpec)
                jobSpec["template"] = template
                jobTemplate["spec"] = jobSpec
                spec["jobTemplate"] = jobTemplate
            }
            o["spec"] = spec
        }
        return o
    }
}
