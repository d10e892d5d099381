package com.example.contract;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/** A POJO without a no-argument constructor, with a nested type, a date and a field initialiser. */
public class Order {
  private final int id;
  private Customer customer;
  private Date placed;
  private String note;
  private List<Line> lines = new ArrayList<>();

  public Order(int id) {
    this.id = id;
  }

  public static class Customer {
    String name;
    List<String> tags;

    public Customer(String name) {
      this.name = name;
    }
  }

  /** A deterministic rendering, compared with what Gson itself makes of the same JSON. */
  public String describe() {
    return "id=" + id + " customer=" + (customer == null ? "null" : customer.name + customer.tags)
        + " placed=" + (placed == null ? "null" : placed.getTime()) + " note=" + note
        + " lines=" + lines;
  }
}
