import Foundation
import ProcessTestSupport
import Testing

/// Sources/packaging/install.sh against what `install.sh build` staged (Tests/run-all.sh stages
/// the debug build; the release build is checked by `install.sh check-static`, see README).
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: FileManager.default.isExecutableFile(atPath: Paths.stagedBinary),
    "nothing staged in .build/packaging/stage: run `bash Sources/packaging/install.sh build --debug` first (Tests/run-all.sh does)"))
struct InstallE2ETests {
    static let relativeFiles = [
        "bin/paperctl-tui",
        "share/man/man1/paperctl-tui.1",
        "share/bash-completion/completions/paperctl-tui",
        "share/zsh/site-functions/_paperctl-tui",
        "share/fish/vendor_completions.d/paperctl-tui.fish",
        "share/paperctl-tui/install-manifest",
    ]

    /// Every regular file under `root`, relative to it, sorted.
    static func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory), !isDirectory.boolValue { found.append(path) }
        }
        return found.sorted()
    }

    /// Tab completion in bash for `paperctl-tui ver`, with `completion` sourced as bash-completion would.
    static let completeScript = #"""
        [ -r /usr/share/bash-completion/bash_completion ] && source /usr/share/bash-completion/bash_completion
        [ -n "$1" ] && source "$1"
        [ -z "$1" ] && declare -F _completion_loader >/dev/null && _completion_loader paperctl-tui
        complete -p paperctl-tui || exit 1
        COMP_WORDS=(paperctl-tui ver); COMP_CWORD=1; COMP_LINE="paperctl-tui ver"; COMP_POINT=${#COMP_LINE}
        _paperctl-tui paperctl-tui ver paperctl-tui
        printf 'reply:%s\n' "${COMPREPLY[@]}"
        """#

    @Test func installIntoAPrefixThenUninstallLeavesNothing() async throws {
        let prefix = try Paths.temporaryDirectory("prefix")
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = try await bash(#"bash "$1" install PREFIX="$2""#, [Paths.installScript, prefix])
        #expect(install.status == 0, "\(install.stdout)\n\(install.stderr)")
        #expect(Self.files(under: prefix) == Self.relativeFiles.sorted())
        let manifest = try String(contentsOfFile: "\(prefix)/share/paperctl-tui/install-manifest", encoding: .utf8)
        #expect(manifest == Self.relativeFiles.map { "\(prefix)/\($0)\n" }.joined())
        let mode = try FileManager.default.attributesOfItem(atPath: "\(prefix)/bin/paperctl-tui")[.posixPermissions] as? Int
        #expect(mode == 0o755)

        // The installed binary runs and prints what the staged one does.
        let installed = try await runProcess("\(prefix)/bin/paperctl-tui", ["--version"], limit: 30)
        let staged = try await runProcess(Paths.stagedBinary, ["--version"], limit: 30)
        #expect(installed.status == 0 && installed.stdout == staged.stdout && !installed.stdout.isEmpty)

        // man finds and renders the page from the prefix's man directory, without mdoc warnings.
        let man = try await bash(#"MANPATH="$1/share/man" MANWIDTH=80 man -P cat paperctl-tui"#, [prefix])
        #expect(man.status == 0, "\(man.stderr)")
        #expect(man.stdout.contains("paperctl-tui") && man.stdout.contains("restore") && man.stdout.contains("version"), "\(man.stdout.prefix(400))")
        #expect(man.stderr.isEmpty, "man warned: \(man.stderr)")

        // Bash loads the completion and completes a subcommand.
        let completion = try await bash(Self.completeScript, ["\(prefix)/share/bash-completion/completions/paperctl-tui"], extra: ["PATH": "\(prefix)/bin:/usr/bin:/bin"])
        #expect(completion.status == 0, "\(completion.stdout)\n\(completion.stderr)")
        #expect(completion.stdout.contains("complete -o filenames -F _paperctl-tui paperctl-tui"))
        #expect(completion.stdout.contains("reply:version"), "\(completion.stdout)")

        // Uninstall removes exactly what install listed; the prefix is left without a file.
        let uninstall = try await bash(#"bash "$1" uninstall PREFIX="$2""#, [Paths.installScript, prefix])
        #expect(uninstall.status == 0, "\(uninstall.stdout)\n\(uninstall.stderr)")
        #expect(Self.files(under: prefix).isEmpty, "left: \(Self.files(under: prefix))")
        #expect(uninstall.stdout.split(separator: "\n").filter { $0.hasPrefix("removed: ") }.count == Self.relativeFiles.count)
    }

    @Test func uninstallRemovesOnlyItsOwnFiles() async throws {
        let prefix = try Paths.temporaryDirectory("prefix-shared")
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let neighbour = "\(prefix)/share/bash-completion/completions/kubectl"
        try FileManager.default.createDirectory(atPath: "\(prefix)/share/bash-completion/completions", withIntermediateDirectories: true)
        try "# kubectl's own\n".write(toFile: neighbour, atomically: true, encoding: .utf8)
        let destdir = try Paths.temporaryDirectory("destdir")
        defer { try? FileManager.default.removeItem(atPath: destdir) }
        // DESTDIR stages under another root; the manifest still names the final paths.
        let staged = try await bash(#"bash "$1" install PREFIX=/opt/paperctl DESTDIR="$2""#, [Paths.installScript, destdir])
        #expect(staged.status == 0, "\(staged.stderr)")
        let manifest = try String(contentsOfFile: "\(destdir)/opt/paperctl/share/paperctl-tui/install-manifest", encoding: .utf8)
        #expect(manifest.hasPrefix("/opt/paperctl/bin/paperctl-tui\n"))
        let removedStaged = try await bash(#"bash "$1" uninstall PREFIX=/opt/paperctl DESTDIR="$2""#, [Paths.installScript, destdir])
        #expect(removedStaged.status == 0 && Self.files(under: destdir).isEmpty, "\(removedStaged.stdout)\(removedStaged.stderr)")

        _ = try await bash(#"bash "$1" install PREFIX="$2""#, [Paths.installScript, prefix])
        _ = try await bash(#"bash "$1" uninstall PREFIX="$2""#, [Paths.installScript, prefix])
        #expect(Self.files(under: prefix) == ["share/bash-completion/completions/kubectl"])
    }

    /// `dpkg -i` the package built from the same stage, run it, read its man page and completion,
    /// `dpkg -r` it, and find nothing left. Installs into /usr: root (or passwordless sudo) only.
    @Test(.enabled(if: Host.canInstallPackages, "\(Host.packageTestSkipReason)"))
    func debianPackageInstallsRunsAndUninstallsCleanly() async throws {
        // `env dpkg …` as root, `sudo -n dpkg …` otherwise.
        let privileged = (Host.privilegePrefix ?? []).isEmpty ? ["env"] : (Host.privilegePrefix ?? [])
        let work = try Paths.temporaryDirectory("deb")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let deb = "\(work)/paperctl-tui.deb"
        // gzip: xz takes most of a minute on an 89 MB binary and tests nothing more.
        let built = try await bash(#"bash "$1" deb OUT="$2""#, [Paths.installScript, deb], extra: ["DEB_COMPRESSION": "gzip"], limit: 300)
        #expect(built.status == 0, "\(built.stdout)\n\(built.stderr)")
        let fields = try await runProcess("dpkg-deb", ["-f", deb, "Package", "Version", "Depends", "Recommends"], limit: 30)
        #expect(fields.stdout.contains("Package: paperctl-tui"))
        let depends = try #require(fields.stdout.split(separator: "\n").first { $0.hasPrefix("Depends: ") })
        #expect(depends.contains("libncursesw6"), "\(depends)")
        #expect(fields.stdout.contains("Recommends: kubectl, restic"))
        let contents = try await runProcess("dpkg-deb", ["-c", deb], limit: 30)
        for path in ["./usr/bin/paperctl-tui", "./usr/share/man/man1/paperctl-tui.1.gz", "./usr/share/bash-completion/completions/paperctl-tui",
                     "./usr/share/zsh/vendor-completions/_paperctl-tui", "./usr/share/fish/vendor_completions.d/paperctl-tui.fish"] {
            #expect(contents.stdout.contains(" \(path)\n"), "\(path) missing from\n\(contents.stdout)")
        }

        try await withFileLock("/tmp/paperctl-tui-dpkg-test.lock") {
            let status = try await runProcess("dpkg-query", ["-W", "-f=${Status}", "paperctl-tui"], limit: 30)
            guard !status.stdout.contains("installed") || status.stdout.contains("not-installed") || status.stdout.contains("config-files") else {
                Issue.record("paperctl-tui is already installed here (\(status.stdout)); this test will not replace or remove it")
                return
            }
            let install = try await runProcess(privileged[0], Array(privileged.dropFirst()) + ["dpkg", "-i", deb], limit: 120)
            var removed = false
            defer {
                if !removed { _ = Host.runSync(privileged[0], Array(privileged.dropFirst()) + ["dpkg", "--purge", "paperctl-tui"]) }
            }
            #expect(install.status == 0, "\(install.stdout)\n\(install.stderr)")

            let version = try await runProcess("/usr/bin/paperctl-tui", ["--version"], limit: 30)
            let staged = try await runProcess(Paths.stagedBinary, ["--version"], limit: 30)
            #expect(version.status == 0 && version.stdout == staged.stdout, "\(version.stdout)\(version.stderr)")
            let man = try await bash("man -w paperctl-tui && MANWIDTH=80 man -P cat paperctl-tui | head -5")
            #expect(man.stdout.hasPrefix("/usr/share/man/man1/paperctl-tui.1.gz\n"), "\(man.stdout)\(man.stderr)")
            #expect(man.stdout.contains("paperctl-tui"))
            // bash-completion loads it on demand from /usr/share/bash-completion/completions.
            if FileManager.default.fileExists(atPath: "/usr/share/bash-completion/bash_completion") {
                let completion = try await bash(Self.completeScript, [""])
                #expect(completion.stdout.contains("reply:version"), "\(completion.stdout)\(completion.stderr)")
            }
            let listed = try await runProcess("dpkg", ["-L", "paperctl-tui"], limit: 30)
            let installedFiles = listed.stdout.split(separator: "\n").map(String.init).filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }

            let remove = try await runProcess(privileged[0], Array(privileged.dropFirst()) + ["dpkg", "--purge", "paperctl-tui"], limit: 120)
            removed = remove.status == 0
            #expect(remove.status == 0, "\(remove.stdout)\n\(remove.stderr)")
            #expect(installedFiles.count >= 5, "\(listed.stdout)")
            let left = installedFiles.filter { FileManager.default.fileExists(atPath: $0) }
            #expect(left.isEmpty, "left after dpkg --purge: \(left)")
            let after = try await runProcess("dpkg-query", ["-W", "-f=${Status}", "paperctl-tui"], limit: 30)
            #expect(after.status != 0 || after.stdout.contains("not-installed"), "\(after.stdout)")
        }
    }
}
