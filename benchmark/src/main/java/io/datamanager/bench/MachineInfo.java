package io.datamanager.bench;

import io.datamanager.bench.Results.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a run was measured on: CPU, cores, memory, kernel, JDK, PostgreSQL, and how loaded it was. */
final class MachineInfo {
    private MachineInfo() {}

    static Machine describe(String postgres, String loadBefore, String loadAfter) {
        String cpu = "unknown";
        long memoryMb = 0;
        String os = System.getProperty("os.name");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memoryMb = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    os = line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // not Linux: what the JDK knows is all there is
        }
        String kernel = read("/proc/sys/kernel/osrelease", System.getProperty("os.version"));
        String jdk = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memoryMb, kernel, os, jdk, postgres, loadBefore, loadAfter);
    }

    private static String read(String file, String fallback) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return fallback;
        }
    }
}
