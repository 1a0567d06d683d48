package io.strata.server;

/** The versions this build reports: its own, and the etcd API it serves. */
public final class Versions {
  public static final String STRATA_VERSION = "0.1.0";
  /** The etcd release whose v3 API and behaviour Strata matches; Status.version reports it. */
  public static final String ETCD_API_VERSION = "3.5.30";
  /** The cluster version etcd 3.5 reports (major.minor.0). */
  public static final String ETCD_CLUSTER_VERSION = "3.5.0";

  private Versions() {}
}
