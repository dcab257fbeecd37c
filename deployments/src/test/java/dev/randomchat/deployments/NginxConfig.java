package dev.randomchat.deployments;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An nginx configuration as a tree of directives: words, quoted strings, comments, {@code ;}
 * and blocks. Enough to assert on what a file configures rather than on its text.
 */
final class NginxConfig {

    record Directive(String name, List<String> args, List<Directive> block) {

        List<Directive> all(String directiveName) {
            return block.stream().filter((directive) -> directive.name().equals(directiveName)).toList();
        }

        Optional<Directive> first(String directiveName) {
            return all(directiveName).stream().findFirst();
        }

        String arg(int index) {
            return args.get(index);
        }
    }

    private final String text;

    private int position;

    /** The token that ended the last block read: "}" or null at the end of the text. */
    private String lastToken;

    private NginxConfig(String text) {
        this.text = text;
    }

    /** The file's top-level directives, wrapped in a root directive named "main". */
    static Directive parse(String text) {
        NginxConfig parser = new NginxConfig(text);
        List<Directive> directives = parser.directives();
        if (parser.lastToken != null) {
            throw new IllegalArgumentException("Unbalanced '}' at offset " + parser.position);
        }
        return new Directive("main", List.of(), directives);
    }

    private List<Directive> directives() {
        List<Directive> directives = new ArrayList<>();
        List<String> words = new ArrayList<>();
        String token;
        while ((token = nextToken()) != null) {
            switch (token) {
                case ";" -> {
                    requireName(words);
                    directives.add(new Directive(words.get(0), List.copyOf(words.subList(1, words.size())), List.of()));
                    words.clear();
                }
                case "{" -> {
                    requireName(words);
                    List<Directive> block = directives();
                    if (!"}".equals(lastToken)) {
                        throw new IllegalArgumentException("Block '" + words.get(0) + "' is not closed");
                    }
                    directives.add(new Directive(words.get(0), List.copyOf(words.subList(1, words.size())), block));
                    words.clear();
                }
                case "}" -> {
                    if (!words.isEmpty()) {
                        throw new IllegalArgumentException("Missing ';' after '" + String.join(" ", words) + "'");
                    }
                    lastToken = "}";
                    return directives;
                }
                default -> words.add(token);
            }
        }
        if (!words.isEmpty()) {
            throw new IllegalArgumentException("Missing ';' after '" + String.join(" ", words) + "'");
        }
        lastToken = null;
        return directives;
    }

    private static void requireName(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("A ';' or '{' without a directive name");
        }
    }

    private String nextToken() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (Character.isWhitespace(c)) {
                position++;
            }
            else if (c == '#') {
                while (position < text.length() && text.charAt(position) != '\n') {
                    position++;
                }
            }
            else {
                break;
            }
        }
        if (position >= text.length()) {
            return null;
        }
        char c = text.charAt(position);
        if (c == ';' || c == '{' || c == '}') {
            position++;
            return String.valueOf(c);
        }
        if (c == '"' || c == '\'') {
            int end = text.indexOf(c, position + 1);
            if (end < 0) {
                throw new IllegalArgumentException("Unterminated string at offset " + position);
            }
            String quoted = text.substring(position + 1, end);
            position = end + 1;
            return quoted;
        }
        int start = position;
        while (position < text.length()) {
            char d = text.charAt(position);
            if (Character.isWhitespace(d) || d == ';' || d == '{' || (d == '}' && !isVariableBrace(start))) {
                break;
            }
            position++;
        }
        return text.substring(start, position);
    }

    /** `${name}` inside a word: its closing brace is part of the word. */
    private boolean isVariableBrace(int wordStart) {
        int open = text.lastIndexOf("${", position);
        return open >= wordStart && text.indexOf('}', open) == position;
    }
}
