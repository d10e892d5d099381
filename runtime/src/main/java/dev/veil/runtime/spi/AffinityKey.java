package dev.veil.runtime.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a function's cluster placement key is found in its trigger's event. Invocations with the
 * same key go to the same node (the key's owner), so per-key state such as a downloaded key bundle
 * is fetched about once per cluster. Each source is {@code kind:name}; the first one present wins,
 * and the function's trigger reads the kinds it knows (HTTP: {@code header:}, {@code query:},
 * {@code route:} and {@code json:} — a top-level string field of a JSON body). Without this
 * annotation, or when no source is present, the invocation goes to the least loaded node.
 *
 * <p>The same declaration may also come from host.json {@code veil.cluster.affinityKeys} ({@code
 * {"functionName": ["query:key_id", ...]}}), which takes precedence.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AffinityKey {

  /**
   * Sources in order of preference, e.g. {@code {"header:x-veil-key-id", "query:key_id",
   * "json:key_id"}}.
   */
  String[] value();
}
