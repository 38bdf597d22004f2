package org.lanscape.signaling.auth;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Verifies a JWT with jose4j: signature (HS256 with a shared secret, RS256 or ES256 with a public
 * key or a JWKS), expiry (required), not-before, audience and issuer when configured; then reads
 * the topics the token may join and the metadata it supplies.
 */
public final class TokenVerifier {

    private final JwtConsumer consumer;
    private final String topicsClaim;
    private final String metadataClaim;
    private final String adminClaim;
    private final String maxPeersClaim;
    private final long skewMillis;

    private TokenVerifier(JwtConsumer consumer, ClaimNames claims, Duration skew) {
        this.consumer = consumer;
        this.topicsClaim = claims.topics();
        this.metadataClaim = claims.metadata();
        this.adminClaim = claims.admin();
        this.maxPeersClaim = claims.maxPeers();
        this.skewMillis = skew.toMillis();
    }

    /** HS256 with a shared secret of at least 32 bytes. */
    public static TokenVerifier hmac(String secret, String audience, String issuer, Duration skew,
                                     ClaimNames claims) {
        return new TokenVerifier(builder(audience, issuer, skew)
                .setVerificationKey(new HmacKey(secret.getBytes(StandardCharsets.UTF_8)))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.HMAC_SHA256)
                .build(), claims, skew);
    }

    /** RS256 or ES256 with one public key (PEM, "BEGIN PUBLIC KEY"). */
    public static TokenVerifier publicKey(String pem, String audience, String issuer, Duration skew,
                                          ClaimNames claims) {
        PublicKey key = parsePublicKey(pem);
        String alg = key.getAlgorithm().equals("EC") ? AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256
                : AlgorithmIdentifiers.RSA_USING_SHA256;
        return new TokenVerifier(builder(audience, issuer, skew)
                .setVerificationKey(key)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, alg)
                .build(), claims, skew);
    }

    /** RS256 or ES256 with the keys of a JWKS document, chosen by the token's kid. */
    public static TokenVerifier jwks(String jwksJson, String audience, String issuer, Duration skew,
                                     ClaimNames claims) {
        try {
            JsonWebKeySet set = new JsonWebKeySet(jwksJson);
            return new TokenVerifier(builder(audience, issuer, skew)
                    .setVerificationKeyResolver(new JwksVerificationKeyResolver(set.getJsonWebKeys()))
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                    .build(), claims, skew);
        } catch (JoseException e) {
            throw new IllegalArgumentException("not a JWKS document: " + e.getMessage(), e);
        }
    }

    private static JwtConsumerBuilder builder(String audience, String issuer, Duration skew) {
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds((int) skew.toSeconds());
        if (audience != null) {
            builder.setExpectedAudience(audience);
        } else {
            builder.setSkipDefaultAudienceValidation();
        }
        if (issuer != null) {
            builder.setExpectedIssuer(issuer);
        }
        return builder;
    }

    static PublicKey parsePublicKey(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PEM public key");
        }
        for (String type : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception e) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException("not an RSA or EC public key");
    }

    /** Claims nested deeper than this are refused before jose4j, which parses them recursively, sees them. */
    static final int MAX_CLAIMS_DEPTH = 64;

    /** The grant of a valid token; a 401 AuthException saying what is wrong otherwise. */
    public Grant verify(String token) throws AuthException {
        if (claimsDepth(token) > MAX_CLAIMS_DEPTH) {
            throw new AuthException(401, "invalid_token", "the token's claims are nested too deep");
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            String why = e.hasExpired() ? "the token has expired"
                    : e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)
                    ? "the token is not for this audience"
                    : e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING) ? "the token has no expiry"
                    : e.hasErrorCode(ErrorCodes.ISSUER_INVALID) ? "the token's issuer is not accepted"
                    : "the token is invalid";
            throw new AuthException(401, "invalid_token", why);
        } catch (RuntimeException e) {
            throw new AuthException(401, "invalid_token", "the token is invalid");
        }
        try {
            long validUntil = claims.getExpirationTime().getValueInMillis() + skewMillis;
            boolean admin = Boolean.TRUE.equals(claims.getClaimValue(adminClaim));
            return new Grant(claims.getSubject(), topics(claims), metadata(claims), validUntil, admin, maxPeers(claims));
        } catch (MalformedClaimException | RuntimeException e) {
            throw new AuthException(401, "invalid_token", "the token's claims are malformed");
        }
    }

    /** How deeply the token's payload (its second part, base64url JSON) nests; 0 when it is not readable. */
    private static int claimsDepth(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0) {
            return 0;
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
            return org.lanscape.signaling.protocol.JsonDepth.of(new String(payload, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return 0; // not base64url: jose4j refuses it
        }
    }

    private List<String> topics(JwtClaims claims) throws MalformedClaimException {
        if (!claims.hasClaim(topicsClaim)) {
            return null;
        }
        return claims.isClaimValueString(topicsClaim) ? List.of(claims.getStringClaimValue(topicsClaim))
                : List.copyOf(claims.getStringListClaimValue(topicsClaim));
    }

    /** A whole number of at least 1, or absent (0). */
    private int maxPeers(JwtClaims claims) throws MalformedClaimException {
        Object value = claims.getClaimValue(maxPeersClaim);
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Long n) || n < 1) {
            throw new MalformedClaimException(maxPeersClaim + " must be a whole number of at least 1");
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    private JsonObject metadata(JwtClaims claims) throws MalformedClaimException {
        Object value = claims.getClaimValue(metadataClaim);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map)) {
            throw new MalformedClaimException(metadataClaim + " must be an object");
        }
        String json = org.jose4j.json.JsonUtil.toJson(claims.getClaimValue(metadataClaim, Map.class));
        return Json.createReader(new StringReader(json)).readObject();
    }
}
