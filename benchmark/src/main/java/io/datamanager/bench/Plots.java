package io.datamanager.bench;

import io.datamanager.bench.Results.Latency;
import io.datamanager.bench.Results.Output;
import io.datamanager.bench.Results.Phase;
import io.datamanager.bench.Results.Run;
import io.datamanager.bench.Results.WorkloadResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** The report's two pictures: throughput per stage and workload next to bare Debezium, and latency percentiles per rate. */
final class Plots {
    private Plots() {}

    static void write(Run run, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BitmapEncoder.saveBitmap(throughput(run), dir.resolve("throughput").toString(), BitmapEncoder.BitmapFormat.PNG);
        if (!run.latency().isEmpty()) {
            BitmapEncoder.saveBitmap(latency(run), dir.resolve("latency").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static CategoryChart throughput(Run run) {
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(560).title("Throughput per stage (changes/s, higher is better)")
                .xAxisTitle("workload").yAxisTitle("changes/s").build();
        style(chart);
        List<String> workloads = run.workloads().stream().map(WorkloadResult::workload).toList();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (WorkloadResult w : run.workloads()) {
            for (Phase p : w.phases()) {
                for (Output o : p.outputs()) {
                    if (p.phase().equals("pipeline") && !(o.output().contains("history") || o.output().contains("webhook") || o.output().contains("dm.sub"))) {
                        continue; // the pipeline's inner steps are in the table; the chart shows what a user gets
                    }
                    String name = switch (p.phase()) {
                        case "pipeline" -> "pipeline " + o.output();
                        case "reference" -> "bare Debezium (reference)";
                        case "capture" -> "capture alone";
                        case "history-alone" -> "history ingest alone";
                        default -> p.phase();
                    };
                    series.computeIfAbsent(name, k -> new ArrayList<>()).add(Double.isNaN(o.throughput()) ? 0 : o.throughput());
                }
            }
        }
        series.forEach((name, values) -> {
            if (values.size() == workloads.size()) {
                chart.addSeries(name, workloads, values);
            }
        });
        return chart;
    }

    private static XYChart latency(Run run) {
        XYChart chart = new XYChartBuilder().width(1100).height(560).title("Latency percentiles per rate (ms, log scales, lower is better)")
                .xAxisTitle("single-row transactions per second").yAxisTitle("ms").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        List<Double> rates = run.latency().stream().map(l -> (double) l.targetRate()).toList();
        add(chart, rates, run, "webhook p50", l -> l.webhookMs().p50());
        add(chart, rates, run, "webhook p99", l -> l.webhookMs().p99());
        add(chart, rates, run, "Redis key p50", l -> l.redisMs().p50());
        add(chart, rates, run, "Redis key p99", l -> l.redisMs().p99());
        add(chart, rates, run, "barrier p50", l -> l.barrierMs().p50());
        add(chart, rates, run, "barrier p99", l -> l.barrierMs().p99());
        return chart;
    }

    private static void add(XYChart chart, List<Double> rates, Run run, String name, ToDoubleFunction<Latency> value) {
        // a log axis takes no zero or missing value: those show as 0.1 ms
        chart.addSeries(name, rates, run.latency().stream().map(l -> {
            double v = value.applyAsDouble(l);
            return Double.isNaN(v) || v < 0.1 ? 0.1 : v;
        }).toList());
    }

    private static void style(CategoryChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setLabelsVisible(false);
    }
}
