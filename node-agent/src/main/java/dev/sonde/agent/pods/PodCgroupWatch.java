package dev.sonde.agent.pods;

import dev.sonde.agent.pods.PodCgroupResolver.QosClass;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selected pods' cgroups, re-read only when they may have changed. The resolver lists a pod's directory and
 * the directories below it; an inotify watch (the JDK's {@link WatchService}) on each of them, registered before the
 * listing, tells when a container's cgroup appears or goes away, so a pod whose containers did not change costs
 * nothing. A pod that is not watched — its directory does not exist yet, the node is at its inotify watch limit, or
 * inotify is unavailable — is re-read every {@link #UNWATCHED_RESCAN}; every pod is re-read every
 * {@link #FULL_RESCAN} and after events were lost (the kernel's event queue overflowed). One thread only: the watch
 * service's own thread merely queues events.
 */
public final class PodCgroupWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PodCgroupWatch.class);
    /** How often the cgroups of a pod that is not watched are re-read: a new container is seen within this time. */
    public static final Duration UNWATCHED_RESCAN = Duration.ofSeconds(1);
    /** How often every pod is re-read regardless of events. */
    public static final Duration FULL_RESCAN = Duration.ofMinutes(1);

    private final PodCgroupResolver resolver;
    /** Null when inotify is unavailable: then no pod is watched. */
    private final WatchService watcher;
    private final Map<String, Pod> pods = new HashMap<>();
    private final Map<WatchKey, String> podOfKey = new HashMap<>();
    private Instant nextUnwatchedRescan = Instant.MIN;
    private Instant nextFullRescan = Instant.MIN;
    private boolean warnedWatchFailure;

    /** One pod's cgroups as last read, and the watches that would tell of a change. */
    private static final class Pod {
        PodCgroups cgroups;
        final List<WatchKey> keys = new ArrayList<>();
        boolean watched = true;
        boolean stale;
    }

    public PodCgroupWatch(PodCgroupResolver resolver) {
        this.resolver = resolver;
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("no inotify ({}): every selected pod's cgroups are re-read every {} s", e.getMessage(),
                    UNWATCHED_RESCAN.toSeconds());
        }
        this.watcher = service;
    }

    /**
     * Whether some pod's cgroups may have changed since the last call: a watch saw a cgroup appear or go away, a pod
     * that is not watched is due for its re-read, or the full rescan is. Those pods are re-read by the next
     * {@link #resolve} calls.
     */
    public boolean due(Instant now) {
        boolean due = takeEvents();
        if (!now.isBefore(nextFullRescan)) {
            nextFullRescan = now.plus(FULL_RESCAN);
            pods.values().forEach(pod -> pod.stale = true);
            due = true;
        }
        if (!now.isBefore(nextUnwatchedRescan)) {
            nextUnwatchedRescan = now.plus(UNWATCHED_RESCAN);
            for (Pod pod : pods.values()) {
                if (!pod.watched) {
                    pod.stale = true;
                    due = true;
                }
            }
        }
        return due;
    }

    /** The pod's cgroups: as last read, unless they may have changed since. */
    public PodCgroups resolve(String podUid, QosClass qos) {
        Pod known = pods.get(podUid);
        if (known != null && !known.stale) {
            return known.cgroups;
        }
        if (known != null) {
            unwatch(known);
        }
        Pod pod = new Pod();
        try {
            pod.cgroups = resolver.resolve(podUid, qos, dir -> watch(podUid, pod, dir));
        } catch (RuntimeException e) {
            // read again with the pods that are not watched, in a second: not at every tick, not in a minute
            unwatch(pod);
            pod.cgroups = known != null ? known.cgroups : PodCgroups.absent(podUid);
            pod.watched = false;
            pod.stale = true;
            pods.put(podUid, pod);
            throw e;
        }
        pod.watched &= pod.cgroups.isPresent();
        pods.put(podUid, pod);
        return pod.cgroups;
    }

    /** Forgets (and stops watching) the pods not in {@code podUids}. */
    public void retain(Set<String> podUids) {
        for (Iterator<Map.Entry<String, Pod>> it = pods.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Pod> entry = it.next();
            if (!podUids.contains(entry.getKey())) {
                unwatch(entry.getValue());
                it.remove();
            }
        }
    }

    /** Pods whose cgroups are watched: re-read only on a change. */
    public int watchedPods() {
        return (int) pods.values().stream().filter(pod -> pod.watched).count();
    }

    /** Marks the pods whose watches saw something stale; whether there were any. */
    private boolean takeEvents() {
        if (watcher == null) {
            return false;
        }
        boolean any = false;
        WatchKey key;
        while ((key = watcher.poll()) != null) {
            key.pollEvents(); // what changed does not matter: the pod is re-read (an overflow comes here too)
            key.reset();
            Pod pod = pods.get(podOfKey.get(key));
            if (pod != null) {
                pod.stale = true;
                any = true;
            }
        }
        return any;
    }

    private void watch(String podUid, Pod pod, Path dir) {
        if (watcher == null) {
            pod.watched = false;
            return;
        }
        try {
            WatchKey key = dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE);
            pod.keys.add(key);
            podOfKey.put(key, podUid);
        } catch (NoSuchFileException e) {
            pod.watched = false; // went away while being read: read again soon
        } catch (IOException e) {
            pod.watched = false;
            if (!warnedWatchFailure) {
                warnedWatchFailure = true;
                LOG.warn("cannot watch {} ({}); pods that cannot be watched are re-read every {} s (is the node at "
                        + "fs.inotify.max_user_watches?)", dir, e.getMessage(), UNWATCHED_RESCAN.toSeconds());
            }
        }
    }

    private void unwatch(Pod pod) {
        pod.keys.forEach(key -> {
            key.cancel();
            podOfKey.remove(key);
        });
        pod.keys.clear();
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.debug("closing the cgroup watch", e);
            }
        }
    }
}
