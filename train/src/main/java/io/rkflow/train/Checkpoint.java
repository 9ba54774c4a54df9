package io.rkflow.train;

import io.rkflow.models.io.AtomicFile;
import io.rkflow.models.io.BadFileException;
import io.rkflow.solvers.optim.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything a run needs to continue bit for bit: every setting a resume depends on (see
 * {@link Trainer#settings()}: model, optimizer, batch, seed, the metrics grid, the validation split,
 * the data set's identity and the run's id), the data cursor (epoch and batch; the batch order is a
 * function of the seed and the epoch), the step count, the parameters, the optimizer's state, and
 * the loss window of the log line in progress. Written atomically (temporary file, fsync, rename)
 * with a magic number, a format version and a CRC-32 of the content, so a damaged or truncated file
 * is an error that names it.
 *
 * @param settings name → value, in a fixed order; {@link #model()}, {@link #optimizer()},
 *     {@link #batch()} and {@link #seed()} read the usual ones
 */
public record Checkpoint(Map<String, String> settings, int epoch, int batchInEpoch, long step, float[] theta,
        OptimizerState optimizerState, long windowSteps, double windowLoss) {

    /** The checkpoint's file name in a run folder. */
    public static final String FILE = "checkpoint.rkc";
    private static final int MAGIC = 0x524B434B; // "RKCK"
    private static final int VERSION = 2;
    private static final int MAX_SETTINGS = 1024;

    public Checkpoint {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        String missing = missingSetting(settings);
        if (missing != null) {
            throw new IllegalArgumentException("a checkpoint needs the setting '" + missing + "'");
        }
    }

    /** The first of the settings every checkpoint holds that {@code settings} lacks, or null. */
    private static String missingSetting(Map<String, String> settings) {
        for (String key : new String[] {"model", "optimizer", "batch", "seed"}) {
            if (!settings.containsKey(key)) {
                return key;
            }
        }
        return null;
    }

    /** The model spec the run trains, canonical. */
    public String model() {
        return settings.get("model");
    }

    /** The optimizer spec, canonical. */
    public String optimizer() {
        return settings.get("optimizer");
    }

    /** The batch size. */
    public int batch() {
        return Integer.parseInt(settings.get("batch"));
    }

    /** The seed of the initial weights and the batch order. */
    public long seed() {
        return Long.parseLong(settings.get("seed"));
    }

    /** The value of a setting, or null when the checkpoint does not record it. */
    public String setting(String key) {
        return settings.get(key);
    }

    /** Writes atomically to {@code file}: a reader sees the old checkpoint or the new one, never a mix. */
    public void write(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(theta.length * 4 + 4096);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(settings.size());
        for (Map.Entry<String, String> e : settings.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
        out.writeInt(epoch);
        out.writeInt(batchInEpoch);
        out.writeLong(step);
        out.writeLong(windowSteps);
        out.writeDouble(windowLoss);
        out.writeInt(theta.length);
        for (float f : theta) {
            out.writeInt(Float.floatToRawIntBits(f));
        }
        optimizerState.write(out);
        out.flush();
        byte[] content = bytes.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(content);
        ByteBuffer header = ByteBuffer.allocate(20);
        header.putInt(MAGIC).putInt(VERSION).putLong(content.length).putInt((int) crc.getValue()).flip();
        AtomicFile.write(file, header, ByteBuffer.wrap(content));
    }

    /** Reads a checkpoint; anything wrong with the file is an IOException naming it and the problem. */
    public static Checkpoint read(Path file) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null && !Files.exists(folder)) {
            throw new IllegalArgumentException(file.getParent() + ": no such run folder");
        }
        if (folder != null && !Files.isDirectory(folder)) {
            throw new IllegalArgumentException(file.getParent() + " is a file, not a run folder");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a folder, not a checkpoint file");
        }
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no checkpoint there (a run writes " + FILE
                    + " into its --out folder)");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(file + ": not readable (permission denied)", e);
        }
        if (all.length < 20) {
            throw new BadFileException(file + ": damaged checkpoint: " + all.length + " bytes, shorter than its header");
        }
        ByteBuffer header = ByteBuffer.wrap(all, 0, 20);
        int magic = header.getInt();
        if (magic != MAGIC) {
            throw new BadFileException(file + ": not an rkflow checkpoint (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = header.getInt();
        if (version == 1) {
            throw new BadFileException(file + ": checkpoint format version 1, written by an earlier rkflow: it"
                    + " does not record the data set and every setting a resume must match, so this rkflow does not"
                    + " resume it; start a new run (its weights, model.safetensors, still load with rkflow eval)");
        }
        if (version != VERSION) {
            throw new BadFileException(file + ": checkpoint format version " + version + "; this rkflow reads"
                    + " version " + VERSION);
        }
        long length = header.getLong();
        int expectedCrc = header.getInt();
        if (length != all.length - 20) {
            throw new BadFileException(file + ": damaged checkpoint: header says " + length + " bytes of content, the file"
                    + " has " + (all.length - 20));
        }
        CRC32 crc = new CRC32();
        crc.update(all, 20, all.length - 20);
        if ((int) crc.getValue() != expectedCrc) {
            throw new BadFileException(file + ": damaged checkpoint: CRC-32 mismatch");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 20, all.length - 20))) {
            int count = in.readInt();
            if (count < 0 || count > MAX_SETTINGS) {
                throw new BadFileException(file + ": damaged checkpoint: " + count + " settings");
            }
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                settings.put(in.readUTF(), in.readUTF());
            }
            String missing = missingSetting(settings);
            if (missing != null) {
                throw new BadFileException(file + ": damaged checkpoint: no setting '" + missing + "'");
            }
            try {
                Integer.parseInt(settings.get("batch"));
                Long.parseLong(settings.get("seed"));
            } catch (NumberFormatException e) {
                throw new BadFileException(file + ": damaged checkpoint: batch '" + settings.get("batch")
                        + "', seed '" + settings.get("seed") + "'");
            }
            int epoch = in.readInt();
            int batchInEpoch = in.readInt();
            long step = in.readLong();
            long windowSteps = in.readLong();
            double windowLoss = in.readDouble();
            int n = in.readInt();
            if (n < 0 || (long) n * 4 > in.available()) {
                throw new BadFileException(file + ": damaged checkpoint: " + n + " parameters, but "
                        + in.available() + " bytes are left");
            }
            float[] theta = new float[n];
            for (int i = 0; i < n; i++) {
                theta[i] = Float.intBitsToFloat(in.readInt());
            }
            OptimizerState state;
            try {
                state = OptimizerState.read(in, in.available());
            } catch (IOException e) {
                throw new BadFileException(file + ": damaged checkpoint: " + e.getMessage(), e);
            }
            return new Checkpoint(settings, epoch, batchInEpoch, step, theta, state, windowSteps, windowLoss);
        } catch (EOFException | java.io.UTFDataFormatException e) {
            throw new BadFileException(file + ": damaged checkpoint: content ends early", e);
        }
    }
}
