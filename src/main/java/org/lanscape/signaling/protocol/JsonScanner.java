package org.lanscape.signaling.protocol;

/**
 * A strict, single-pass JSON validator for one client frame, written for the hot path: it reads
 * the top-level object, decodes the string values of the fields asked for, and marks where every
 * other value starts and ends, so that a payload is validated but never copied character by
 * character (JSON-P's tokenizer was 30% of the server's CPU on 2 KB SDP payloads). The grammar is
 * RFC 8259's; nesting deeper than {@link #MAX_DEPTH} is refused. DecoderProperties checks that it
 * accepts exactly what JSON-P accepts.
 */
final class JsonScanner {

    static final int MAX_DEPTH = 128;

    /** Thrown for any text that is not one JSON object. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false); // no stack trace: this is a normal outcome
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

    private JsonScanner(String s) {
        this.s = s;
    }

    /** Scans text that must be exactly one JSON object (whitespace around it allowed). */
    static void scanObject(String text, Members members) throws Malformed {
        JsonScanner scanner = new JsonScanner(text);
        scanner.ws();
        if (scanner.peek() != '{') {
            throw new Malformed("not an object");
        }
        scanner.i++;
        scanner.ws();
        if (scanner.peek() == '}') {
            scanner.i++;
        } else {
            while (true) {
                scanner.ws();
                if (scanner.peek() != '"') {
                    throw new Malformed("a key must be a string");
                }
                String key = scanner.string(true);
                scanner.ws();
                scanner.expect(':');
                scanner.ws();
                int start = scanner.i;
                char first = scanner.peek();
                String value = first == '"' ? scanner.string(true) : null;
                if (first != '"') {
                    scanner.value(1);
                }
                members.member(key, first, value, start, scanner.i);
                scanner.ws();
                char c = scanner.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw new Malformed("expected , or }");
                }
            }
        }
        scanner.ws();
        if (scanner.i != text.length()) {
            throw new Malformed("text after the object");
        }
    }

    private void value(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw new Malformed("nested too deep");
        }
        char c = peek();
        switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string(false);
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw new Malformed("unexpected character");
                }
            }
        }
    }

    private void object(int depth) throws Malformed {
        i++; // {
        ws();
        if (peek() == '}') {
            i++;
            return;
        }
        while (true) {
            ws();
            if (peek() != '"') {
                throw new Malformed("a key must be a string");
            }
            string(false);
            ws();
            expect(':');
            ws();
            value(depth + 1);
            ws();
            char c = next();
            if (c == '}') {
                return;
            }
            if (c != ',') {
                throw new Malformed("expected , or }");
            }
        }
    }

    private void array(int depth) throws Malformed {
        i++; // [
        ws();
        if (peek() == ']') {
            i++;
            return;
        }
        while (true) {
            ws();
            value(depth + 1);
            ws();
            char c = next();
            if (c == ']') {
                return;
            }
            if (c != ',') {
                throw new Malformed("expected , or ]");
            }
        }
    }

    /** Reads a string; returns its decoded value when {@code decode}, otherwise only validates it. */
    private String string(boolean decode) throws Malformed {
        i++; // opening quote
        int start = i;
        StringBuilder decoded = null;
        while (true) {
            if (i >= s.length()) {
                throw new Malformed("unterminated string");
            }
            char c = s.charAt(i);
            if (c == '"') {
                String value = !decode ? null : decoded == null ? s.substring(start, i)
                        : decoded.append(s, start, i).toString();
                i++;
                return value;
            }
            if (c < 0x20) {
                throw new Malformed("control character in a string");
            }
            if (c != '\\') {
                i++;
                continue;
            }
            if (decode && decoded == null) {
                decoded = new StringBuilder();
            }
            if (decode) {
                decoded.append(s, start, i);
            }
            if (i + 1 >= s.length()) {
                throw new Malformed("unterminated escape");
            }
            char e = s.charAt(i + 1);
            char out;
            switch (e) {
                case '"' -> out = '"';
                case '\\' -> out = '\\';
                case '/' -> out = '/';
                case 'b' -> out = '\b';
                case 'f' -> out = '\f';
                case 'n' -> out = '\n';
                case 'r' -> out = '\r';
                case 't' -> out = '\t';
                case 'u' -> {
                    if (i + 6 > s.length()) {
                        throw new Malformed("bad unicode escape");
                    }
                    int code = 0;
                    for (int k = i + 2; k < i + 6; k++) {
                        int digit = Character.digit(s.charAt(k), 16);
                        if (digit < 0) {
                            throw new Malformed("bad unicode escape");
                        }
                        code = code * 16 + digit;
                    }
                    out = (char) code;
                    i += 4;
                }
                default -> throw new Malformed("bad escape");
            }
            if (decode) {
                decoded.append(out);
            }
            i += 2;
            start = i;
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
            throw new Malformed("bad number");
        }
        if (peek() == '.') {
            i++;
            if (!isDigit(peek())) {
                throw new Malformed("bad number");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw new Malformed("bad number");
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
            throw new Malformed("bad literal");
        }
        i += word.length();
    }

    private void expect(char c) throws Malformed {
        if (next() != c) {
            throw new Malformed("expected " + c);
        }
    }

    private char next() throws Malformed {
        if (i >= s.length()) {
            throw new Malformed("unexpected end");
        }
        return s.charAt(i++);
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
