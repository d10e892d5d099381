package dev.veil.functions.encrypted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.http.MultipartForm;
import dev.veil.functions.keys.KeyRef;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One encrypted-inference request, in any of the accepted shapes:
 * <ul>
 *   <li>{@code application/json}: {@code {"data": <base64 SEAL ciphertext>, "key_id": "...", "container": "...",
 *       "key_fingerprint": "<hex, optional>", "conn_str": "<only when enabled>"}} (the seed service's shape);</li>
 *   <li>{@code application/octet-stream}: the body is the ciphertext; key_id, container (and optionally
 *       key_fingerprint) come from the query string or {@code x-veil-key-id}, {@code x-veil-container},
 *       {@code x-veil-key-fingerprint} headers;</li>
 *   <li>{@code multipart/form-data}: a {@code data} part with the ciphertext and {@code key_id}, {@code container},
 *       {@code key_fingerprint} fields.</li>
 * </ul>
 * Every failure is a {@link FunctionFailure#badInput bad-input failure} whose message names the problem (HTTP 400).
 */
public record EncryptedRequest(byte[] ciphertext, KeyRef keyRef, String keyFingerprint, String connectionString,
                               boolean binary) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param header case-insensitive request header lookup (null when absent)
     * @param query  query parameter lookup (null when absent)
     */
    public static EncryptedRequest parse(byte[] body, UnaryOperator<String> header, UnaryOperator<String> query) {
        if (body == null || body.length == 0) {
            throw FunctionFailure.badInput("the request has no body; send JSON {\"data\", \"key_id\", \"container\"},"
                + " an application/octet-stream ciphertext, or multipart/form-data");
        }
        String contentType = header.apply("content-type");
        String type = contentType == null ? "application/json" : contentType.toLowerCase(Locale.ROOT).trim();
        if (type.startsWith("application/octet-stream")) {
            Map<String, String> fields = new HashMap<>();
            for (String name : new String[] {"key_id", "container", "key_fingerprint"}) {
                String v = query.apply(name);
                fields.put(name, v != null ? v : header.apply("x-veil-" + name.replace('_', '-')));
            }
            return of(body, fields, true);
        }
        if (type.startsWith("multipart/form-data")) {
            byte[] data = null;
            Map<String, String> fields = new HashMap<>();
            for (MultipartForm.Part part : MultipartForm.parse(body, contentType)) {
                if ("data".equals(part.name())) {
                    data = part.content();
                } else if (part.name() != null) {
                    fields.put(part.name(), part.text());
                }
            }
            if (data == null) {
                throw FunctionFailure.badInput("the multipart body has no 'data' part with the ciphertext");
            }
            return of(data, fields, false);
        }
        if (!type.startsWith("application/json") && !type.startsWith("text/plain")) {
            throw FunctionFailure.badInput("unsupported content type '" + contentType
                + "'; use application/json, application/octet-stream or multipart/form-data");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw FunctionFailure.badInput("the body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw FunctionFailure.badInput("the JSON body must be an object with data, key_id and container");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isTextual() || data.asText().isEmpty()) {
            throw FunctionFailure.badInput("'data' must be the base64 SEAL ciphertext");
        }
        byte[] ciphertext;
        try {
            ciphertext = Base64.getDecoder().decode(data.asText().replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw FunctionFailure.badInput("'data' is not valid base64");
        }
        Map<String, String> fields = new HashMap<>();
        for (String name : new String[] {"key_id", "container", "key_fingerprint", "conn_str"}) {
            JsonNode v = root.get(name);
            if (v != null && !v.isNull()) {
                if (!v.isTextual()) {
                    throw FunctionFailure.badInput("'" + name + "' must be a string");
                }
                fields.put(name, v.asText());
            }
        }
        return of(ciphertext, fields, false);
    }

    private static EncryptedRequest of(byte[] ciphertext, Map<String, String> fields, boolean binary) {
        if (ciphertext.length == 0) {
            throw FunctionFailure.badInput("the ciphertext is empty");
        }
        String fingerprint = fields.get("key_fingerprint");
        if (fingerprint != null && !fingerprint.matches("[0-9a-fA-F]{64}")) {
            throw FunctionFailure.badInput("key_fingerprint must be 64 hex digits (SHA-256 of the key bundle)");
        }
        return new EncryptedRequest(ciphertext, new KeyRef(fields.get("container"), fields.get("key_id")),
            fingerprint == null ? null : fingerprint.toLowerCase(Locale.ROOT), fields.get("conn_str"), binary);
    }
}
