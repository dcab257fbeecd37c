package dev.randomchat.bench.infra;

import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** Small numeric helpers: percentiles of a latency histogram, a least-squares line, rounding. */
public final class Stats {

    private Stats() {
    }

    /** p50/p99/p999/max of a histogram of microseconds, in milliseconds. */
    public static Map<String, Object> latencyMs(Histogram micros) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", micros.getTotalCount());
        out.put("p50Ms", ms(micros.getValueAtPercentile(50)));
        out.put("p99Ms", ms(micros.getValueAtPercentile(99)));
        out.put("p999Ms", ms(micros.getValueAtPercentile(99.9)));
        out.put("maxMs", ms(micros.getMaxValue()));
        return out;
    }

    public static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    public static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    /** Least-squares fit y = slope * x + intercept, with r². */
    public record Line(double slope, double intercept, double r2) {
    }

    public static Line fit(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        double r2 = sxx == 0 || syy == 0 ? 1 : (sxy * sxy) / (sxx * syy);
        return new Line(slope, my - slope * mx, r2);
    }

    /** The long written after {@code key} in a JSON text (no parser: the hot path reads thousands a second). */
    public static long longAfter(String text, String key) {
        int at = text.indexOf(key);
        if (at < 0) {
            return -1;
        }
        int i = at + key.length();
        boolean negative = i < text.length() && text.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        return negative ? -value : value;
    }

    /** The string value written after {@code key} (which ends with the opening quote). */
    public static String stringAfter(String text, String key) {
        int at = text.indexOf(key);
        if (at < 0) {
            return null;
        }
        int start = at + key.length();
        int end = text.indexOf('"', start);
        return end < 0 ? null : text.substring(start, end);
    }
}
