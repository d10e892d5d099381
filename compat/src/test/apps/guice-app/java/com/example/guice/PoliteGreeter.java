package com.example.guice;

import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;

@Singleton
public class PoliteGreeter implements Greeter {
  private final AtomicInteger count = new AtomicInteger();

  @Override
  public String greet(String name) {
    return "Good day, " + name + " (#" + count.incrementAndGet() + ")";
  }
}
