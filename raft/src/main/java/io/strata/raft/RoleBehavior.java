package io.strata.raft;

import io.strata.raft.proto.Message;

/**
 * What a member does on a tick and with a message of its current term, which depends on its role.
 * The role's object is swapped on every transition, so no method has to ask "am I the leader?".
 */
interface RoleBehavior {
  void tick();

  void step(Message message);
}
