package dev.veil.triggers.blob;

import java.io.InputStream;
import java.util.List;

/**
 * A blob service: Azure Blob Storage (or Azurite) or a local directory. Calls block: run them on a worker
 * thread, never on the event loop.
 */
interface BlobStore {

  /** One blob in a listing; {@code etag} changes whenever the content does. */
  record Item(String name, String etag, long size) {}

  /** A page of a listing and the token for the next page ({@code null} after the last). */
  record Page(List<Item> items, String continuation) {}

  /** One page of the blobs in {@code container} whose names start with {@code prefix}; empty if no container. */
  Page list(String container, String prefix, String continuation);

  /** Streams a blob's content; {@code null} if it does not exist. */
  InputStream open(String container, String name);

  /** A blob's whole content; {@code null} if it does not exist. */
  default byte[] read(String container, String name) {
    try (InputStream in = open(container, name)) {
      return in == null ? null : in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("reading blob " + container + "/" + name + " failed", e);
    }
  }

  /** Creates or replaces a blob (and its container). */
  void write(String container, String name, byte[] content);

  /** Where the blobs are, for logs: "Azure Blob Storage http://..." or "local directory /...". */
  String describe();
}
