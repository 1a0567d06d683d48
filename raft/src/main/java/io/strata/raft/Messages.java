package io.strata.raft;

import io.strata.raft.proto.MessageType;

/** Facts about message types that several parts of the core rely on. */
final class Messages {
  private Messages() {}

  /** Messages the core makes for itself; a peer must never send them. */
  static boolean isLocal(MessageType type) {
    return switch (type) {
      case MSG_HUP, MSG_BEAT, MSG_UNREACHABLE, MSG_SNAP_STATUS, MSG_CHECK_QUORUM -> true;
      default -> false;
    };
  }

  static boolean isResponse(MessageType type) {
    return switch (type) {
      case MSG_APP_RESP, MSG_VOTE_RESP, MSG_HEARTBEAT_RESP, MSG_UNREACHABLE, MSG_PRE_VOTE_RESP -> true;
      default -> false;
    };
  }

  static boolean isVoteRequest(MessageType type) {
    return type == MessageType.MSG_VOTE || type == MessageType.MSG_PRE_VOTE;
  }

  /** Vote messages carry their own term (a pre-vote's is in the future), so send() keeps it. */
  static boolean carriesOwnTerm(MessageType type) {
    return switch (type) {
      case MSG_VOTE, MSG_PRE_VOTE, MSG_VOTE_RESP, MSG_PRE_VOTE_RESP -> true;
      default -> false;
    };
  }

  static MessageType voteResponseTo(MessageType request) {
    return request == MessageType.MSG_VOTE ? MessageType.MSG_VOTE_RESP : MessageType.MSG_PRE_VOTE_RESP;
  }
}
