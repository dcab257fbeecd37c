package dev.randomchat.system;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Node;

import static org.assertj.core.api.Assertions.assertThat;

class RedisAddressesTests {

    @Test
    void oneAddressIsAStandaloneServer() {
        RedisAddresses details = new RedisAddresses(List.of("redis.internal:6380"), "");

        assertThat(details.getCluster()).isNull();
        assertThat(details.getStandalone().getHost()).isEqualTo("redis.internal");
        assertThat(details.getStandalone().getPort()).isEqualTo(6380);
    }

    @Test
    void severalAddressesAreTheSeedsOfACluster() {
        RedisAddresses details = new RedisAddresses(List.of("10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:7002"), "");

        assertThat(details.getCluster().getNodes()).containsExactly(
                new Node("10.0.0.1", 7000), new Node("10.0.0.2", 7001), new Node("10.0.0.3", 7002));
    }

    @Test
    void sendsAPasswordOnlyWhenOneIsSet() {
        assertThat(new RedisAddresses(List.of("127.0.0.1:6379"), "").getPassword()).isNull();
        assertThat(new RedisAddresses(List.of("127.0.0.1:6379"), "s3cret").getPassword()).isEqualTo("s3cret");
        assertThat(new RedisAddresses(List.of("127.0.0.1:6379"), "").getUsername()).isNull();
    }
}
