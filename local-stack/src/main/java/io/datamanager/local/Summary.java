package io.datamanager.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** What {@code up} prints once ready: where the API is, the token, and three commands to try. */
final class Summary {
    private Summary() {}

    static void print(PrintStream out, RunFile run, Dsn source, boolean demo, boolean activity, Connection sourceConnection, Path dataDir)
            throws Exception {
        out.println();
        out.println("  API      " + run.url() + "   (OpenAPI: " + run.url() + "/q/swagger-ui)");
        out.println("  token    " + run.token() + "   (write scope; kept in " + dataDir.resolve(ApiToken.FILE) + ", up --new-token replaces it)");
        out.println("  source   " + source + (demo ? "   (the demo shop" + (activity ? "; a change every 2 s)" : ", still)") : ""));
        out.println("  redis    " + (run.redisUrl() == null ? "off" : run.redisUrl()));
        out.println("  data     " + dataDir + "   (logs in " + dataDir.resolve("logs") + ")");
        out.println();
        out.println("Try it:");
        out.println("  export " + exports(run, source));
        String table = "public.orders";
        String pk = "id";
        String row = Integer.toString(DemoShop.MISTAKEN_ORDER);
        String historyRow = "1";
        if (!demo) {
            try (sourceConnection) {
                String[] example = exampleRow(sourceConnection);
                table = example[0];
                pk = example[1];
                row = example[2];
                historyRow = example[2];
            }
        } else {
            sourceConnection.close();
        }
        String auth = "-H \"Authorization: Bearer $DM_TOKEN\"";
        out.println("  # 1. register a subscription to changes of " + table + ", and watch them arrive (Server-Sent Events)");
        out.println("  curl -fsS " + auth + " -H 'Content-Type: application/json' -X PUT $DM_URL/api/subscriptions/try-it -d '{\"table\":\""
                + table + "\"}' && curl -N " + auth + " $DM_URL/api/subscriptions/try-it/events");
        out.println("  # 2. the history of one row, newest version first");
        out.println("  curl -fsS " + auth + " \"$DM_URL/api/history?table=" + table + "&pk." + pk + "=" + historyRow + "\"");
        if (demo) {
            out.println("  # 3. restore order " + row + ", which the demo deleted by mistake (\"dryRun\":true shows the SQL first)");
            out.println("  curl -fsS " + auth + " -H 'Content-Type: application/json' $DM_URL/api/restore -d '{\"table\":\"" + table
                    + "\",\"pk\":{\"" + pk + "\":" + row + "},\"dryRun\":false}'");
        } else {
            out.println("  # 3. what restoring that row to how it was when the stack became ready would run (a dry run)");
            out.println("  curl -fsS " + auth + " -H 'Content-Type: application/json' $DM_URL/api/restore -d '{\"table\":\"" + table
                    + "\",\"pk\":{\"" + pk + "\":" + row + "},\"at\":\"" + run.readyAt() + "\",\"dryRun\":true}'");
        }
        out.println();
        out.println("Ctrl-C (or ./datamanager down) stops everything; ./datamanager up again resumes where it stopped.");
        out.flush();
    }

    /** The variables the commands below and the README's examples use. */
    static String exports(RunFile run, Dsn source) {
        return "DM_URL=" + run.url() + " DM_TOKEN=" + run.token() + " DM_KAFKA=" + run.kafkaBootstrap() + " DM_PG=postgres://" + source.user() + "@" + source.host() + ":"
                + source.port() + "/" + source.database() + (run.redisUrl() == null ? "" : " DM_REDIS=" + run.redisUrl());
    }

    /** A table with a one-column numeric key and one of its keys, for the commands to try on a database of the user's. */
    private static String[] exampleRow(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT n.nspname || '.' || t.relname, a.attname FROM pg_index i
                JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
                WHERE i.indisprimary AND i.indnatts = 1 AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                ORDER BY t.reltuples DESC LIMIT 1""")) {
            if (!rs.next()) {
                return new String[] {"public.<table>", "id", "1"};
            }
            String table = rs.getString(1);
            String column = rs.getString(2);
            String[] parts = table.split("\\.", 2);
            try (var first = c.prepareStatement("SELECT " + quote(column) + "::text FROM " + quote(parts[0]) + "." + quote(parts[1])
                    + " ORDER BY 1 LIMIT 1"); ResultSet row = first.executeQuery()) {
                return new String[] {table, column, row.next() ? row.getString(1) : "1"};
            }
        }
    }

    /** An identifier read from the catalog, quoted as PostgreSQL does. */
    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
