package io.datamanager.history.it;

import static io.restassured.RestAssured.given;

import io.datamanager.testsupport.TestPostgres;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A realistic shop in the source database for the restore tests: customers -> orders ({@code ON DELETE CASCADE}) ->
 * order lines (composite key, cascade), payments -> orders ({@code RESTRICT}, identity {@code GENERATED ALWAYS}),
 * a few hundred rows; plus the helpers a user's checks need: every column of every row of a table as PostgreSQL
 * writes it ({@code to_jsonb}), and a transaction that tells its id.
 */
final class Shop {
    static final List<String> TABLES = List.of("shop_customers", "shop_orders", "shop_lines", "shop_payments");

    private Shop() {}

    static void create() throws Exception {
        HistoryPipeline.sql("CREATE TABLE shop_customers (id integer PRIMARY KEY, name text NOT NULL, email text UNIQUE, tier text, "
                        + "since timestamptz)",
                "CREATE TABLE shop_orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES shop_customers(id) "
                        + "ON DELETE CASCADE, status text NOT NULL, total numeric(10,2) NOT NULL, meta jsonb)",
                "CREATE TABLE shop_lines (order_id integer REFERENCES shop_orders(id) ON DELETE CASCADE, line_no integer, "
                        + "sku text NOT NULL, qty integer NOT NULL, price numeric(12,3), PRIMARY KEY (order_id, line_no))",
                "CREATE TABLE shop_payments (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id integer NOT NULL "
                        + "REFERENCES shop_orders(id) ON DELETE RESTRICT, amount numeric(10,2) NOT NULL)",
                "INSERT INTO shop_customers SELECT i, 'Customer ' || i, 'c' || i || '@example.org', 'basic', "
                        + "TIMESTAMPTZ '2026-03-29 00:30:00+00' + i * INTERVAL '1 hour' FROM generate_series(1, 40) i",
                "INSERT INTO shop_orders SELECT i, (i - 1) / 5 + 1, 'new', i * 3.10, "
                        + "jsonb_build_object('channel', 'web', 'weight', 2.50, 'n', i) FROM generate_series(1, 200) i",
                "INSERT INTO shop_lines SELECT o, l, 'SKU-' || o || '-' || l, l, o * 1.005 FROM generate_series(1, 200) o, generate_series(1, 2) l",
                "INSERT INTO shop_payments (order_id, amount) SELECT i, i * 3.10 FROM generate_series(101, 200) i");
    }

    /** Every row of the table, every column, as {@code to_jsonb(row)::text}, in key order. */
    static List<String> rows(String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.shared().connect(HistoryPipeline.source); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_jsonb(t)::text FROM " + table + " t ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Every shop table, every row. */
    static Map<String, List<String>> dump() throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String table : TABLES) {
            out.put(table, rows(table));
        }
        return out;
    }

    /** Runs the statements in one transaction and answers its id as capture records it. */
    static long transaction(String... statements) throws Exception {
        try (Connection c = TestPostgres.shared().connect(HistoryPipeline.source); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : statements) {
                s.execute(statement);
            }
            long txId;
            try (ResultSet rs = s.executeQuery("SELECT txid_current() % 4294967296")) {
                rs.next();
                txId = rs.getLong(1);
            }
            c.commit();
            return txId;
        }
    }

    /** The current time of the source, as the API takes it. */
    static String now() throws Exception {
        return HistoryPipeline.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
    }

    /** A request with the API token. */
    static io.restassured.specification.RequestSpecification api() {
        return given().header("Authorization", "Bearer " + HistoryPipeline.TOKEN);
    }

    static ValidatableResponse restore(String body) {
        return given().header("Authorization", "Bearer " + HistoryPipeline.TOKEN).contentType("application/json").body(body)
                .post("/api/restore").then();
    }

    static JsonPath restored(String body) {
        return restore(body).statusCode(200).extract().jsonPath();
    }
}
