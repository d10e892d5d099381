package dev.veil.storage;

/** The blob (or its container) does not exist. */
public final class BlobNotFoundException extends StorageException {
  private final String container;
  private final String name;

  public BlobNotFoundException(String container, String name) {
    super("blob " + container + "/" + name + " does not exist", null);
    this.container = container;
    this.name = name;
  }

  public String container() {
    return container;
  }

  public String name() {
    return name;
  }
}
