package dev.veil.functions.image;

import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.http.MultipartForm;
import java.util.ArrayList;
import java.util.List;

/** Takes the uploaded image out of a form post. */
final class Multipart {
  private static final List<String> IMAGE_TYPES =
      List.of("image/jpeg", "image/png", "application/octet-stream");

  private Multipart() {}

  /**
   * The first file part (one with a filename or a content type). A form without one, or whose file
   * is not declared as an image, is bad input naming what it got.
   */
  static byte[] imageFile(byte[] body, String contentType) {
    List<String> fields = new ArrayList<>();
    for (MultipartForm.Part part : MultipartForm.parse(body, contentType)) {
      String field = part.name() == null ? "?" : part.name();
      if (part.isFile()) {
        String mime = part.contentType() == null ? "application/octet-stream" : part.contentType();
        if (!IMAGE_TYPES.contains(mime)) {
          throw FunctionFailure.badInput(
              "the file part '"
                  + field
                  + "' has Content-Type '"
                  + mime
                  + "': send a JPEG or PNG image (image/jpeg, image/png)");
        }
        return part.content();
      }
      fields.add(field);
    }
    if (fields.isEmpty()) throw FunctionFailure.badInput("the multipart body has no part");
    throw FunctionFailure.badInput(
        "the multipart form has no file part (fields: "
            + String.join(", ", fields)
            + "); send the image as a file, e.g. curl -F image=@photo.jpg");
  }
}
