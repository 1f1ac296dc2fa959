package io.datamanager.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's quick version, so it never rots: one run of {@code ./datamanager bench --quick} (small workloads,
 * short latency phases) must write its report with every stage of every workload, and no stage may lose a change.
 * It asserts nothing about speed: the figures are printed and written, not judged here.
 */
class QuickBenchmarkIT {

    @Test
    void quickRunReportsEveryStageAndLosesNoChange() throws Exception {
        Path home = Path.of(System.getProperty("dm.home", "..")).toAbsolutePath().normalize();
        Path out = Path.of(System.getProperty("dmtest.workdir", "target/dm-test")).toAbsolutePath().resolve("bench");
        BenchOptions options = BenchOptions.parse(new String[] {"--quick", "--rates", "100,1000", "--latency-seconds", "2", "--out", out.toString()}, home);

        Path dir = new Benchmark(options).run();

        assertThat(dir.resolve("report.md")).exists();
        assertThat(out.resolve("latest/report.md")).exists();
        JsonNode report = Json.tree(Files.readAllBytes(dir.resolve("report.json")), "report");
        List<String> stages = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (JsonNode workload : report.path("workloads")) {
            for (JsonNode phase : workload.path("phases")) {
                stages.add(workload.path("workload").asText() + " " + phase.path("phase").asText());
                for (JsonNode output : phase.path("outputs")) {
                    if (!output.path("complete").asBoolean()) {
                        incomplete.add(workload.path("workload").asText() + " " + phase.path("phase").asText() + " " + output.path("output").asText()
                                + ": held " + output.path("held").asLong() + " of " + output.path("expected").asLong());
                    }
                }
            }
        }
        assertThat(stages).containsExactly(
                "W1 reference", "W1 capture", "W1 pipeline", "W1 history-alone",
                "W2 reference", "W2 capture", "W2 pipeline", "W2 history-alone",
                "W3 reference", "W3 capture", "W3 pipeline", "W3 history-alone");
        assertThat(incomplete).as("outputs that did not hold exactly every change").isEmpty();
        assertThat(report.path("latency")).hasSize(2);
        for (JsonNode latency : report.path("latency")) {
            assertThat(latency.path("everyChangeArrived").asBoolean()).as("every change of the latency phase at %s/s arrived",
                    latency.path("targetRate").asInt()).isTrue();
            assertThat(latency.path("webhookMs").path("count").asLong()).isEqualTo(latency.path("changes").asLong());
            assertThat(latency.path("redisMs").path("count").asLong()).isEqualTo(latency.path("changes").asLong());
            assertThat(latency.path("hopsMs").properties()).as("where the latency goes: capture, streams-app, subscription topic").hasSize(3);
            latency.path("hopsMs").properties().forEach(hop -> assertThat(hop.getValue().path("count").asLong())
                    .as("changes seen at hop %s", hop.getKey()).isEqualTo(latency.path("changes").asLong()));
        }
        System.out.println(Files.readString(dir.resolve("report.md")));
    }
}
