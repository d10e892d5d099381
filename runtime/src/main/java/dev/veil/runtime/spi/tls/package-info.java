/**
 * PEM certificates and keys, read and checked with the JDK alone, for the host's TLS listeners and
 * for function code that calls other parties over mutual TLS.
 */
package dev.veil.runtime.spi.tls;
