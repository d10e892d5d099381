/**
 * HTTP plumbing shared by the host's edge and the HTTP trigger: helpers of the implementation, not
 * part of the SPI that function code compiles against.
 */
package dev.veil.runtime.http;
