package io.rkflow.train;

import java.io.PrintStream;

/**
 * A one-line progress bar redrawn in place with a carriage return, shown only when the log is the
 * terminal (System.out with a console attached); elsewhere (files, pipes, CI) it draws nothing,
 * so logs hold plain lines.
 */
final class Progress {

    private static final Progress NONE = new Progress(null);
    private final PrintStream out;
    private boolean drawn;
    private long lastDraw;

    private Progress(PrintStream out) {
        this.out = out;
    }

    static Progress on(PrintStream log) {
        return log == System.out && System.console() != null
                ? new Progress(log) : NONE;
    }

    void show(long step, long total) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int width = 30;
        int filled = (int) Math.min(width, width * step / Math.max(1, total));
        out.printf("\r[%s%s] step %d/%d", "#".repeat(filled), ".".repeat(width - filled), step, total);
        out.flush();
        drawn = true;
    }

    void clear() {
        if (drawn) {
            out.print("\r" + " ".repeat(60) + "\r");
            drawn = false;
        }
    }
}
