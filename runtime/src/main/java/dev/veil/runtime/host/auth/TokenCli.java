package dev.veil.runtime.host.auth;

import dev.veil.runtime.spi.CliCommand;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code veil token issue --sub S --aud A --ttl 1h}: a token signed with the host's own key (from
 * {@code --data}, default {@code .veil}), for local use and tests. A host accepts it when host.json
 * has {@code veil.auth.jwt} with that audience.
 */
public final class TokenCli implements CliCommand {
  private static final String USAGE =
      "veil token issue --sub SUBJECT --aud AUDIENCE [--aud ...] [--ttl 1h] [--role ROLE ...] "
          + "[--iss ISSUER] [--data DIR]";
  private static final Duration MAX_TTL = Duration.ofDays(30);
  private static final Pattern TTL = Pattern.compile("(\\d+)([smhd])");

  @Override
  public String name() {
    return "token";
  }

  @Override
  public String usage() {
    return USAGE;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    String subject = null;
    String issuer = TokenSettings.DEFAULT_OWN_ISSUER;
    List<String> audiences = new ArrayList<>();
    List<String> roles = new ArrayList<>();
    Duration ttl = Duration.ofHours(1);
    Path data = Path.of(".veil");
    try {
      if (args.isEmpty() || !args.get(0).equals("issue"))
        throw new IllegalArgumentException("the only action is 'issue'");
      for (int i = 1; i < args.size(); i++) {
        String a = args.get(i);
        if (i + 1 >= args.size()) throw new IllegalArgumentException(a + " needs a value");
        String v = args.get(++i);
        switch (a) {
          case "--sub" -> subject = v;
          case "--aud" -> audiences.add(v);
          case "--role" -> roles.add(v);
          case "--iss" -> issuer = v;
          case "--ttl" -> ttl = ttl(v);
          case "--data" -> data = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      if (subject == null) throw new IllegalArgumentException("--sub is required");
      if (audiences.isEmpty()) throw new IllegalArgumentException("--aud is required");
    } catch (IllegalArgumentException e) {
      err.println("veil token: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    try {
      out.println(HostSigningKey.load(data).issue(issuer, subject, audiences, ttl, roles));
      return 0;
    } catch (Exception e) {
      err.println("veil token: " + e.getMessage());
      return 1;
    }
  }

  static Duration ttl(String text) {
    Matcher m = TTL.matcher(text);
    if (!m.matches())
      throw new IllegalArgumentException(
          "--ttl takes a number and a unit (s, m, h, d), e.g. 15m; got '" + text + "'");
    long n = Long.parseLong(m.group(1));
    Duration ttl =
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    if (ttl.isZero() || ttl.compareTo(MAX_TTL) > 0)
      throw new IllegalArgumentException("--ttl must be between 1s and 30d");
    return ttl;
  }
}
