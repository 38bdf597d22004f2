package org.lanscape.signaling.cluster.redis;

/**
 * The Redis keys and channels. Keys of one topic share the hash tag {t:topic} and keys of one
 * node the tag {n:node}, so that on Redis Cluster each group lives in one slot; so do their
 * sharded channels. The classic channels keep their names of before, so that nodes of two
 * releases still hear each other during a rolling upgrade on one Redis or Sentinel.
 */
final class RedisKeys {

    static final String NODES = "sig:nodes";
    /** ZSET of "topic\npeer" by the epoch millisecond its parked session expires. */
    static final String PARKED = "sig:parked";

    private RedisKeys() {
    }

    /** HASH peerId -> {"node":..,"metadata":..}: the topic's members on every node. */
    static String members(String topic) {
        return "sig:{t:" + topic + "}:members";
    }

    /** STRING with a TTL: a session a stopping node left for a resume elsewhere, by its token's hash. */
    static String parked(String topic, String tokenHash) {
        return "sig:{t:" + topic + "}:parked:" + tokenHash;
    }

    /** STRING with a TTL past the grace period: who sent the relays held for a parked session (HeldRelay.senders). */
    static String parkedSenders(String topic, String peer) {
        return "sig:{t:" + topic + "}:parked-senders:" + peer;
    }

    /** STRING with a TTL, renewed by the node while it lives. */
    static String alive(String node) {
        return "sig:{n:" + node + "}:alive";
    }

    /**
     * STRING, no TTL: the node registered all its peers since Redis last lost data, so its entries
     * are whole (another node's resync may remove a member of it that Redis lacks). Gone with
     * Redis's data, with the node's leave, and with its cleanup after its death.
     */
    static String registered(String node) {
        return "sig:{n:" + node + "}:registered";
    }

    /** SET of the topics the node has peers in, for cleaning up after it. */
    static String nodeTopics(String node) {
        return "sig:{n:" + node + "}:topics";
    }

    /** HASH token hash -> session record: the node's resumable sessions, for parking them if it dies (Standby). */
    static String standby(String node) {
        return "sig:{n:" + node + "}:standby";
    }

    /** SET of the token subjects the node holds connections of, for cleaning up after it. */
    static String nodeSubjects(String node) {
        return "sig:{n:" + node + "}:subjects";
    }

    /** HASH connection id -> node: a token subject's connections on every node (signaling.user.max-connections). */
    static String connections(String subject) {
        return "sig:{u:" + subject + "}:conns";
    }

    /** STRING lock taken by the node that cleans up after a dead one. */
    static String cleaning(String node) {
        return "sig:{n:" + node + "}:cleaning";
    }

    /**
     * Channel of a topic's membership events: every node with peers in it subscribes. Sharded
     * (Redis Cluster), it carries the topic's hash tag, so that one shard holds all of a topic.
     */
    static String topicChannel(String topic, boolean sharded) {
        return sharded ? "sig:{t:" + topic + "}:events" : "sig:topic:" + topic;
    }

    /** Channel of relays to one node's peers, and of replies to its senders; sharded, in the node's slot. */
    static String nodeChannel(String node, boolean sharded) {
        return sharded ? "sig:{n:" + node + "}:inbox" : "sig:node:" + node;
    }
}
