package io.wsprobe.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Alertmanager (Debian package prometheus-alertmanager) on a loopback port, clustering
 * off, with its own data directory and the configuration the test writes.
 */
public final class Alertmanager implements AutoCloseable {

  private final ServerProcess process;

  private Alertmanager(ServerProcess process) {
    this.process = process;
  }

  public static Alertmanager start(Path dir, String config) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("alertmanager.yml"), config);
    int port = Nginx.freePort();
    return new Alertmanager(ServerProcess.start("alertmanager", List.of(Binaries.alertmanager(),
        "--config.file=" + dir.resolve("alertmanager.yml"),
        "--storage.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--cluster.listen-address=",
        "--log.level=warn"), dir, port, "/-/ready"));
  }

  public int port() {
    return process.port;
  }

  public String output() {
    return process.output();
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
