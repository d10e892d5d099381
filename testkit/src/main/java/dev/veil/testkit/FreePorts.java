package dev.veil.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on the loopback interface, for services the tests start.
 *
 * <p>Ports come from below Linux's ephemeral range (32768 and up): a port the kernel hands out for
 * {@code bind(0)} can also be taken by any outgoing connection (a cluster member dialling another,
 * an HTTP client polling) between the moment a test learns it and the moment its service binds it,
 * and a host that then fails to bind looks like a member that never joined. Each port is handed out
 * once per JVM.
 */
public final class FreePorts {
  private static final int FIRST = 20_000;
  private static final int END = 32_768;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /** A port that was free a moment ago on 127.0.0.1 (the caller binds it right away). */
  public static synchronized int next() {
    for (int attempt = 0; attempt < 2_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST, END);
      if (!HANDED_OUT.add(port)) continue;
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return port;
      } catch (IOException busy) {
        // taken by something else: try another
      }
    }
    throw new IllegalStateException(
        "no free port on 127.0.0.1 between " + FIRST + " and " + (END - 1));
  }
}
