package io.rkflow.models.data;

import java.nio.file.Path;

/**
 * An IDX file (or a pair of them) that is not what the reader or the data set expects. The
 * message always names the file, and, where the problem sits at one place in the file, the byte
 * offset (counted in the decompressed stream for a gzip file), so a bad download can be told
 * from a bad path.
 */
public final class IdxFormatException extends io.rkflow.models.io.BadFileException {
    private static final long serialVersionUID = 1L;

    /** A problem that is not tied to one byte of one file (for example two files that disagree). */
    public IdxFormatException(String message) {
        super(message);
    }

    /** A problem in {@code file} at byte {@code offset}; {@code gzip} says the offset is decompressed. */
    public IdxFormatException(Path file, long offset, boolean gzip, String what) {
        super(file + ": at byte offset " + offset + (gzip ? " of the decompressed gzip stream" : "")
                + ": " + what);
    }

    /** The same, wrapping the exception that revealed it (a corrupt gzip stream, say). */
    public IdxFormatException(Path file, long offset, boolean gzip, String what, Throwable cause) {
        this(file, offset, gzip, what);
        initCause(cause);
    }
}
