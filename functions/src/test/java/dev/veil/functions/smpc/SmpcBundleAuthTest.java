package dev.veil.functions.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.veil.smpc.Dealer;
import dev.veil.smpc.FixedPoint;
import dev.veil.smpc.Plan;
import dev.veil.smpc.Prg;
import dev.veil.smpc.SharedMlp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Material coming back from the crypto provider is authenticated on the party's own link: a bundle
 * tagged with another link's key (here party 0's, as if party 0 posed as the provider towards party
 * 1) is refused; the same bundle tagged by the provider is taken. Party 1 runs in-process against a
 * stand-in provider.
 */
class SmpcBundleAuthTest {
  private static final String K01 = "parties-key-0123456789",
      K0P = "party0-provider-key-0123",
      K1P = "party1-provider-key-0123";

  @Test
  void aPartyRefusesABundleNotTaggedByTheProvider() throws Exception {
    Plan plan = new Plan(List.of(new Plan.Item(Plan.Kind.TRIPLE, 3, 0, 0)));
    byte[] planBytes = plan.toBytes();
    SharedMlp.Split split = SharedMlp.split(SmpcModels.linear(), FixedPoint.DEFAULT, Prg.fresh());
    String version = split.party1().version();
    AtomicReference<String> tagKey = new AtomicReference<>();
    HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    provider.createContext(
        "/api/smpc/material/",
        exchange -> {
          String session = exchange.getRequestURI().getPath().split("/")[4];
          exchange.getRequestBody().readAllBytes();
          byte[] bundle = new Dealer().deal(plan).party1();
          String link = tagKey.get();
          String key = link.equals(SessionKeys.PARTY1_PROVIDER) ? K1P : K0P;
          exchange
              .getResponseHeaders()
              .add(
                  SessionKeys.HEADER,
                  new SessionKeys(link, key.getBytes(StandardCharsets.UTF_8))
                      .mac(session, SmpcProvider.bundleContext(1, version), bundle));
          exchange.sendResponseHeaders(200, bundle.length);
          exchange.getResponseBody().write(bundle);
          exchange.close();
        });
    provider.start();
    try {
      SmpcSettings settings =
          SmpcSettings.from(
              Map.of(
                      SmpcSettings.ROLE,
                      "party1",
                      SmpcSettings.PARTIES_KEY,
                      K01,
                      SmpcSettings.PARTY1_PROVIDER_KEY,
                      K1P,
                      SmpcSettings.PEER,
                      "http://127.0.0.1:9/api",
                      SmpcSettings.PROVIDER,
                      "http://127.0.0.1:" + provider.getAddress().getPort() + "/api")
                  ::get);
      SmpcParty party1 = new SmpcParty(settings, List.of(split.party1()));
      SessionKeys parties =
          new SessionKeys(SessionKeys.PARTIES, K01.getBytes(StandardCharsets.UTF_8));

      tagKey.set(SessionKeys.PARTY0_PROVIDER);
      String forged = SessionKeys.newSession();
      SmpcFailure e =
          assertThrows(
              SmpcFailure.class,
              () ->
                  party1.prefetch(
                      forged,
                      "0",
                      version,
                      parties.mac(forged, SmpcParty.prefetchContext(version), planBytes),
                      planBytes));
      assertEquals(502, e.status());
      assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
      assertEquals(0, party1.prefetchedCount());

      tagKey.set(SessionKeys.PARTY1_PROVIDER);
      String genuine = SessionKeys.newSession();
      party1.prefetch(
          genuine,
          "0",
          version,
          parties.mac(genuine, SmpcParty.prefetchContext(version), planBytes),
          planBytes);
      assertEquals(1, party1.prefetchedCount());
    } finally {
      provider.stop(0);
    }
  }
}
