package io.datamanager.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DsnTest {

    @Test
    void aDsnGivesCaptureAndJdbcTheirPiecesWithoutShowingThePassword() {
        Dsn dsn = Dsn.parse("postgres://app%40shop:s%3Acret@db.internal:6543/orders?sslmode=require");

        assertThat(dsn).isEqualTo(new Dsn("db.internal", 6543, "orders", "app@shop", "s:cret", "require"));
        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/orders?sslmode=require");
        assertThat(dsn.toString()).doesNotContain("s:cret").isEqualTo("postgres://app@shop@db.internal:6543/orders");
    }

    @Test
    void portDatabaseAndSslModeHaveThePostgresDefaults() {
        assertThat(Dsn.parse("postgresql://ann@localhost")).isEqualTo(new Dsn("localhost", 5432, "ann", "ann", "", "prefer"));
    }

    @Test
    void anythingElseIsRefusedWithTheFormToUse() {
        assertThatThrownBy(() -> Dsn.parse("mysql://localhost/db")).hasMessageContaining("postgres://user:password@host:5432/database");
        assertThatThrownBy(() -> Dsn.parse("not a url")).hasMessageContaining("postgres://");
    }

    @Test
    void portsMoveTogetherByTheOffset() {
        assertThat(Ports.withOffset(0)).isEqualTo(new Ports(8080, 8081, 8082, 9092, 9093, 5433, 6380, 8083, 8084));
        assertThat(Ports.withOffset(1000).kafka()).isEqualTo(10092);
        assertThatThrownBy(() -> Ports.withOffset(-1)).hasMessageContaining("--port-offset");
    }
}
