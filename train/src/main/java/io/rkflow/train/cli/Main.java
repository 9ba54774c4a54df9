package io.rkflow.train.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rkflow} command line. */
@Command(name = "rkflow", mixinStandardHelpOptions = true, version = "rkflow 0.1.0",
        description = "Train neural networks by solving the gradient-flow ODE with Runge-Kutta methods.",
        subcommands = {TrainCommand.class, SweepCommand.class, EvalCommand.class, PredictCommand.class, PlotCommand.class,
            ExperimentCommand.class, DevicesCommand.class, TableauxCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) { // picocli passes errors through; a trace would only say where
            cl.getErr().println(outOfMemory(e, Runtime.getRuntime().maxMemory()));
            code = 1;
        }
        cl.getOut().flush(); // what a command printed without a newline would be lost at exit
        cl.getErr().flush();
        System.exit(code);
    }

    /** The message for a command that ran out of heap: how much there was and how to give more. */
    static String outOfMemory(OutOfMemoryError e, long maxHeap) {
        return "rkflow: out of memory (" + e.getMessage() + ") with a heap of " + (maxHeap >> 20) + " MB: the model,"
                + " its batch and the optimizer's state do not fit; give the JVM more, e.g. RKFLOW_JAVA_OPTS=-Xmx"
                + Math.max(2, 2 * ((maxHeap >> 30) + 1)) + "g ./rkflow ..., or train a smaller model or batch";
    }

    /**
     * The exit code of a failed command: 2 for bad input (an option, or a file that is damaged, of
     * another format or of another run), 1 for a failure of the machine (I/O errors such as a full
     * disk); 3, a run that stopped (diverged), is the train command's own.
     */
    static int exitCode(Exception e) {
        return e instanceof IllegalArgumentException || e instanceof io.rkflow.models.io.BadFileException ? 2 : 1;
    }

    /**
     * Runs {@code rkflow train ARGS} in this JVM with its output, errors included, on {@code log},
     * and the data shared with the other runs of this JVM (a sweep's points); returns its exit code.
     */
    public static int train(java.util.List<String> args, java.io.PrintStream log) {
        TrainCommand command = new TrainCommand();
        command.log = log;
        command.errors = log;
        command.sharedData = true;
        CommandLine cl = new CommandLine(command);
        java.io.PrintWriter writer = new java.io.PrintWriter(new java.io.OutputStreamWriter(log,
                java.nio.charset.StandardCharsets.UTF_8), true);
        cl.setOut(writer);
        cl.setErr(writer);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            writer.println("rkflow train: " + e.getMessage());
            return exitCode(e);
        });
        int code = cl.execute(args.toArray(String[]::new));
        writer.flush();
        return code;
    }

    /** The configured command line, also for tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("rkflow " + cmd.getCommandName() + ": "
                    + e.getMessage()));
            return exitCode(e);
        });
        return cl;
    }
}
