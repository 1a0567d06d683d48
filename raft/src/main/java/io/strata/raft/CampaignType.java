package io.strata.raft;

import com.google.protobuf.ByteString;

/** Why a member starts an election. */
enum CampaignType {
  /** Ask for pre-votes first, without raising the term, so a partitioned member cannot disrupt. */
  PRE_ELECTION,
  ELECTION,
  /** Told by the leader to take over: the vote requests carry a marker that overrides leases. */
  TRANSFER;

  static final ByteString TRANSFER_CONTEXT = ByteString.copyFromUtf8("CampaignTransfer");
}
