package dev.veil.inference;

/**
 * A model input or output as its metadata describes it; -1 in {@code shape} is a dimension of any
 * size (the batch).
 */
public record TensorSpec(String name, Datatype datatype, long[] shape) {}
