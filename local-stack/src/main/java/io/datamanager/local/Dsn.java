package io.datamanager.local;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL address as users write it, {@code postgres://user:password@host:5432/shop?sslmode=require}, in the
 * pieces capture and JDBC need. The password never appears in {@link #toString()}.
 */
public record Dsn(String host, int port, String database, String user, String password, String sslmode) {

    public static Dsn parse(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dsn must look like postgres://user:password@host:5432/database");
        }
        if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--dsn must look like postgres://user:password@host:5432/database");
        }
        String user = "postgres";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : "";
        }
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? user : decode(uri.getPath().substring(1));
        String sslmode = "prefer";
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.startsWith("sslmode=")) {
                    sslmode = decode(pair.substring("sslmode=".length()));
                }
            }
        }
        return new Dsn(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password, sslmode);
    }

    /** JDBC URL without credentials (they go as properties). */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + sslmode;
    }

    @Override
    public String toString() {
        return "postgres://" + user + "@" + host + ":" + port + "/" + database;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
