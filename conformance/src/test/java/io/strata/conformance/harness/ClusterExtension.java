package io.strata.conformance.harness;

import io.etcd.jetcd.Client;
import java.util.List;
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
    private final List<String> extraFlags;
    private Cluster cluster;
    private Client client;

    private ClusterExtension(int size, List<String> extraFlags) {
        this.size = size;
        this.extraFlags = List.copyOf(extraFlags);
    }

    public static ClusterExtension single() {
        return new ClusterExtension(1, List.of());
    }

    public static ClusterExtension ofSize(int size) {
        return new ClusterExtension(size, List.of());
    }

    /** One member started with {@code extraFlags} after the common flags (etcd's spelling). */
    public static ClusterExtension singleWithFlags(String... extraFlags) {
        return new ClusterExtension(1, List.of(extraFlags));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = Cluster.start(ServerKind.target(), context.getRequiredTestClass().getSimpleName(), size,
                extraFlags);
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
