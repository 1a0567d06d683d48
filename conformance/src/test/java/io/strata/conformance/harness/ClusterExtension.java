package io.strata.conformance.harness;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shares one cluster of the target kind (and one jetcd client) among the tests of a class,
 * since starting a server costs seconds. Register it as a static field:
 * {@code @RegisterExtension static final ClusterExtension SERVER = ClusterExtension.single();}
 */
public final class ClusterExtension implements BeforeAllCallback, AfterAllCallback {
    private final int size;
    private Cluster cluster;
    private Client client;

    private ClusterExtension(int size) {
        this.size = size;
    }

    public static ClusterExtension single() {
        return new ClusterExtension(1);
    }

    public static ClusterExtension ofSize(int size) {
        return new ClusterExtension(size);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = Cluster.start(ServerKind.target(), context.getRequiredTestClass().getSimpleName(), size);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            client = null;
            if (cluster != null) {
                cluster.close();
                cluster = null;
            }
        }
    }

    public Cluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster is started before the first test of the class");
        }
        return cluster;
    }

    /** One jetcd client shared by the class's tests. */
    public synchronized Client client() {
        if (client == null) {
            client = cluster().newClient();
        }
        return client;
    }
}
