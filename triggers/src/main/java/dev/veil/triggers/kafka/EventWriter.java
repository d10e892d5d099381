package dev.veil.triggers.kafka;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Writes records to a topic (output bindings, dead letters); the future completes once the write is
 * durable.
 */
interface EventWriter {

  Future<Void> send(
      String topic, byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers);
}
