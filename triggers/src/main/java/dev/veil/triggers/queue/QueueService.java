package dev.veil.triggers.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A queue service: Azure Queue Storage (or Azurite's) or the embedded local queue. Message text is
 * stored as given (the caller encodes, e.g. base64). Calls block: run them on a worker thread,
 * never on the event loop.
 */
interface QueueService {

  /**
   * A received message; {@code popReceipt} proves the receiver still holds it (it changes on every
   * update).
   */
  record Message(
      String id,
      String popReceipt,
      long dequeueCount,
      Instant insertionTime,
      Instant expirationTime,
      Instant nextVisibleTime,
      String text) {}

  /** Creates the queue if it does not exist. */
  void create(String queue);

  /**
   * Up to {@code max} (1-32) visible messages, each hidden for {@code visibility}; empty if none or
   * no queue.
   */
  List<Message> receive(String queue, int max, Duration visibility);

  /**
   * Deletes a received message; false if the pop receipt no longer holds (someone else has it now).
   */
  boolean delete(String queue, String id, String popReceipt);

  /**
   * Hides a received message for {@code visibility} from now; the new pop receipt, or null if it no
   * longer holds.
   */
  String hide(String queue, String id, String popReceipt, Duration visibility);

  /** Adds a message (creating the queue first if needed). */
  void send(String queue, String text);

  /**
   * Where the queues are, for logs: "Azure Queue Storage http://..." or "local queue directory
   * /...".
   */
  String describe();
}
