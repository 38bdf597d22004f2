package org.lanscape.signaling.auth;

import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenVerifierTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    private static final Duration SKEW = Duration.ofSeconds(30);

    static String sign(Key key, String alg, String kid, JwtClaims claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(alg);
        if (kid != null) {
            jws.setKeyIdHeaderValue(kid);
        }
        return jws.getCompactSerialization();
    }

    static JwtClaims claims(String audience, float expiresInMinutes) {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("alice");
        claims.setAudience(audience);
        claims.setExpirationTimeMinutesInTheFuture(expiresInMinutes);
        return claims;
    }

    private static TokenVerifier hmac() {
        return TokenVerifier.hmac(SECRET, "signaling", null, SKEW, ClaimNames.DEFAULT);
    }

    private static String hs256(JwtClaims claims) throws Exception {
        return sign(new HmacKey(SECRET.getBytes(StandardCharsets.UTF_8)), AlgorithmIdentifiers.HMAC_SHA256, null, claims);
    }

    @Test
    void hs256TokenGrantsItsTopicsAndMetadata() throws Exception {
        JwtClaims claims = claims("signaling", 5);
        claims.setStringListClaim("topics", List.of("room-1", "team-*"));
        claims.setClaim("metadata", Map.of("name", "Alice"));
        Grant grant = hmac().verify(hs256(claims));
        assertEquals("alice", grant.subject());
        assertTrue(grant.allows("room-1"));
        assertTrue(grant.allows("team-blue"));
        assertFalse(grant.allows("room-2"));
        assertFalse(grant.allows("room-10"));
        assertEquals("Alice", grant.metadata().getString("name"));
    }

    /** 5 000 levels of metadata overflowed jose4j's recursive parser (StackOverflowError, a 500). */
    @Test
    void claimsNestedThousandsDeepAreRefusedBeforeTheyAreParsed() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims("signaling", 5).toJson().replaceFirst("\\}$",
                ",\"metadata\":" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000) + "}"));
        jws.setKey(new HmacKey(SECRET.getBytes(StandardCharsets.UTF_8)));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        AuthException refused = refused(hmac(), jws.getCompactSerialization());
        assertEquals(401, refused.status());
        assertEquals("the token's claims are nested too deep", refused.getMessage());
    }

    @Test
    void aGrantIsValidUntilTheTokensExpiryAndItsSkewAndNamesAnAdmin() throws Exception {
        JwtClaims claims = claims("signaling", 5);
        claims.setClaim("admin", true);
        Grant grant = hmac().verify(hs256(claims));
        assertEquals(claims.getExpirationTime().getValueInMillis() + SKEW.toMillis(), grant.validUntilMillis());
        assertTrue(grant.admin());
        assertFalse(hmac().verify(hs256(claims("signaling", 5))).admin());
    }

    @Test
    void aTokensMaxPeersLowersTheTopicsLimitForItsJoinOnly() throws Exception {
        JwtClaims claims = claims("signaling", 5);
        claims.setClaim("max_peers", 2);
        Grant call = hmac().verify(hs256(claims));
        assertEquals(2, call.maxPeers(1000));
        assertEquals(1, call.maxPeers(1), "never above the configured limit");
        assertEquals(1000, hmac().verify(hs256(claims("signaling", 5))).maxPeers(1000));
        for (Object bad : List.of(0, -3, "2", 2.5)) {
            claims.setClaim("max_peers", bad);
            assertEquals("the token's claims are malformed", refused(hmac(), hs256(claims)).getMessage(), String.valueOf(bad));
        }
    }

    @Test
    void aTokenWithoutTopicsGrantsEveryTopic() throws Exception {
        Grant grant = hmac().verify(hs256(claims("signaling", 5)));
        assertTrue(grant.allows("anything"));
        assertNull(grant.metadata());
    }

    @Test
    void expiredWrongAudienceNoExpiryBadSignatureAndGarbageAreRefusedWith401() throws Exception {
        assertEquals("the token has expired", refused(hmac(), hs256(claims("signaling", -5))).getMessage());
        assertEquals("the token is not for this audience", refused(hmac(), hs256(claims("elsewhere", 5))).getMessage());
        JwtClaims noExpiry = new JwtClaims();
        noExpiry.setAudience("signaling");
        assertEquals("the token has no expiry", refused(hmac(), hs256(noExpiry)).getMessage());
        String forged = sign(new HmacKey("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8)),
                AlgorithmIdentifiers.HMAC_SHA256, null, claims("signaling", 5));
        assertEquals("the token is invalid", refused(hmac(), forged).getMessage());
        assertEquals(401, refused(hmac(), "not.a.token").status());
        // alg=none must never pass
        JsonWebSignature none = new JsonWebSignature();
        none.setPayload(claims("signaling", 5).toJson());
        none.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        none.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
        assertEquals(401, refused(hmac(), none.getCompactSerialization()).status());
    }

    @Test
    void rs256WithAPemPublicKey() throws Exception {
        RsaJsonWebKey rsa = RsaJwkGenerator.generateJwk(2048);
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsa.getPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        TokenVerifier verifier = TokenVerifier.publicKey(pem, "signaling", null, SKEW, ClaimNames.DEFAULT);
        assertEquals("alice", verifier.verify(sign(rsa.getPrivateKey(), AlgorithmIdentifiers.RSA_USING_SHA256, null,
                claims("signaling", 5))).subject());
        // an HS256 token "signed" with the public key as the secret: the classic confusion attack
        String confused = sign(new HmacKey(rsa.getPublicKey().getEncoded()), AlgorithmIdentifiers.HMAC_SHA256, null,
                claims("signaling", 5));
        assertEquals(401, refused(verifier, confused).status());
    }

    @Test
    void es256FromAJwksChosenByKid() throws Exception {
        EllipticCurveJsonWebKey ec = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        ec.setKeyId("k1");
        EllipticCurveJsonWebKey other = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        other.setKeyId("k2");
        String jwks = new JsonWebKeySet(ec, other).toJson(); // public parts only
        TokenVerifier verifier = TokenVerifier.jwks(jwks, "signaling", null, SKEW, ClaimNames.DEFAULT);
        assertEquals("alice", verifier.verify(sign(ec.getPrivateKey(),
                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, "k1", claims("signaling", 5))).subject());
        String wrongKid = sign(ec.getPrivateKey(), AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, "k2",
                claims("signaling", 5));
        assertEquals(401, refused(verifier, wrongKid).status());
    }

    @Test
    void malformedClaimsAreRefused() throws Exception {
        JwtClaims claims = claims("signaling", 5);
        claims.setClaim("metadata", "not an object");
        assertEquals("the token's claims are malformed", refused(hmac(), hs256(claims)).getMessage());
    }

    private static AuthException refused(TokenVerifier verifier, String token) {
        return assertThrows(AuthException.class, () -> verifier.verify(token));
    }
}
