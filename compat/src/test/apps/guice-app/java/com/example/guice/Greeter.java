package com.example.guice;

/** A service the functions get injected. */
public interface Greeter {
  String greet(String name);
}
