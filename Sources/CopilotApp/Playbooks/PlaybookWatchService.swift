import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the playbooks on SIGHUP and, with `playbooks.watch: true`, when the directory's files change.
///
/// Changes are found by polling a fingerprint (names, sizes and modification times) once a second rather
/// than with inotify: polling also sees Kubernetes ConfigMap updates (a symlink swap) and editors' atomic
/// renames, and costs a few `stat` calls. A change is loaded once the fingerprint has held still for one
/// interval, so a half-written file is not reported as broken.
struct PlaybookWatchService: Service {
    let reloader: PlaybookReloader
    let watch: Bool
    var interval: Duration = .seconds(1)

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask {
                        for await _ in hangups { await reloader.reload(reason: "SIGHUP") }
                    }
                    if watch {
                        group.addTask { try await poll() }
                    }
                }
            }
        } catch is CancellationError {
            // Graceful shutdown: stop watching.
        }
    }

    private func poll() async throws {
        var loaded = Self.fingerprint(of: reloader.directory)
        var previous = loaded
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            let current = Self.fingerprint(of: reloader.directory)
            if current == previous, current != loaded {
                await reloader.reload(reason: "files changed")
                loaded = current
            }
            previous = current
        }
    }

    /// Names, sizes and modification times of the playbook files, and where their symlinks lead; empty
    /// when the directory is unreadable.
    ///
    /// Through symlinks: in a Kubernetes ConfigMap volume each `x.yaml` is a symlink to `..data/x.yaml`,
    /// and an update swaps `..data` to a new directory, leaving the symlink itself untouched; what changes
    /// is the file it resolves to.
    static func fingerprint(of directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted().map {
            let target = URL(fileURLWithPath: directory + "/" + $0).resolvingSymlinksInPath().path
            let attributes = try? FileManager.default.attributesOfItem(atPath: target)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\($0)\u{0}\(target)\u{0}\(size)\u{0}\(modified)"
        }
    }
}
