package com.example.guice;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector;

/** The app's bridge from Azure's injection hook to Guice, registered in META-INF/services. */
public class GuiceInstanceInjector implements FunctionInstanceInjector {
  private final Injector injector = Guice.createInjector(new GreeterModule());

  @Override
  public <T> T getInstance(Class<T> functionClass) {
    return injector.getInstance(functionClass);
  }
}
