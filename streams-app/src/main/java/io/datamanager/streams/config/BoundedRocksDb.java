package io.datamanager.streams.config;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One memory budget for every RocksDB store of the process (the last-state and position stores of every task), instead
 * of Kafka Streams' defaults per store: a 50 MB block cache and up to three 16 MB memtables each, so six stores (two
 * per partition) could take over 300 MB off the heap. Memtables count against the same cache, so the budget holds
 * whatever the number of partitions: {@code DM_STREAMS_ROCKSDB_MB} (default 32), a quarter of it for memtables.
 *
 * <p>The cache and the write buffer manager are shared by every store and live as long as the process; a store's
 * close must not close them.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
    static final long BUDGET_BYTES = megabytes(System.getenv("DM_STREAMS_ROCKSDB_MB"), 32) * 1024 * 1024;
    private static final long MEMTABLE_BYTES = BUDGET_BYTES / 4;
    private static final Cache CACHE = new LRUCache(BUDGET_BYTES, -1, false, 0.1);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setWriteBufferSize(Math.max(1024 * 1024, MEMTABLE_BYTES / 4));
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and write buffer manager are shared: they outlive any one store
    }

    static long megabytes(String value, long fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long mb = Long.parseLong(value.trim());
            if (mb < 4) {
                throw new IllegalArgumentException("DM_STREAMS_ROCKSDB_MB must be at least 4, not " + value);
            }
            return mb;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DM_STREAMS_ROCKSDB_MB must be a whole number of megabytes, not " + value, e);
        }
    }
}
