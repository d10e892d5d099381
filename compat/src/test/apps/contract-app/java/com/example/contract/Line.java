package com.example.contract;

public record Line(String sku, int quantity, Double price) {}
