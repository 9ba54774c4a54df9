package io.rkflow.kernels;

/**
 * A square window sliding over a batch of images in NHWC layout (batch, height, width, channels;
 * channels vary fastest): the geometry of a convolution's im2col and of pooling. The window is
 * {@code size × size}, moves by {@code stride} in both directions over the image padded with
 * {@code pad} zeros (or, for max pooling, nothing) on every side; output positions are
 * {@code outHeight × outWidth}, as PyTorch's {@code Conv2d} and {@code MaxPool2d} count them:
 * ⌊(height + 2·pad − size) / stride⌋ + 1.
 *
 * <p>Channels last, because then the rows of an image batch are the rows of a matrix: a
 * convolution is im2col followed by the dense layer's GEMM, its bias is the dense bias over
 * (batch · outHeight · outWidth) rows, and its output feeds the next layer without a transpose.
 */
public record Window(int batch, int height, int width, int channels, int size, int stride, int pad) {

    public Window {
        Args a = new Args("window");
        a.nonNegative("batch", batch);
        a.positive("height", height);
        a.positive("width", width);
        a.positive("channels", channels);
        a.positive("size", size);
        a.positive("stride", stride);
        a.nonNegative("pad", pad);
        if (size > height + 2L * pad || size > width + 2L * pad) {
            throw a.error("size", "is " + size + ", larger than the padded image " + (height + 2L * pad) + " × "
                    + (width + 2L * pad) + " (height " + height + ", width " + width + ", pad " + pad + ")");
        }
        if (pad >= size) {
            throw a.error("pad", "is " + pad + ", must be less than the window size " + size
                    + " (a window must cover at least one pixel of the image)");
        }
        long columns = (long) batch * ((height + 2L * pad - size) / stride + 1) * ((width + 2L * pad - size) / stride + 1)
                * size * size * channels;
        if (columns > Integer.MAX_VALUE || (long) batch * height * width * channels > Integer.MAX_VALUE) {
            throw a.error("batch", "is " + batch + ": the window's im2col matrix would have " + columns
                    + " elements, more than a buffer holds");
        }
    }

    public int outHeight() {
        return (height + 2 * pad - size) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * pad - size) / stride + 1;
    }

    /** Elements of the input batch: batch · height · width · channels. */
    public int inputLength() {
        return batch * height * width * channels;
    }

    /** Output positions of the whole batch: batch · outHeight · outWidth (the im2col rows). */
    public int positions() {
        return batch * outHeight() * outWidth();
    }

    /** Elements of a pooled output: one per position and channel. */
    public int pooledLength() {
        return positions() * channels;
    }

    /** Length of one im2col row: size · size · channels, ordered (window row, window column, channel). */
    public int patch() {
        return size * size * channels;
    }

    /** Elements of the im2col matrix: positions · patch. */
    public int columnsLength() {
        return positions() * patch();
    }

    @Override
    public String toString() {
        return batch + "×" + height + "×" + width + "×" + channels + " window " + size + " stride " + stride + " pad "
                + pad;
    }
}
