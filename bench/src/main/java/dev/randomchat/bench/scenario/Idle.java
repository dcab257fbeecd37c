package dev.randomchat.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import dev.randomchat.bench.infra.Clients;
import dev.randomchat.bench.infra.Machine;
import dev.randomchat.bench.infra.Report;
import dev.randomchat.bench.infra.Services;
import dev.randomchat.bench.infra.Services.Service;
import dev.randomchat.bench.infra.Stats;
import dev.randomchat.bench.infra.Ws;

/**
 * Idle capacity: open sockets that do nothing, in levels; at each level a full GC in the server,
 * then its heap in use and its RSS. The slope of a least-squares line over the levels is the cost
 * of one more connection; the chat server and the bare Reactor Netty server are measured alike.
 */
public final class Idle {

    /** Time for the server to finish what the last upgrades started before the GC. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    /** How to read a server's heap in use. */
    public interface HeapReader {

        long heapBytes() throws Exception;
    }

    private Idle() {
    }

    /**
     * @param uri the i-th socket's URI; {@code token} its bearer token (or null)
     * @param hello whether the server greets a socket first (the chat server's {@code hello})
     */
    public static Map<String, Object> measure(Service server, int[] levels, IntFunction<String> uri,
            IntFunction<String> token, boolean hello, HeapReader heap) throws Exception {
        List<Ws> sockets = new ArrayList<>();
        List<Map<String, Object>> samples = new ArrayList<>();
        Map<String, Long> firstHistogram = Map.of();
        Map<String, Long> lastHistogram = Map.of();
        double[] x = new double[levels.length];
        double[] heapY = new double[levels.length];
        double[] rssY = new double[levels.length];
        try {
            for (int level = 0; level < levels.length; level++) {
                int from = sockets.size();
                int more = levels[level] - from;
                sockets.addAll(Clients.connect(more, i -> uri.apply(from + i), i -> token.apply(from + i), hello));
                Baselines.sleep(SETTLE);
                long open = sockets.stream().filter(Ws::isOpen).count();
                Services.fullGc(server.pid());
                Baselines.sleep(Duration.ofMillis(500));
                long heapBytes = heap.heapBytes();
                long rss = Machine.rssBytes(server.pid());
                if (level == 0) {
                    firstHistogram = Services.classHistogram(server.pid());
                }
                else if (level == levels.length - 1) {
                    lastHistogram = Services.classHistogram(server.pid());
                }
                x[level] = open;
                heapY[level] = heapBytes;
                rssY[level] = rss;
                Map<String, Object> sample = new LinkedHashMap<>();
                sample.put("connections", open);
                sample.put("heapMb", Stats.round(heapBytes / 1048576.0, 2));
                sample.put("rssMb", Stats.round(rss / 1048576.0, 2));
                samples.add(sample);
                Report.note(server.name() + " idle: " + sample);
            }
        }
        finally {
            Clients.closeAll(sockets);
        }
        Stats.Line heapLine = Stats.fit(x, heapY);
        Stats.Line rssLine = Stats.fit(x, rssY);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("server", server.name());
        out.put("heapBytesPerConnection", Math.round(heapLine.slope()));
        out.put("heapR2", Stats.round(heapLine.r2(), 4));
        out.put("rssBytesPerConnection", Math.round(rssLine.slope()));
        out.put("rssR2", Stats.round(rssLine.r2(), 4));
        out.put("samples", samples);
        out.put("heapBytesPerConnectionByClass", byClass(firstHistogram, lastHistogram, x[levels.length - 1] - x[0]));
        return out;
    }

    /** Where the heap per connection goes: the classes that grew most between the first and last level. */
    private static Map<String, Object> byClass(Map<String, Long> first, Map<String, Long> last, double connections) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (connections <= 0) {
            return out;
        }
        last.entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), entry.getValue() - first.getOrDefault(entry.getKey(), 0L)))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(Integer.getInteger("bench.histogramClasses", 25))
                .forEach(entry -> out.put(entry.getKey(), Math.round(entry.getValue() / connections)));
        return out;
    }
}
