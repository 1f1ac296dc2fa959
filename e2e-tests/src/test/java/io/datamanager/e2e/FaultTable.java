package io.datamanager.e2e;

import io.datamanager.e2e.AuditCheck.Kind;
import io.datamanager.e2e.AuditCheck.Mismatch;
import io.datamanager.e2e.Versions.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of {@code FaultInjectionIT}: the faults in the order they happened, each from the first audit sequence
 * number made during it, so every audited change, every difference and every webhook duplicate is put down to the
 * fault during which its change was made.
 */
final class FaultTable {
    /**
     * One fault, in seconds from its start: when the part was back, when a change made after it was in history, and when
     * history held every change audited by then.
     */
    record Fault(String name, long fromSeq, double back, double inHistory, double caughtUp) {}

    private final List<Fault> faults = new ArrayList<>();

    void add(Fault fault) {
        faults.add(fault);
    }

    /** The table: per fault the changes made during it, what differs from the audit, recovery times, webhook duplicates. */
    List<String> lines(List<Version> audit, AuditCheck.Result result, Map<String, Version> history, Map<String, Long> deliveriesPerId) {
        Map<Long, Long> firstSeqOfTx = new HashMap<>();
        audit.forEach(v -> firstSeqOfTx.merge(v.tx(), v.seq(), Math::min));
        long[] changes = new long[faults.size()];
        long[][] kinds = new long[faults.size()][Kind.values().length];
        long[] duplicates = new long[faults.size()];
        audit.forEach(v -> changes[window(v.seq())]++);
        for (Mismatch m : result.mismatches()) {
            kinds[window(m.seq())][m.kind().ordinal()]++;
        }
        deliveriesPerId.forEach((id, n) -> {
            Version v = history.get(id);
            if (v != null && n > 1) {
                duplicates[window(firstSeqOfTx.getOrDefault(v.tx(), 0L))] += n - 1;
            }
        });
        List<String> out = new ArrayList<>();
        out.add(String.format("%-48s %7s %5s %7s %6s %5s %7s %10s %10s %8s", "fault", "changes", "lost", "doubled", "wrong", "order",
                "back s", "history s", "caught up", "wh dups"));
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            out.add(String.format("%-48s %7d %5d %7d %6d %5d %7s %10s %10s %8d", f.name(), changes[i], kinds[i][Kind.LOST.ordinal()],
                    kinds[i][Kind.DOUBLED.ordinal()], kinds[i][Kind.WRONG.ordinal()], kinds[i][Kind.ORDER.ordinal()], figure(f.back()),
                    figure(f.inHistory()), figure(f.caughtUp()), duplicates[i]));
        }
        out.add("back = the part running again (the database taking connections, every poison record in dm.dlq); history = a change "
                + "made after the fault is in history; caught up = history holds every change audited by then; seconds from the fault's start");
        result.mismatches().stream().limit(20).forEach(m -> out.add(m.toString()));
        return out;
    }

    /** The fault during which the change with this audit sequence number was made. */
    private int window(long seq) {
        int at = 0;
        for (int i = 0; i < faults.size(); i++) {
            if (faults.get(i).fromSeq() < seq) {
                at = i;
            }
        }
        return at;
    }

    private static String figure(double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format("%.1f", seconds);
    }
}
