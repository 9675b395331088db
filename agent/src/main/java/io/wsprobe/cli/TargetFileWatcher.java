package io.wsprobe.cli;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says when the {@code target_files} may have changed, as Prometheus' {@code file_sd} does: on a
 * change in one of their directories (creation, change, deletion, a rename: a Kubernetes
 * ConfigMap's atomic swap of its {@code ..data} link too), and every {@code refresh} in any case,
 * for what a watch misses (a directory that does not exist yet, a network file system). Events
 * that arrive together are told once. Its own daemon thread waits; what to read is the caller's.
 */
final class TargetFileWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TargetFileWatcher.class);
  /** How long events may keep coming before they are told: an editor writes a file in steps. */
  private static final long SETTLE_MILLIS = 100;

  private final WatchService service;
  private final Runnable changed;
  private final long refreshNanos;
  private final Map<Path, WatchKey> watched = new HashMap<>();
  private final Thread thread;

  /** @param changed told on its thread when the files may have changed */
  TargetFileWatcher(Runnable changed, Duration refresh) throws IOException {
    this.service = FileSystems.getDefault().newWatchService();
    this.changed = changed;
    this.refreshNanos = refresh.toNanos();
    this.thread = new Thread(this::run, "wsprobe-target-files");
    thread.setDaemon(true);
    thread.start();
  }

  /** Watches these directories from now on, and no others. */
  synchronized void watch(Set<Path> dirs) {
    watched.entrySet().removeIf(e -> {
      if (!dirs.contains(e.getKey())) {
        e.getValue().cancel();
        return true;
      }
      return false;
    });
    for (Path dir : dirs) {
      if (!watched.containsKey(dir)) {
        try {
          watched.put(dir, dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
        } catch (IOException | RuntimeException e) {
          // not there yet, or not watchable: the periodic re-read covers it
          LOG.atDebug().addKeyValue("dir", dir).addKeyValue("err", e.toString())
              .log("cannot watch a target file directory; re-reading it periodically");
        }
      }
    }
  }

  private void run() {
    long next = System.nanoTime() + refreshNanos;
    try {
      while (true) {
        WatchKey key = service.poll(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (key != null) {
          settle(key);
        }
        if (key != null || System.nanoTime() >= next) {
          next = System.nanoTime() + refreshNanos;
          tell();
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed: the agent stops
    }
  }

  /**
   * Takes this key's events and whatever else comes within {@link #SETTLE_MILLIS} of the last,
   * for a second at most: a directory that never stops changing is still read.
   */
  private void settle(WatchKey first) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    WatchKey key = first;
    while (key != null && System.nanoTime() < end) {
      key.pollEvents();
      key.reset();
      key = service.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void tell() {
    try {
      changed.run();
    } catch (RuntimeException e) {
      LOG.atError().addKeyValue("err", e.toString()).log("re-reading the target files failed");
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      // nothing left to release
    }
    thread.interrupt();
  }
}
