package dev.imagefactory.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A small, test-only reading of a Dockerfile: instructions grouped by build stage, with line
 * continuations joined and comment lines dropped. It understands enough of the format to check the
 * repository's own Dockerfile, which cannot be built on machines without a container engine.
 */
final class DockerfileModel {

    record Instruction(String keyword, String args, int line) {
    }

    record Stage(String from, String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }

        /** ENV values of this stage, later assignments winning. */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (Instruction i : all("ENV")) {
                List<String> words = shellWords(i.args());
                if (!words.isEmpty() && !words.get(0).contains("=")) {
                    // legacy form: ENV KEY value with spaces
                    String rest = i.args().strip().substring(words.get(0).length()).strip();
                    env.put(words.get(0), rest);
                    continue;
                }
                for (String w : words) {
                    int eq = w.indexOf('=');
                    if (eq > 0) {
                        env.put(w.substring(0, eq), w.substring(eq + 1));
                    }
                }
            }
            return env;
        }

        /** Packages named by every {@code apt-get install} / {@code apt install} in this stage's RUNs. */
        List<String> aptInstalled() {
            List<String> packages = new ArrayList<>();
            for (Instruction run : all("RUN")) {
                for (List<String> command : shellCommands(run.args())) {
                    int i = 0;
                    while (i < command.size() && command.get(i).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                        i++; // leading VAR=value assignments
                    }
                    if (i + 1 < command.size()
                            && (command.get(i).equals("apt-get") || command.get(i).equals("apt"))) {
                        int sub = i + 1;
                        while (sub < command.size() && command.get(sub).startsWith("-")) {
                            sub++;
                        }
                        if (sub < command.size() && command.get(sub).equals("install")) {
                            command.subList(sub + 1, command.size()).stream()
                                    .filter(w -> !w.startsWith("-"))
                                    .map(w -> w.replaceAll("[=:].*$", "")) // pkg=version, pkg:arch
                                    .forEach(packages::add);
                        }
                    }
                }
            }
            return packages;
        }
    }

    private final List<Stage> stages;
    private final Map<String, String> globalArgs;

    private DockerfileModel(List<Stage> stages, Map<String, String> globalArgs) {
        this.stages = stages;
        this.globalArgs = globalArgs;
    }

    /** A stage's base image with global ARG defaults substituted ({@code FROM ${IMAGE}}). */
    String resolvedBase(Stage stage) {
        String base = stage.from();
        for (Map.Entry<String, String> arg : globalArgs.entrySet()) {
            base = base.replace("${" + arg.getKey() + "}", arg.getValue()).replace("$" + arg.getKey(), arg.getValue());
        }
        return base;
    }

    List<Stage> stages() {
        return stages;
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> name.equalsIgnoreCase(s.name())).findFirst();
    }

    static DockerfileModel read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DockerfileModel parse(String text) {
        List<Stage> stages = new ArrayList<>();
        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Instruction> current = null;
        String[] lines = text.split("\r?\n", -1);
        StringBuilder pending = new StringBuilder();
        int startLine = 0;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue; // comments (also inside continuations) and blank lines
            }
            if (pending.length() == 0) {
                startLine = n + 1;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1); // Docker joins continuations with nothing
                continue;
            }
            pending.append(line);
            String instruction = pending.toString().strip();
            pending.setLength(0);
            if (instruction.isEmpty()) {
                continue;
            }
            int space = firstWhitespace(instruction);
            String keyword = (space < 0 ? instruction : instruction.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : instruction.substring(space).strip();
            Instruction parsed = new Instruction(keyword, args, startLine);
            if (keyword.equals("FROM")) {
                List<String> words = shellWords(args).stream().filter(w -> !w.startsWith("--")).toList();
                String name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
                current = new ArrayList<>();
                stages.add(new Stage(words.isEmpty() ? "" : words.get(0), name, current));
            } else if (current == null) {
                if (!keyword.equals("ARG")) {
                    throw new IllegalArgumentException("line " + startLine + ": " + keyword + " before FROM");
                }
                for (String w : shellWords(args)) {
                    int eq = w.indexOf('=');
                    globalArgs.put(eq < 0 ? w : w.substring(0, eq), eq < 0 ? "" : w.substring(eq + 1));
                }
                continue; // global ARGs
            }
            current.add(parsed);
        }
        if (pending.length() > 0) {
            throw new IllegalArgumentException("Dockerfile ends inside a line continuation");
        }
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("Dockerfile has no FROM");
        }
        return new DockerfileModel(stages, globalArgs);
    }

    /** ENTRYPOINT/CMD in exec (JSON array) form. */
    static List<String> execForm(Instruction instruction) {
        try {
            return new ObjectMapper().readValue(instruction.args(), new TypeReference<List<String>>() {
            });
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "line " + instruction.line() + ": " + instruction.keyword() + " is not in exec (JSON) form", e);
        }
    }

    private static int firstWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Shell-like words: whitespace separated, honouring single/double quotes and backslash escapes. */
    static List<String> shellWords(String s) {
        List<String> words = new ArrayList<>();
        for (List<String> command : tokenize(s, false)) {
            words.addAll(command);
        }
        return words;
    }

    /** Simple commands of a shell line, split at ; && || | and newlines. */
    static List<List<String>> shellCommands(String s) {
        return tokenize(s, true);
    }

    private static List<List<String>> tokenize(String s, boolean splitCommands) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    word.append(s.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                word.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c) && !(splitCommands && c == '\n')) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (splitCommands && (c == ';' || c == '&' || c == '|' || c == '\n')) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                if (!words.isEmpty()) {
                    commands.add(words);
                    words = new ArrayList<>();
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated quote in: " + s);
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (!words.isEmpty()) {
            commands.add(words);
        }
        return commands;
    }
}
