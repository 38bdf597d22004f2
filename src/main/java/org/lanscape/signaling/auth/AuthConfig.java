package org.lanscape.signaling.auth;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.lanscape.signaling.config.ConfigReader;
import org.lanscape.signaling.config.InvalidConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code signaling.auth.*}: off by default; with {@code jwt}, exactly one key source must be set
 * (a secret, a public key, or a JWKS file) or the application does not start. Secrets and keys
 * are never logged, not even in the startup error.
 */
@ApplicationScoped
public class AuthConfig {

    @Inject
    Config config;

    private AuthMode mode;
    private TokenVerifier verifier;

    @PostConstruct
    void init() {
        ConfigReader read = new ConfigReader(config);
        mode = read.choice("signaling.auth.mode", AuthMode.class);
        if (mode == AuthMode.JWT) {
            verifier = verifier(read);
        }
    }

    public AuthMode mode() {
        return mode;
    }

    /** The verifier, when the mode is jwt. */
    public TokenVerifier verifier() {
        return verifier;
    }

    private static TokenVerifier verifier(ConfigReader read) {
        String secret = read.optional("signaling.auth.jwt.secret").orElse(null);
        String publicKey = read.optional("signaling.auth.jwt.public-key").orElse(null);
        String jwksFile = read.optional("signaling.auth.jwt.jwks-file").orElse(null);
        int sources = (secret != null ? 1 : 0) + (publicKey != null ? 1 : 0) + (jwksFile != null ? 1 : 0);
        if (sources != 1) {
            throw new InvalidConfigException("signaling.auth.mode", "jwt", sources == 0
                    ? "needs a key: set signaling.auth.jwt.secret, signaling.auth.jwt.public-key or signaling.auth.jwt.jwks-file"
                    : "needs exactly one of signaling.auth.jwt.secret, signaling.auth.jwt.public-key, signaling.auth.jwt.jwks-file");
        }
        String audience = read.optional("signaling.auth.jwt.audience").orElse(null);
        String issuer = read.optional("signaling.auth.jwt.issuer").orElse(null);
        Duration skew = read.duration("signaling.auth.jwt.clock-skew", false);
        ClaimNames claims = new ClaimNames(read.string("signaling.auth.jwt.topics-claim"),
                read.string("signaling.auth.jwt.metadata-claim"), read.string("signaling.auth.jwt.admin-claim"),
                read.string("signaling.auth.jwt.max-peers-claim"));
        try {
            if (secret != null) {
                if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
                    throw new InvalidConfigException("signaling.auth.jwt.secret", null,
                            "must be at least 32 bytes for HS256 (the value is not shown)");
                }
                return TokenVerifier.hmac(secret, audience, issuer, skew, claims);
            }
            if (publicKey != null) {
                String pem = publicKey.startsWith("-----BEGIN") ? publicKey : Files.readString(Path.of(publicKey));
                return TokenVerifier.publicKey(pem, audience, issuer, skew, claims);
            }
            return TokenVerifier.jwks(Files.readString(Path.of(jwksFile)), audience, issuer, skew, claims);
        } catch (IOException e) {
            throw new InvalidConfigException(publicKey != null ? "signaling.auth.jwt.public-key"
                    : "signaling.auth.jwt.jwks-file", publicKey != null ? publicKey : jwksFile, "cannot be read");
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(publicKey != null ? "signaling.auth.jwt.public-key"
                    : "signaling.auth.jwt.jwks-file", null, "is not usable: " + e.getMessage());
        }
    }
}
