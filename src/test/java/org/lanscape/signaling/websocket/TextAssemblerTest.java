package org.lanscape.signaling.websocket;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextAssemblerTest {

    @Test
    void aWholeMessageComesBackAsItIs() {
        TextAssembler assembler = new TextAssembler(10);
        String message = "0123456789";
        assertSame(message, assembler.add(message, true));
        assertFalse(assembler.tooBig());
    }

    @Test
    void partsAreJoinedInOrder() {
        TextAssembler assembler = new TextAssembler(10);
        assertNull(assembler.add("abc", false));
        assertNull(assembler.add("def", false));
        assertEquals("abcdefg", assembler.add("g", true));
        assertEquals("next", assembler.add("next", true), "the next message starts afresh");
    }

    @Test
    void theLimitHoldsForTheWholeMessageNotEachPart() {
        TextAssembler assembler = new TextAssembler(10);
        assertNull(assembler.add("123456", false));
        assertNull(assembler.add("123456", false));
        assertTrue(assembler.tooBig());
        assertNull(assembler.add("x", true), "nothing more is taken once over the limit");
    }

    @Test
    void aSingleOversizedMessageIsRefused() {
        TextAssembler assembler = new TextAssembler(10);
        assertNull(assembler.add("01234567890", true));
        assertTrue(assembler.tooBig());
    }
}
