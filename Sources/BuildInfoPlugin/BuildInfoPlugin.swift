import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` into the target: the one place the version and the commit come from.
///
/// - version: `$PAPERCTL_VERSION` when a packager sets it (a build from a tarball, without .git);
///   else the git tag on HEAD (`v1.2.0` or `1.2.0`, without the `v`); else `0.0.0-dev`.
/// - commit: `$PAPERCTL_COMMIT`; else git's HEAD, with `-dirty` while the work tree differs from
///   it (untracked files that are not ignored count: they may be compiled in); else `unknown`.
///
/// Not in Package.swift: SwiftPM caches an evaluated manifest, so git facts read there go stale
/// after the next commit. Not a prebuild command either: SwiftPM 6.3 reruns those only when it
/// re-plans the build (a file added or removed), not on every build. So this is a build command
/// whose inputs are what moves the answer: git's HEAD, its reflog (every commit, checkout, reset),
/// the index, the tags (loose and packed) and every source file of the package (for `-dirty`).
/// The file is rewritten only when its text changes, so nothing recompiles needlessly. A tag
/// added with no other change is seen at the next change; the release build
/// (Sources/packaging/install.sh build) deletes the file first, so it always asks git afresh.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let packageDirectory = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "generated/BuildInfo.swift")
        let environment = ProcessInfo.processInfo.environment
        var passed: [String: String] = ["PATH": environment["PATH"] ?? "/usr/bin:/bin"]
        for key in ["PAPERCTL_VERSION", "PAPERCTL_COMMIT", "HOME"] {
            if let value = environment[key] { passed[key] = value }
        }
        var inputs = [packageDirectory.appending(path: "Package.swift")]
        inputs += Self.gitFiles(packageDirectory: packageDirectory, path: environment["PATH"])
        for case let sourceTarget as SourceModuleTarget in context.package.targets {
            inputs += sourceTarget.sourceFiles.map(\.url)
        }
        return [
            .buildCommand(
                displayName: "BuildInfo.swift: version and commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    "-c", Self.script, "build-info",
                    packageDirectory.path(percentEncoded: false),
                    output.path(percentEncoded: false),
                ],
                environment: passed,
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }

    /// The git files whose change can change the answer, where they exist (a work tree's .git
    /// may be a file pointing elsewhere, so git itself is asked where they are).
    static func gitFiles(packageDirectory: URL, path: String?) -> [URL] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", packageDirectory.path(percentEncoded: false), "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return [] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return [] }
        let dirs = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard dirs.count == 2 else { return [] }
        let candidates = ["\(dirs[0])/HEAD", "\(dirs[0])/logs/HEAD", "\(dirs[0])/index", "\(dirs[1])/packed-refs", "\(dirs[1])/refs/tags"]
        return candidates.filter { FileManager.default.fileExists(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }

    /// `sh -c SCRIPT build-info PACKAGE_DIR OUTPUT_FILE`. Values are limited to `A-Za-z0-9._+~-`,
    /// safe in a Swift string literal and in a Debian version.
    static let script = #"""
        set -eu
        pkg=$1 out=$2
        clean() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+~-' '_'; }
        version=${PAPERCTL_VERSION:-}
        if [ -z "$version" ]; then
          tag=$(git -C "$pkg" describe --tags --exact-match --match 'v[0-9]*' --match '[0-9]*' HEAD 2>/dev/null || true)
          version=${tag#v}
          [ -n "$version" ] || version=0.0.0-dev
        fi
        commit=${PAPERCTL_COMMIT:-}
        if [ -z "$commit" ]; then
          commit=$(git -C "$pkg" rev-parse HEAD 2>/dev/null || true)
          if [ -z "$commit" ]; then
            commit=unknown
          elif [ -n "$(git -C "$pkg" --no-optional-locks status --porcelain 2>/dev/null)" ]; then
            commit=$commit-dirty
          fi
        fi
        mkdir -p "$(dirname "$out")"
        {
          echo '// Generated before every build by Sources/BuildInfoPlugin. Do not edit.'
          echo 'enum BuildInfo {'
          echo "    static let version = \"$(clean "$version")\""
          echo "    static let commit = \"$(clean "$commit")\""
          echo '}'
        } > "$out.new"
        if cmp -s "$out.new" "$out"; then rm -f "$out.new"; else mv "$out.new" "$out"; fi
        """#
}
