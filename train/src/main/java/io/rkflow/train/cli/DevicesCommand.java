package io.rkflow.train.cli;

import io.rkflow.kernels.DeviceProvider;
import io.rkflow.kernels.Devices;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the devices rkflow can run on (the id goes to --device).")
final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (DeviceProvider.DeviceInfo d : Devices.available()) {
            spec.commandLine().getOut().printf("%-16s %s%n", d.id(), d.description());
        }
        return 0;
    }
}
