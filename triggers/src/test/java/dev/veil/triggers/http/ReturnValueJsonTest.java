package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.Gson;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP return values and POJO response bodies are written with Gson's rules, as Azure's Java worker
 * writes them.
 */
class ReturnValueJsonTest {

  @Test
  void pojoReturnValuesAndBodiesAreWhatGsonWrites(@TempDir Path data) throws Exception {
    VeilHost host =
        Http.start(
            new HostOptions()
                .port(0)
                .dataDirectory(data)
                .functionClass(ReturnValueFunctions.class));
    try {
      String gson = new Gson().toJson(ReturnValueFunctions.order());
      HttpResponse<String> plain = Http.get(host, "/api/plainPojo");
      assertEquals(200, plain.statusCode(), plain.body());
      assertEquals(gson, plain.body());
      assertEquals("application/json", plain.headers().firstValue("content-type").orElse(null));
      assertFalse(plain.body().contains("\"note\""), "null fields are left out");
      assertFalse(plain.body().contains("displayName"), "getters are not properties");

      HttpResponse<String> body = Http.get(host, "/api/pojoBody");
      assertEquals(201, body.statusCode(), body.body());
      assertEquals(gson, body.body());
    } finally {
      Http.await(host.close());
    }
  }
}
