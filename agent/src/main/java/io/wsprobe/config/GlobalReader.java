package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import io.wsprobe.config.NodeReader.Entry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** The {@code global:} section and its histogram {@code buckets}. */
final class GlobalReader {

  static final List<String> KEYS =
      List.of("interval", "timeout", "labels", "max_concurrent_probes", "buckets");
  static final List<String> BUCKET_KEYS =
      List.of("probe_duration", "phase_duration", "message_rtt", "scheduler_lag", "broadcast_delay");

  private final NodeReader reader;
  private final LabelReader labels;
  private final ConfigValidator validator;

  GlobalReader(NodeReader reader, LabelReader labels, ConfigValidator validator) {
    this.reader = reader;
    this.labels = labels;
    this.validator = validator;
  }

  /** The global section; invalid durations come back null so later checks skip them. */
  Global read(Entry section) {
    Global defaults = Global.defaults();
    if (section == null) {
      return defaults;
    }
    String path = "global";
    Map<String, Entry> keys = reader.mapping(section.value(), path, KEYS);
    if (keys == null) {
      return defaults;
    }
    Entry intervalKey = keys.get("interval");
    Entry timeoutKey = keys.get("timeout");
    Duration interval = reader.duration(intervalKey, path, defaults.interval());
    Duration timeout = reader.duration(timeoutKey, path, defaults.timeout());
    validator.globalTimeout(intervalKey, timeoutKey, interval, timeout);

    Map<String, String> labelValues = Map.of();
    if (keys.containsKey("labels")) {
      labelValues = labels.labels(keys.get("labels").value(), child(path, "labels"));
    }

    int maxConcurrent = defaults.maxConcurrentProbes();
    Entry maxKey = keys.get("max_concurrent_probes");
    if (maxKey != null) {
      String maxPath = child(path, "max_concurrent_probes");
      Long value = reader.integer(maxKey.value(), maxPath);
      if (value != null && value < 1) {
        reader.error(maxKey.value(), maxPath, "must be at least 1, got " + value);
      } else if (value != null && value > Integer.MAX_VALUE) {
        reader.error(maxKey.value(), maxPath, "must be at most " + Integer.MAX_VALUE);
      } else if (value != null) {
        maxConcurrent = value.intValue();
      }
    }

    Buckets buckets = defaults.buckets();
    if (keys.containsKey("buckets")) {
      buckets = buckets(keys.get("buckets").value(), child(path, "buckets"), buckets);
    }
    return new Global(interval, timeout, labelValues, maxConcurrent, buckets);
  }

  private Buckets buckets(Node node, String path, Buckets defaults) {
    Map<String, Entry> keys = reader.mapping(node, path, BUCKET_KEYS);
    if (keys == null) {
      return defaults;
    }
    return new Buckets(
        bounds(keys.get("probe_duration"), child(path, "probe_duration"), defaults.probeDuration()),
        bounds(keys.get("phase_duration"), child(path, "phase_duration"), defaults.phaseDuration()),
        bounds(keys.get("message_rtt"), child(path, "message_rtt"), defaults.messageRtt()),
        bounds(keys.get("scheduler_lag"), child(path, "scheduler_lag"), defaults.schedulerLag()),
        bounds(keys.get("broadcast_delay"), child(path, "broadcast_delay"), defaults.broadcastDelay()));
  }

  private List<Double> bounds(Entry entry, String path, List<Double> defaults) {
    if (entry == null) {
      return defaults;
    }
    List<Node> items = reader.list(entry.value(), path);
    if (items == null) {
      return defaults;
    }
    if (items.isEmpty() || items.size() > Buckets.MAX_BUCKETS) {
      reader.error(entry.value(), path, "must list 1 to " + Buckets.MAX_BUCKETS
          + " bucket bounds, got " + items.size());
      return defaults;
    }
    List<Double> bounds = new ArrayList<>();
    Double previous = null;
    for (int i = 0; i < items.size(); i++) {
      Node node = items.get(i);
      Double bound = reader.number(node, item(path, i));
      if (bound == null) {
        continue;
      }
      if (bound <= 0) {
        reader.error(node, item(path, i), "must be greater than 0, got " + number(bound));
      } else if (previous != null && bound <= previous) {
        reader.error(node, item(path, i), "bounds must be strictly increasing, but "
            + number(bound) + " follows " + number(previous));
      }
      bounds.add(bound);
      previous = bound;
    }
    return List.copyOf(bounds);
  }

  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
