package dev.randomchat.deployments;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of a Dockerfile, grouped by build stage: enough of the format to check what
 * the file says without a Docker engine (continuation lines, comments, ARGs before FROM).
 */
record Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {

    private static final Pattern ARG_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    record Instruction(String keyword, String arguments) {
    }

    record Stage(String image, String name, List<Instruction> instructions) {

        List<String> arguments(String keyword) {
            return instructions.stream()
                    .filter((instruction) -> instruction.keyword().equals(keyword))
                    .map(Instruction::arguments)
                    .toList();
        }
    }

    static Dockerfile parse(String text) {
        Map<String, String> globalArgs = new HashMap<>();
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : instructions(text)) {
            if (instruction.keyword().equals("FROM")) {
                String[] words = instruction.arguments().split("\\s+");
                String image = resolve(words[0], globalArgs);
                String name = (words.length == 3 && words[1].equalsIgnoreCase("AS")) ? words[2] : null;
                stages.add(new Stage(image, name, new ArrayList<>()));
            }
            else if (stages.isEmpty()) {
                if (instruction.keyword().equals("ARG")) {
                    String[] nameAndDefault = instruction.arguments().split("=", 2);
                    globalArgs.put(nameAndDefault[0].trim(), nameAndDefault.length == 2 ? nameAndDefault[1].trim() : "");
                }
            }
            else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return new Dockerfile(globalArgs, stages);
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    private static List<Instruction> instructions(String text) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String instruction = current.toString().strip();
            current.setLength(0);
            if (!instruction.isEmpty()) {
                String[] keywordAndArguments = instruction.split("\\s+", 2);
                instructions.add(new Instruction(keywordAndArguments[0].toUpperCase(Locale.ROOT),
                        keywordAndArguments.length == 2 ? keywordAndArguments[1] : ""));
            }
        }
        return instructions;
    }

    private static String resolve(String value, Map<String, String> args) {
        Matcher matcher = ARG_REFERENCE.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(args.getOrDefault(matcher.group(1), "")));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }
}
