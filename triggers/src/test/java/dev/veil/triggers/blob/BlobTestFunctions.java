package dev.veil.triggers.blob;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.BlobInput;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Functions the blob trigger tests run; calls are counted per blob name. */
public class BlobTestFunctions {
  static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

  static int calls(String name) {
    AtomicInteger n = CALLS.get(name);
    return n == null ? 0 : n.get();
  }

  @FunctionName("upperCase")
  public void upperCase(
      @BlobTrigger(
              name = "content",
              path = "%UpperPath%",
              connection = "BlobStorage",
              dataType = "binary")
          byte[] content,
      @BindingName("name") String name,
      @BlobOutput(name = "out", path = "%OutContainer%/{name}.upper", connection = "BlobStorage")
          OutputBinding<byte[]> out) {
    CALLS.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    if (name.startsWith("poison")) {
      throw new IllegalStateException("blob " + name + " cannot be processed");
    }
    out.setValue(
        new String(content, StandardCharsets.UTF_8)
            .toUpperCase(Locale.ROOT)
            .getBytes(StandardCharsets.UTF_8));
  }

  @FunctionName("measure")
  @BlobOutput(name = "$return", path = "%OutContainer%/{name}.size", connection = "BlobStorage")
  public String measure(
      @BlobTrigger(name = "content", path = "%MeasurePath%", connection = "BlobStorage")
          InputStream content,
      @BindingName("name") String name,
      @BlobInput(name = "label", path = "%OutContainer%/label.txt", connection = "BlobStorage")
          String label)
      throws IOException {
    long bytes = 0;
    byte[] chunk = new byte[8192];
    for (int n; (n = content.read(chunk)) > 0; ) {
      bytes += n;
    }
    content.close();
    return label + ":" + name + ":" + bytes;
  }
}
