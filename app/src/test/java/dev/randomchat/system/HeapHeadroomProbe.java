package dev.randomchat.system;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Run by {@link HeapHeadroomIntegrationTests} in a JVM of its own (ZGC, a small soft limit):
 * allocates garbage fast for a while, then nothing, printing the soft limit every 100 ms.
 */
public final class HeapHeadroomProbe {

    public static void main(String[] args) throws InterruptedException {
        long busyMillis = Long.parseLong(args[0]);
        long quietMillis = Long.parseLong(args[1]);
        HeapHeadroom headroom = new HeapHeadroom(new JvmProperties("true"), new SimpleMeterRegistry());
        headroom.start();
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        byte[][] ring = new byte[64][];
        long start = System.nanoTime();
        long nextPrint = 0;
        int i = 0;
        while (true) {
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            if (elapsed >= busyMillis + quietMillis) {
                break;
            }
            if (elapsed < busyMillis) {
                // Up to 100 MiB a second of garbage, the way a burst of visitors makes it.
                ring[i++ & 63] = new byte[64 * 1024];
                if ((i & 15) == 0) {
                    Thread.sleep(10);
                }
            }
            else {
                ring[i & 63] = null;
                Thread.sleep(20);
            }
            if (elapsed >= nextPrint) {
                System.out.println("limit " + elapsed + " " + (elapsed < busyMillis ? "busy" : "quiet") + " "
                        + hotspot.getVMOption("SoftMaxHeapSize").getValue());
                nextPrint += 100;
            }
        }
        headroom.stop();
        System.out.println("done");
    }
}
