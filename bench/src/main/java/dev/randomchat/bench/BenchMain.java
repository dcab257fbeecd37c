package dev.randomchat.bench;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.randomchat.bench.codec.CodecRunner;
import dev.randomchat.bench.infra.EchoServer;

/**
 * Entry point of {@code ./run.sh bench}.
 *
 * <pre>
 *   (no argument)   full run: baselines and the service, interleaved (about 10 minutes)
 *   --quick         the same scenarios, shorter and smaller (under 5 minutes)
 *   --jfr           also record a JFR profile of each server after the warm-up (bench/target/jfr/)
 *   --only=a,b      only these scenarios: echo, relay1, redis, relay2, hop, matching, idle, hostile, and the
 *                   issue-21 rows against the Go peer: peer (all of them), peer-relay, peer-matching, peer-idle
 *   --codec         the JMH benchmark of the frame codec (under 2 minutes)
 *   echo-server P [R]  the bare Reactor Netty websocket server the baselines use (started by the run);
 *                   with a Redis port R it also pairs visitors at /pair
 * </pre>
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        if (list.contains("-h") || list.contains("--help") || list.contains("help")) {
            System.out.println("usage: ./run.sh bench [--quick] [--jfr] [--only=echo,relay1,redis,relay2,hop,matching,idle,"
                    + "hostile,peer,peer-relay,peer-matching,peer-idle] | --codec");
            return;
        }
        if (!list.isEmpty() && list.get(0).equals("echo-server")) {
            EchoServer.main(Integer.parseInt(list.get(1)), list.size() > 2 ? Integer.parseInt(list.get(2)) : 0);
            return;
        }
        if (list.contains("--codec")) {
            CodecRunner.run();
            return;
        }
        Set<String> only = new HashSet<>();
        for (String arg : list) {
            if (arg.startsWith("--only=")) {
                only.addAll(Arrays.asList(arg.substring(7).split(",")));
            }
            else if (!arg.equals("--quick") && !arg.equals("--jfr") && !arg.equals("--full")) {
                System.err.println("unknown option " + arg + "; usage: ./run.sh bench [--quick] [--jfr] | --codec");
                System.exit(2);
            }
        }
        Plan plan = (list.contains("--quick") ? Plan.quick() : Plan.full()).withOverrides();
        int status = new BenchRun(plan, list.contains("--jfr"), only).run();
        System.exit(status);
    }
}
