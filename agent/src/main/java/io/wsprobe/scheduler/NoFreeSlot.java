package io.wsprobe.scheduler;

/** Every slot of {@code max_concurrent_probes} is taken, or owed to a waiting probe. */
public final class NoFreeSlot extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int limit;

  public NoFreeSlot(int limit) {
    super("all " + limit + " slots of global.max_concurrent_probes are in use or owed to waiting"
        + " scheduled probes", null, false, false);
    this.limit = limit;
  }

  public int limit() {
    return limit;
  }
}
