package org.lanscape.signaling.telemetry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QueryRedactionTest {

    @Test
    void theSecretsGoAndEverythingElseStays() {
        assertEquals("access_token=REDACTED", QueryRedaction.redact("access_token=eyJ.a.b"));
        assertEquals("metadata=%7B%7D&access_token=REDACTED&received=3",
                QueryRedaction.redact("metadata=%7B%7D&access_token=eyJ.a.b&received=3"));
        assertEquals("resume=REDACTED&resumable=true", QueryRedaction.redact("resume=tok&resumable=true"));
        assertEquals("my_access_token=x&noresume=y", QueryRedaction.redact("my_access_token=x&noresume=y"));
    }
}
