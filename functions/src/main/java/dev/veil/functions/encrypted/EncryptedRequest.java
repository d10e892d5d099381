package dev.veil.functions.encrypted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.keys.KeyRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Every failure is an {@link IllegalArgumentException} whose message names the problem (HTTP 400).
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
            throw new IllegalArgumentException("the request has no body; send JSON {\"data\", \"key_id\", \"container\"},"
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
            Multipart form = Multipart.parse(body, contentType);
            byte[] data = form.files().get("data");
            if (data == null) {
                throw new IllegalArgumentException("the multipart body has no 'data' part with the ciphertext");
            }
            return of(data, form.fields(), false);
        }
        if (!type.startsWith("application/json") && !type.startsWith("text/plain")) {
            throw new IllegalArgumentException("unsupported content type '" + contentType
                + "'; use application/json, application/octet-stream or multipart/form-data");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the JSON body must be an object with data, key_id and container");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isTextual() || data.asText().isEmpty()) {
            throw new IllegalArgumentException("'data' must be the base64 SEAL ciphertext");
        }
        byte[] ciphertext;
        try {
            ciphertext = Base64.getDecoder().decode(data.asText().replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'data' is not valid base64");
        }
        Map<String, String> fields = new HashMap<>();
        for (String name : new String[] {"key_id", "container", "key_fingerprint", "conn_str"}) {
            JsonNode v = root.get(name);
            if (v != null && !v.isNull()) {
                if (!v.isTextual()) {
                    throw new IllegalArgumentException("'" + name + "' must be a string");
                }
                fields.put(name, v.asText());
            }
        }
        return of(ciphertext, fields, false);
    }

    private static EncryptedRequest of(byte[] ciphertext, Map<String, String> fields, boolean binary) {
        if (ciphertext.length == 0) {
            throw new IllegalArgumentException("the ciphertext is empty");
        }
        String fingerprint = fields.get("key_fingerprint");
        if (fingerprint != null && !fingerprint.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("key_fingerprint must be 64 hex digits (SHA-256 of the key bundle)");
        }
        return new EncryptedRequest(ciphertext, new KeyRef(fields.get("container"), fields.get("key_id")),
            fingerprint == null ? null : fingerprint.toLowerCase(Locale.ROOT), fields.get("conn_str"), binary);
    }

    /** A minimal multipart/form-data reader: named parts, file parts by field name. */
    record Multipart(Map<String, String> fields, Map<String, byte[]> files) {

        static Multipart parse(byte[] body, String contentType) {
            String boundary = null;
            for (String part : contentType.split(";")) {
                String p = part.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                    boundary = p.substring("boundary=".length()).replace("\"", "");
                }
            }
            if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
                throw new IllegalArgumentException("multipart/form-data without a valid boundary");
            }
            byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            Map<String, String> fields = new HashMap<>();
            Map<String, byte[]> files = new HashMap<>();
            int pos = indexOf(body, delimiter, 0);
            if (pos < 0) {
                throw new IllegalArgumentException("the multipart body does not contain its boundary");
            }
            while (true) {
                int start = pos + delimiter.length;
                if (start + 2 <= body.length && body[start] == '-' && body[start + 1] == '-') {
                    break; // closing delimiter
                }
                start = skipLineBreak(body, start);
                int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
                int next = indexOf(body, delimiter, start);
                if (headersEnd < 0 || next < 0 || headersEnd > next) {
                    throw new IllegalArgumentException("a multipart part is malformed or unterminated");
                }
                String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
                int contentStart = headersEnd + 4;
                int contentEnd = next - 2; // the CRLF before the delimiter belongs to it
                if (contentEnd < contentStart) {
                    contentEnd = contentStart;
                }
                String name = dispositionParam(headers, "name");
                if (name != null) {
                    byte[] content = java.util.Arrays.copyOfRange(body, contentStart, contentEnd);
                    if (name.equals("data")) {
                        files.put(name, content);
                    } else {
                        fields.put(name, new String(content, StandardCharsets.UTF_8).trim());
                    }
                }
                pos = next;
            }
            return new Multipart(fields, files);
        }

        private static String dispositionParam(String headers, String param) {
            for (String line : headers.split("\r\n")) {
                if (!line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
                    continue;
                }
                for (String p : line.split(";")) {
                    String t = p.trim();
                    if (t.startsWith(param + "=")) {
                        return t.substring(param.length() + 1).replace("\"", "");
                    }
                }
            }
            return null;
        }

        private static int skipLineBreak(byte[] b, int i) {
            if (i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n') {
                return i + 2;
            }
            return i;
        }

        private static int indexOf(byte[] haystack, byte[] needle, int from) {
            outer:
            for (int i = from; i <= haystack.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
