package io.datamanager.local;

import io.datamanager.model.ParentProcess;
import java.util.OptionalInt;

/**
 * One process of the stack that {@code up} supervises: its name, the instance running now, and how to start another
 * on the same ports and data (returning once it is ready). {@link Supervisor} replaces a dead instance through it.
 */
final class Part implements AutoCloseable {
    /**
     * A running process of the stack and how to stop it cleanly; {@code child} is the process when it is a child of
     * this one (then its exit status is known), null when it is not (PostgreSQL's postmaster, which pg_ctl starts).
     */
    record Instance(ProcessHandle handle, Process child, AutoCloseable stopper) {
        static Instance child(Process process, AutoCloseable stopper) {
            return new Instance(process.toHandle(), process, stopper);
        }

        static Instance other(ProcessHandle handle, AutoCloseable stopper) {
            return new Instance(handle, null, stopper);
        }

        long pid() {
            return handle.pid();
        }

        boolean isAlive() {
            return child != null ? child.isAlive() : ParentProcess.running(handle.pid());
        }

        /** The exit status once it ended (137 after a SIGKILL); empty while it runs, or when it is not a child. */
        OptionalInt exitCode() {
            return child == null || child.isAlive() ? OptionalInt.empty() : OptionalInt.of(child.exitValue());
        }
    }

    /** Starts an instance and returns once it is ready; throws when it did not become ready. */
    @FunctionalInterface
    interface Starter {
        Instance start() throws Exception;
    }

    private final String name;
    private final Starter starter;
    private volatile Instance current;
    private volatile long startedAt;

    private Part(String name, Starter starter) {
        this.name = name;
        this.starter = starter;
    }

    /** Starts the first instance (ready when this returns). */
    static Part start(String name, Starter starter) throws Exception {
        Part part = new Part(name, starter);
        part.restart();
        return part;
    }

    /** A part whose first instance was started already (and may not be ready yet); {@code again} starts the next ones. */
    static Part of(String name, Instance first, Starter again) {
        Part part = new Part(name, again);
        part.current = first;
        part.startedAt = System.currentTimeMillis();
        return part;
    }

    String name() {
        return name;
    }

    long pid() {
        return current.pid();
    }

    boolean isAlive() {
        return current.isAlive();
    }

    OptionalInt exitCode() {
        return current.exitCode();
    }

    /** Milliseconds the current instance has run since it was ready. */
    long upFor() {
        return System.currentTimeMillis() - startedAt;
    }

    /** Lets go of the dead instance (its locks, files) and starts another; returns once it is ready. */
    void restart() throws Exception {
        Instance dead = current;
        if (dead != null) {
            stop(dead);
        }
        current = starter.start();
        startedAt = System.currentTimeMillis();
    }

    @Override
    public void close() {
        if (current != null) {
            stop(current);
        }
    }

    private static void stop(Instance instance) {
        try {
            instance.stopper().close();
        } catch (Exception e) {
            // a dead process has nothing left to stop
        }
    }
}
