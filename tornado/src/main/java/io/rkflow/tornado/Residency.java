package io.rkflow.tornado;

/**
 * Where the newest contents of a tornado buffer are. TornadoVM gives every execution plan its own
 * device copy of an array; several rkflow plans (a training step, an evaluation, Krylov
 * iterations) share buffers. So each buffer counts its versions: a host write or a plan that
 * writes the buffer makes a new one, held by the host or by that plan's device copy. A plan
 * uploads a buffer only when its device copy is older than the newest version, and the host
 * downloads one only when it reads (or partly writes) a buffer whose newest version is on a
 * device. In a training loop nothing moves but the batch and a few scalars.
 */
abstract class Residency {

    final TornadoVmDevice device;
    final String name;
    /** The newest version of the contents. */
    long version;
    /** The version the host array holds. */
    long hostVersion;
    /** The plan whose device copy holds {@link #version} when the host's is older. */
    TornadoVmPlan holder;

    Residency(TornadoVmDevice device, String name) {
        this.device = device;
        this.name = name;
    }

    /** The TornadoVM array (FloatArray or IntArray) that is the host copy and the tasks' argument. */
    abstract Object array();

    /** Brings the newest version to the host array, downloading it from the plan that holds it. */
    final void toHost() {
        if (hostVersion != version) {
            holder.download(this);
            hostVersion = version;
        }
    }

    /** Records that the host array was just changed by the host. */
    final void hostWrote() {
        version++;
        hostVersion = version;
        holder = null;
    }
}
