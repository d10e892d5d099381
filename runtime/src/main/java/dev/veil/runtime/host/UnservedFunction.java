package dev.veil.runtime.host;

import io.vertx.core.json.JsonArray;

/**
 * A function the scanner found but the host cannot define (no trigger it recognises, for instance
 * because the trigger annotation's class is missing, or two triggers): listed as disabled, the rest
 * of the app runs.
 *
 * @param name the {@code @FunctionName} value
 * @param location the declaring class and method ({@code com.example.Orders#run}), or the class
 *     alone when it cannot be loaded
 * @param reason why it cannot run
 * @param bindings the bindings its annotations declare ({@link BindingDescriptions}), as far as
 *     they can be read
 */
public record UnservedFunction(String name, String location, String reason, JsonArray bindings) {}
