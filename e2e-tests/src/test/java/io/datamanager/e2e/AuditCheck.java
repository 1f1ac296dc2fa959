package io.datamanager.e2e;

import io.datamanager.e2e.Versions.Content;
import io.datamanager.e2e.Versions.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * History compared with the audit, row by row: each row's versions must be the audit's, in order, each once. While the
 * load runs, history is read first and the audit after it, so every version history holds must already be in the audit:
 * then history must be a beginning of each row's audited changes, holding at least those up to a given audit sequence
 * number. What differs is named and placed by the audit sequence number of the change it concerns, so it can be put
 * down to the fault during which the change was made.
 */
final class AuditCheck {
    enum Kind { LOST, DOUBLED, WRONG, ORDER }

    /** One difference; {@code seq} is the audited change's (for a wrong version, its transaction's first), or -1. */
    record Mismatch(Kind kind, long seq, Version version) {
        @Override
        public String toString() {
            return kind + " (audit seq " + seq + "): " + version.op() + " " + version.row() + " tx " + version.tx() + " before "
                    + version.before() + " after " + version.after();
        }
    }

    /** What the check found: the differences, and how many audited changes were due in history. */
    record Result(List<Mismatch> mismatches, int due) {
        long count(Kind kind) {
            return mismatches.stream().filter(m -> m.kind() == kind).count();
        }

        long lost() {
            return count(Kind.LOST);
        }
    }

    private AuditCheck() {}

    /** History must equal the audit exactly: the load stopped and the pipeline drained. */
    static Result exact(List<Version> audit, List<Version> history) {
        return compare(audit, history, Long.MAX_VALUE, true);
    }

    /** History (read before the audit) must be a beginning of each row's audited changes and hold all up to {@code dueThrough}. */
    static Result prefix(List<Version> audit, List<Version> history, long dueThrough) {
        return compare(audit, history, dueThrough, false);
    }

    private static Result compare(List<Version> audit, List<Version> history, long dueThrough, boolean exact) {
        Map<String, List<Version>> expected = byRow(audit);
        Map<String, List<Version>> actual = byRow(history);
        Map<Long, Long> firstSeqOfTx = new HashMap<>();
        audit.forEach(v -> firstSeqOfTx.merge(v.tx(), v.seq(), Math::min));
        List<Mismatch> out = new ArrayList<>();
        int due = 0;
        java.util.Set<String> rows = new java.util.LinkedHashSet<>(expected.keySet());
        rows.addAll(actual.keySet());
        for (String row : rows) {
            List<Version> e = expected.getOrDefault(row, List.of());
            List<Version> h = actual.getOrDefault(row, List.of());
            Map<Content, Integer> seen = counts(h);
            Map<Content, Integer> audited = counts(e);
            Map<Content, Integer> dueLeft = new HashMap<>();
            for (Version v : e) {
                if (exact || v.seq() <= dueThrough) {
                    due++;
                    int have = seen.getOrDefault(v.content(), 0);
                    int needed = dueLeft.merge(v.content(), 1, Integer::sum);
                    if (needed > have) {
                        out.add(new Mismatch(Kind.LOST, v.seq(), v));
                    }
                }
            }
            Map<Content, Integer> extra = new HashMap<>();
            for (Version v : h) {
                int allowed = audited.getOrDefault(v.content(), 0);
                int count = extra.merge(v.content(), 1, Integer::sum);
                if (allowed == 0) {
                    out.add(new Mismatch(Kind.WRONG, firstSeqOfTx.getOrDefault(v.tx(), -1L), v));
                } else if (count > allowed) {
                    out.add(new Mismatch(Kind.DOUBLED, seqOf(e, v.content()), v));
                }
            }
            boolean sameContents = out.stream().noneMatch(m -> m.version().row().equals(row));
            if (sameContents && h.size() <= e.size()) {
                for (int i = 0; i < h.size(); i++) {
                    if (!h.get(i).content().equals(e.get(i).content())) {
                        out.add(new Mismatch(Kind.ORDER, e.get(i).seq(), h.get(i)));
                        break;
                    }
                }
            }
        }
        return new Result(out, due);
    }

    private static long seqOf(List<Version> audit, Content content) {
        return audit.stream().filter(v -> v.content().equals(content)).mapToLong(Version::seq).findFirst().orElse(-1);
    }

    private static Map<Content, Integer> counts(List<Version> versions) {
        Map<Content, Integer> out = new HashMap<>();
        versions.forEach(v -> out.merge(v.content(), 1, Integer::sum));
        return out;
    }

    private static Map<String, List<Version>> byRow(List<Version> versions) {
        Map<String, List<Version>> out = new LinkedHashMap<>();
        versions.forEach(v -> out.computeIfAbsent(v.row(), r -> new ArrayList<>()).add(v));
        return out;
    }
}
