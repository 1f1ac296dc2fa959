package io.datamanager.history.tables;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.TableSchema;
import io.datamanager.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog queries on a real PostgreSQL: tables by their captured name, their columns, and publications of every kind. */
class SourceCatalogIT {
    private static Connection c;

    @BeforeAll
    static void source() throws Exception {
        TestPostgres pg = TestPostgres.shared();
        c = pg.connect(pg.createDatabase("catalog_src"));
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE cc_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[])");
            s.execute("ALTER TABLE cc_items DROP COLUMN tags");
            s.execute("CREATE TABLE line_items (order_id integer, line_no integer, qty integer NOT NULL, PRIMARY KEY (order_id, line_no))");
            s.execute("CREATE TABLE \"odd.name\" (id integer)");
            s.execute("CREATE SCHEMA sales");
            s.execute("CREATE TABLE sales.deals (id integer PRIMARY KEY)");
            s.execute("CREATE VIEW cheap_items AS SELECT * FROM cc_items WHERE price < 10");
            s.execute("CREATE TABLE measurements (at date NOT NULL, v integer) PARTITION BY RANGE (at)");
            s.execute("CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
            s.execute("CREATE PUBLICATION everything FOR ALL TABLES");
            s.execute("CREATE PUBLICATION chosen FOR TABLE cc_items, measurements");
            s.execute("CREATE PUBLICATION sales_only FOR TABLES IN SCHEMA sales");
        }
    }

    @AfterAll
    static void close() throws Exception {
        c.close();
    }

    @Test
    void aTableIsFoundByItsCapturedNameWithItsLiveColumnsInTableOrder() throws Exception {
        SourceCatalog.Relation items = SourceCatalog.relation(c, "public.cc_items").orElseThrow();
        assertThat(items.isTable()).isTrue();
        assertThat(items.columns()).containsExactly(
                new TableSchema.Column("id", "bigint", true, false),
                new TableSchema.Column("name", "text", false, false),
                new TableSchema.Column("price", "numeric(10,2)", false, true));
        assertThat(SourceCatalog.relation(c, "public.line_items").orElseThrow().columns())
                .extracting(TableSchema.Column::name, TableSchema.Column::primaryKey)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("order_id", true), org.assertj.core.groups.Tuple.tuple("line_no", true),
                        org.assertj.core.groups.Tuple.tuple("qty", false));
        assertThat(SourceCatalog.relation(c, "sales.deals")).isPresent();
        assertThat(SourceCatalog.relation(c, "public.odd.name").orElseThrow().name()).isEqualTo("odd.name");
    }

    @Test
    void whatIsNoTableByThatExactNameIsNotFoundOrToldApart() throws Exception {
        assertThat(SourceCatalog.relation(c, "public.nowhere")).isEmpty();
        assertThat(SourceCatalog.relation(c, "public.CC_ITEMS")).as("names are exact, as capture writes them").isEmpty();
        assertThat(SourceCatalog.relation(c, "sales.cc_items")).isEmpty();
        assertThat(SourceCatalog.relation(c, "cc_items")).isEmpty();
        assertThat(SourceCatalog.relation(c, "public.x'; DROP TABLE cc_items; --")).isEmpty();
        assertThat(SourceCatalog.relation(c, "public.cc_items")).as("the name was only ever a parameter").isPresent();
        SourceCatalog.Relation view = SourceCatalog.relation(c, "public.cheap_items").orElseThrow();
        assertThat(view.isTable()).isFalse();
        assertThat(view.kindName()).isEqualTo("a view");
    }

    @Test
    void publicationsSayWhichTablesTheyPublish() throws Exception {
        SourceCatalog.Relation items = SourceCatalog.relation(c, "public.cc_items").orElseThrow();
        SourceCatalog.Relation lines = SourceCatalog.relation(c, "public.line_items").orElseThrow();
        SourceCatalog.Relation deals = SourceCatalog.relation(c, "sales.deals").orElseThrow();
        SourceCatalog.Relation measurements = SourceCatalog.relation(c, "public.measurements").orElseThrow();

        assertThat(SourceCatalog.published(c, "everything", lines)).contains(true);
        assertThat(SourceCatalog.published(c, "chosen", items)).contains(true);
        assertThat(SourceCatalog.published(c, "chosen", lines)).contains(false);
        assertThat(SourceCatalog.published(c, "chosen", measurements)).as("a partitioned table named in the publication").contains(true);
        assertThat(SourceCatalog.published(c, "sales_only", deals)).contains(true);
        assertThat(SourceCatalog.published(c, "sales_only", items)).contains(false);
        assertThat(SourceCatalog.published(c, "not_created_yet", items)).isEmpty();
    }
}
