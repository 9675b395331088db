package io.wsprobe.prober;

/**
 * Where a session is, for {@link FailureClassifier}: finer than {@link Phase} (the metric label),
 * as the same event means different things while waiting for the answer's head or its body.
 */
enum ProbeStep {
  RESOLVING, CONNECTING,
  /** CONNECT sent to the forward proxy, its answer awaited. */
  PROXY_CONNECT,
  TLS,
  /** http_version "2": connection preface sent, the server's SETTINGS awaited. */
  H2_SETTINGS,
  /** The upgrade answer awaited: HTTP/1.1's 101, or over HTTP/2 the extended CONNECT's :status. */
  UPGRADING,
  /** A non-101 answer came; its first bytes of body are being kept. */
  ANSWER_BODY,
  APP_HANDSHAKE,
  /** Sender: ready, waiting for every receiver to be ready (and the settle time). */
  WAIT_RECEIVERS,
  /** Sender: marker sent, waiting for the receivers to report it. */
  BROADCAST,
  /** Receiver: ready, waiting for the marker. */
  RECEIVING,
  MESSAGE, HOLD, CLOSING, DONE
}
