package dev.veil.functions.image;

/** Turns decoded pixels into the float tensors the models take (NCHW, one sample). */
public final class ImageTensors {
  public static final int RESNET_SIDE = 224;
  public static final int RESNET_RESIZE = 256;
  public static final int DIGIT_SIDE = 28;
  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};

  private ImageTensors() {}

  /**
   * The ImageNet preprocessing of the ResNet-50 pipeline: resize so the shorter side is 256
   * (bilinear), centre-crop 224x224, scale to [0,1], normalise with the ImageNet mean/std; planes
   * R, G, B.
   */
  public static float[] resnet(ImageDecoder.Pixels px) {
    double scale = (double) RESNET_RESIZE / Math.min(px.width(), px.height());
    int resizedW = Math.max(RESNET_SIDE, (int) Math.round(px.width() * scale));
    int resizedH = Math.max(RESNET_SIDE, (int) Math.round(px.height() * scale));
    int left = (resizedW - RESNET_SIDE) / 2;
    int top = (resizedH - RESNET_SIDE) / 2;
    int plane = RESNET_SIDE * RESNET_SIDE;
    float[] out = new float[3 * plane];
    double sx = (double) px.width() / resizedW;
    double sy = (double) px.height() / resizedH;
    for (int y = 0; y < RESNET_SIDE; y++) {
      for (int x = 0; x < RESNET_SIDE; x++) {
        int rgb = bilinear(px, (x + left + 0.5) * sx - 0.5, (y + top + 0.5) * sy - 0.5);
        int i = y * RESNET_SIDE + x;
        out[i] = (((rgb >> 16) & 0xff) / 255f - MEAN[0]) / STD[0];
        out[plane + i] = (((rgb >> 8) & 0xff) / 255f - MEAN[1]) / STD[1];
        out[2 * plane + i] = ((rgb & 0xff) / 255f - MEAN[2]) / STD[2];
      }
    }
    return out;
  }

  /**
   * The digits CNN's input: 28x28 gray in [0,1], white digit on black as in MNIST. A dark digit on
   * a light background (judged by the border) is inverted.
   */
  public static float[] digit(ImageDecoder.Pixels px) {
    float[] out = new float[DIGIT_SIDE * DIGIT_SIDE];
    double sx = (double) px.width() / DIGIT_SIDE;
    double sy = (double) px.height() / DIGIT_SIDE;
    float border = 0;
    for (int y = 0; y < DIGIT_SIDE; y++) {
      for (int x = 0; x < DIGIT_SIDE; x++) {
        int rgb = bilinear(px, (x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        float v = (r == g && g == b ? r : 0.299f * r + 0.587f * g + 0.114f * b) / 255f;
        out[y * DIGIT_SIDE + x] = v;
        if (x == 0 || y == 0 || x == DIGIT_SIDE - 1 || y == DIGIT_SIDE - 1) border += v;
      }
    }
    if (border / (4 * DIGIT_SIDE - 4) > 0.5f) {
      for (int i = 0; i < out.length; i++) out[i] = 1f - out[i];
    }
    return out;
  }

  /**
   * Bilinear sample at source coordinates (pixel centres at integers), edges clamped; rounds per
   * channel.
   */
  private static int bilinear(ImageDecoder.Pixels px, double fx, double fy) {
    int w = px.width();
    int h = px.height();
    fx = Math.min(Math.max(fx, 0), w - 1);
    fy = Math.min(Math.max(fy, 0), h - 1);
    int x0 = (int) fx;
    int y0 = (int) fy;
    int x1 = Math.min(x0 + 1, w - 1);
    int y1 = Math.min(y0 + 1, h - 1);
    double ax = fx - x0;
    double ay = fy - y0;
    int[] p = px.rgb();
    int a = p[y0 * w + x0];
    int b = p[y0 * w + x1];
    int c = p[y1 * w + x0];
    int d = p[y1 * w + x1];
    int result = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      double top = ((a >> shift) & 0xff) * (1 - ax) + ((b >> shift) & 0xff) * ax;
      double bottom = ((c >> shift) & 0xff) * (1 - ax) + ((d >> shift) & 0xff) * ax;
      result |= ((int) Math.round(top * (1 - ay) + bottom * ay)) << shift;
    }
    return result;
  }
}
