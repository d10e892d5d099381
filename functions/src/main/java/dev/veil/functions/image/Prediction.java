package dev.veil.functions.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.gson.annotations.SerializedName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One entry of a top-k answer: class index, its label, softmax probability. */
// "class" in JSON whichever serializer writes it: Jackson (blob outputs) or Gson (HTTP bodies, as
// Azure's worker)
public record Prediction(
    @JsonProperty("class") @SerializedName("class") int classIndex,
    String label,
    double confidence) {

  /** Softmax over the logits, then the k most probable classes, best first. */
  public static List<Prediction> topK(float[] logits, List<String> labels, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) max = Math.max(max, l);
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    List<Prediction> all = new ArrayList<>(logits.length);
    for (int i = 0; i < logits.length; i++) all.add(new Prediction(i, labels.get(i), p[i] / sum));
    all.sort(Comparator.comparingDouble(Prediction::confidence).reversed());
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }
}
