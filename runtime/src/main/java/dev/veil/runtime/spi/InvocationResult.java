package dev.veil.runtime.spi;

import java.time.Duration;

/**
 * A successful invocation.
 *
 * @param invocationId the invocation id
 * @param returnValue what the user method returned ({@code null} for void)
 * @param attempts how many times the method ran (1 + retries)
 * @param duration wall time from intake to completion, retries included
 */
public record InvocationResult(
    String invocationId, Object returnValue, int attempts, Duration duration) {}
