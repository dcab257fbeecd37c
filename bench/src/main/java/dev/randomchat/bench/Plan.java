package dev.randomchat.bench;

import java.util.Arrays;

/**
 * How long and how hard each scenario runs.
 *
 * @param name "quick" or "full"
 * @param warmupSeconds relay traffic sent before anything is measured, so the servers are compiled
 * @param echoSeconds length of one echo baseline measurement
 * @param echoConnections echo client sockets
 * @param echoWindow round trips each echo socket keeps in flight
 * @param relayPairs matched pairs that carry the relay traffic
 * @param relayStepSeconds length of one relay rate step
 * @param relayRates offered chat messages/s, in order; the first unsustainable step ends the series
 * @param redisBenchRequests PUBLISH requests of the redis-benchmark baseline
 * @param hopSeconds length of the Pub/Sub hop baseline
 * @param hopRate Pub/Sub hop messages/s (open loop)
 * @param matchRates offered pairs/s, in order; the first unsustainable step ends the series
 * @param matchMaxVisitors visitors pre-connected for one matching step at most
 * @param matchStepSeconds arrivals last this long unless {@code matchMaxVisitors} cuts them short
 * @param idleLevels connection counts at which idle heap and RSS are sampled
 * @param hostileSeconds length of each hostile-load phase (bystander alone, then under attack)
 */
record Plan(String name, double warmupSeconds, double echoSeconds, int echoConnections, int echoWindow,
        int relayPairs, double relayStepSeconds, int[] relayRates, int redisBenchRequests, double hopSeconds,
        int hopRate, int[] matchRates, int matchMaxVisitors, double matchStepSeconds, int[] idleLevels,
        double hostileSeconds) {

    /**
     * This plan with the rates and lengths given as system properties, for profiling one operating
     * point: {@code -Dbench.relayRates=5000 -Dbench.relayStepSeconds=20}, {@code -Dbench.matchRates=},
     * {@code -Dbench.idleLevels=}, {@code -Dbench.warmupSeconds=}.
     */
    Plan withOverrides() {
        return new Plan(name, seconds("bench.warmupSeconds", warmupSeconds), echoSeconds, echoConnections, echoWindow,
                relayPairs, seconds("bench.relayStepSeconds", relayStepSeconds),
                ints("bench.relayRates", relayRates), redisBenchRequests, hopSeconds, hopRate,
                ints("bench.matchRates", matchRates), matchMaxVisitors,
                seconds("bench.matchStepSeconds", matchStepSeconds),
                ints("bench.idleLevels", idleLevels), seconds("bench.hostileSeconds", hostileSeconds));
    }

    private static double seconds(String property, double otherwise) {
        return Double.parseDouble(System.getProperty(property, Double.toString(otherwise)));
    }

    private static int[] ints(String property, int[] otherwise) {
        String value = System.getProperty(property);
        return value == null ? otherwise : Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static Plan quick() {
        // A warm-up of 20 s of relay (10 s on one server, 10 s across two): after 8 s, C2 was still
        // compiling the relay path inside the first measured step (120-530 ms of it in the 1k msgs/s
        // step, whose p999 then ran 7-61 ms; bench/RESULTS.md).
        return new Plan("quick", 20, 3, 32, 16, 50, 3,
                new int[] {2_000, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000},
                100_000, 2, 5_000,
                new int[] {500, 1_000, 2_000, 3_000, 5_000},
                4_000, 1.0,
                new int[] {1_000, 2_000, 3_000, 4_000}, 10);
    }

    static Plan full() {
        // Relay steps of 15 s: on 2 shared cores one scheduler stall can decide the p99 of a short
        // step, and a slowly growing queue only shows in a long one.
        return new Plan("full", 30, 5, 32, 16, 50, 15,
                new int[] {2_000, 5_000, 7_500, 10_000, 12_500, 15_000, 17_500, 20_000, 22_500, 25_000, 30_000,
                        35_000, 40_000},
                300_000, 5, 5_000,
                new int[] {500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 8_000},
                8_000, 2.0,
                new int[] {2_000, 5_000, 8_000, 11_000, 15_000}, 20);
    }
}
