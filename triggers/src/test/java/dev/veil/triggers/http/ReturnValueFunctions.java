package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP functions returning POJOs, plainly and as a response body, for comparison with Gson itself.
 */
public class ReturnValueFunctions {

  /** A POJO with a date, a null field, a nested object, a record and a map. */
  public static class Order {
    public final String id;
    public final Date placed;
    public final String note; // null: left out, as Gson does
    public final Customer customer;
    public final Line line;
    public final Map<String, Integer> counts;
    private final transient String secret = "not written";

    Order(
        String id,
        Date placed,
        String note,
        Customer customer,
        Line line,
        Map<String, Integer> counts) {
      this.id = id;
      this.placed = placed;
      this.note = note;
      this.customer = customer;
      this.line = line;
      this.counts = counts;
    }

    public String
        getDisplayName() { // a getter without a field: Jackson would write it, Gson does not
      return "order " + id + secret;
    }
  }

  public static class Customer {
    public String name;
    public List<String> tags;
  }

  public record Line(String sku, int quantity, double price) {}

  static Order order() {
    Customer customer = new Customer();
    customer.name = "Ada";
    customer.tags = List.of("vip", "eu");
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("a", 1);
    counts.put("b", 2);
    return new Order(
        "o-1", new Date(1_700_000_000_123L), null, customer, new Line("sku-9", 3, 0.1), counts);
  }

  @FunctionName("plainPojo")
  public Order plainPojo(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return order();
  }

  @FunctionName("pojoBody")
  public HttpResponseMessage pojoBody(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return request.createResponseBuilder(HttpStatus.CREATED).body(order()).build();
  }
}
