package it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client library as a package: its TypeScript declarations type-check a usage example
 * (src/test/js/types-usage.ts, strict, with lines that must stay errors), and its package.json
 * names files that exist.
 */
class ClientTypesIT {

    private static final Path CLIENT = Path.of("src/main/webapp/client");

    @Test
    void theDeclarationsTypeCheckTheUsageExample() throws Exception {
        Path js = Path.of("src/test/js");
        Process tsc = new ProcessBuilder(js.resolve("node_modules/.bin/tsc").toString(), "--noEmit", "-p",
                js.resolve("tsconfig.json").toString()).redirectErrorStream(true).start();
        String output = new String(tsc.getInputStream().readAllBytes());
        assertTrue(tsc.waitFor(120, TimeUnit.SECONDS), "tsc finished");
        assertEquals(0, tsc.exitValue(), "tsc --noEmit:\n" + output);
    }

    @Test
    void thePackageNamesTheModuleAndItsTypes() throws Exception {
        JsonObject pkg = Json.createReader(new StringReader(Files.readString(CLIENT.resolve("package.json")))).readObject();
        assertEquals("module", pkg.getString("type"));
        JsonObject exports = pkg.getJsonObject("exports").getJsonObject(".");
        for (String file : new String[] {pkg.getString("main"), pkg.getString("types"), exports.getString("import"),
                exports.getString("types")}) {
            assertTrue(Files.exists(CLIENT.resolve(file)), file + " exists beside package.json");
        }
        pkg.getJsonArray("files").getValuesAs(jakarta.json.JsonString::getString)
                .forEach(file -> assertTrue(Files.exists(CLIENT.resolve(file)), file));
    }
}
