/**
 * The HTTP trigger ({@code @HttpTrigger}): routes under the host.json route prefix,
 * function/host/master key authorization, Azure's {@code HttpRequestMessage}/{@code
 * HttpResponseMessage} model, and the mapping of invocation failures to HTTP status codes with JSON
 * error bodies.
 */
package dev.veil.triggers.http;
