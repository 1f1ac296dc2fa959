package io.datamanager.streams.topology;

import org.apache.kafka.common.serialization.Serde;

/** A topic name with its serdes, shared by main and test code. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}
