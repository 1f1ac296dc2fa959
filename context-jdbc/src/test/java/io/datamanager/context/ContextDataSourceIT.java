package io.datamanager.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datamanager.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What PostgreSQL's logical decoding (test_decoding, with transaction ids) shows of transactions written through the
 * wrapper: the context message inside the transaction, before its first change, once per transaction.
 */
class ContextDataSourceIT {
    private static final String SLOT = "dm_context_jdbc_it";
    private static String database;
    private static DataSource plain;
    private static DataSource withContext;

    @BeforeAll
    static void start() throws SQLException {
        TestPostgres pg = TestPostgres.shared();
        database = pg.createDatabase(ContextDataSourceIT.class);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(pg.jdbcUrl(database));
        ds.setUser(pg.user());
        ds.setPassword(pg.password());
        // the test server runs with synchronous_commit off; decoding reads only flushed WAL, so flush at each commit
        ds.setOptions("-c synchronous_commit=on");
        plain = ds;
        withContext = new ContextDataSource(ds);
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE account (id int PRIMARY KEY, balance numeric NOT NULL)");
            s.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'test_decoding')");
            DmContext.installFunction(c); // connector-config/sql/dm-context.sql, from the jar
        }
    }

    @AfterAll
    static void stop() throws SQLException {
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
        }
    }

    @BeforeEach
    void drain() throws SQLException {
        decoded();
    }

    @Test
    void aTransactionCarriesItsContextOnceBeforeItsFirstChange() throws SQLException {
        try (DmContext.Scope scope = DmContext.with(Map.of("user", "alice"));
                Connection c = withContext.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO account VALUES (?, ?)")) {
                insert.setInt(1, 1);
                insert.setBigDecimal(2, java.math.BigDecimal.TEN);
                insert.executeUpdate();
                insert.setInt(1, 2);
                insert.executeUpdate();
            }
            c.commit();
            try (DmContext.Scope job = DmContext.with(Map.of("source", "billing-job", "run", 7))) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE account SET balance = balance + 1 WHERE id = 1");
                }
                c.commit();
            }
        }
        List<List<String>> transactions = transactions(decoded());
        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(0)).hasSize(3);
        assertThat(transactions.get(0).get(0)).contains("prefix: dm.context").endsWith("content:{\"user\":\"alice\"}");
        assertThat(transactions.get(0).get(1)).startsWith("table public.account: INSERT: id[integer]:1");
        assertThat(transactions.get(0).get(2)).startsWith("table public.account: INSERT: id[integer]:2");
        assertThat(transactions.get(1)).hasSize(2);
        assertThat(transactions.get(1).get(0)).contains("prefix: dm.context")
                .contains("\"user\":\"alice\"").contains("\"source\":\"billing-job\"").contains("\"run\":7");
        assertThat(transactions.get(1).get(1)).startsWith("table public.account: UPDATE: id[integer]:1");
    }

    @Test
    void anAutoCommitStatementIsOneTransactionWithItsContext() throws SQLException {
        try (DmContext.Scope scope = DmContext.with(Map.of("request", "r-81"));
                Connection c = withContext.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO account VALUES (10, 1)");
            s.executeUpdate("INSERT INTO account VALUES (11, 1)");
            assertThat(c.getAutoCommit()).isTrue();
            try (ResultSet rows = s.executeQuery("SELECT count(*) FROM account WHERE id IN (10, 11)")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(2); // a query's rows stay readable after its commit
            }
        }
        List<List<String>> transactions = transactions(decoded());
        assertThat(transactions).hasSize(2); // the query is a read: no message, so no transaction of its own
        for (List<String> tx : transactions) {
            assertThat(tx).hasSize(2);
            assertThat(tx.get(0)).endsWith("content:{\"request\":\"r-81\"}");
            assertThat(tx.get(1)).contains("INSERT");
        }
    }

    @Test
    void aFailingAutoCommitStatementWritesNothingAndLeavesAutoCommitOn() throws SQLException {
        try (DmContext.Scope scope = DmContext.with(Map.of("user", "bob"));
                Connection c = withContext.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO account VALUES (20, 1)");
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO account VALUES (20, 2)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("duplicate key");
            assertThat(c.getAutoCommit()).isTrue();
            s.executeUpdate("INSERT INTO account VALUES (21, 1)");
        }
        List<List<String>> transactions = transactions(decoded());
        assertThat(transactions).hasSize(2);
        assertThat(transactions).allSatisfy(tx -> assertThat(tx.get(0)).contains("\"user\":\"bob\""));
    }

    @Test
    void withoutContextOrAfterARollbackNothingIsWritten() throws SQLException {
        try (Connection c = withContext.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO account VALUES (30, 1)");
        }
        try (DmContext.Scope scope = DmContext.with(Map.of("user", "carol"));
                Connection c = withContext.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO account VALUES (31, 1)");
            c.rollback();
            s.executeUpdate("INSERT INTO account VALUES (32, 1)");
            c.commit();
        }
        List<List<String>> transactions = transactions(decoded());
        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(0)).singleElement().asString().contains("id[integer]:30");
        assertThat(transactions.get(1)).hasSize(2); // the rolled-back transaction's message went with it; the next has its own
        assertThat(transactions.get(1).get(0)).contains("\"user\":\"carol\"");
        assertThat(transactions.get(1).get(1)).contains("id[integer]:32");
    }

    @Test
    void theSqlHelperWritesTheSameMessageAndRefusesWhatIsNotAnObject() throws SQLException {
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT dm_context('{\"user\":\"dana\",\"request\":\"r-9\"}')");
            s.executeUpdate("INSERT INTO account VALUES (40, 1)");
            c.commit();
            assertThatThrownBy(() -> s.execute("SELECT dm_context('[1]')")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("takes a JSON object").satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22023"));
            c.rollback();
        }
        List<List<String>> transactions = transactions(decoded());
        assertThat(transactions).hasSize(1);
        assertThat(transactions.get(0).get(0)).contains("prefix: dm.context").endsWith("content:{\"user\": \"dana\", \"request\": \"r-9\"}");
        assertThat(transactions.get(0).get(1)).contains("id[integer]:40");
    }

    @Test
    void onlyStatementsThatMayChangeRowsStartTheContext() {
        assertThat(ContextDataSource.ConnectionHandler.writes("  -- note\n /* x */ (insert into t values (1))")).isTrue();
        assertThat(ContextDataSource.ConnectionHandler.writes("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d")).isTrue();
        assertThat(ContextDataSource.ConnectionHandler.writes("update t set a = 1")).isTrue();
        assertThat(ContextDataSource.ConnectionHandler.writes("SELECT * FROM t")).isFalse();
        assertThat(ContextDataSource.ConnectionHandler.writes("SET search_path = public")).isFalse();
        assertThat(ContextDataSource.ConnectionHandler.writes("")).isFalse();
    }

    @Test
    void contextIsJsonWithItsTextEscaped() {
        try (DmContext.Scope outer = DmContext.with(Map.of("user", "alice"));
                DmContext.Scope inner = DmContext.with(Map.of("user", "a \"quoted\"\nname\u0001"))) {
            assertThat(DmContext.currentJson()).isEqualTo("{\"user\":\"a \\\"quoted\\\"\\nname\\u0001\"}");
        }
        assertThat(DmContext.currentJson()).isNull();
        assertThatThrownBy(() -> DmContext.with(Map.of("user", List.of("x")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'user'");
    }

    /** Every row the slot decoded since the last call, with transaction ids. */
    private static List<String> decoded() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = plain.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT data FROM pg_logical_slot_get_changes('" + SLOT
                        + "', NULL, NULL, 'include-xids', '1', 'skip-empty-xacts', '1')")) {
            while (r.next()) {
                rows.add(r.getString(1));
            }
        }
        return rows;
    }

    /** The decoded rows grouped by transaction, without BEGIN and COMMIT (checking each COMMIT closes its BEGIN). */
    private static List<List<String>> transactions(List<String> rows) {
        List<List<String>> out = new ArrayList<>();
        List<String> open = null;
        String xid = null;
        for (String row : rows) {
            if (row.startsWith("BEGIN ")) {
                assertThat(open).as("a BEGIN inside a transaction").isNull();
                open = new ArrayList<>();
                xid = row.substring(6);
            } else if (row.startsWith("COMMIT ")) {
                assertThat(row).isEqualTo("COMMIT " + xid);
                out.add(open);
                open = null;
            } else {
                assertThat(open).as("a change outside a transaction: " + row).isNotNull();
                open.add(row);
            }
        }
        assertThat(open).isNull();
        return out;
    }
}
