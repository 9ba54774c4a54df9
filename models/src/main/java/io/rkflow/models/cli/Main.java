package io.rkflow.models.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rkflow} command line. */
@Command(name = "rkflow", mixinStandardHelpOptions = true, version = "rkflow 0.1.0",
        description = "Train neural networks by solving the gradient-flow ODE with Runge-Kutta methods.",
        subcommands = {TrainCommand.class, EvalCommand.class, PlotCommand.class, ExperimentCommand.class,
            DevicesCommand.class, TableauxCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        int code = cl.execute(args);
        cl.getOut().flush(); // what a command printed without a newline would be lost at exit
        cl.getErr().flush();
        System.exit(code);
    }

    /** The configured command line, also for tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("rkflow " + cmd.getCommandName() + ": "
                    + e.getMessage()));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }
}
