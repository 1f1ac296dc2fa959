package io.datamanager.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the processes the stack and the tests start, picked below Linux's ephemeral range (32768 and
 * up): a port there is taken at any moment by some outgoing connection, so one found free there was often gone by the
 * time a child process bound it (a broker failing with "Address already in use").
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    private static final int SPAN = 22_000;

    private FreePorts() {}

    /** A port nothing listens on now, between 10000 and 32000. */
    public static int pick() {
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = LOWEST + ThreadLocalRandom.current().nextInt(SPAN);
            if (free(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + (LOWEST + SPAN));
    }

    /** Whether a server could bind the port on loopback now. */
    public static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
