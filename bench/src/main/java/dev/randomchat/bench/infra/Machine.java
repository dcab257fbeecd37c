package dev.randomchat.bench.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What Linux says about this machine and its processes (/proc), in the units the report uses. */
public final class Machine {

    /** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux we run on). */
    private static final long TICKS_PER_SECOND = 100;

    private Machine() {
    }

    /** A process is quiet when it used less than this share of one core over a look of this long. */
    private static final double QUIET_CPU_SHARE = 0.15;
    private static final long QUIET_LOOK_MILLIS = 300;

    /**
     * Waits, at most {@code limit}, until these processes are idle together (a JIT compiler at work
     * is not): one step's tail, or what was done to prepare a step, is not the step's load.
     */
    public static void awaitQuiet(Duration limit, long... pids) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            long before = cpuMicros(pids);
            try {
                Thread.sleep(QUIET_LOOK_MILLIS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            if (cpuMicros(pids) - before < QUIET_CPU_SHARE * QUIET_LOOK_MILLIS * 1000) {
                return;
            }
        }
    }

    /** The CPU time of these processes together so far, in microseconds. */
    private static long cpuMicros(long[] pids) {
        return Arrays.stream(pids).map(Machine::cpuMicros).sum();
    }

    /** User plus system CPU time of a process so far, in microseconds (10 ms resolution). */
    public static long cpuMicros(long pid) {
        long[] split = cpuSplitMicros(pid);
        return split[0] < 0 ? -1 : split[0] + split[1];
    }

    /** User and system CPU time of a process so far (utime, stime of /proc/<pid>/stat), in microseconds. */
    public static long[] cpuSplitMicros(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces; fields are counted after its ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[11]) * 1_000_000 / TICKS_PER_SECOND,
                    Long.parseLong(fields[12]) * 1_000_000 / TICKS_PER_SECOND};
        }
        catch (IOException | RuntimeException ex) {
            return new long[] {-1, -1};
        }
    }

    /**
     * CPU microseconds so far of a process's live threads, by thread group: the thread name
     * (/proc/<pid>/task/<tid>/comm, at most 15 characters) without trailing digits and dashes.
     */
    public static Map<String, Long> threadCpuMicros(long pid) {
        Map<String, Long> groups = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[-0-9]+$", "");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long micros = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1_000_000 / TICKS_PER_SECOND;
                    groups.merge(name.isEmpty() ? "?" : name, micros, Long::sum);
                }
                catch (IOException | RuntimeException ex) {
                    // the thread ended meanwhile
                }
            }
        }
        catch (IOException ex) {
            return groups;
        }
        return groups;
    }

    /** Per-unit CPU by thread group between two {@link #threadCpuMicros} snapshots, largest first. */
    public static Map<String, Object> threadCpuPer(Map<String, Long> before, Map<String, Long> after, double units) {
        Map<String, Object> out = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), entry.getValue() - before.getOrDefault(entry.getKey(), 0L)))
                .filter(entry -> entry.getValue() > 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(8)
                .forEach(entry -> out.put(entry.getKey(), Math.round(10 * entry.getValue() / units) / 10.0));
        return out;
    }

    /** Microseconds per unit spent outside the JIT compiler threads (C1, C2) between two snapshots. */
    public static double withoutJitPer(Map<String, Long> before, Map<String, Long> after, double units) {
        long total = 0;
        for (Map.Entry<String, Long> entry : after.entrySet()) {
            if (!entry.getKey().startsWith("C1 Compiler") && !entry.getKey().startsWith("C2 Compiler")) {
                total += entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            }
        }
        return Math.round(10 * total / units) / 10.0;
    }

    /**
     * The context switches of the server, Redis and this load generator at one moment: how often
     * each went to sleep and was woken. A wake-up's cost is shared by whatever work it finds, so
     * fewer per pair at a higher rate means the work was batched.
     */
    public record Switches(long serverPid, long redisPid, long server, long redis, long benchClient) {

        public static Switches of(long serverPid, long redisPid) {
            return new Switches(serverPid, redisPid, contextSwitches(serverPid), contextSwitches(redisPid),
                    contextSwitches(selfPid()));
        }

        /** The switches from this reading to now. */
        public Switches sinceThen() {
            Switches now = of(serverPid, redisPid);
            return new Switches(serverPid, redisPid, now.server - server, now.redis - redis, now.benchClient - benchClient);
        }

        /** These switches (a {@link #sinceThen} count) per unit of work, by process. */
        public Map<String, Double> per(double units) {
            return Map.of("server", Stats.round(server / units, 1), "redis", Stats.round(redis / units, 1),
                    "benchClient", Stats.round(benchClient / units, 1));
        }
    }

    /** Context switches (voluntary and not) of all live threads of a process so far. */
    public static long contextSwitches(long pid) {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                }
                catch (IOException ex) {
                    // the thread ended meanwhile
                }
            }
        }
        catch (IOException ex) {
            return -1;
        }
        return total;
    }

    /** Resident set size of a process, in bytes. */
    public static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            return -1;
        }
        return -1;
    }

    /**
     * The whole machine's CPU time so far, in microseconds: {busy, stolen by the host}, from the
     * first line of {@code /proc/stat} (busy: user, nice, system, irq, softirq). Every process
     * counts, this load generator included: what else ran beside the one being measured.
     */
    public static long[] machineCpuMicros() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) {
                busy += Long.parseLong(fields[i]);
            }
            long steal = fields.length > 8 ? Long.parseLong(fields[8]) : 0;
            return new long[] {busy * 10_000, steal * 10_000};
        }
        catch (IOException | RuntimeException ex) {
            return new long[] {-1, -1};
        }
    }

    public static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        }
        catch (IOException ex) {
            return "?";
        }
    }

    /** The 1-minute load average. */
    public static double load1() {
        try {
            return Double.parseDouble(loadAverage().split(" ")[0]);
        }
        catch (RuntimeException ex) {
            return -1;
        }
    }

    public static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            return lines.stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("?");
        }
        catch (IOException ex) {
            return "?";
        }
    }

    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static long selfPid() {
        return ProcessHandle.current().pid();
    }

    /**
     * Collects the load generator's own heap before a measured step (its pause falls outside the
     * step): the step then starts with an empty young generation, and with the one `./run.sh bench`
     * gives it (README, "Benchmarks") the load generator does not stop inside a step at all.
     *
     * @return the pauses so far ({@link #loadGeneratorGcPauseMillis}), for the step to subtract
     *         at its end and show whether it did
     */
    public static long collectLoadGenerator() {
        System.gc();
        return loadGeneratorGcPauseMillis();
    }

    /**
     * Milliseconds the load generator itself has stood still for its garbage collector so far
     * (pauses only, not concurrent work). Each latency step reports its share: a pause here delays
     * every send and receipt the load generator makes, and would be read as the server's latency.
     */
    public static long loadGeneratorGcPauseMillis() {
        long millis = 0;
        for (var collector : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = collector.getName();
            // G1: "G1 Young Generation", "G1 Old Generation" (pauses), "G1 Concurrent GC" (not);
            // ZGC: "ZGC Minor Pauses", "ZGC Major Pauses" (pauses), "ZGC ... Cycles" (not).
            if (!name.contains("Concurrent") && !name.contains("Cycles")) {
                millis += Math.max(0, collector.getCollectionTime());
            }
        }
        return millis;
    }
}
