/**
 * Probing: one probe of one target with one module ({@link io.wsprobe.prober.Prober}), as a
 * pipeline of phases on one Netty event loop.
 *
 * <pre>
 * WebSocketProber   login (protocol.LoginFlows: a LoginFlow by auth.type), then a ProbeRun
 * ProbeRun          the deadline (one timer), the trace, the result, delivered once
 *   Broadcast       when the module has one: a coordinator over N+1 Sessions
 * Session           one connection; its phases, in order:
 *   Connect         fd budget, DNS, TCP connect (to the forward proxy when the module has one)
 *   ProxyConnectHandler  CONNECT through the proxy, its answer; then the tunnel carries the rest
 *   TlsStep         Netty's SslHandler, certificate expiry; TlsFailure names the cause
 *   UpgradeHandler  request, answer checks, non-101 body        } PhaseHandlers, one at a time
 *   AppHandshakeHandler  the dialect's handshake                  } at the end of the pipeline,
 *   BroadcastHandler     waiting for receivers / the marker       } each put in place of the
 *   ExchangeHandler      the module's messages                    } last by Pipelines
 *   HoldHandler          hold, keepalives, pings                  }
 *   CloseHandler         goodbye, close frame, close answer       }
 * FailureClassifier the one table from (ProbeStep, event) to Result and detail
 * </pre>
 *
 * <p>A new result value goes into {@link io.wsprobe.prober.Result}, with its words in
 * {@link io.wsprobe.prober.Diagnosis} and, if an event in a step produces it, a row in
 * {@code FailureClassifier}. A new phase is a {@code PhaseHandler} (its step in
 * {@code ProbeStep}, its rows in {@code FailureClassifier}) that {@code Session} installs
 * between two others; pipeline changes go through {@code Pipelines}. A new dialect lives in
 * {@code io.wsprobe.protocol}.
 */
package io.wsprobe.prober;
