package io.strata.server.lock;

/**
 * The failures of etcd's lock and election recipes. etcd builds both services from its client
 * library, whose errors are plain texts; clients (jetcd's {@code NotLeaderException},
 * {@code NoLeaderException}) recognise them by these exact strings.
 */
final class RecipeException extends RuntimeException {
  private RecipeException(String message) {
    super(message, null, false, false);
  }

  /** The waiter's own key was deleted (its lease expired or someone unlocked it) while it waited. */
  static RecipeException sessionExpired() {
    return new RecipeException("mutex: session is expired");
  }

  static RecipeException notLeader() {
    return new RecipeException("election: not leader");
  }

  static RecipeException noLeader() {
    return new RecipeException("election: no leader");
  }

  static RecipeException missingLeaderKey() {
    return new RecipeException("\"leader\" field must be provided");
  }
}
