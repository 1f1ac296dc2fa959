package io.datamanager.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbTest {
    @Test
    void everyStoreGetsTheSameSmallMemtablesInsteadOfRocksDbsDefaults() {
        RocksDB.loadLibrary();
        try (Options first = new Options().setTableFormatConfig(new BlockBasedTableConfig());
                Options second = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            long defaultWriteBuffer = first.writeBufferSize();
            new BoundedRocksDb().setConfig("last-state", first, Map.of());
            new BoundedRocksDb().setConfig("positions", second, Map.of());
            assertThat(first.writeBufferSize()).isLessThan(defaultWriteBuffer).isEqualTo(second.writeBufferSize());
            assertThat(first.maxWriteBufferNumber()).isEqualTo(2);
            assertThat(first.writeBufferSize() * first.maxWriteBufferNumber()).isLessThanOrEqualTo(BoundedRocksDb.BUDGET_BYTES);
        }
    }

    @Test
    void theBudgetIsWholeMegabytesOfAtLeastFour() {
        assertThat(BoundedRocksDb.megabytes(null, 32)).isEqualTo(32);
        assertThat(BoundedRocksDb.megabytes(" 64 ", 32)).isEqualTo(64);
        assertThatThrownBy(() -> BoundedRocksDb.megabytes("2", 32)).hasMessageContaining("at least 4");
        assertThatThrownBy(() -> BoundedRocksDb.megabytes("lots", 32)).hasMessageContaining("DM_STREAMS_ROCKSDB_MB");
    }
}
