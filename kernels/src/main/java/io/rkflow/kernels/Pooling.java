package io.rkflow.kernels;

/** What a pooling window computes: its largest element, or the mean of its size² elements. */
public enum Pooling {
    /**
     * The window's maximum over the pixels of the image (padding is never the maximum); backward
     * routes the gradient to the first maximum in (window row, window column) order, as PyTorch's
     * {@code MaxPool2d} does.
     */
    MAX,
    /**
     * The sum of the window's size² elements, padding zeros included, divided by size² (PyTorch's
     * {@code AvgPool2d} with its default {@code count_include_pad=True}).
     */
    AVERAGE
}
