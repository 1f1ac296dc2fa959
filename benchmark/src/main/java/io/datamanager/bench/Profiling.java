package io.datamanager.bench;

import io.datamanager.bench.Results.Phase;
import io.datamanager.bench.Results.Run;
import io.datamanager.bench.Results.WorkloadResult;
import java.util.Locale;

/** The report's profile section: per stage and JVM, hottest methods, stacks, libraries and threads; PostgreSQL's statements. */
final class Profiling {
    private Profiling() {}

    static String markdown(Run run) {
        StringBuilder md = new StringBuilder("\n## Where the time goes (JFR execution samples per stage; pg_stat_statements)\n");
        for (WorkloadResult w : run.workloads()) {
            for (Phase p : w.phases()) {
                if (p.profiles().isEmpty() && p.statements().isEmpty()) {
                    continue;
                }
                md.append("\n### ").append(w.workload()).append(' ').append(p.phase()).append("\n");
                for (Profiles.Summary s : p.profiles()) {
                    md.append(summary(s));
                }
                if (!p.statements().isEmpty()) {
                    md.append("\nPostgreSQL statements (pg_stat_statements, this stage):\n\n| db | calls | total ms | mean ms | rows | query |\n|---|---:|---:|---:|---:|---|\n");
                    for (PgStatements.Statement st : p.statements()) {
                        md.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %.2f | %,d | `%s` |%n", st.database(), st.calls(), st.totalMs(),
                                st.meanMs(), st.rows(), st.query().replace("|", "\\|").replace("`", "'")));
                    }
                }
            }
        }
        return md.toString();
    }

    /** One JVM's summary as markdown. */
    static String summary(Profiles.Summary s) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%n**%s** (%,d samples, %d GC pauses, %.0f ms in GC; %s)%n%n", s.process(), s.samples(),
                s.gcPauses(), s.gcPauseMs(), s.recording()));
        md.append("- by library: ").append(shares(s.byArea())).append('\n');
        md.append("- by thread: ").append(shares(s.byThread())).append('\n');
        md.append("- hottest methods (self): ").append(shares(s.hotMethods())).append('\n');
        md.append("- longest waits of working threads (blocked 10 ms or more; seconds summed over threads):\n");
        s.waits().forEach(x -> md.append(String.format(Locale.ROOT, "  - %.1f s (%,d) %s: %s%n", x.seconds(), x.events(), x.thread(), x.where())));
        md.append("- hottest stacks (top 3 frames):\n");
        s.hotStacks().forEach(x -> md.append(String.format(Locale.ROOT, "  - %.1f %% %s%n", x.percent(), x.name())));
        return md.toString();
    }

    private static String shares(java.util.List<Profiles.Share> shares) {
        StringBuilder sb = new StringBuilder();
        for (Profiles.Share s : shares) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f %%", s.name(), s.percent()));
        }
        return sb.toString();
    }
}
