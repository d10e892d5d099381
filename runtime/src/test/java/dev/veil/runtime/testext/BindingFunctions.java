package dev.veil.runtime.testext;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import java.util.List;

public class BindingFunctions {
  public record Order(String item, int quantity) {}

  @FunctionName("copy")
  @MemoryOutput(path = "copies/{name}")
  public String copy(
      @ManualTrigger String payload,
      @BindingName("name") String name,
      @MemoryInput(path = "sources/{name}") byte[] source,
      @MemoryOutput(path = "audit/%AUDIT_PREFIX%-{name}") OutputBinding<List<String>> audit,
      ExecutionContext context) {
    audit.setValue(List.of(payload, context.getFunctionName()));
    return new String(source) + "+" + payload;
  }

  @FunctionName("order")
  public int order(@ManualTrigger Order order) {
    return order.quantity() * 2;
  }

  @FunctionName("timer")
  public void timer(@TimerTrigger(name = "t", schedule = "0 */5 * * * *") String timer) {}

  @FunctionName("unbindable")
  public void unbindable(@ManualTrigger String payload, String mystery) {}
}
