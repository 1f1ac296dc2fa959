package io.datamanager.runtime.kafka;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the child broker JVM: formats the KRaft storage when asked, starts {@code kafka.Kafka},
 * and halts as soon as the parent process is gone, so a killed test run never leaves a broker behind.
 * Uses reflection so this class compiles without the broker on the classpath of test-support's users.
 *
 * <p>Arguments: {@code <parentPid> <format|serve> <kafka args...>}.
 */
public final class BrokerMain {
    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        String mode = args[1];
        String[] kafkaArgs = Arrays.copyOfRange(args, 2, args.length);
        if (mode.equals("format")) {
            invokeMain("kafka.tools.StorageTool", kafkaArgs);
            return;
        }
        Thread watchdog = new Thread(() -> {
            var parent = ProcessHandle.of(parentPid);
            while (parent.isPresent() && parent.get().isAlive()) {
                try {
                    parent.get().onExit().get();
                } catch (Exception e) {
                    // interrupted or failed: check again
                }
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        invokeMain("kafka.Kafka", kafkaArgs);
    }

    private static void invokeMain(String className, String[] args) throws Exception {
        Method main = Class.forName(className).getMethod("main", String[].class);
        main.invoke(null, (Object) args);
    }
}
