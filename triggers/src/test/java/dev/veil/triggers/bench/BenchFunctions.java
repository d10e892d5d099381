package dev.veil.triggers.bench;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The functions the streams benchmark runs: no-op Kafka consumers, an echo to a topic, a blob copy.
 */
public class BenchFunctions {
  static final AtomicLong RECORDS = new AtomicLong();
  static volatile long firstNanos;
  static volatile long lastNanos;

  static void reset() {
    RECORDS.set(0);
    firstNanos = 0;
    lastNanos = 0;
  }

  private static void seen(int n) {
    long now = System.nanoTime();
    if (firstNanos == 0) {
      firstNanos = now;
    }
    RECORDS.addAndGet(n);
    lastNanos = now;
  }

  @FunctionName("noopMany")
  public void noopMany(
      @KafkaTrigger(
              name = "v",
              topic = "%BenchTopic%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "%BenchGroup%",
              cardinality = Cardinality.MANY,
              dataType = "binary")
          byte[][] values) {
    seen(values.length);
  }

  @FunctionName("noopOne")
  public void noopOne(
      @KafkaTrigger(
              name = "v",
              topic = "%BenchTopicOne%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "%BenchGroup%",
              dataType = "binary")
          byte[] value) {
    seen(1);
  }

  @FunctionName("echoMany")
  public void echoMany(
      @KafkaTrigger(
              name = "v",
              topic = "%BenchTopicEcho%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "%BenchGroup%",
              cardinality = Cardinality.MANY,
              dataType = "string")
          String[] values,
      @KafkaOutput(name = "out", topic = "%BenchTopicEcho%.out", brokerList = "%KafkaBrokers%")
          OutputBinding<String[]> out) {
    out.setValue(values);
    seen(values.length);
  }

  @FunctionName("blobCopy")
  public void blobCopy(
      @BlobTrigger(
              name = "in",
              path = "%BenchBlobIn%/{name}",
              connection = "BenchStorage",
              dataType = "binary")
          byte[] content,
      @BindingName("name") String name,
      @BlobOutput(name = "out", path = "%BenchBlobOut%/{name}", connection = "BenchStorage")
          OutputBinding<byte[]> out) {
    out.setValue(content);
  }
}
