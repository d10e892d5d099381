package dev.veil.triggers.kafka.secure;

import com.google.gson.Gson;
import com.microsoft.azure.functions.BrokerAuthenticationMode;
import com.microsoft.azure.functions.BrokerProtocol;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import dev.veil.triggers.kafka.KafkaEntity;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A chain over a broker's secured listeners, written as an Azure app would: SASL_SSL + PLAIN in,
 * SSL with a client certificate (encrypted key) out and in again, SASL_SSL + SCRAM-SHA-256 out as
 * an Avro record, and SASL_SSL + SCRAM-SHA-512 in, decoding the Avro record into a POJO.
 * Credentials and files are app settings.
 */
public class SecureFunctions {
  public static final String PAYMENT =
      "{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"test\",\"fields\":["
          + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"amount\",\"type\":\"double\"},"
          + "{\"name\":\"type\",\"type\":\"string\"}]}";
  public static final List<String> PAYMENTS = new CopyOnWriteArrayList<>();
  private static final Gson GSON = new Gson();

  /** The Avro record's POJO (no no-argument constructor needed). */
  public static class Payment {
    public final String id;
    public final double amount;
    public final String type;

    public Payment(String id, double amount, String type) {
      this.id = id;
      this.amount = amount;
      this.type = type;
    }
  }

  @FunctionName("saslPlainIn")
  public void saslPlainIn(
      @KafkaTrigger(
              name = "event",
              topic = "%SecureIn%",
              brokerList = "%SaslBrokers%",
              consumerGroup = "secure-1",
              protocol = BrokerProtocol.SASLSSL,
              authenticationMode = BrokerAuthenticationMode.PLAIN,
              username = "%PlainUser%",
              password = "PlainPassword",
              sslCaLocation = "%CaFile%")
          KafkaEntity event,
      @KafkaOutput(
              name = "out",
              topic = "%SecureMid%",
              brokerList = "%SslBrokers%",
              protocol = BrokerProtocol.SSL,
              sslCaLocation = "%CaFile%",
              sslCertificateLocation = "%ClientCert%",
              sslKeyLocation = "%ClientKey%",
              sslKeyPassword = "%ClientKeyPassword%")
          OutputBinding<String> out) {
    out.setValue(event.Key + ":" + event.Value);
  }

  @FunctionName("sslIn")
  public void sslIn(
      @KafkaTrigger(
              name = "event",
              topic = "%SecureMid%",
              brokerList = "%SslBrokers%",
              consumerGroup = "secure-2",
              protocol = BrokerProtocol.SSL,
              sslCaLocation = "%CaFile%",
              sslCertificateLocation = "%ClientCert%",
              sslKeyLocation = "%ClientKey%",
              sslKeyPassword = "%ClientKeyPassword%")
          String event,
      @KafkaOutput(
              name = "out",
              topic = "%SecureOut%",
              brokerList = "%SaslBrokers%",
              protocol = BrokerProtocol.SASLSSL,
              authenticationMode = BrokerAuthenticationMode.SCRAMSHA256,
              username = "%ScramUser%",
              password = "%ScramPassword%",
              sslCaLocation = "%CaFile%",
              avroSchema = PAYMENT)
          OutputBinding<Payment> out) {
    String[] keyAndValue = GSON.fromJson(event, KafkaEntity.class).Value.split(":", 2);
    out.setValue(new Payment(keyAndValue[0], keyAndValue[1].length(), keyAndValue[1]));
  }

  @FunctionName("scramIn")
  public void scramIn(
      @KafkaTrigger(
              name = "payment",
              topic = "%SecureOut%",
              brokerList = "%SaslBrokers%",
              consumerGroup = "secure-3",
              protocol = BrokerProtocol.SASLSSL,
              authenticationMode = BrokerAuthenticationMode.SCRAMSHA512,
              username = "%ScramUser%",
              password = "%ScramPassword%",
              sslCaLocation = "%CaFile%",
              avroSchema = PAYMENT)
          Payment payment) {
    PAYMENTS.add(payment.id + "/" + payment.type + "/" + payment.amount);
  }
}
