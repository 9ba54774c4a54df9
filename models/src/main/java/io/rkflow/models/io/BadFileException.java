package io.rkflow.models.io;

import java.io.IOException;

/**
 * A file the user named (or a run folder holds) that is not what it should be: missing, unreadable,
 * damaged, truncated, of another format or of another run. Bad input, like a bad option: the command line reports the
 * message, which names the file, and exits with code 2 (an I/O failure of the machine exits with 1).
 */
public class BadFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public BadFileException(String message) {
        super(message);
    }

    public BadFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
