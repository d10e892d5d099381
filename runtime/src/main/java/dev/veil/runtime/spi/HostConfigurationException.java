package dev.veil.runtime.spi;

/**
 * The host's own configuration (host.json, app settings the host reads) is wrong, as a trigger or
 * binding provider found while starting. Unlike a fault in one function's trigger, which leaves
 * that function disabled with the reason and the rest of the app running (as the Azure host does),
 * this stops the host's start with the message.
 */
public class HostConfigurationException extends IllegalArgumentException {
  public HostConfigurationException(String message) {
    super(message);
  }
}
