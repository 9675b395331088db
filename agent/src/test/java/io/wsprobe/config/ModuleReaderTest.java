package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static io.wsprobe.config.ConfigTesting.ENV;
import static io.wsprobe.config.ConfigTesting.errors;
import static io.wsprobe.config.ConfigTesting.exception;
import static io.wsprobe.config.ConfigTesting.parse;
import static io.wsprobe.config.ConfigTesting.seconds;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Auth;
import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Expect;
import io.wsprobe.config.Module.Hocuspocus;
import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.IpProtocol;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.Module.SocketIo;
import io.wsprobe.config.Module.Tls;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code modules:} section ({@link ModuleReader}). */
class ModuleReaderTest {

  @Nested
  class ModulesSection {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1B:1", "65536:65536", "512KiB:524288", "1MiB:1048576",
        "256MiB:268435456"})
    void maxMessageSize(String pair) throws Exception {
      String[] parts = pair.split(":");
      Config config = parse("modules:\n  m:\n    max_message_size: " + parts[0] + "\n");

      assertThat(config.modules().get("m").maxMessageBytes()).isEqualTo(Long.parseLong(parts[1]));
    }

    @Test
    void anchorsAndMergeKeysShareSettingsBetweenModules() throws Exception {
      Config config = parse("""
          modules:
            base: &base
              origin: https://app.example.com
              subprotocols: [graphql-ws]
            derived:
              <<: *base
              origin: https://other.example.com
          """);

      Module derived = config.modules().get("derived");
      assertThat(derived.origin()).isEqualTo("https://other.example.com");
      assertThat(derived.subprotocols()).containsExactly("graphql-ws");
    }

    @Test
    void aModuleMustBeAMapping() {
      assertThat(errors("modules:\n  echo: [ping]\n")).containsExactly(
          "test.yml:2: modules.echo: expected a mapping, got a list");
    }
  }
}
