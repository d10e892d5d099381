package dev.veil.he;

/** SEAL's compression modes for serialized objects; the code is the byte written in the header. */
public enum Compression {
  NONE(0),
  ZLIB(1),
  ZSTD(2);

  final int code;

  Compression(int code) {
    this.code = code;
  }
}
