package org.lanscape.signaling.websocket;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextAssemblerTest {

    private final List<Integer> frameLimits = new ArrayList<>();

    private TextAssembler assembler(int limit) {
        return new TextAssembler(limit, frameLimits::add);
    }

    @Test
    void aWholeMessageComesBackAsItIs() {
        TextAssembler assembler = assembler(10);
        String message = "0123456789";
        assertSame(message, assembler.add(message, true));
        assertFalse(assembler.tooBig());
        assertEquals(List.of(), frameLimits, "one frame: the session's limit stays");
    }

    @Test
    void partsAreJoinedInOrderAndTheNextFrameMayOnlyTakeWhatIsLeft() {
        TextAssembler assembler = assembler(10);
        assertNull(assembler.add("abc", false));
        assertNull(assembler.add("def", false));
        assertEquals("abcdefg", assembler.add("g", true));
        assertEquals(List.of(7, 4, 10), frameLimits, "bytes left after each frame, then the whole limit again");
        assertEquals("next", assembler.add("next", true), "the next message starts afresh");
    }

    @Test
    void theLimitHoldsForTheWholeMessageInBytes() {
        TextAssembler assembler = assembler(10);
        assertNull(assembler.add("€€", false)); // 6 bytes
        assertNull(assembler.add("€€", false)); // 12
        assertTrue(assembler.tooBig());
        assertNull(assembler.add("x", true), "nothing more is taken once over the limit");
    }

    @Test
    void aSingleOversizedMessageIsRefusedInCharactersOrBytes() {
        assertNull(assembler(10).add("01234567890", true));
        TextAssembler bytes = assembler(10);
        assertNull(bytes.add("€€€€", true), "4 characters, 12 bytes");
        assertTrue(bytes.tooBig());
    }
}
