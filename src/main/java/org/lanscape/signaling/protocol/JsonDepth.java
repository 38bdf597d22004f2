package org.lanscape.signaling.protocol;

/**
 * How deeply a JSON text nests, read without parsing it: for the JSON that goes to a parser that
 * recurses (JSON-P for metadata, jose4j for a token's claims), which a text nested thousands of
 * levels deep would overflow.
 */
public final class JsonDepth {

    private JsonDepth() {
    }

    /** The deepest nesting of objects and arrays in the text (strings skipped); 0 for a scalar. */
    public static int of(String json) {
        int depth = 0;
        int deepest = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return deepest;
    }
}
