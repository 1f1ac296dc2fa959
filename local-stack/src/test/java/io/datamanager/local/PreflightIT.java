package io.datamanager.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.testsupport.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Preflight against real servers: what it finds, and that each finding says how to fix it. */
class PreflightIT {
    private final TestPostgres pg = TestPostgres.shared();

    @Test
    void aDatabaseReadyForCaptureHasNoBlockingFinding() {
        String db = pg.createDatabase(getClass());
        List<Preflight.Finding> findings = Preflight.check(dsn(pg.user(), pg.password(), db), "dm_slot_preflight", "dm_publication");
        assertThat(findings).noneMatch(Preflight.Finding::blocking);
    }

    @Test
    void aUserWithoutReplicationOrPublicationIsToldWhatToGrant() throws Exception {
        String db = pg.createDatabase(getClass());
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS preflight_reader");
            s.execute("CREATE ROLE preflight_reader LOGIN PASSWORD 'reader'");
        }
        List<Preflight.Finding> findings = Preflight.check(dsn("preflight_reader", "reader", db), "dm_slot", "dm_publication");

        assertThat(findings).filteredOn(Preflight.Finding::blocking).extracting(Preflight.Finding::toString)
                .anySatisfy(f -> assertThat(f).contains("may not read the replication stream").contains("ALTER ROLE preflight_reader WITH REPLICATION"))
                .anySatisfy(f -> assertThat(f).contains("publication dm_publication does not exist").contains("source-bootstrap.sql"));
    }

    @Test
    void tablesWithoutAKeyAreNamedAsAWarning() throws Exception {
        String db = pg.createDatabase(getClass());
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE events_log (at timestamptz, what text)");
            s.execute("CREATE TABLE audited (at timestamptz, what text)");
            s.execute("ALTER TABLE audited REPLICA IDENTITY FULL");
        }
        List<Preflight.Finding> findings = Preflight.check(dsn(pg.user(), pg.password(), db), "dm_slot_preflight", "dm_publication");

        assertThat(findings).noneMatch(Preflight.Finding::blocking);
        assertThat(findings).filteredOn(f -> f.problem().contains("primary key")).singleElement().satisfies(f -> {
            assertThat(f.problem()).contains("public.events_log").doesNotContain("audited");
            assertThat(f.fix()).contains("REPLICA IDENTITY FULL");
        });
    }

    @Test
    void aServerWithoutLogicalWalIsToldToChangeItAndRestart() throws Exception {
        try (EmbeddedPostgres replica = EmbeddedPostgres.builder().setServerConfig("wal_level", "replica").start()) {
            List<Preflight.Finding> findings = Preflight.check(new Dsn("127.0.0.1", replica.getPort(), "postgres", "postgres", "postgres", "disable"),
                    "dm_slot", "dm_publication");
            assertThat(findings).filteredOn(Preflight.Finding::blocking).extracting(Preflight.Finding::toString)
                    .anySatisfy(f -> assertThat(f).contains("wal_level is replica").contains("ALTER SYSTEM SET wal_level = logical"));
        }
    }

    @Test
    void anUnreachableServerSaysWhatToCheck() {
        List<Preflight.Finding> findings = Preflight.check(new Dsn("127.0.0.1", 1, "db", "u", "p", "disable"), "dm_slot", "dm_publication");
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.blocking()).isTrue();
            assertThat(f.problem()).startsWith("cannot connect to postgres://u@127.0.0.1:1/db");
            assertThat(f.fix()).contains("pg_hba.conf");
        });
    }

    private Dsn dsn(String user, String password, String db) {
        return new Dsn(pg.host(), pg.port(), db, user, password, "disable");
    }
}
