package io.rkflow.train;

import java.nio.file.Path;

/** For {@link RunLockTest}: holds the lock of a run folder in its own process until stdin closes. */
public final class RunLockHolder {

    private RunLockHolder() {}

    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our stdin
            }
        }
    }
}
