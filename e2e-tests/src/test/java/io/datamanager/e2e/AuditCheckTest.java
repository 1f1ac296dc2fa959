package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.e2e.AuditCheck.Kind;
import io.datamanager.e2e.AuditCheck.Mismatch;
import io.datamanager.e2e.Versions.Version;
import io.datamanager.model.ExactJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The oracle of FaultInjectionIT can fail: it names a lost, doubled, wrong or reordered version, and where it belongs. */
class AuditCheckTest {
    private static final Version INSERT = version(1, "insert", null, "{\"id\": 1, \"n\": 0, \"amount\": \"1.50\"}", 700);
    private static final Version UPDATE = version(2, "update", "{\"id\": 1, \"n\": 0, \"amount\": \"1.50\"}",
            "{\"id\": 1, \"n\": 1, \"amount\": \"1.50\"}", 701);
    private static final Version DELETE = version(3, "delete", "{\"id\": 1, \"n\": 1, \"amount\": \"1.50\"}", null, 702);
    private static final List<Version> AUDIT = List.of(INSERT, UPDATE, DELETE);

    @Test
    void historyEqualToTheAuditHasNoMismatch() {
        assertThat(AuditCheck.exact(AUDIT, history(INSERT, UPDATE, DELETE)).mismatches()).isEmpty();
        assertThat(AuditCheck.exact(AUDIT, history(INSERT, UPDATE, DELETE)).due()).isEqualTo(3);
    }

    @Test
    void aMissingVersionIsLostAtItsAuditSequence() {
        assertThat(AuditCheck.exact(AUDIT, history(INSERT, DELETE)).mismatches()).extracting(Mismatch::kind, Mismatch::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.LOST, 2L));
    }

    @Test
    void aVersionTwiceIsDoubled() {
        assertThat(AuditCheck.exact(AUDIT, history(INSERT, UPDATE, UPDATE, DELETE)).mismatches()).extracting(Mismatch::kind, Mismatch::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.DOUBLED, 2L));
    }

    @Test
    void aDecimalWithAnotherScaleIsAWrongImageAndTheRightOneLost() {
        Version rounded = version(0, "update", "{\"id\": 1, \"n\": 0, \"amount\": \"1.50\"}", "{\"id\": 1, \"n\": 1, \"amount\": 1.5}", 701);
        assertThat(AuditCheck.exact(AUDIT, history(INSERT, rounded, DELETE)).mismatches()).extracting(Mismatch::kind, Mismatch::seq)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Kind.LOST, 2L), org.assertj.core.groups.Tuple.tuple(Kind.WRONG, 2L));
    }

    @Test
    void versionsOutOfOrderAreNamed() {
        assertThat(AuditCheck.exact(AUDIT, history(INSERT, DELETE, UPDATE)).mismatches()).extracting(Mismatch::kind, Mismatch::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.ORDER, 2L));
    }

    @Test
    void whileTheLoadRunsOnlyChangesDueMustBeThere() {
        assertThat(AuditCheck.prefix(AUDIT, history(INSERT, UPDATE), 2).mismatches()).isEmpty();
        assertThat(AuditCheck.prefix(AUDIT, history(INSERT), 2).lost()).isEqualTo(1);
        assertThat(AuditCheck.prefix(AUDIT, history(INSERT, DELETE), 1).mismatches()).extracting(Mismatch::kind)
                .containsExactly(Kind.ORDER);
    }

    private static List<Version> history(Version... versions) {
        List<Version> out = new ArrayList<>();
        for (Version v : versions) {
            out.add(new Version(v.table(), v.key(), v.op(), v.before(), v.after(), v.tx(), 0, "e" + out.size()));
        }
        return out;
    }

    private static Version version(long seq, String op, String before, String after, long tx) {
        return new Version("public.fault_items", "{\"id\":1}", op, before == null ? null : ExactJson.tree(before, "before"),
                after == null ? null : ExactJson.tree(after, "after"), tx, seq, null);
    }
}
