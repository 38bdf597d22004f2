package org.lanscape.signaling.protocol;

/**
 * A strict, single-pass JSON validator for one client frame, written for the hot path: it reads
 * the top-level object, decodes the string values of the fields asked for, and marks where every
 * other value starts and ends, so that a payload is validated but never copied character by
 * character (JSON-P's tokenizer was 30% of the server's CPU on 2 KB SDP payloads). The grammar is
 * RFC 8259's, at any depth: nested values are scanned with a stack of the open containers, not by
 * recursion, so a deep payload within the size limit is valid JSON like any other.
 * DecoderProperties checks that it accepts exactly what JSON-P accepts.
 */
final class JsonScanner {

    /** Thrown for any text that is not one JSON object; the message says what is wrong, and where. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        private final int at;

        Malformed(String message, int at) {
            super(message, null, false, false); // no stack trace: this is a normal outcome
            this.at = at;
        }

        /** The offset (in characters) where the text stops being JSON. */
        int at() {
            return at;
        }
    }

    /** Receives each top-level member of the object. */
    interface Members {
        /**
         * A member; {@code stringValue} is the decoded value when the value is a string, else null;
         * {@code start}/{@code end} delimit the value's text.
         */
        void member(String key, char firstChar, String stringValue, int start, int end);
    }

    private final String s;
    private int i;
    /** Every character of every string read, or-ed together: below 0x80 when the text is ASCII. */
    private char chars;

    private JsonScanner(String s) {
        this.s = s;
    }

    /**
     * Scans text that must be exactly one JSON object (whitespace around it allowed); true when
     * it is all ASCII (outside strings anything else is malformed), so its UTF-8 size is its length.
     */
    static boolean scanObject(String text, Members members) throws Malformed {
        JsonScanner scanner = new JsonScanner(text);
        scanner.ws();
        if (scanner.peek() != '{') {
            throw new Malformed("not an object", scanner.i);
        }
        scanner.i++;
        scanner.ws();
        if (scanner.peek() == '}') {
            scanner.i++;
        } else {
            while (true) {
                scanner.ws();
                if (scanner.peek() != '"') {
                    throw scanner.malformed("a key must be a string");
                }
                String key = scanner.string(true);
                scanner.ws();
                scanner.expect(':');
                scanner.ws();
                int start = scanner.i;
                char first = scanner.peek();
                String value = first == '"' ? scanner.string(true) : null;
                if (first != '"') {
                    scanner.value();
                }
                members.member(key, first, value, start, scanner.i);
                scanner.ws();
                char c = scanner.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw scanner.malformed("expected , or }", scanner.i - 1);
                }
            }
        }
        scanner.ws();
        if (scanner.i != text.length()) {
            throw scanner.malformed("text after the object");
        }
        return scanner.chars < 0x80;
    }

    /**
     * One value of any depth. {@code open} is the stack of the containers entered and not yet
     * closed ('{' or '['), grown as needed.
     */
    private void value() throws Malformed {
        byte[] open = null;
        int depth = 0;
        while (true) {
            char c = peek();
            if (c == '{' || c == '[') {
                i++;
                ws();
                if (peek() == (c == '{' ? '}' : ']')) {
                    i++; // an empty container is a whole value
                } else {
                    if (open == null) {
                        open = new byte[16];
                    } else if (depth == open.length) {
                        open = java.util.Arrays.copyOf(open, depth * 2);
                    }
                    open[depth++] = (byte) c;
                    if (c == '{') {
                        key();
                    }
                    continue;
                }
            } else {
                scalar(c);
            }
            // a value is complete: close what it completes, up to the next value or the end
            while (true) {
                if (depth == 0) {
                    return;
                }
                ws();
                char n = next();
                boolean inObject = open[depth - 1] == '{';
                if (n == ',') {
                    ws();
                    if (inObject) {
                        key();
                    }
                    break;
                }
                if (n != (inObject ? '}' : ']')) {
                    throw malformed(inObject ? "expected , or }" : "expected , or ]", i - 1);
                }
                depth--;
            }
        }
    }

    /** A member's key and its colon, inside an object: "key" : */
    private void key() throws Malformed {
        ws();
        if (peek() != '"') {
            throw malformed("a key must be a string");
        }
        string(false);
        ws();
        expect(':');
        ws();
    }

    private void scalar(char c) throws Malformed {
        switch (c) {
            case '"' -> string(false);
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw malformed(i >= s.length() ? "unexpected end" : "unexpected character");
                }
            }
        }
    }

    /**
     * Reads a string; returns its decoded value when {@code decode}, otherwise only validates it.
     * Runs of plain characters are read in a tight loop on locals: most of a payload is string.
     */
    private String string(boolean decode) throws Malformed {
        String text = s;
        int n = text.length();
        int start = i + 1;
        int j = start;
        char seen = 0;
        StringBuilder decoded = null;
        while (true) {
            char c = 0;
            while (j < n) {
                c = text.charAt(j);
                if (c == '"' || c == '\\' || c < 0x20) {
                    break;
                }
                seen |= c;
                j++;
            }
            i = j;
            if (j >= n) {
                throw malformed("unterminated string");
            }
            if (c == '"') {
                chars |= seen;
                i = j + 1;
                return !decode ? null : decoded == null ? text.substring(start, j) : decoded.append(text, start, j).toString();
            }
            if (c < 0x20) {
                throw malformed("control character in a string");
            }
            if (decode) {
                if (decoded == null) {
                    decoded = new StringBuilder();
                }
                decoded.append(text, start, j);
            }
            if (j + 1 >= n) {
                throw malformed("unterminated escape");
            }
            char out;
            switch (text.charAt(j + 1)) {
                case '"' -> out = '"';
                case '\\' -> out = '\\';
                case '/' -> out = '/';
                case 'b' -> out = '\b';
                case 'f' -> out = '\f';
                case 'n' -> out = '\n';
                case 'r' -> out = '\r';
                case 't' -> out = '\t';
                case 'u' -> {
                    if (j + 6 > n) {
                        throw malformed("bad unicode escape");
                    }
                    int code = 0;
                    for (int k = j + 2; k < j + 6; k++) {
                        int digit = Character.digit(text.charAt(k), 16);
                        if (digit < 0) {
                            throw malformed("bad unicode escape");
                        }
                        code = code * 16 + digit;
                    }
                    out = (char) code;
                    j += 4;
                }
                default -> throw malformed("bad escape");
            }
            if (decode) {
                decoded.append(out);
            }
            j += 2;
            start = j;
        }
    }

    private void number() throws Malformed {
        if (peek() == '-') {
            i++;
        }
        char c = peek();
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            digits();
        } else {
            throw malformed("bad number");
        }
        if (peek() == '.') {
            i++;
            if (!isDigit(peek())) {
                throw malformed("bad number");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw malformed("bad number");
            }
            digits();
        }
    }

    private void digits() {
        while (isDigit(peek())) {
            i++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) throws Malformed {
        if (!s.startsWith(word, i)) {
            throw malformed("bad literal");
        }
        i += word.length();
    }

    private void expect(char c) throws Malformed {
        if (next() != c) {
            throw malformed("expected " + c, i - 1);
        }
    }

    private char next() throws Malformed {
        if (i >= s.length()) {
            throw malformed("unexpected end");
        }
        return s.charAt(i++);
    }

    private Malformed malformed(String problem) {
        return malformed(problem, i);
    }

    private Malformed malformed(String problem, int at) {
        return new Malformed(problem, at);
    }

    /** The current character, or NUL at the end (never valid where a real one is expected). */
    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }
}
