package dev.veil.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The Azure Functions schemas kept as test data (src/test/resources/azure-functions). */
final class Schemas {
  static final JsonSchema FUNCTION = load("function.schema.json");
  static final JsonSchema HOST = load("host.schema.json");

  private Schemas() {}

  /** The schema violations of {@code document}, empty when it is valid. */
  static List<String> violations(JsonSchema schema, JsonNode document) {
    return schema.validate(document).stream().map(ValidationMessage::getMessage).sorted().toList();
  }

  private static JsonSchema load(String name) {
    try (InputStream in = Schemas.class.getResourceAsStream("/azure-functions/" + name)) {
      if (in == null)
        throw new IllegalStateException("missing test resource azure-functions/" + name);
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
