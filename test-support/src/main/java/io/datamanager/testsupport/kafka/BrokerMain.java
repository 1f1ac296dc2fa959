package io.datamanager.testsupport.kafka;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the child broker JVM: formats the KRaft storage when asked, starts {@code kafka.Kafka},
 * and halts as soon as the parent process is gone (at once when it is gone before the broker starts), so a killed test run never leaves a broker behind.
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
            while (running(parentPid)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    // check again
                }
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        invokeMain("kafka.Kafka", kafkaArgs);
    }

    /**
     * The parent exists and is not a zombie: one that exited unreaped still looks alive to {@link ProcessHandle}.
     * (The same check as change-model's ParentProcess, which is not on the broker's classpath.)
     */
    private static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return !(end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z');
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
    }

    private static void invokeMain(String className, String[] args) throws Exception {
        Method main = Class.forName(className).getMethod("main", String[].class);
        main.invoke(null, (Object) args);
    }
}
