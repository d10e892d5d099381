package com.example.durable;

import com.microsoft.azure.functions.annotation.CustomBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A trigger from a library the contract app compiles against but does not ship (as a Durable Functions app
 * whose extension library is left out): at run time its class is missing.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@CustomBinding(direction = "in", name = "", type = "orchestrationTrigger")
public @interface OrchestrationTrigger {
  String name();
}
